"""Full-text search with DuckDB's fts extension, loaded from the PyPI package that bundles it.

The extension ships inside ``duckdb-extension-fts`` for exactly the pinned duckdb version, so
search works on servers without internet access (``INSTALL fts`` would download it).

Each map has its own index (table ``search_<hash of the map id>``, fts schema
``fts_main_search_<hash>``), rebuilt when the map's version moves on, so a write to one map
never rebuilds another's index, and BM25's document statistics are the map's own. The build
also stores each (term, document) pair's share of the BM25 score, so a query only adds up
the shares of its own terms. The extension's ``match_bm25`` computes the same BM25 (k=1.2,
b=0.75) when asked, but once per document of the index (117 ms at 100,000 statements);
``tests/store/test_search.py`` checks that both rank alike.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import duckdb

from argmap.errors import ArgmapError, NotFound

__all__ = ["drop_index", "ensure_index", "extension_path", "index_table", "load_extension", "query"]

_BUILD = """
CREATE OR REPLACE TABLE {table} AS
SELECT s.id AS key, s.text,
       coalesce(sp.name, '') || ' ' || coalesce(sp.role, '') AS speaker,
       coalesce(src.title, '') AS source
FROM statements s
LEFT JOIN speakers sp ON sp.map_id = s.map_id AND sp.id = s.speaker_id
LEFT JOIN sources src ON src.map_id = s.map_id AND src.id = s.source_id
WHERE s.map_id = $m
"""
_INDEX = "PRAGMA create_fts_index('{table}', 'key', 'text', 'speaker', 'source', overwrite = 1, strip_accents = 1)"
# Every (term, document) pair's share of a BM25 score, computed once per build with
# match_bm25's own formula (k=1.2, b=0.75) and sorted by term, so that a query reads only the
# row groups of its own terms and adds up their weights.
_POSTINGS = """
CREATE TABLE {fts}.postings AS
SELECT t.termid, t.docid, d.name,
       log((((st.num_docs - dict.df) + 0.5) / (dict.df + 0.5)) + 1)
       * ((t.tf * (1.2 + 1)) / (t.tf + (1.2 * ((1 - 0.75) + (0.75 * (d.len / st.avgdl)))))) AS weight
FROM (SELECT termid, docid, count(*) AS tf FROM {fts}.terms GROUP BY termid, docid) t
JOIN {fts}.dict AS dict USING (termid) JOIN {fts}.docs AS d USING (docid), {fts}.stats AS st
ORDER BY t.termid, t.docid
"""
_STATE = """
SELECT m.version, i.version FROM maps m LEFT JOIN search_indexes i ON i.map_id = m.id WHERE m.id = $m
"""
# A document's score is the sum of its postings' weights for the query's distinct terms, as in
# match_bm25. Rounded to 9 decimals: the order in which DuckDB adds the weights moves the last
# bit, and equal documents must tie (then rank by id) whatever that order was.
_QUERY = """
SELECT name, round(sum(weight), 9) AS score FROM {fts}.postings
WHERE termid IN (
    SELECT termid FROM {fts}.dict WHERE term IN (SELECT stem(unnest({fts}.tokenize($q)), 'porter'))
)
GROUP BY docid, name ORDER BY score DESC, name LIMIT $limit
"""


@lru_cache(maxsize=1)
def extension_path() -> str:
    import duckdb_extension_fts

    folder = resources.files(duckdb_extension_fts) / "extensions" / f"v{duckdb.__version__}"
    path = folder / "fts.duckdb_extension"
    if not path.is_file():
        raise ArgmapError(
            "search", f"the fts extension for duckdb {duckdb.__version__} is not installed; "
            f"pip install duckdb-extension-fts=={duckdb.__version__}"
        )
    return str(path)


def load_extension(cur) -> None:
    cur.execute(f"LOAD '{extension_path()}'")  # a path from our own package, not input


def index_table(map_id: str) -> str:
    """The name of a map's search table: a hash, since map ids are not SQL identifiers."""
    return "search_" + hashlib.blake2b(map_id.encode(), digest_size=8).hexdigest()


def ensure_index(store, read_cur, map_id: str) -> str:
    """The map's fts schema, (re)built first when the map changed since (NotFound if no map).

    The check is one read; only a stale index is rebuilt, as one write (under the writer lock,
    in one transaction), so searches running meanwhile keep reading the previous index.
    """
    table = index_table(map_id)
    if not getattr(store, "_fts_loaded", False):
        load_extension(read_cur)  # once per database: the index's macros call its stemmer
        store._fts_loaded = True
    if _fresh(read_cur, map_id):
        return f"fts_main_{table}"

    def rebuild(cur) -> None:
        if _fresh(cur, map_id):  # another thread rebuilt it while this one waited for the lock
            return
        version = _state(cur, map_id)[0]
        cur.execute(_BUILD.format(table=table), {"m": map_id})
        cur.execute(_INDEX.format(table=table))
        cur.execute(_POSTINGS.format(fts=f"fts_main_{table}"))
        cur.execute("INSERT OR REPLACE INTO search_indexes VALUES ($m, $v)", {"m": map_id, "v": version})

    store.write(rebuild)  # derived data: the map's version stays as it is
    return f"fts_main_{table}"


def drop_index(cur, map_id: str) -> None:
    """Remove a map's index (inside the caller's write transaction: the map is going)."""
    table = index_table(map_id)
    cur.execute(f"DROP SCHEMA IF EXISTS fts_main_{table} CASCADE")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute("DELETE FROM search_indexes WHERE map_id = $m", {"m": map_id})


def query(cur, fts: str, q: str, limit: int) -> list[tuple[str, float]]:
    """(statement id, BM25 score), best first; ties by id (after :func:`ensure_index`)."""
    return [(r[0], r[1]) for r in cur.execute(_QUERY.format(fts=fts), {"q": q, "limit": limit}).fetchall()]


def _state(cur, map_id: str) -> tuple:
    row = cur.execute(_STATE, {"m": map_id}).fetchone()
    if row is None:
        raise NotFound("map", f"no map {map_id!r}")
    return row


def _fresh(cur, map_id: str) -> bool:
    version, built = _state(cur, map_id)
    return version == built
