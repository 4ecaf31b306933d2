-- 0005_narrow_log: the change log keeps seven columns instead of fourteen.
--
-- Every write appends its log rows in one INSERT in its own transaction, and what that INSERT
-- and the commit cost grows with the table's columns, not with the text in them (benchmarks/
-- history.py: 14 -> 7 columns took the logged write from 1.28-1.32x an unlogged one to
-- 1.18-1.20x on 10,000 statements). Seven of the fourteen held a version's own row only.
--
-- Each row is one entity a version changed: kind (map, speaker, source, statement, argument or
-- relation), id, seq its place in map order, before and after its JSON document (NULL: absent).
-- A version's own row has kind and id NULL, seq the time it was written (microseconds since
-- 1970-01-01, UTC), before NULL, and after a JSON object: author, message, action (write, load,
-- delete, restore or baseline), restored_from, summary, changes (how many entities it changed).
-- The state of a map at version V is, for each entity, the after of its latest row at or below
-- V. Rows are only ever appended: a restore is a new version.
CREATE TABLE change_log_4 AS SELECT * FROM change_log;
DROP TABLE change_log;
CREATE TABLE change_log (
    map_id  VARCHAR NOT NULL,
    version BIGINT NOT NULL,
    kind    VARCHAR,
    id      VARCHAR,
    seq     BIGINT,
    before  VARCHAR,
    after   VARCHAR
);
INSERT INTO change_log
SELECT map_id, version, kind, id,
       CASE WHEN kind IS NULL THEN epoch_us(written_at) ELSE seq END,
       before,
       CASE WHEN kind IS NULL THEN json_object('author', author, 'message', message, 'action', action,
                                               'restored_from', restored_from, 'summary', summary,
                                               'changes', changes)::VARCHAR
            ELSE after END
FROM change_log_4
ORDER BY map_id, version, kind NULLS FIRST, id;
DROP TABLE change_log_4;
