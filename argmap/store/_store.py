"""The store's one face: every method of :class:`Store`, run as SQL portable between back ends.

A back end is a subclass in its own short module (``_file.py``, ``_lake.py``); ``Store(path)``
and ``Store(lake=...)`` open the right one. Every write runs in :meth:`Store.write` (group
commit, :mod:`._writer`); references are checked inside its transaction.

>>> from argmap.store import Store
>>> with Store(":memory:") as store:
...     store.schema_version > 0
True
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import sys
import threading
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, TypeVar, get_args

import duckdb
import msgspec

from argmap.errors import (
    ArgmapError,
    Conflict,
    DanglingReference,
    DuplicateId,
    InUse,
    InvalidInput,
    ReadOnly,
    NotFound,
    Problem,
)
from argmap.model import (
    Argument,
    ArgumentKind,
    Map,
    MapInfo,
    Quote,
    Relation,
    Source,
    Speaker,
    Statement,
    StatementKind,
    check_map,
    partial_date,
    quote_problem,
    relation_ref_problem,
    target_problem,
    validate,
)
from argmap.store import _history, _search
from argmap.store._rows import (  # noqa: F401  (re-exported for the store's back ends)
    _ARGUMENT_BY_ID,
    _COLUMN_TYPES,
    _PREMISES_OF,
    _SCHEME_KEY,
    _STATEMENT_BY_ID,
    _STATEMENT_COLUMNS,
    _argument,
    _argument_row,
    _extras,
    _extras_json,
    _ids_clause,
    _ids_in,
    _insert_many,
    _premise_rows,
    _quoted,
    _relation_row,
    _select,
    _source_row,
    _speaker_row,
    _statement,
    _statement_row,
)
from argmap.store._writer import Change, GroupCommit, WriteRecord

__all__ = ["Change", "Counts", "MapSummary", "Store", "WriteRecord", "default_path"]

T = TypeVar("T")



class _NoPandas:
    """DuckDB imports pandas each time it binds a parameter; where pandas is not installed each
    failed import walks sys.path again: ~0.1 ms of every query, a third of a one-row read. This
    finder, installed only then, says "not installed" at once."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name="pandas")
        return None


if importlib.util.find_spec("pandas") is None and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
    sys.meta_path.insert(0, _NoPandas())
DEFAULT_DB = "argmap.duckdb"


def default_path() -> str:
    """``$ARGMAP_DB`` if set, else ``argmap.duckdb`` in the working directory."""
    return os.environ.get("ARGMAP_DB") or DEFAULT_DB


class Counts(msgspec.Struct, kw_only=True):
    """How much a map (or the whole store) holds."""

    speakers: int = 0
    sources: int = 0
    statements: int = 0
    arguments: int = 0
    supports: int = 0
    attacks: int = 0
    undercuts: int = 0
    relations: int = 0
    """Rephrases and preferences (AIF MA and PA nodes)."""


class MapSummary(msgspec.Struct, kw_only=True):
    id: str
    title: str
    description: str | None = None
    counts: Counts = msgspec.field(default_factory=Counts)


@lru_cache(maxsize=None)
def _mixed(cls: type, backend: type) -> type:
    return type(cls.__name__, (cls, backend), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})


