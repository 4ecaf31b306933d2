"""Full-text search with DuckDB's fts extension, loaded from the PyPI package that bundles it.

``duckdb-extension-fts`` ships the extension for the pinned duckdb, so search works offline.
Each map has its own BM25 index (:class:`SearchIndex`), built under new names and made current
in one step; on a file it then follows writes statement by statement (:class:`ChangeLog`); on a
DuckLake store it lives in this process's memory. How and why: docs/ARCHITECTURE.md, "Queries
and search"; ``tests/store/test_search.py`` checks the ranking against ``match_bm25``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from functools import lru_cache
from importlib import resources

import duckdb
import msgspec

from argmap import _metrics
from argmap.errors import ArgmapError, InvalidInput, NotFound, ReadOnly

__all__ = ["ChangeLog", "SearchIndex", "extension_path", "index_table", "load_extension", "query"]

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
# Every (term, document) pair with the term's count in the document and the document's length,
# sorted by term, so that a query reads only the row groups of its own terms. The weights are
# computed by the query (match_bm25's formula, k=1.2, b=0.75) from the term's document
# frequency and the map's statistics, so that a write changes only its own documents' rows.
_POSTINGS = """
CREATE TABLE {fts}.postings AS
SELECT t.termid, t.docid, d.name, t.tf, d.len
FROM (SELECT termid, docid, count(*) AS tf FROM {fts}.terms GROUP BY termid, docid) t
JOIN {fts}.docs AS d USING (docid)
ORDER BY t.termid, t.docid
"""
_STATE = """
SELECT m.version, i.version FROM {src}maps m LEFT JOIN {idx}search_indexes i ON i.map_id = m.id WHERE m.id = $m
"""
# A document's score is the sum of its postings' weights for the query's distinct terms, as in
# match_bm25. Rounded to 9 decimals: the order in which DuckDB adds the weights moves the last
# bit, and equal documents must tie (then rank by id) whatever that order was.
_QUERY = """
WITH q AS (
    SELECT termid, df FROM {fts}.dict WHERE term IN (SELECT stem(unnest({fts}.tokenize($q)), 'porter'))
)
SELECT p.name, round(sum(
    log((((st.num_docs - q.df) + 0.5) / (q.df + 0.5)) + 1)
    * ((p.tf * (1.2 + 1)) / (p.tf + (1.2 * ((1 - 0.75) + (0.75 * (p.len / st.avgdl))))))
), 9) AS score
FROM {fts}.postings p JOIN q USING (termid), {fts}.stats st
GROUP BY p.docid, p.name ORDER BY score DESC, p.name LIMIT $limit
"""
# The terms of some statements of a map, as create_fts_index makes them: each field tokenized
# by the index's own macro (lower case, accents stripped), stopwords dropped, Porter-stemmed.
_DOC_TERMS = """
WITH d AS (
    SELECT s.id AS name, s.text,
           coalesce(sp.name, '') || ' ' || coalesce(sp.role, '') AS speaker,
           coalesce(src.title, '') AS source
    FROM {src}statements s
    LEFT JOIN {src}speakers sp ON sp.map_id = s.map_id AND sp.id = s.speaker_id
    LEFT JOIN {src}sources src ON src.map_id = s.map_id AND src.id = s.source_id
    WHERE s.map_id = $m AND s.id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))
), w AS (
    SELECT name, unnest({fts}.tokenize(text)) AS w FROM d UNION ALL
    SELECT name, unnest({fts}.tokenize(speaker)) FROM d UNION ALL
    SELECT name, unnest({fts}.tokenize(source)) FROM d
)
SELECT d.name, list(stem(w.w, 'porter')) FILTER (w.w IS NOT NULL) AS terms
FROM d LEFT JOIN w ON w.name = d.name AND w.w IS NOT NULL AND len(w.w) > 0
     AND w.w NOT IN (SELECT sw FROM {fts}.stopwords)
GROUP BY d.name
"""

INCREMENTAL_SHARE = 0.2
"""A write that changed more than this share of a map's statements rebuilds its index whole."""


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


