-- 0002_interchange: what AIF and Argdown documents say that the model has no column for,
-- and AIF's rephrase (MA) and preference (PA) nodes.
--
-- extras holds a JSON object (NULL when empty) that argmap stores and returns as it is, so
-- that exporting to the format it came from writes it back (AIF node and edge ids, timestamps,
-- Argdown titles and {data}). VARCHAR rather than JSON keeps the column portable to DuckLake.

ALTER TABLE maps ADD COLUMN extras VARCHAR;
ALTER TABLE statements ADD COLUMN extras VARCHAR;
ALTER TABLE arguments ADD COLUMN extras VARCHAR;

-- sources are statement ids (rephrase) or statement or argument ids (preference); like
-- premises they are checked by the store inside the write transaction.
CREATE TABLE relations (
    map_id    VARCHAR NOT NULL,
    id        VARCHAR NOT NULL,
    seq       BIGINT NOT NULL,
    kind      VARCHAR NOT NULL CHECK (kind IN ('rephrase', 'preference')),
    sources   VARCHAR[] NOT NULL,
    target_id VARCHAR NOT NULL,
    scheme    VARCHAR,
    note      VARCHAR,
    extras    VARCHAR,
    PRIMARY KEY (map_id, id)
);