@lru_cache(maxsize=1)
def _schema_sql() -> str:
    return resources.files("argmap.store").joinpath("schema.sql").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _migrations() -> tuple[tuple[int, str, str], ...]:
    """``(version, name, sql)`` of ``migrations/NNNN_name.sql``, in order; schema.sql is version 1."""
    found = []
    for f in resources.files("argmap.store").joinpath("migrations").iterdir():
        if m := re.fullmatch(r"(\d{4})_(\w+)\.sql", f.name):
            found.append((int(m[1]), f.name[:-4], f.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(2, len(found) + 2)):
        raise RuntimeError(f"argmap/store/migrations must number 0002, 0003, … without gaps, found {versions}")
    return tuple(found)


SCHEMA_VERSION = 1 + len(_migrations())


class Store:
    """A database of argument maps: one DuckDB file, or a DuckLake catalog shared by many processes.

    ``Store(path)`` opens a :class:`~argmap.store._file.FileStore`, ``Store(lake=...)`` a
    :class:`~argmap.store._lake.LakeStore`; both offer exactly this interface.

    Parameters
    ----------
    path
        A database file (created when missing) or ``":memory:"``; ignored when ``lake`` is given.
    read_only
        Open without taking the write lock on the file (several processes may read).
    lake
        A DuckLake catalog, e.g. ``"postgres:dbname=argmap host=db.internal"`` (see
        :mod:`argmap.store._lake`): the store's tables live there, shared with every other
        process that attaches it; this process keeps only caches and the search index.
    data_path
        Where the lake keeps its Parquet files (a folder every server mounts; ``s3://…`` with
        DuckDB's httpfs extension, not bundled);
        needed when the catalog is created, remembered by it after.
    """

    _backends: dict[str, type] = {}
    lake: str | None = None
    path: str
    whole_map_after: int | None = None
    """Statements read one by one under a map version after which ``argmap.query`` reads all
    of that version's statements at once (None: never): where a one-row read costs about what
    a whole map's does (a lake scans the table's files either way)."""

    def __init_subclass__(cls, backend: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if backend is not None:
            Store._backends[backend] = cls

    def __new__(cls, path: str | os.PathLike = DEFAULT_DB, *, read_only: bool = False, lake: str | None = None,
                data_path: str | os.PathLike | None = None):
        backend = Store._backends["lake" if lake is not None else "file"]  # registered by argmap.store
        if cls is Store:
            cls = backend
        elif not any(issubclass(cls, b) for b in Store._backends.values()):
            cls = _mixed(cls, backend)  # a subclass of the face (a test's): on the chosen back end
        return super().__new__(cls)

    def __init__(
        self,
        path: str | os.PathLike = DEFAULT_DB,
        *,
        read_only: bool = False,
        lake: str | None = None,
        data_path: str | os.PathLike | None = None,
    ):
        self.lake = lake
        self.read_only = read_only
        self._local = threading.local()
        self.write_hooks: list[Callable[[duckdb.DuckDBPyConnection, WriteRecord], None]] = []
        """``hook(cur, record)`` runs after each write request, inside its transaction
        (:mod:`argmap.store._writer`): the place for a change log."""
        self._lock: threading.RLock
        self._writer: GroupCommit
        self._versions = None
        self._changes: _search.ChangeLog | None = None
        self._open(path, data_path)
        try:
            self._search = _search.SearchIndex(
                connect=self._index_cursor, build_lock=self._index_build_lock(), catalogs=self._index_catalogs(),
                read_only=self._index_read_only(), changes=self._changes,
            )
            if not read_only:
                self._migrate()
        except BaseException:
            self._opened()
            self.close()
            raise
        self._opened()

    # -- what a back end provides ------------------------------------------------------------

    def _open(self, path, data_path) -> None:
        """Connect: set ``path``, ``_conn``, ``_lock`` (the writer lock), ``_writer`` and
        ``_versions`` (None to ask the database every time)."""
        raise NotImplementedError

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the store's tables."""
        raise NotImplementedError

    def _opened(self) -> None:
        """After the schema is current (or opening failed): let other processes open it too."""

    def _migrated(self) -> None:
        """After a write that created or migrated the schema."""

    def _schema_ddl(self) -> str:
        """The DDL that brings a database to schema version 1, or "" when it is current."""
        raise NotImplementedError

    def _migration_ddl(self, sql: str) -> str:
        """A migration's SQL as this back end runs it."""
        raise NotImplementedError

    def _index_catalogs(self) -> tuple[str, str]:
        """Prefixes of the tables the search index reads and of those it writes."""
        raise NotImplementedError

    def _index_build_lock(self):
        """The lock this process's search index builds take."""
        raise NotImplementedError

    def _index_read_only(self) -> str | None:
        """Why this process may not build search indexes (None: it may)."""
        return f"{self.path} is read-only" if self.read_only else None

    def _drop_index_in_write(self, cur, map_id: str) -> None:
        """Drop a map's search index inside the write that deletes the map (where it lives beside
        the tables; else :meth:`_after_map_deleted`)."""
        self._search.drop(cur, map_id)

    def _index_cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor in the catalog where the search index lives."""
        return self._conn.cursor()

    def _before_commit(self, cur) -> None:
        """Run in every write transaction just before its commit."""

    def _retryable(self, error: BaseException) -> bool:
        """Whether a write refused with ``error`` should run again on a fresh snapshot."""
        return False

    def _after_commit(self) -> None:
        """After every write transaction, committed or not (forget cached versions)."""

    def _after_map_deleted(self, map_id: str) -> None:
        """After a write that deleted a map committed."""

    # -- lifecycle ------------------------------------------------------------------------

    def scratch(self) -> Store:
        """An empty in-memory store (a file back end), private to the caller: past versions of a
        map are rebuilt into one (``_history.store_at``), whatever back end keeps the log."""
        return Store(":memory:")

    _write_raw: duckdb.DuckDBPyConnection | None = None

    def _writer_cursor(self) -> duckdb.DuckDBPyConnection:
        """The cursor group commits write through: one, kept (only the group's leader uses it, under
        the writer lock), since making one costs a lake several catalog queries (up to 25 ms)."""
        if self._write_raw is None:
            self._write_raw = self._cursor()
        return self._write_raw

    def close(self) -> None:
        if self._write_raw is not None:
            self._write_raw.close()
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        ddl = self._schema_ddl()
        if not ddl:
            return

        def fn(cur):
            cur.execute(ddl)
            have = cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
            if have > SCHEMA_VERSION:
                raise InvalidInput(
                    "db", f"{self.path} has schema version {have}; this argmap knows up to {SCHEMA_VERSION}"
                )
            if have < 1:
                cur.execute("INSERT INTO schema_version (version, name) VALUES (1, '0001_initial')")
            for version, name, sql in _migrations():
                if version > have:
                    cur.execute(self._migration_ddl(sql))
                    cur.execute("INSERT INTO schema_version (version, name) VALUES ($v, $n)", {"v": version, "n": name})
            _history.baseline(self, cur)  # maps older than the change log get their first version
            return have

        if self.write(fn) < SCHEMA_VERSION:
            self._migrated()

    def _current_version(self) -> int | None:
        try:
            return self._read(lambda c: c.execute("SELECT max(version) FROM schema_version").fetchone()[0])
        except duckdb.CatalogException:
            return None  # a new database

    @property
    def schema_version(self) -> int:
        return self._read(lambda c: c.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    # -- writes ----------------------------------------------------------------------------

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], *, touch: str | None = None,
              ids: tuple[str, ...] = ()) -> T:
        """Run ``fn(cursor)`` in one transaction under the writer lock; roll back on any error.

        ``touch`` names the map the write changes: its ``version`` gets a fresh random value in
        the same transaction, so caches keyed on it can never confuse two states (not even a
        deleted and re-created map, which a counter could).

        Writes submitted while another commits share the next commit (group commit): ``fn``
        may run on another thread than the caller's (it sees the caller's contextvars) and
        must touch nothing outside the database, since it runs again when a neighbour in its
        group is refused. It returns only once its commit is durable.

        A store write made inside ``fn`` (``store.add_statement(...)``) joins that transaction,
        so several writes compose into one that commits or rolls back as a whole::

            store.write(lambda cur: (store.add_statement("m", s), store.add_argument("m", a)))

        ``ids``: ``(map, id)`` pairs whose existence ``fn`` will check (``(None, id)``: a map);
        a group looks them all up at once before running its requests (a hint: a pair not given
        is looked up when asked).
        """
        if self.read_only:
            raise ReadOnly("db", f"{self.path} is open read-only: reads are answered, writes are not")
        outer = getattr(self._local, "write_cur", None)
        if outer is not None:
            result = fn(outer)
            if touch is not None:
                version = self._touch(outer, touch)
                record = getattr(self._local, "record", None)
                if record is not None and record.map_id in (None, touch):
                    record.map_id, record.version = touch, version
            return result
        return self._writer.submit(self, fn, touch, ids)

    # The group commit's view of a transaction (see argmap.store._writer).

    def _write_turn(self):
        """Held while a group of writes runs: a back end shared by processes may make them take
        turns (see the lake's); a file is written by one process."""
        return nullcontext()

    def _tx_begin(self, cur) -> None:
        cur.tx = {"facts": self._writer.facts}

    def _tx_prefetch(self, cur, hints: set[tuple[str | None, str]]) -> None:
        """Learn at once what the checks of :func:`_known` will ask of a group's requests: for
        each ``(map, id)`` hint, whether that map holds a statement, argument or relation with
        that id (``(None, id)``: whether a map ``id`` exists).

        Where what committed transactions taught is kept (``GroupCommit.facts``), a map's node
        ids are read once and then kept up to date by this process's commits; otherwise the
        group's ids are looked up in one query.
        """
        if not hints:
            return
        facts = cur.tx.get("facts")
        looked: set = set()
        found: set = set()
        if facts is not None:
            # Reading a map's every node id pays only while this process goes on writing alone
            # (a lake whose other servers write too says so: ``warm`` False); else ask by id.
            warm = cur.tx.get("warm", True)
            if warm and (missing := sorted({m for m, _ in hints if m is not None and "nodes" not in facts.get(m, {})})):
                params: dict = {}
                cond = _ids_in("map_id", missing, params)
                nodes: dict[str, dict[str, str]] = {m: {} for m in missing}
                for table, m, i in cur.peek(" UNION ALL ".join(
                        f"SELECT '{t}', map_id, id FROM {t} WHERE {cond}" for t in _NODE_TABLES), params).fetchall():
                    nodes[m].setdefault(i, table)
                for m, known in nodes.items():
                    facts.setdefault(m, {})["nodes"] = known  # the committed state: valid whatever this write does
            for m, i in hints:
                if m is not None and (known := facts.get(m, {}).get("nodes")) is not None:
                    looked.add((m, i))
                    if (table := known.get(i)) is not None:
                        found.add((table, m, i))
        if ask := {h for h in hints if h not in looked}:
            params = {}
            cond = _ids_in("id", sorted({i for _, i in ask}), params)
            found.update(cur.peek(" UNION ALL ".join(
                [*(f"SELECT '{t}', map_id, id FROM {t} WHERE {cond}" for t in _NODE_TABLES),
                 f"SELECT 'maps', NULL, id FROM maps WHERE {cond}"]), params).fetchall())
            looked |= ask
        cur.tx["nodes"] = (looked, found)

    def _tx_end(self, cur) -> None:
        cur.tx = {}

    def _touch(self, cur, map_id: str) -> int:
        """Give the map a fresh version in this transaction (written once, by :meth:`_tx_flush`)."""
        version = random.getrandbits(62)
        cur.tx.setdefault("versions", {})[map_id] = version
        return version

    def _tx_flush(self, cur) -> None:
        """Before the commit: write the maps' new versions, one UPDATE per map, not per request
        (and, where the search indexes follow writes, note each map's link from its old version)."""
        _history.flush(cur)  # the change log's rows of the whole group, in one statement
        tx = cur.tx
        versions = tx.get("versions", {})
        if self._changes is not None and versions:
            before = {m: v for m in versions if (v := _fact(cur, m, "version")) is not None}
            if unknown := [m for m in versions if m not in before]:
                params: dict = {}
                before.update(cur.execute("SELECT id, version FROM maps WHERE " + _ids_in("id", unknown, params),
                                          params).fetchall())
            search = tx.get("search", {})
            tx["links"] = [(m, before[m], v, None if search.get(m, set()) is None else frozenset(search.get(m, ())))
                           for m, v in versions.items() if m in before]
        for map_id, version in versions.items():
            # A statement of literals: run with the commit (see WriteCursor.defer), not bound.
            sql = f"UPDATE maps SET version = {int(version)} WHERE id = {_quoted(map_id)}"
            getattr(cur, "defer", cur.execute)(sql)

    def _request_begin(self) -> None:
        """Before each write request runs in a (shared) transaction."""
        _history.begin(self)

    def _request_end(self, cur, record: WriteRecord | None) -> None:
        """After each write request ran (``record``), or failed (None), inside its transaction."""
        try:
            if record is not None:
                _history.record(self, cur)  # the change log: one version per request
                self._tx_record(cur, record)
        finally:
            _history.end(self)

    def _tx_record(self, cur, record: WriteRecord) -> None:
        """After a request ran: which statements' search documents it may have changed."""
        if record.map_id is None or self._changes is None:
            return
        search = cur.tx.setdefault("search", {})
        ids = search.setdefault(record.map_id, set())
        if ids is None:
            return
        for c in record.changes:
            if c.kind == "statement":
                ids.add(c.id)
            elif c.kind in ("map", "speaker", "source"):  # names and titles are in the documents
                search[record.map_id] = None
                return

    def _tx_committed(self, cur) -> None:
        """After a commit: hand the search indexes what changed; keep what the transaction
        learnt for the next ones (see ``GroupCommit.facts``)."""
        tx = cur.tx
        for link in tx.get("links", ()):
            self._changes.add(*link)
        facts = tx.get("facts")
        if facts is None:
            return
        for m in tx.get("forget", ()):
            facts.pop(m, None)
        if tx.get("deleted"):  # rows went: the node ids each map had are read again when needed
            for known in facts.values():
                known.pop("nodes", None)
        for table, m, i in tx.get("inserted", ()):
            if (known := facts.get(m, {}).get("nodes")) is not None:
                known[i] = table
        for (table, m), seq in tx.get("seq", {}).items():
            facts.setdefault(m, {}).setdefault("seq", {})[table] = seq
        for m, exists in tx.get("maps", {}).items():
            facts.setdefault(m, {})["map"] = exists
        for m, head in tx.get("logged", {}).items():
            facts.setdefault(m, {})["log"] = head
        for m, version in tx.get("versions", {}).items():
            facts.setdefault(m, {})["version"] = version

    def _note(self, kind: str, id_: str, before=None, after=None) -> None:
        """Record what the running write request did to one entity (for the write hooks)."""
        record = getattr(self._local, "record", None)
        if record is not None:
            record.changes.append(Change(kind=kind, id=id_, before=before, after=after))
            if kind == "map" and record.map_id is None:
                record.map_id = id_  # a map's delete: the map goes, no version moves

    def _before(self, get: Callable[[], T]) -> T | None:
        """The entity as it was, read only while a write hook wants it."""
        return get() if self.write_hooks else None

    def _delete(self, cur, map_id: str, kind: str, id_: str, cascade: bool) -> list[str]:
        looked = [0]

        def seen(k: str, i: str) -> None:
            if looked[0] < 16:  # the change log's state before, read before the row goes (past a few: one scan of the log)
                looked[0] += 1
                _history.exists_before(self, cur, map_id, k, i)
            before = self._before(lambda: self.list_relations(map_id, ids=[i])[0] if k == "relation"
                                  else getattr(self, f"get_{k}")(map_id, i))
            self._note(k, i, before=before)

        return _history.noted(self, map_id, _delete(cur, map_id, kind, id_, cascade, seen))

    def modify(self, map_id: str, kind: str, item_id: str, change: Callable[[T], T]) -> T:
        """Read one speaker, source, statement or argument (for kind ``"map"``: the map's
        :class:`MapInfo`), pass it to ``change`` and write back what that returns, in one write:
        an edit committed between the read and the write (another PATCH of another field) is
        never overwritten with the value read before it.

        >>> store.modify("m", "statement", "s1", lambda s: msgspec.structs.replace(s, note="checked"))  # doctest: +SKIP
        """
        if kind == "map":  # the map's own fields: title, description
            return self.write(lambda _cur: self.update_map(change(self.get_map_info(map_id))), touch=map_id)
        get, update = self._entity_methods(kind, "update")
        return self.write(lambda _cur: update(map_id, change(get(map_id, item_id))), touch=map_id)

    def remove(self, map_id: str, kind: str, item_id: str, *, cascade: bool = False,
               check: Callable[[T], object] | None = None) -> list[str]:
        """Delete one speaker, source, statement or argument (as ``delete_<kind>``), after
        ``check(current item)``, which may raise to refuse, in the same write.

        >>> store.remove("m", "statement", "s1", check=lambda s: s.note is None)  # doctest: +SKIP
        ['statement:s1']
        """
        get, delete = self._entity_methods(kind, "delete")

        def fn(_cur):
            if check is not None:
                check(get(map_id, item_id))
            return delete(map_id, item_id, cascade=cascade)

        return self.write(fn, touch=map_id)

    def _entity_methods(self, kind: str, verb: str):
        if kind not in ("speaker", "source", "statement", "argument"):
            raise ValueError(f"unknown kind {kind!r}")
        return getattr(self, f"get_{kind}"), getattr(self, f"{verb}_{kind}")

    def map_version(self, map_id: str) -> int:
        """The map's version, a fresh random value at each write to it (raises NotFound): a cache
        key for derived data."""
        def read() -> int:
            row = self._read(lambda c: c.execute("SELECT version FROM maps WHERE id = $m", {"m": map_id}).fetchone())
            if row is None:
                raise NotFound("map", f"no map {map_id!r}")
            return row[0]

        write_cur = getattr(self._local, "write_cur", None)
        if write_cur is not None and (pending := _tx(write_cur).get("versions", {}).get(map_id)) is not None:
            return pending  # given by a request earlier in this transaction, written before the commit
        inside = write_cur is not None or getattr(self._local, "in_snapshot", False)
        if self._versions is None or inside:  # a transaction sees its own state, not the cache's
            return read()
        return self._versions.get(map_id, read)

    def _read(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        # A read inside a write is part of it: it sees the write's own changes, and nothing
        # another writer could commit between the read and the write (a read-modify-write).
        if (cur := getattr(self._local, "write_cur", None)) is not None:
            return fn(cur)
        # One cursor per thread: DuckDB cursors are not safe to share between threads, and
        # creating one per call costs more than the queries we serve.
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._cursor()
        return fn(cur)

    @contextmanager
    def cursor(self):
        """A read cursor of this thread, for ``argmap.query`` (never for writes)."""
        yield self._read(lambda c: c)

    @contextmanager
    def snapshot(self):
        """Make every read of this thread inside the block see one committed state.

        Each read is otherwise its own transaction, so a writer committing between two reads
        (statements, then arguments) could hand a caller arguments whose premises it never saw.

        >>> with store.snapshot():                     # doctest: +SKIP
        ...     statements, arguments = store.list_statements("m"), store.list_arguments("m")
        """
        if getattr(self._local, "in_snapshot", False) or getattr(self._local, "write_cur", None) is not None:
            yield  # already one state: the outer snapshot, or the write's transaction
            return
        cur = self._read(lambda c: c)
        cur.begin()
        self._local.in_snapshot = True
        try:
            yield
        finally:
            self._local.in_snapshot = False
            cur.rollback()  # it only read: nothing to keep

    # -- maps -----------------------------------------------------------------------------

    def list_maps(self) -> list[MapSummary]:
        # One snapshot: a map deleted between the list and its counts made GET /maps answer 404.
        # One query, not one per map: a map's counts cost DuckDB ~3 ms, a list of 400 maps a second.
        rows = self._read(lambda c: c.execute(_LIST_MAPS).fetchall())
        return [MapSummary(id=r[0], title=r[1], description=r[2], counts=Counts(
            speakers=r[3], sources=r[4], statements=r[5], arguments=r[6] + r[7] + r[8], supports=r[6],
            attacks=r[7], undercuts=r[8], relations=r[9])) for r in rows]

    def map_ids(self) -> list[str]:
        """Every map's id, sorted (cheaper than :meth:`list_maps`, which counts)."""
        return [r[0] for r in self._read(lambda c: c.execute("SELECT id FROM maps ORDER BY id").fetchall())]

    def get_map_info(self, map_id: str) -> MapInfo:
        row = self._read(
            lambda c: c.execute("SELECT id, title, description FROM maps WHERE id = $id", {"id": map_id}).fetchone()
        )
        if row is None:
            raise NotFound("map", f"no map {map_id!r}")
        return MapInfo(id=row[0], title=row[1], description=row[2])

    def create_map(self, info: MapInfo) -> MapInfo:
        info = validate(info)

        def fn(cur):
            if _exists(cur, "maps", None, info.id):
                raise DuplicateId("$.id", f"map {info.id!r} already exists")
            _map_changed(cur, info.id, True)
            cur.execute(
                "INSERT INTO maps (id, title, description) VALUES ($id, $title, $description)",
                msgspec.structs.asdict(info),
            )
            self._note("map", info.id, after=info)
            _history.note(self, info.id, "map", [info.id])
            return info

        return self.write(fn, touch=info.id)

    def update_map(self, info: MapInfo) -> MapInfo:
        info = validate(info)

        def fn(cur):
            _require_map(cur, info.id)
            before = self._before(lambda: self.get_map_info(info.id))
            cur.execute(
                "UPDATE maps SET title = $title, description = $description WHERE id = $id",
                msgspec.structs.asdict(info),
            )
            self._note("map", info.id, before=before, after=info)
            _history.note(self, info.id, "map", [info.id])
            return info

        return self.write(fn, touch=info.id)

    def delete_map(self, map_id: str) -> Counts:
        """Delete a map and everything in it; return what was deleted."""

        def fn(cur):
            _require_map(cur, map_id)
            self._note("map", map_id, before=self._before(lambda: self.get_map(map_id)))
            counts = _counts(cur, map_id)
            _delete_map_rows(self, cur, map_id)
            _history.note_map(self, map_id)
            return counts

        counts = self.write(fn)
        self._after_map_deleted(map_id)
        return counts

    def load_map(self, m: Map, *, replace: bool = False) -> Counts:
        """Load a whole map in one transaction; with ``replace``, an existing map of that id goes.

        The map is checked as a whole first (:func:`argmap.model.check_map`), so a map with a
        dangling reference is refused before the database is touched.
        """
        m = validate(m)
        check_map(m)
        return self.write(self._load_fn(m, replace), touch=m.id)

    def load_maps(self, maps: list[Map], *, replace: bool = False) -> list[Counts | ArgmapError]:
        """Load many maps, each its own all-or-nothing write, committed together (group commit):
        a refused map changes nothing and refuses none of the others.

        Returns each map's :class:`Counts`, or the :class:`ArgmapError` that refused it, in order.
        Any other error (a failed commit) is raised.
        """
        out: list = [None] * len(maps)
        writes = []
        for i, m in enumerate(maps):
            try:
                m = validate(m)
                check_map(m)
            except ArgmapError as e:
                out[i] = e
                continue
            writes.append((i, self._load_fn(m, replace), m.id))
        if self.read_only and writes:
            raise ReadOnly("db", f"{self.path} is open read-only: reads are answered, writes are not")
        results = self._writer.submit_many(self, [(fn, touch, ((None, touch),)) for _, fn, touch in writes])
        for (i, _, _), result in zip(writes, results):
            if isinstance(result, BaseException) and not isinstance(result, ArgmapError):
                raise result
            out[i] = result
        return out

    def _load_fn(self, m: Map, replace: bool) -> Callable:
        def fn(cur):
            if _exists(cur, "maps", None, m.id):
                if not replace:
                    raise DuplicateId("$.id", f"map {m.id!r} already exists (load with replace to overwrite it)")
                before = self._before(lambda: self.get_map(m.id))
                _delete_map_rows(self, cur, m.id)
            else:
                before = None
            self._note("map", m.id, before=before, after=m)
            _history.note_map(self, m.id, new=before is None and not replace)
            _map_changed(cur, m.id, True)
            _insert_many(cur, "maps", [{**msgspec.structs.asdict(m.info), "extras": _extras_json(m.extras)}])
            _insert_many(cur, "speakers", [_speaker_row(m.id, i, s) for i, s in enumerate(m.speakers)])
            _insert_many(cur, "sources", [_source_row(m.id, i, s) for i, s in enumerate(m.sources)])
            _insert_many(cur, "statements", [_statement_row(m.id, i, s) for i, s in enumerate(m.statements)])
            _insert_many(cur, "arguments", [_argument_row(m.id, i, a) for i, a in enumerate(m.arguments)])
            _insert_many(cur, "premises", [r for a in m.arguments for r in _premise_rows(m.id, a)])
            _insert_many(cur, "relations", [_relation_row(m.id, i, r) for i, r in enumerate(m.relations)])
            return Counts(
                speakers=len(m.speakers), sources=len(m.sources), statements=len(m.statements),
                arguments=len(m.arguments), supports=sum(a.kind == "support" for a in m.arguments),
                attacks=sum(a.kind == "attack" for a in m.arguments),
                undercuts=sum(a.kind == "undercut" for a in m.arguments), relations=len(m.relations),
            )

        return fn

    def get_map(self, map_id: str) -> Map:
        """The whole map as one document (what ``load_map`` takes)."""
        with self.snapshot():
            info = self.get_map_info(map_id)
            return Map(
                id=info.id,
                title=info.title,
                description=info.description,
                speakers=self.list_speakers(map_id),
                sources=self.list_sources(map_id),
                statements=self.list_statements(map_id),
                arguments=self.list_arguments(map_id),
                relations=self.list_relations(map_id),
                extras=self._read(
                    lambda c: _extras(c.execute("SELECT extras FROM maps WHERE id = $m", {"m": map_id}).fetchone()[0])
                ),
            )

    def counts(self, map_id: str | None = None) -> Counts:
        """Counts for one map, or for the whole store when ``map_id`` is None."""
        if map_id is not None:
            self.get_map_info(map_id)
        return self._read(lambda c: _counts(c, map_id))

    # -- speakers -------------------------------------------------------------------------

    def add_speaker(self, map_id: str, sp: Speaker) -> Speaker:
        sp = validate(sp)

        def fn(cur):
            _require_map(cur, map_id)
            _require_new(cur, "speakers", map_id, sp.id, "speaker")
            _insert_many(cur, "speakers", [_speaker_row(map_id, _next_seq(cur, "speakers", map_id), sp)])
            self._note("speaker", sp.id, after=sp)
            _history.note(self, map_id, "speaker", [sp.id], new=True)
            return sp

        return self.write(fn, touch=map_id)

    def get_speaker(self, map_id: str, speaker_id: str) -> Speaker:
        return self._one(self.list_speakers(map_id, ids=[speaker_id]), map_id, "speaker", speaker_id)

    def list_speakers(self, map_id: str, *, ids: list[str] | None = None) -> list[Speaker]:
        sql = "SELECT id, name, role, affiliation FROM speakers WHERE map_id = $m"
        rows = self._read(lambda c: _select(c, sql, map_id, ids))
        return [Speaker(id=r[0], name=r[1], role=r[2], affiliation=r[3]) for r in rows]

    def update_speaker(self, map_id: str, sp: Speaker) -> Speaker:
        sp = validate(sp)

        def fn(cur):
            _require_logged(self, cur, "speaker", map_id, sp.id)
            before = self._before(lambda: self.get_speaker(map_id, sp.id))
            cur.execute(
                "UPDATE speakers SET name = $name, role = $role, affiliation = $affiliation "
                "WHERE map_id = $m AND id = $id",
                {"m": map_id, **msgspec.structs.asdict(sp)},
            )
            self._note("speaker", sp.id, before=before, after=sp)
            _history.note(self, map_id, "speaker", [sp.id], written=sp)
            return sp

        return self.write(fn, touch=map_id)

    def delete_speaker(self, map_id: str, speaker_id: str, *, cascade: bool = False) -> list[str]:
        """Delete a speaker; with ``cascade``, also their statements and what depends on those."""
        return self.write(lambda cur: self._delete(cur, map_id, "speaker", speaker_id, cascade), touch=map_id)

    # -- sources --------------------------------------------------------------------------

    def add_source(self, map_id: str, src: Source) -> Source:
        _no_text_file(src)
        src = validate(src)

        def fn(cur):
            _require_map(cur, map_id)
            _require_new(cur, "sources", map_id, src.id, "source")
            _insert_many(cur, "sources", [_source_row(map_id, _next_seq(cur, "sources", map_id), src)])
            self._note("source", src.id, after=src)
            _history.note(self, map_id, "source", [src.id], new=True)
            return src

        return self.write(fn, touch=map_id)

    def get_source(self, map_id: str, source_id: str) -> Source:
        return self._one(self.list_sources(map_id, ids=[source_id]), map_id, "source", source_id)

    def list_sources(self, map_id: str, *, ids: list[str] | None = None) -> list[Source]:
        sql = "SELECT id, title, publisher, url, published, text FROM sources WHERE map_id = $m"
        rows = self._read(lambda c: _select(c, sql, map_id, ids))
        return [
            Source(id=r[0], title=r[1], publisher=r[2], url=r[3], published=r[4], text=r[5]) for r in rows
        ]

    def update_source(self, map_id: str, src: Source) -> Source:
        _no_text_file(src)
        src = validate(src)

        def fn(cur):
            _require_logged(self, cur, "source", map_id, src.id)
            before = self._before(lambda: self.get_source(map_id, src.id))
            quoting = cur.execute(
                "SELECT id, quote_start, quote_end, quote_text FROM statements "
                "WHERE map_id = $m AND source_id = $id AND quote_start IS NOT NULL ORDER BY seq",
                {"m": map_id, "id": src.id},
            ).fetchall()
            for sid, start, end, text in quoting:
                if reason := quote_problem(Quote(start=start, end=end, text=text), src):
                    raise InvalidInput("$.text", f"statement {sid!r} quotes this source: {reason}")
            row = _source_row(map_id, 0, src)
            del row["seq"]
            cur.execute(
                "UPDATE sources SET title = $title, publisher = $publisher, url = $url, published = $published, "
                "published_lo = $published_lo, published_hi = $published_hi, text = $text "
                "WHERE map_id = $map_id AND id = $id",
                row,
            )
            self._note("source", src.id, before=before, after=src)
            _history.note(self, map_id, "source", [src.id], written=src)
            return src

        return self.write(fn, touch=map_id)

    def delete_source(self, map_id: str, source_id: str, *, cascade: bool = False) -> list[str]:
        """Delete a source; with ``cascade``, also the statements it reports or dates."""
        return self.write(lambda cur: self._delete(cur, map_id, "source", source_id, cascade), touch=map_id)

    # -- statements -----------------------------------------------------------------------

    def add_statement(self, map_id: str, st: Statement) -> Statement:
        st = validate(st)

        def fn(cur):
            _require_map(cur, map_id)
            _require_new_node(cur, map_id, st.id)
            _check_statement_refs(cur, map_id, st)
            _insert_many(cur, "statements", [_statement_row(map_id, _next_seq(cur, "statements", map_id), st)])
            self._note("statement", st.id, after=st)
            _history.note(self, map_id, "statement", [st.id], new=True)
            return st

        return self.write(fn, touch=map_id, ids=((map_id, st.id),))

    def get_statement(self, map_id: str, statement_id: str) -> Statement:
        # The hot read: one lookup through the id index (see schema.sql), not a filtered scan.
        rows = self._read(lambda c: c.execute(_STATEMENT_BY_ID, {"id": statement_id}).fetchall())
        return self._one([_statement(r[1:]) for r in rows if r[0] == map_id], map_id, "statement", statement_id)

    def list_statements(
        self,
        map_id: str,
        *,
        ids: list[str] | None = None,
        speaker: str | None = None,
        kind: str | None = None,
        tag: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Statement]:
        """Statements in map order, filtered; dates filter by overlap (``2025-11`` = the month)."""
        where, params = ["map_id = $m"], {"m": map_id}
        if ids is not None:
            # Through the id index; the map is checked below (a map_id filter beside the id
            # lookup would make DuckDB scan the table instead).
            params = {}
            where = [_ids_in("id", ids, params)]
        if speaker is not None:
            where.append("speaker_id = $speaker")
            params["speaker"] = speaker
        if kind is not None:
            where.append("kind = $kind")
            params["kind"] = _one_of("kind", kind, StatementKind)
        if tag is not None:
            where.append("list_contains(tags, $tag)")
            params["tag"] = tag
        if date_from is not None:
            where.append("said_hi >= $from_lo")
            params["from_lo"] = _date_arg("from", date_from).lower
        if date_to is not None:
            where.append("said_lo <= $to_hi")
            params["to_hi"] = _date_arg("to", date_to).upper
        sql = f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE " + " AND ".join(where) + " ORDER BY seq, id"
        if ids is not None:
            rows = [r[1:] for r in self._read(lambda c: c.execute(sql, params).fetchall()) if r[0] == map_id]
            _page(limit, offset, {})  # the same checks of limit and offset as below
            return [_statement(r) for r in rows[offset : None if limit is None else offset + limit]]
        sql += _page(limit, offset, params)
        rows = self._read(lambda c: c.execute(sql, params).fetchall())
        return [_statement(r[1:]) for r in rows]

    def update_statement(self, map_id: str, st: Statement) -> Statement:
        st = validate(st)

        def fn(cur):
            _require_logged(self, cur, "statement", map_id, st.id)
            before = self._before(lambda: self.get_statement(map_id, st.id))
            _check_statement_refs(cur, map_id, st)
            row = _statement_row(map_id, 0, st)
            del row["seq"]
            cur.execute(
                "UPDATE statements SET " + ", ".join(f"{k} = ${k}" for k in row if k not in ("map_id", "id"))
                + " WHERE map_id = $map_id AND id = $id",
                row,
            )
            self._note("statement", st.id, before=before, after=st)
            _history.note(self, map_id, "statement", [st.id], written=st)
            return st

        return self.write(fn, touch=map_id)

    def delete_statement(self, map_id: str, statement_id: str, *, cascade: bool = False) -> list[str]:
        """Delete a statement; refused (InUse) while arguments use it, unless ``cascade``."""
        return self.write(lambda cur: self._delete(cur, map_id, "statement", statement_id, cascade), touch=map_id)

    # -- arguments ------------------------------------------------------------------------

    def add_argument(self, map_id: str, arg: Argument) -> Argument:
        arg = validate(arg)

        def fn(cur):
            _require_map(cur, map_id)
            _require_new_node(cur, map_id, arg.id)
            _check_argument_refs(cur, map_id, arg)
            _insert_many(cur, "arguments", [_argument_row(map_id, _next_seq(cur, "arguments", map_id), arg)])
            _insert_many(cur, "premises", _premise_rows(map_id, arg))
            self._note("argument", arg.id, after=arg)
            _history.note(self, map_id, "argument", [arg.id], new=True)
            return arg

        return self.write(fn, touch=map_id, ids=tuple((map_id, i) for i in (arg.id, *arg.premises, arg.target)))

    def get_argument(self, map_id: str, argument_id: str) -> Argument:
        def fn(c):
            # Two lookups through the id indexes; list_arguments' subquery would scan premises.
            row = next((r for r in c.execute(_ARGUMENT_BY_ID, {"id": argument_id}).fetchall() if r[0] == map_id), None)
            if row is None:
                return []
            premises = c.execute(_PREMISES_OF, {"id": argument_id}).fetchall()
            return [_argument(row[1:], [p[1] for p in premises if p[0] == map_id])]

        return self._one(self._read(fn), map_id, "argument", argument_id)

    def list_arguments(
        self,
        map_id: str,
        *,
        ids: list[str] | None = None,
        kind: str | None = None,
        target: str | None = None,
        premise: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Argument]:
        where, params = ["a.map_id = $m"], {"m": map_id}
        if ids is not None:
            where.append(_ids_clause("a.id", ids, params))
        if kind is not None:
            where.append("a.kind = $kind")
            params["kind"] = _one_of("kind", kind, ArgumentKind)
        if target is not None:
            where.append("a.target_id = $target")
            params["target"] = target
        if premise is not None:
            where.append(
                "EXISTS (SELECT 1 FROM premises q WHERE q.map_id = a.map_id AND q.argument_id = a.id "
                "AND q.statement_id = $premise)"
            )
            params["premise"] = premise
        sql = (
            "SELECT a.id, a.kind, a.target_id, a.scheme, a.note, a.extras, "
            "(SELECT list(p.statement_id ORDER BY p.position) FROM premises p "
            " WHERE p.map_id = a.map_id AND p.argument_id = a.id) "
            "FROM arguments a WHERE " + " AND ".join(where) + " ORDER BY a.seq, a.id"
        ) + _page(limit, offset, params)
        rows = self._read(lambda c: c.execute(sql, params).fetchall())
        return [
            _argument(r[:6], r[6]) for r in rows
        ]

    def update_argument(self, map_id: str, arg: Argument) -> Argument:
        arg = validate(arg)

        def fn(cur):
            _require_logged(self, cur, "argument", map_id, arg.id)
            before = self._before(lambda: self.get_argument(map_id, arg.id))
            _check_argument_refs(cur, map_id, arg)
            row = _argument_row(map_id, 0, arg)
            cur.execute(
                "UPDATE arguments SET kind = $kind, target_id = $target_id, scheme = $scheme, note = $note, "
                "extras = $extras "
                "WHERE map_id = $map_id AND id = $id",
                {k: v for k, v in row.items() if k != "seq"},
            )
            cur.execute("DELETE FROM premises WHERE map_id = $m AND argument_id = $id", {"m": map_id, "id": arg.id})
            _insert_many(cur, "premises", _premise_rows(map_id, arg))
            self._note("argument", arg.id, before=before, after=arg)
            _history.note(self, map_id, "argument", [arg.id], written=arg)
            return arg

        return self.write(fn, touch=map_id)

    def delete_argument(self, map_id: str, argument_id: str, *, cascade: bool = False) -> list[str]:
        """Delete an argument; refused (InUse) while undercuts target it, unless ``cascade``."""
        return self.write(lambda cur: self._delete(cur, map_id, "argument", argument_id, cascade), touch=map_id)

    # -- search ---------------------------------------------------------------------------

    def search(self, map_id: str, q: str, *, limit: int = 20) -> list[tuple[Statement, float]]:
        """Statements ranked by BM25 over their text, their speaker's name and their source's title.

        DuckDB's full-text index does not follow writes, so a map's index is rebuilt on the
        first search after the map changed (the index records the map version it was built from).
        """
        _, hits = self.rank(map_id, q, limit=limit)
        by_id = {s.id: s for s in self.list_statements(map_id, ids=[h[0] for h in hits])} if hits else {}
        return [(by_id[i], score) for i, score in hits]

    def rank(self, map_id: str, q: str, *, limit: int = 20) -> tuple[int, list[tuple[str, float]]]:
        """What :meth:`search` finds, as statement ids and scores, with the map version searched."""
        if not q.strip():
            raise InvalidInput("q", "must not be empty")
        return self._read(lambda c: self._search.rank(c, map_id, q, limit))

    def _one(self, items: list, map_id: str, what: str, id_: str):
        if items:
            return items[0]
        self.get_map_info(map_id)  # raises NotFound naming the map when the map is missing
        raise NotFound("id", f"no {what} {id_!r} in map {map_id!r}")

    # -- relations (rephrase, preference) --------------------------------------------------

    def list_relations(self, map_id: str, *, ids: list[str] | None = None) -> list[Relation]:
        """Rephrases and preferences in map order (loaded with the map; see Map.relations)."""
        sql = "SELECT id, kind, sources, target_id, scheme, note, extras FROM relations WHERE map_id = $m"
        rows = self._read(lambda c: _select(c, sql, map_id, ids))
        return [
            Relation(id=r[0], kind=r[1], sources=list(r[2]), target=r[3], scheme=r[4], note=r[5], extras=_extras(r[6]))
            for r in rows
        ]

    def delete_relation(self, map_id: str, relation_id: str) -> list[str]:
        """Delete a rephrase or preference (nothing refers to one)."""
        return self.write(lambda cur: self._delete(cur, map_id, "relation", relation_id, False), touch=map_id)

    # -- checks ---------------------------------------------------------------------------

    def check_integrity(self) -> list[Problem]:
        """Every reference that points at nothing, found by anti-joins (empty when sound)."""
        return self._read(_integrity_problems)


# -- Implementation details ----------------------------------------------------------------

_TABLE_OF = {
    "speaker": "speakers", "source": "sources", "statement": "statements", "argument": "arguments",
    "relation": "relations",
}

_INTEGRITY_SQL = {
    "statement speaker": "SELECT s.map_id, s.id, s.speaker_id FROM statements s WHERE s.speaker_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM speakers x WHERE x.map_id = s.map_id AND x.id = s.speaker_id)",
    "statement source": "SELECT s.map_id, s.id, s.source_id FROM statements s WHERE s.source_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM sources x WHERE x.map_id = s.map_id AND x.id = s.source_id)",
    "statement date source": "SELECT s.map_id, s.id, s.date_source_id FROM statements s "
    "WHERE s.date_source_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM sources x WHERE x.map_id = s.map_id AND x.id = s.date_source_id)",
    "premise": "SELECT p.map_id, p.argument_id, p.statement_id FROM premises p "
    "WHERE NOT EXISTS (SELECT 1 FROM statements x WHERE x.map_id = p.map_id AND x.id = p.statement_id)",
    "premise owner": "SELECT p.map_id, p.argument_id, p.argument_id FROM premises p "
    "WHERE NOT EXISTS (SELECT 1 FROM arguments x WHERE x.map_id = p.map_id AND x.id = p.argument_id)",
    "argument without premises": "SELECT a.map_id, a.id, a.id FROM arguments a "
    "WHERE NOT EXISTS (SELECT 1 FROM premises p WHERE p.map_id = a.map_id AND p.argument_id = a.id)",
    "target": "SELECT a.map_id, a.id, a.target_id FROM arguments a WHERE NOT EXISTS ("
    "SELECT 1 FROM statements x WHERE a.kind <> 'undercut' AND x.map_id = a.map_id AND x.id = a.target_id "
    "UNION ALL SELECT 1 FROM arguments y WHERE a.kind = 'undercut' AND y.map_id = a.map_id AND y.id = a.target_id)",
    "map": "SELECT t.map_id, t.id, t.map_id FROM (SELECT map_id, id FROM speakers UNION ALL "
    "SELECT map_id, id FROM sources UNION ALL SELECT map_id, id FROM statements UNION ALL "
    "SELECT map_id, id FROM arguments UNION ALL SELECT map_id, id FROM relations) t "
    "WHERE NOT EXISTS (SELECT 1 FROM maps m WHERE m.id = t.map_id)",
    "relation end": "SELECT r.map_id, r.id, e.ref FROM relations r, "
    "(SELECT map_id, id, unnest(list_append(sources, target_id)) AS ref FROM relations) e "
    "WHERE e.map_id = r.map_id AND e.id = r.id "
    "AND NOT EXISTS (SELECT 1 FROM statements x WHERE x.map_id = r.map_id AND x.id = e.ref) "
    "AND NOT (r.kind = 'preference' AND EXISTS (SELECT 1 FROM arguments y WHERE y.map_id = r.map_id AND y.id = e.ref))",
}


def _integrity_problems(cur) -> list[Problem]:
    out = []
    for what, sql in _INTEGRITY_SQL.items():
        for map_id, owner, ref in cur.execute(sql).fetchall():
            out.append(Problem(f"{map_id}/{owner}", f"{what} {ref!r} points at nothing"))
    return out


def _date_arg(field: str, value: str):
    try:
        return partial_date(value)
    except InvalidInput as e:
        raise InvalidInput(field, e.reason) from None


def _one_of(field: str, value: str, allowed) -> str:
    choices = get_args(allowed)
    if value not in choices:
        raise InvalidInput(field, f"unknown {field} {value!r}; use one of {', '.join(choices)}")
    return value


def _page(limit: int | None, offset: int, params: dict) -> str:
    """The LIMIT/OFFSET clause; an offset counts even without a limit."""
    for field, value in (("limit", limit), ("offset", offset)):
        if value is not None and (type(value) is not int or not 0 <= value < 2**63):
            raise InvalidInput(field, f"must be a whole number from 0 up, not {value!r}")
    params["offset"] = offset
    if limit is None:
        return " OFFSET $offset"
    params["limit"] = limit
    return " LIMIT $limit OFFSET $offset"


def _no_text_file(src: Source) -> None:
    if src.text_file is not None:
        raise InvalidInput("$.text_file", "the store takes source text, not file names; send text")


def _peek(cur):
    """``execute`` for a check that consults the write's staged rows itself (see
    :class:`~argmap.store._writer.WriteCursor`): it need not insert them first."""
    return getattr(cur, "peek", cur.execute)


_NODE_TABLES = ("statements", "arguments", "relations")


def _known(cur, table: str, map_id: str | None, id_: str) -> bool | None:
    """Whether the write transaction of ``cur`` knows, without a query, that the row exists:
    it staged it, or its group looked the id up (:meth:`Store._tx_prefetch`). None: ask."""
    staged = getattr(cur, "staged", None)
    if staged is None:
        return None
    if staged(table, map_id, id_) is not None:
        return True
    nodes = cur.tx.get("nodes")
    if nodes is not None and (table in _NODE_TABLES or table == "maps") and (map_id, id_) in nodes[0]:
        return (table, map_id, id_) in nodes[1]
    return None


def _exists(cur, table: str, map_id: str | None, id_: str) -> bool:
    if (known := _known(cur, table, map_id, id_)) is not None:
        return known
    if map_id is None:
        return _peek(cur)(f"SELECT 1 FROM {table} WHERE id = $id", {"id": id_}).fetchone() is not None
    # By id alone, so that the id index answers (see schema.sql); then the map.
    return any(r[0] == map_id for r in _peek(cur)(f"SELECT map_id FROM {table} WHERE id = $id", {"id": id_}).fetchall())


def _tx(cur) -> dict:
    """What the write transaction of ``cur`` has learnt (its ``tx``, see
    :class:`~argmap.store._writer.WriteCursor`): maps known to exist, the next ``seq`` of a table
    in a map, the versions its requests gave maps. Group commit runs many requests in one
    transaction; each would otherwise ask again. Outside a write: a throwaway."""
    tx = getattr(cur, "tx", None)
    return tx if tx is not None else {}


def _fact(cur, map_id: str, key: str):
    """What a committed transaction taught of the map (``GroupCommit.facts``), if anything."""
    facts = _tx(cur).get("facts")
    return None if facts is None else facts.get(map_id, {}).get(key)


def _require_map(cur, map_id: str) -> None:
    known = _tx(cur).setdefault("maps", {})
    if known.get(map_id) or (map_id not in known and _fact(cur, map_id, "map")):
        return
    if not _exists(cur, "maps", None, map_id):
        raise NotFound("map", f"no map {map_id!r}")
    known[map_id] = True


def _map_changed(cur, map_id: str, exists: bool) -> None:
    """A map was created, replaced or deleted in this transaction: forget what was learnt of it."""
    tx = _tx(cur)
    tx.setdefault("maps", {})[map_id] = exists
    tx.setdefault("forget", set()).add(map_id)  # what committed transactions taught of it
    for key in [k for k in tx.get("seq", {}) if k[1] == map_id]:
        del tx["seq"][key]


def _require(cur, table: str, map_id: str, id_: str, what: str) -> None:
    _require_map(cur, map_id)
    if not _exists(cur, table, map_id, id_):
        raise NotFound("id", f"no {what} {id_!r} in map {map_id!r}")


def _require_logged(store, cur, kind: str, map_id: str, id_: str) -> None:
    """:func:`_require` for an update of one entity: while the change log records the write, the
    row is read whole (the log's state before, :func:`_history.exists_before`) in place of the
    existence check; one lookup by id either way."""
    _require_map(cur, map_id)
    found = _history.exists_before(store, cur, map_id, kind, id_)
    if not (_exists(cur, kind + "s", map_id, id_) if found is None else found):
        raise NotFound("id", f"no {kind} {id_!r} in map {map_id!r}")


def _require_new(cur, table: str, map_id: str, id_: str, what: str) -> None:
    if _exists(cur, table, map_id, id_):
        raise DuplicateId("$.id", f"{what} {id_!r} already exists in map {map_id!r}")


def _require_new_node(cur, map_id: str, id_: str) -> None:
    # Statements, arguments and relations share one id space: an undercut's target, and a
    # relation's ends, must be unambiguous.
    # One query, not one per table: on a lake every query is a round trip to the catalog.
    known = [_known(cur, kind + "s", map_id, id_) for kind in ("statement", "argument", "relation")]
    rows = [(kind, map_id) for kind, k in zip(("statement", "argument", "relation"), known) if k]
    if None in known:
        rows += _peek(cur)(
            "SELECT 'statement', map_id FROM statements WHERE id = $id UNION ALL "
            "SELECT 'argument', map_id FROM arguments WHERE id = $id UNION ALL "
            "SELECT 'relation', map_id FROM relations WHERE id = $id",
            {"id": id_},
        ).fetchall()
    order = ("statement", "argument", "relation")
    taken = sorted((order.index(what), what) for what, m in rows if m == map_id)
    if taken:
        raise DuplicateId("$.id", f"id {id_!r} is already taken by a {taken[0][1]} in map {map_id!r}")


def _next_seq(cur, table: str, map_id: str) -> int:
    seqs = _tx(cur).setdefault("seq", {})
    seq = seqs.get((table, map_id))
    if seq is None and map_id not in _tx(cur).get("forget", ()):
        seq = (_fact(cur, map_id, "seq") or {}).get(table)
    if seq is None:
        # Staged rows of this table and map must go in first; else the query may skip them.
        staged_in = getattr(cur, "staged_in", None)
        run = cur.peek if staged_in is not None and not staged_in(table, map_id) else cur.execute
        seq = run(f"SELECT coalesce(max(seq), -1) + 1 FROM {table} WHERE map_id = $m", {"m": map_id}).fetchone()[0]
    seqs[(table, map_id)] = seq + 1
    return seq


def _check_statement_refs(cur, map_id: str, st: Statement) -> None:
    problems = []
    if st.speaker is not None and not _exists(cur, "speakers", map_id, st.speaker):
        problems.append(Problem("$.speaker", f"unknown speaker {st.speaker!r}"))
    if st.date_source is not None and not _exists(cur, "sources", map_id, st.date_source):
        problems.append(Problem("$.date_source", f"unknown source {st.date_source!r}"))
    if st.source is not None:
        row = cur.execute(
            "SELECT id, title, text FROM sources WHERE map_id = $m AND id = $id", {"m": map_id, "id": st.source}
        ).fetchone()
        if row is None:
            problems.append(Problem("$.source", f"unknown source {st.source!r}"))
        elif st.quote is not None:
            if reason := quote_problem(st.quote, Source(id=row[0], title=row[1], text=row[2])):
                raise InvalidInput("$.quote", reason)
    if problems:
        raise DanglingReference(problems=problems)


def _check_argument_refs(cur, map_id: str, arg: Argument) -> None:
    params: dict = {}
    wanted = [*arg.premises, arg.target]
    known = {i: _known(cur, "statements", map_id, i) for i in wanted}
    found = {i for i, k in known.items() if k}
    if unknown := [i for i, k in known.items() if k is None]:
        found |= {
            r[0]
            for r in _peek(cur)("SELECT id, map_id FROM statements WHERE " + _ids_in("id", unknown, params), params).fetchall()
            if r[1] == map_id
        }
    problems = []
    for j, p in enumerate(arg.premises):
        if p not in found:
            is_arg = _exists(cur, "arguments", map_id, p)
            problems.append(
                Problem(f"$.premises[{j}]", f"{'an argument, not a statement' if is_arg else 'unknown statement'} {p!r}")
            )
    is_argument = lambda t: t != arg.id and _exists(cur, "arguments", map_id, t)  # noqa: E731
    if reason := target_problem(arg, found.__contains__, is_argument):
        problems.append(Problem("$.target", reason))
    if problems:
        raise DanglingReference(problems=problems)


def _dependents(cur, map_id: str, kind: str, id_: str) -> list[tuple[str, str]]:
    """What points at (kind, id): the things a delete would leave dangling."""
    p = {"m": map_id, "id": id_}
    if kind == "speaker":
        sql = "SELECT 'statement', id FROM statements WHERE map_id = $m AND speaker_id = $id ORDER BY seq"
    elif kind == "source":
        sql = (
            "SELECT 'statement', id FROM statements WHERE map_id = $m AND (source_id = $id OR date_source_id = $id) "
            "ORDER BY seq"
        )
    elif kind == "statement":
        sql = (
            "SELECT 'argument', id FROM arguments a WHERE map_id = $m AND ((kind <> 'undercut' AND target_id = $id) "
            "OR EXISTS (SELECT 1 FROM premises p WHERE p.map_id = a.map_id AND p.argument_id = a.id "
            "AND p.statement_id = $id)) ORDER BY seq"
        )
    elif kind == "argument":
        sql = "SELECT 'argument', id FROM arguments WHERE map_id = $m AND kind = 'undercut' AND target_id = $id ORDER BY seq"
    else:
        return []
    rows = [tuple(r) for r in cur.execute(sql, p).fetchall()]
    if kind in ("statement", "argument"):
        rows += cur.execute(
            "SELECT 'relation', id FROM relations WHERE map_id = $m AND (target_id = $id OR list_contains(sources, $id)) "
            "ORDER BY seq",
            p,
        ).fetchall()
    return [tuple(r) for r in rows]


def _delete(cur, map_id: str, kind: str, id_: str, cascade: bool, seen=lambda k, i: None) -> list[str]:
    _require(cur, _TABLE_OF[kind], map_id, id_, kind)
    doomed: dict[tuple[str, str], None] = {(kind, id_): None}
    todo = [(kind, id_)]
    while todo:
        k, i = todo.pop()
        deps = _dependents(cur, map_id, k, i)
        if deps and not cascade:
            names = ", ".join(f"{dk} {di!r}" for dk, di in deps[:5]) + (" …" if len(deps) > 5 else "")
            raise InUse("id", f"{k} {i!r} is used by {len(deps)} other item(s): {names}; delete with cascade")
        for d in deps:
            if d not in doomed:
                doomed[d] = None
                todo.append(d)
    for k, i in doomed:
        seen(k, i)
    for k, i in doomed:
        if k == "argument":
            cur.execute("DELETE FROM premises WHERE map_id = $m AND argument_id = $id", {"m": map_id, "id": i})
        cur.execute(f"DELETE FROM {_TABLE_OF[k]} WHERE map_id = $m AND id = $id", {"m": map_id, "id": i})
    return [f"{k}:{i}" for k, i in doomed]


def _delete_map_rows(store: Store, cur, map_id: str) -> None:
    _map_changed(cur, map_id, False)
    store._drop_index_in_write(cur, map_id)
    for table in ("relations", "premises", "arguments", "statements", "sources", "speakers"):
        cur.execute(f"DELETE FROM {table} WHERE map_id = $m", {"m": map_id})
    cur.execute("DELETE FROM maps WHERE id = $m", {"m": map_id})


_LIST_MAPS = (
    "SELECT m.id, m.title, m.description, coalesce(sp.n, 0), coalesce(so.n, 0), coalesce(st.n, 0), "
    "coalesce(a.supports, 0), coalesce(a.attacks, 0), coalesce(a.undercuts, 0), coalesce(r.n, 0) FROM maps m "
    "LEFT JOIN (SELECT map_id, count(*) AS n FROM speakers GROUP BY map_id) sp ON sp.map_id = m.id "
    "LEFT JOIN (SELECT map_id, count(*) AS n FROM sources GROUP BY map_id) so ON so.map_id = m.id "
    "LEFT JOIN (SELECT map_id, count(*) AS n FROM statements GROUP BY map_id) st ON st.map_id = m.id "
    "LEFT JOIN (SELECT map_id, count(*) FILTER (kind = 'support') AS supports, "
    "count(*) FILTER (kind = 'attack') AS attacks, count(*) FILTER (kind = 'undercut') AS undercuts "
    "FROM arguments GROUP BY map_id) a ON a.map_id = m.id "
    "LEFT JOIN (SELECT map_id, count(*) AS n FROM relations GROUP BY map_id) r ON r.map_id = m.id "
    "ORDER BY m.id"
)
"""Every map with its counts, in one statement (and so one snapshot)."""


def _counts(cur, map_id: str | None) -> Counts:
    cond = "WHERE map_id = $m" if map_id is not None else ""
    params = {"m": map_id} if map_id is not None else {}
    row = cur.execute(
        f"SELECT (SELECT count(*) FROM speakers {cond}), (SELECT count(*) FROM sources {cond}), "
        f"(SELECT count(*) FROM statements {cond}), "
        f"(SELECT count(*) FILTER (kind = 'support') FROM arguments {cond}), "
        f"(SELECT count(*) FILTER (kind = 'attack') FROM arguments {cond}), "
        f"(SELECT count(*) FILTER (kind = 'undercut') FROM arguments {cond}), "
        f"(SELECT count(*) FROM relations {cond})",
        params,
    ).fetchone()
    return Counts(
        speakers=row[0], sources=row[1], statements=row[2],
        arguments=row[3] + row[4] + row[5], supports=row[3], attacks=row[4], undercuts=row[5],
        relations=row[6],
    )
