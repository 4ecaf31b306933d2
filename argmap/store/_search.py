"""Full-text search with DuckDB's fts extension, loaded from the PyPI package that bundles it.

The extension ships inside ``duckdb-extension-fts`` for exactly the pinned duckdb version, so
search works on servers without internet access (``INSTALL fts`` would download it).

Each map has its own index, rebuilt when the map's version moves on, so a write to one map
never rebuilds another's index, and BM25's document statistics are the map's own. Each build
gets new names (table ``search_<hash of the map id>_<version>``, fts schema ``fts_main_`` plus
that) and becomes current in one step, when ``search_indexes`` records its version: searches
never see a half-built index, and those still reading the previous build may finish (it is
dropped by the build after). The build also stores each (term, document) pair's share of the
BM25 score, so a query only adds up the shares of its own terms. The extension's ``match_bm25`` computes the same BM25 (k=1.2,
b=0.75) when asked, but once per document of the index (117 ms at 100,000 statements);
``tests/store/test_search.py`` checks that both rank alike.

On a DuckLake store (``Store(lake=...)``) the maps are shared but the index is not: it is
built from the lake's tables (``lake.statements``, …) into this process's in-memory catalog
(``memory``), with its ``search_indexes`` record, and rebuilt when the map's version in the
lake moves on, whichever server wrote. An index kept in the lake would make every rebuild a
write that clashes with the maps' real writes on every server.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

import duckdb

from argmap import _metrics
from argmap.errors import ArgmapError, InvalidInput, NotFound, ReadOnly
from argmap.store._lake import ALIAS

__all__ = ["drop_index", "drop_local_index", "ensure_index", "extension_path", "index_table", "load_extension", "query"]

_BUILD = """
CREATE OR REPLACE TABLE {idx}{table} AS
SELECT s.id AS key, s.text,
       coalesce(sp.name, '') || ' ' || coalesce(sp.role, '') AS speaker,
       coalesce(src.title, '') AS source
FROM {src}statements s
LEFT JOIN {src}speakers sp ON sp.map_id = s.map_id AND sp.id = s.speaker_id
LEFT JOIN {src}sources src ON src.map_id = s.map_id AND src.id = s.source_id
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
SELECT m.version, i.version FROM {src}maps m LEFT JOIN {idx}search_indexes i ON i.map_id = m.id WHERE m.id = $m
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


def index_table(map_id: str, version: int) -> str:
    """The search table of the build of a map's index from map ``version``.

    A hash names the map, since map ids are not SQL identifiers.
    """
    return f"{_prefix(map_id)}{version:016x}"


def ensure_index(store, read_cur, map_id: str) -> tuple[str, int]:
    """The fts schema of the map's current index and the map version it holds, built first if
    the map changed since.

    Raises NotFound when there is no such map. The check is one read; only a stale index takes
    the writer lock (so no write changes the map while it is indexed).
    """
    if not getattr(store, "_fts_loaded", False):
        load_extension(read_cur)  # once per database: the index's macros call its stemmer
        store._fts_loaded = True
    src, idx = _places(store)
    version, built = _state(read_cur, src, idx, map_id)
    if version == built:
        return f"{idx}fts_main_{index_table(map_id, built)}", built
    if store.read_only and store.lake is None:
        raise ReadOnly("db", f"the search index of map {map_id!r} is out of date and {store.path} is read-only: "
                       "serve it writable once to build it")
    # On a file, the writer lock: no write changes the map while it is indexed. On a lake other
    # processes write meanwhile anyway (the build reads one snapshot instead), so only this
    # process's builds take turns, and its writes go on.
    with store._lock if store.lake is None else store._index_lock:
        cur = store._conn.cursor()  # on a lake, a new cursor starts in ``memory``: the index goes there
        try:
            version, built = _state(cur, src, idx, map_id)
            if version != built:  # else another thread built it while this one waited
                version = _build(cur, src, idx, map_id, previous=built)
        finally:
            cur.close()
    return f"{idx}fts_main_{index_table(map_id, version)}", version


