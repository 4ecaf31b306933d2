"""Full-text search with DuckDB's fts extension, loaded from the PyPI package that bundles it.

The extension ships inside ``duckdb-extension-fts`` for exactly the pinned duckdb version, so
search works on servers without internet access (``INSTALL fts`` would download it).

On a DuckLake store (``Store(lake=...)``) the maps are shared but the index is not: it is
built from the lake's tables (``lake.statements``, …) into this process's in-memory catalog
(``memory``) and rebuilt when any map's version in the lake moves on, whichever server wrote.
An index kept in the lake would make every rebuild a write that clashes with the maps' real
writes on every server.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import duckdb

from argmap.errors import ArgmapError
from argmap.store._lake import ALIAS

_BUILD = """
CREATE OR REPLACE TABLE search_docs AS
SELECT s.map_id || '/' || s.id AS key, s.map_id, s.id, s.text,
       coalesce(sp.name, '') || ' ' || coalesce(sp.role, '') AS speaker,
       coalesce(src.title, '') AS source
FROM {src}statements s
LEFT JOIN {src}speakers sp ON sp.map_id = s.map_id AND sp.id = s.speaker_id
LEFT JOIN {src}sources src ON src.map_id = s.map_id AND src.id = s.source_id
"""
_INDEX = "PRAGMA create_fts_index('search_docs', 'key', 'text', 'speaker', 'source', overwrite = 1, strip_accents = 1)"
_FINGERPRINT = "SELECT coalesce(string_agg(id || ':' || version, ',' ORDER BY id), '') FROM {src}maps"
_QUERY = """
SELECT id, score FROM (
    SELECT d.id, d.map_id, fts_main_search_docs.match_bm25(d.key, $q) AS score FROM search_docs d
) WHERE map_id = $m AND score IS NOT NULL
ORDER BY score DESC, id LIMIT $limit
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


def ensure_index(store) -> None:
    """Rebuild the index when any map changed since it was built (caller holds the write lock)."""
    conn = store._conn
    cur = conn.cursor()
    try:
        load_extension(cur)
        src = _source(store)
        fingerprint = cur.execute(_FINGERPRINT.format(src=src)).fetchone()[0]
        if getattr(store, "_fts_built_for", None) == fingerprint and _has_index(cur):
            return
        cur.execute(_BUILD.format(src=src))
        cur.execute(_INDEX)
        store._fts_built_for = fingerprint
    finally:
        cur.close()


def _has_index(cur) -> bool:
    return cur.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_search_docs'"
    ).fetchone()[0] > 0


def query(store, cur, map_id: str, q: str, limit: int) -> list[tuple[str, float]]:
    load_extension(cur)
    if store.lake is None:
        return _query(cur, map_id, q, limit)
    # The index's macros name its tables without a catalog: run them where the index is.
    cur.execute("USE memory")
    try:
        return _query(cur, map_id, q, limit)
    finally:
        cur.execute(f"USE {ALIAS}")


def _query(cur, map_id: str, q: str, limit: int) -> list[tuple[str, float]]:
    return [(r[0], r[1]) for r in cur.execute(_QUERY, {"q": q, "m": map_id, "limit": limit}).fetchall()]


def _source(store) -> str:
    """The prefix of the store's tables: none on a file; on a lake its catalog, since the index
    is built by a cursor in ``memory``."""
    return "" if store.lake is None else f"{ALIAS}."