class SearchIndex:
    """The search indexes of one store's maps, handed what they need by the store.

    Parameters
    ----------
    connect
        Opens a cursor in the catalog where the indexes live (the file itself; on a lake, this
        process's in-memory catalog).
    build_lock
        Taken by a build: on a file the writer lock (no write changes the map while it is
        indexed); on a lake a lock of this process's own (others write meanwhile anyway, and
        the build reads one snapshot).
    catalogs
        Prefixes of the tables read (the maps) and written (the index): ``("", "")`` on a
        file, ``("lake.", "memory.")`` on a lake.
    read_only
        Why no index may be built here, or None.
    """

    def __init__(self, *, connect, build_lock, catalogs: tuple[str, str], read_only: str | None,
                 changes: "ChangeLog | None" = None):
        self._connect = connect
        self._build_lock = build_lock
        self._src, self._idx = catalogs
        self._read_only = read_only
        self._changes = changes
        self._loaded = False
        self._applied: dict[str, tuple[int, int]] = {}
        """map id -> (version the index was built at, version it holds after incremental updates)."""

    def rank(self, read_cur, map_id: str, q: str, limit: int) -> tuple[int, list[tuple[str, float]]]:
        """The map version searched, and (statement id, BM25 score), best first, ties by id."""
        fts, version = self.ensure(read_cur, map_id)
        return version, query(read_cur, fts, q, limit)

    def ensure(self, read_cur, map_id: str) -> tuple[str, int]:
        """The fts schema of the map's current index and the map version it holds, built first if
        the map changed since.

        Raises NotFound when there is no such map. The check is one read; only a stale index takes
        the build lock.
        """
        if not self._loaded:
            load_extension(read_cur)  # once per database: the index's macros call its stemmer
            self._loaded = True
        src, idx = self._src, self._idx
        version, built = _state(read_cur, src, idx, map_id)
        held = self._held(map_id, built)
        if version == held:
            return f"{idx}fts_main_{index_table(map_id, built)}", held
        if self._read_only:
            raise ReadOnly("db", f"the search index of map {map_id!r} is out of date and {self._read_only}: "
                           "serve it writable once to build it")
        with self._build_lock:
            cur = self._connect()
            try:
                version, built = _state(cur, src, idx, map_id)
                held = self._held(map_id, built)
                if version != held:  # else another thread brought it up to date while this one waited
                    changed = None if built is None or self._changes is None else \
                        self._changes.between(map_id, held, version)
                    if changed is not None and _update(cur, src, idx, map_id, built, changed):
                        self._applied[map_id] = (built, version)
                    else:
                        built = version = _build(cur, src, idx, map_id, previous=built)
                        self._applied.pop(map_id, None)
            finally:
                cur.close()
        return f"{idx}fts_main_{index_table(map_id, built)}", version

    def _held(self, map_id: str, built: int | None) -> int | None:
        """The version the map's index holds: its build's, or later after incremental updates."""
        applied = self._applied.get(map_id)
        return applied[1] if applied is not None and applied[0] == built else built

    def drop(self, cur, map_id: str) -> None:
        """Remove every build of a map's index with ``cur`` (inside the write that deletes the
        map, where the index lives beside the maps)."""
        _forget(cur, map_id)

    def drop_local(self, map_id: str) -> None:
        """Drop this process's index of a map (on a lake, after the write that deleted it: a
        transaction writes one catalog only)."""
        with self._build_lock:
            cur = self._connect()
            try:
                _forget(cur, map_id)
            finally:
                cur.close()


