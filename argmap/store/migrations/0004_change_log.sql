-- 0004_change_log: the change log's two tables become one, without keys or indexes.
--
-- A write appends its log in one INSERT (the version's own row and a row per entity it
-- changed), and DuckDB's commit of a table with an index or a primary key costs more than the
-- log's insert itself: the log is only ever appended to, and read by map and version.
--
-- A version's own row has kind NULL: when (written_at, UTC), by whom (author), why (message),
-- action (write, load, delete, restore or baseline), restored_from, summary and changes (how
-- many entities it changed). Each other row is one entity the version changed: kind is map,
-- speaker, source, statement, argument or relation; before and after its JSON document (NULL:
-- absent); seq its place in map order. The state of a map at version V is, for each entity,
-- the after of its latest row at or below V. Versions count 1, 2, 3 … per map and go on across
-- a delete and re-creation of the map. Rows are only ever appended: a restore is a new version.
CREATE TABLE change_log (
    map_id        VARCHAR NOT NULL,
    version       BIGINT NOT NULL,
    kind          VARCHAR,
    id            VARCHAR,
    seq           BIGINT,
    before        VARCHAR,
    after         VARCHAR,
    written_at    TIMESTAMP,
    author        VARCHAR,
    message       VARCHAR,
    action        VARCHAR,
    restored_from BIGINT,
    summary       VARCHAR,
    changes       BIGINT
);

-- In map and version order, so that a query of a map's later versions skips the rest.
INSERT INTO change_log
SELECT map_id, version, kind, id, seq, before, after, written_at, author, message, action, restored_from, summary, changes
FROM (
    SELECT map_id, version, NULL AS kind, NULL AS id, NULL AS seq, NULL AS before, NULL AS after, written_at, author,
           message, action, restored_from, summary, changes
    FROM history_versions
    UNION ALL
    SELECT map_id, version, kind, id, seq, before, after, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM history_changes
)
ORDER BY map_id, version, kind NULLS FIRST, id;

DROP TABLE history_changes;
DROP TABLE history_versions;