def drop_index(store, cur, map_id: str) -> None:
    """Remove every build of a map's index (inside the caller's write transaction: the map goes).

    On a lake this does nothing: the write transaction is the lake's, and a transaction writes
    one catalog only; :func:`drop_local_index` drops this process's index after the write.
    """
    if store.lake is None:
        _forget(cur, map_id)


def drop_local_index(store, map_id: str) -> None:
    """On a lake, drop this process's index of a map it deleted (a map another server deleted
    keeps its index here until this process ends, unused)."""
    if store.lake is None:
        return  # drop_index did it inside the write
    with store._index_lock:
        cur = store._conn.cursor()  # in ``memory``, where the index is
        try:
            _forget(cur, map_id)
        finally:
            cur.close()


def _forget(cur, map_id: str) -> None:
    _drop_builds(cur, map_id, keep=())
    cur.execute("DELETE FROM search_indexes WHERE map_id = $m", {"m": map_id})


def query(cur, fts: str, q: str, limit: int) -> list[tuple[str, float]]:
    """(statement id, BM25 score), best first; ties by id (after :func:`ensure_index`)."""
    return [(r[0], r[1]) for r in cur.execute(_QUERY.format(fts=fts), {"q": q, "limit": limit}).fetchall()]


def _places(store) -> tuple[str, str]:
    """Where the maps are read and where the index lives, as prefixes of table names: both the
    database itself on a file; on a lake, the lake and this process's in-memory catalog."""
    return ("", "") if store.lake is None else (f"{ALIAS}.", "memory.")


def _state(cur, src: str, idx: str, map_id: str) -> tuple:
    row = cur.execute(_STATE.format(src=src, idx=idx), {"m": map_id}).fetchone()
    if row is None:
        raise NotFound("map", f"no map {map_id!r}")
    return row


def _build(cur, src: str, idx: str, map_id: str, *, previous: int | None) -> int:
    """Build the map's index from its current version, and return that version."""
    # The version and the documents in one transaction, so they come from one snapshot (on a
    # lake, other processes may write in between). The rest statement by statement: inside one
    # transaction, DuckDB reads the fts tables it has just written about 25 times slower (the
    # postings of 100,000 statements: 24 s, not 1 s). Nothing reads the new names before
    # search_indexes records them, last.
    cur.begin()
    try:
        version = _state(cur, src, idx, map_id)[0]
        table = index_table(map_id, version)
        cur.execute(_BUILD.format(src=src, idx=idx, table=table), {"m": map_id})
        cur.commit()
    except BaseException:
        cur.rollback()
        raise
    cur.execute(_INDEX.format(table=table))
    cur.execute(_POSTINGS.format(fts=f"fts_main_{table}"))
    cur.execute("INSERT OR REPLACE INTO search_indexes VALUES ($m, $v)", {"m": map_id, "v": version})
    _drop_builds(cur, map_id, keep=(version, previous))
    _metrics.SEARCH_BUILDS.inc()
    return version


def _drop_builds(cur, map_id: str, keep) -> None:
    """Drop the builds of a map's index whose version is not in ``keep`` (and any half-built one)."""
    prefix = _prefix(map_id)
    names = {r[0] for r in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND starts_with(table_name, $p) UNION SELECT substr(schema_name, 10) FROM duckdb_schemas() "
        "WHERE database_name = current_database() AND starts_with(schema_name, 'fts_main_' || $p)",
        {"p": prefix},
    ).fetchall()}
    for name in names:
        if not _BUILD_NAME.fullmatch(name) or int(name[len(prefix):], 16) in keep:
            continue  # names come from the catalog, and only our own pattern is ever dropped
        cur.execute(f"DROP SCHEMA IF EXISTS fts_main_{name} CASCADE")
        cur.execute(f"DROP TABLE IF EXISTS {name}")


_BUILD_NAME = re.compile(r"search_[0-9a-f]{16}_[0-9a-f]{16}")


def _prefix(map_id: str) -> str:
    return f"search_{hashlib.blake2b(map_id.encode(), digest_size=8).hexdigest()}_"
