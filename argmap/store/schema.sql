-- argmap store schema, version 1 (0001_initial).
--
-- Every table is keyed by (map_id, id): ids are unique within a map, and maps never share rows.
--
-- References (statement → speaker/source, premise → statement, target → statement/argument)
-- are checked by argmap.store inside each write transaction, not declared as FOREIGN KEYs:
-- DuckDB checks a foreign key against the state before the transaction, so deleting a
-- statement together with the arguments that use it (delete with cascade, replacing a map)
-- fails in one transaction ("still referenced by a foreign key"), which would force
-- non-atomic deletes. DuckLake has no foreign keys either. Store.check_integrity() runs the
-- anti-joins below the store's checks as the second line of defence; tests call it.

CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- version grows with every write to the map: caches of derived data (the support graph,
-- the search index) compare it instead of guessing.
CREATE TABLE IF NOT EXISTS maps (
    id          VARCHAR PRIMARY KEY,
    title       VARCHAR NOT NULL,
    description VARCHAR,
    version     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS speakers (
    map_id      VARCHAR NOT NULL,
    id          VARCHAR NOT NULL,
    seq         BIGINT NOT NULL,
    name        VARCHAR,
    role        VARCHAR,
    affiliation VARCHAR,
    PRIMARY KEY (map_id, id)
);

CREATE TABLE IF NOT EXISTS sources (
    map_id       VARCHAR NOT NULL,
    id           VARCHAR NOT NULL,
    seq          BIGINT NOT NULL,
    title        VARCHAR NOT NULL,
    publisher    VARCHAR,
    url          VARCHAR,
    published    VARCHAR,
    published_lo DATE,
    published_hi DATE,
    text         VARCHAR,
    PRIMARY KEY (map_id, id)
);

-- said_lo/said_hi are the first and last day an EDTF date may denote: range filters
-- treat '2025-11' as the whole month by testing overlap with them.
CREATE TABLE IF NOT EXISTS statements (
    map_id         VARCHAR NOT NULL,
    id             VARCHAR NOT NULL,
    seq            BIGINT NOT NULL,
    text           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('claim', 'event', 'derived')),
    speaker_id     VARCHAR,
    said           VARCHAR,
    said_lo        DATE,
    said_hi        DATE,
    said_precision VARCHAR,
    source_id      VARCHAR,
    date_source_id VARCHAR,
    quote_start    INTEGER,
    quote_end      INTEGER,
    quote_text     VARCHAR,
    tags           VARCHAR[] NOT NULL DEFAULT [],
    note           VARCHAR,
    PRIMARY KEY (map_id, id)
);

CREATE TABLE IF NOT EXISTS arguments (
    map_id    VARCHAR NOT NULL,
    id        VARCHAR NOT NULL,
    seq       BIGINT NOT NULL,
    kind      VARCHAR NOT NULL CHECK (kind IN ('support', 'attack', 'undercut')),
    target_id VARCHAR NOT NULL,
    scheme    VARCHAR,
    note      VARCHAR,
    PRIMARY KEY (map_id, id)
);

-- One row per premise; position keeps the order the author gave.
CREATE TABLE IF NOT EXISTS premises (
    map_id       VARCHAR NOT NULL,
    argument_id  VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    statement_id VARCHAR NOT NULL,
    PRIMARY KEY (map_id, argument_id, position)
);

-- DuckDB answers a lookup through an ART index only for an equality on one column, never
-- through the composite primary key: `map_id = $m AND id = $id` scans the table (about 2 ms
-- at 100,000 statements), `id = $id` on these indexes takes about 0.4 ms. The store looks
-- rows up by id alone and keeps the row of the right map (ids repeat across maps, rarely).
CREATE INDEX IF NOT EXISTS statements_id ON statements (id);
CREATE INDEX IF NOT EXISTS arguments_id ON arguments (id);
CREATE INDEX IF NOT EXISTS premises_argument ON premises (argument_id);

-- The full-text index of each map (argmap.store._search) is derived data, rebuilt when the
-- map's version moves on; this records the version each index was built from.
CREATE TABLE IF NOT EXISTS search_indexes (
    map_id  VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL
);
