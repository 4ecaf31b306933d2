-- 0003_history: the change log (argmap.store._history).
--
-- Written in the same transaction as every write it records, on a DuckDB file and on a lake
-- alike (the same two tables, not DuckLake's snapshots: a file has none, and one log keeps
-- author, message and per-entity states identical on both back ends and portable between
-- them). Rows are only ever appended: a restore is a new version.
--
-- history_versions: one row per write to a map. version counts 1, 2, 3 … per map and goes
-- on across a delete and re-creation of the map; written_at is UTC; action is write, load, delete,
-- restore or baseline (the state of a map that existed before the log).
CREATE TABLE IF NOT EXISTS history_versions (
    map_id        VARCHAR NOT NULL,
    version       BIGINT NOT NULL,
    written_at    TIMESTAMP NOT NULL,
    author        VARCHAR,
    message       VARCHAR,
    action        VARCHAR NOT NULL,
    restored_from BIGINT,
    summary       VARCHAR NOT NULL,
    changes       BIGINT NOT NULL,
    PRIMARY KEY (map_id, version)
);

-- history_changes: one row per entity a version changed. kind is map, speaker, source,
-- statement, argument or relation; before and after are the entity's JSON document (NULL:
-- absent), seq its place in map order. The state of a map at version V is, for each entity,
-- the after of its latest row at or below V.
CREATE TABLE IF NOT EXISTS history_changes (
    map_id  VARCHAR NOT NULL,
    version BIGINT NOT NULL,
    kind    VARCHAR NOT NULL,
    id      VARCHAR NOT NULL,
    seq     BIGINT,
    before  VARCHAR,
    after   VARCHAR
);

-- The before-state of an entity a write touches is its latest after: looked up by id alone,
-- which DuckDB answers through this index (see the note on statements_id in schema.sql).
CREATE INDEX IF NOT EXISTS history_changes_id ON history_changes (id);