class ChangeLog:
    """Which statements each write changed, for the indexes to follow writes incrementally.

    One link per map and commit: (version before, version after, changed statement ids, or
    None when the write may have changed any document: a speaker's name, a source's title, a
    whole map). Only a database whose every write this process sees (a file) keeps one.
    """

    KEEP = 1024
    """Links kept per map (older ones go: an index that far behind is rebuilt whole)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._links: dict[str, dict[int, tuple[int, frozenset | None]]] = {}

    def add(self, map_id: str, before: int, after: int, ids: frozenset | None) -> None:
        with self._lock:
            links = self._links.setdefault(map_id, {})
            links[before] = (after, ids)
            while len(links) > self.KEEP:
                del links[next(iter(links))]

    def between(self, map_id: str, have: int | None, want: int) -> set[str] | None:
        """The statements changed from version ``have`` to ``want``, or None if unknown."""
        changed: set[str] = set()
        with self._lock:
            links = self._links.get(map_id, {})
            version = have
            for _ in range(self.KEEP):
                if version == want:
                    return changed
                link = links.get(version)
                if link is None or link[1] is None:
                    return None
                version = link[0]
                changed |= link[1]
        return None


def _update(cur, src: str, idx: str, map_id: str, built: int, changed: set[str]) -> bool:
    """Bring the map's index (built at ``built``) up to date for the ``changed`` statements, in
    one transaction; False (nothing done) when so many changed that a build is cheaper."""
    fts = f"{idx}fts_main_{index_table(map_id, built)}"
    ids = msgspec.json.encode(sorted(changed)).decode()
    cur.begin()
    try:
        num_docs = cur.execute(f"SELECT num_docs FROM {fts}.stats").fetchone()[0]
        if len(changed) > max(32, INCREMENTAL_SHARE * num_docs):
            cur.rollback()
            return False
        in_ids = "(SELECT unnest(from_json($ids, '[\"VARCHAR\"]')))"
        old = f"(SELECT docid FROM {fts}.docs WHERE name IN {in_ids})"
        cur.execute(f"UPDATE {fts}.dict SET df = df - c.n FROM (SELECT termid, count(DISTINCT docid) AS n "
                    f"FROM {fts}.postings WHERE docid IN {old} GROUP BY termid) c WHERE dict.termid = c.termid",
                    {"ids": ids})
        cur.execute(f"DELETE FROM {fts}.postings WHERE docid IN {old}", {"ids": ids})
        cur.execute(f"DELETE FROM {fts}.docs WHERE name IN {in_ids}", {"ids": ids})
        docs = cur.execute(_DOC_TERMS.format(src=src, fts=fts), {"m": map_id, "ids": ids}).fetchall()
        if docs:
            next_doc = cur.execute(f"SELECT coalesce(max(docid), -1) + 1 FROM {fts}.docs").fetchone()[0]
            terms = sorted({t for _, ts in docs for t in ts or ()})
            known = dict(cur.execute(
                f"SELECT term, termid FROM {fts}.dict WHERE term IN (SELECT unnest(from_json($t, '[\"VARCHAR\"]')))",
                {"t": msgspec.json.encode(terms).decode()}).fetchall())
            next_term = cur.execute(f"SELECT coalesce(max(termid), -1) + 1 FROM {fts}.dict").fetchone()[0]
            new_terms = [t for t in terms if t not in known]
            for k, t in enumerate(new_terms):
                known[t] = next_term + k
            df = Counter(t for _, ts in docs for t in set(ts or ()))
            doc_rows, postings = [], []
            docs = [(name, ts or []) for name, ts in docs]
            for k, (name, ts) in enumerate(docs):
                docid = next_doc + k
                doc_rows.append({"docid": docid, "name": name, "len": len(ts)})
                for t, tf in Counter(ts).items():
                    postings.append({"termid": known[t], "docid": docid, "name": name, "tf": tf, "len": len(ts)})
            _insert_json(cur, f"{fts}.docs", doc_rows, {"docid": "BIGINT", "name": "VARCHAR", "len": "BIGINT"})
            _insert_json(cur, f"{fts}.dict", [{"termid": known[t], "term": t, "df": 0} for t in new_terms],
                         {"termid": "BIGINT", "term": "VARCHAR", "df": "BIGINT"})
            cur.execute(f"UPDATE {fts}.dict SET df = df + c.n FROM (SELECT unnest(from_json($c, "
                        "'[{\"termid\": \"BIGINT\", \"n\": \"BIGINT\"}]'), recursive := true)) c "
                        "WHERE dict.termid = c.termid",
                        {"c": msgspec.json.encode([{"termid": known[t], "n": n} for t, n in df.items()]).decode()})
            _insert_json(cur, f"{fts}.postings", postings, {"termid": "BIGINT", "docid": "BIGINT", "name": "VARCHAR",
                                                             "tf": "BIGINT", "len": "BIGINT"})
        cur.execute(f"UPDATE {fts}.stats SET num_docs = d.n, avgdl = d.avgdl "
                    f"FROM (SELECT count(docid) AS n, sum(len) / count(len) AS avgdl FROM {fts}.docs) d")
        cur.commit()
    except BaseException:
        cur.rollback()
        raise
    return True


def _insert_json(cur, table: str, rows: list[dict], types: dict[str, str]) -> None:
    if not rows:
        return
    cols = list(types)
    spec = msgspec.json.encode(types).decode()
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join('r.' + c for c in cols)} "
                f"FROM (SELECT unnest(from_json($rows, '[{spec}]')) AS r)", {"rows": msgspec.json.encode(rows).decode()})


def _forget(cur, map_id: str) -> None:
    _drop_builds(cur, map_id, keep=())
    cur.execute("DELETE FROM search_indexes WHERE map_id = $m", {"m": map_id})


def query(cur, fts: str, q: str, limit: int) -> list[tuple[str, float]]:
    """(statement id, BM25 score), best first; ties by id (after :meth:`SearchIndex.ensure`)."""
    return [(r[0], r[1]) for r in cur.execute(_QUERY.format(fts=fts), {"q": q, "limit": limit}).fetchall()]


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
