"""DuckLake: the store's tables in a catalog (PostgreSQL) that many processes share.

Each Store on a lake is an in-memory DuckDB that attaches the catalog as ``lake``, so every
query runs unchanged. What differs from a file lives here: the DDL without keys and indexes
(:func:`lake_ddl`), serial writes (overlapping writes clash at commit; servers take turns), the
push that tells servers of every commit, and loading the bundled extensions. Which server
writes: ``_leader.py``. See docs/ARCHITECTURE.md, "The store".

>>> store = Store(lake="postgres:dbname=argmap host=db.internal", data_path="/srv/argmap/data")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import threading
import time
import weakref
from contextlib import contextmanager
from functools import lru_cache
from importlib import import_module, resources

import duckdb

from argmap.errors import ArgmapError, InvalidInput
from argmap.store._search import extension_path as fts_path  # search runs on a lake too
from argmap.store._store import SCHEMA_VERSION, Store, _schema_sql
from argmap.store._writer import GroupCommit
from argmap.store._file import _Versions

__all__ = ["PUSH_CHANNEL", "SERIALISE", "LakeStore", "attach", "install_push", "is_conflict", "lake_ddl",
           "lake_only_ddl", "local_ddl", "redact", "use"]

CONFLICT_RETRIES = 12
"""How often a write on a lake is tried when other processes' commits clash with it."""


class LakeStore(Store, backend="lake"):
    """The store's tables in a DuckLake catalog (see :class:`~argmap.store.Store` for the parameters).

    Other processes write too. Maps' versions are kept while the catalog's latest snapshot
    stays the one last seen (one indexed PostgreSQL query per read, :class:`_SnapshotVersions`,
    instead of the dozen catalog queries of a DuckLake read), and a write that clashes with
    another process's commit runs again on a fresh snapshot.
    """

    whole_map_after = 30
    """At 100,000 statements one statement costs ~20 ms to read from the lake, all of them ~0.6 s."""

    def _open(self, path, data_path) -> None:
        self.path = "ducklake:" + redact(self.lake)
        # Servers that start together on a new catalog would race to create it (PostgreSQL
        # refuses the loser's duplicate types); they take turns until the schema is current.
        self._startup = startup_lock(self.lake)
        try:
            self._conn = attach(self.lake, data_path)
        except BaseException:
            self._opened()
            raise
        # A new cursor starts in this process's in-memory catalog, where its derived data goes.
        self._conn.cursor().execute(local_ddl(_schema_sql())).close()
        self._lock = threading.RLock()  # other processes are kept apart by commit conflicts
        self._writer = GroupCommit(self._lock, retries=CONFLICT_RETRIES)
        self._serial: int | None = None  # the snapshot this process's last commit made
        self._index_lock = threading.Lock()  # this process's search index builds take turns
        self._versions = _SnapshotVersions(self.lake) if self.lake.startswith("postgres:") else None
        self._commits = 0
        self._compacting = threading.Lock()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return use(self._conn.cursor())

    def _opened(self) -> None:
        lock, self._startup = getattr(self, "_startup", None), None
        if lock is not None:
            try:
                install_push(lock)  # still holding the lock: servers starting together take turns
            finally:
                lock.close()  # ends the session: PostgreSQL releases its advisory lock

    def _schema_ddl(self) -> str:
        # Every DDL statement is a catalog round trip: a lake at the current version runs none
        # (so a change to the lake's tables needs a migration).
        if self._current_version() == SCHEMA_VERSION:
            return ""
        return lake_ddl(_schema_sql()) + lake_only_ddl()

    def _migration_ddl(self, sql: str) -> str:
        return lake_ddl(sql)

    def _index_catalogs(self) -> tuple[str, str]:
        return f"{ALIAS}.", "memory."

    def _index_build_lock(self):
        return self._index_lock

    def _index_read_only(self) -> str | None:
        return None  # the index is this process's own, in memory

    def _drop_index_in_write(self, cur, map_id: str) -> None:
        pass  # the write transaction is the lake's: see _after_map_deleted

    def _after_map_deleted(self, map_id: str) -> None:
        # A map another server deleted keeps its index here until this process ends, unused.
        self._search.drop_local(map_id)

    def _tx_begin(self, cur) -> None:
        # What this process's commits taught (next seq, node ids, log heads) holds only while no
        # other process has written since: the transaction's snapshot is then the one right
        # after our last commit (DuckLake numbers snapshots in commit order; one catalog query,
        # which the transaction's first read would make anyway). A write that commits after
        # this snapshot clashes with ours (see _before_commit).
        super()._tx_begin(cur)
        serial = cur.peek(f"FROM ducklake_current_snapshot('{ALIAS}')").fetchone()[0]
        if serial != self._serial:
            cur.tx["facts"].clear()
        cur.tx["serial"] = serial
        cur.tx["warm"] = serial == self._serial

    def _before_commit(self, cur) -> None:
        # Two overlapping transactions must clash (the later one runs again on the new state).
        # DuckLake refuses a commit when another, since its snapshot, deleted from a table it
        # inserts into or deletes from, or the reverse: so two that update rows of ``maps`` (a
        # write's new map version) clash already, and only a transaction that creates, replaces
        # or deletes a map (two inserts of one id do not clash) or moves no version needs the
        # extra UPDATE of lake_writes.
        if cur.tx.get("forget") or not cur.tx.get("versions"):
            cur.execute(SERIALISE)

    def _tx_committed(self, cur) -> None:
        super()._tx_committed(cur)
        # Our commit is the next snapshot, unless another process committed meanwhile without
        # clashing: then the latest is later than this, and the next transaction starts cold.
        self._serial = cur.tx["serial"] + 1

    _turn_conn = None

    @contextmanager
    def _write_turn(self):
        # Servers take turns at writing (PostgreSQL's advisory lock WRITE_TURN) instead of
        # running groups that lake_writes makes clash, to be rolled back and run again: with four
        # servers writing, most of the work was thrown away. Only an optimisation: without the
        # lock (PostgreSQL unreachable for it) the clash still keeps writes apart.
        if getattr(_TURN, "held", False):  # a write inside another store's write: that turn is ours
            yield
            return
        conn = self._take_turn()
        _TURN.held = conn is not None
        try:
            yield
        finally:
            _TURN.held = False
            if conn is not None:
                try:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (WRITE_TURN,))
                except Exception:  # noqa: BLE001 - closing the session releases the lock too
                    conn.close()
                    self._turn_conn = None

    def _take_turn(self):
        if not self.lake.startswith("postgres:"):
            return None
        import psycopg  # only a lake on PostgreSQL needs it

        try:
            if self._turn_conn is None or self._turn_conn.closed:
                self._turn_conn = psycopg.connect(self.lake[len("postgres:"):], autocommit=True, connect_timeout=5)
                # Waiting longer than this means something is stuck: write without the turn.
                self._turn_conn.execute("SET lock_timeout = '5s'")
            self._turn_conn.execute("SELECT pg_advisory_lock(%s)", (WRITE_TURN,))
            return self._turn_conn
        except psycopg.errors.LockNotAvailable:
            return None
        except psycopg.Error:
            if self._turn_conn is not None:
                self._turn_conn.close()
            self._turn_conn = None
            return None

    def _after_commit(self) -> None:
        if self._versions is not None:
            self._versions.forget()  # read-your-writes, before the notification says so
        self._commits += 1
        if self.compact_every and self._commits % self.compact_every == 0 and not self._compacting.locked():
            threading.Thread(target=self._compact_quietly, name="argmap-lake-compact", daemon=True).start()

    compact_every = 1000
    """Write transactions of this process between two automatic compactions (0: never)."""

    def compact(self) -> dict[str, int]:
        """Move rows kept in the catalog (DuckLake inlines small writes there) into Parquet files
        and merge small adjacent files, as new snapshots: readers and time travel are unaffected.
        Returns how many files the data path held before and after."""
        with self._compacting:
            cur = self._cursor()
            try:
                before = _data_files(cur)
                cur.execute(f"CALL ducklake_flush_inlined_data('{ALIAS}')").fetchall()
                cur.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')").fetchall()
                return {"files_before": before, "files_after": _data_files(cur)}
            finally:
                cur.close()

    def _compact_quietly(self) -> None:
        try:
            self.compact()
        except duckdb.Error:
            pass  # a clash with another server's write: the next round compacts

    leadership = None
    """This server's part in choosing the lake's writer (see :meth:`lead_writes`), or None."""

    def lead_writes(self, address: str | None):
        """Take part in choosing which server on this lake writes (a ``postgres:`` lake only).

        The server holding the lead answers writes; the others forward theirs to it (``argmap
        serve`` does, see argmap.api._forward), so all share its group commits. ``address`` is
        where the others reach this server (None: never lead, only find the leader). Returns
        the :class:`~argmap.store._leader.Leadership`, also kept as :attr:`leadership`.
        """
        if self.leadership is None and self.lake.startswith("postgres:"):
            from argmap.store._leader import Leadership  # psycopg: only a lake on PostgreSQL needs it

            self.leadership = Leadership(self.lake[len("postgres:"):], address)
        return self.leadership

    def written_elsewhere(self) -> None:
        """Another server acknowledged a write this one sent it (``argmap serve`` forwards
        writes to the leader): forget the maps' versions, so that this server's next reads see
        it without waiting for the notification (read-your-writes where the client wrote)."""
        if self._versions is not None:
            self._versions.forget()

    def close(self) -> None:
        if self.leadership is not None:
            self.leadership.close()
        if self._versions is not None:
            self._versions.close()
        if self._turn_conn is not None:
            self._turn_conn.close()
        super().close()

    def _retryable(self, error: BaseException) -> bool:
        return is_conflict(error)

ALIAS = "lake"

SERIALISE = "UPDATE lake_writes SET n = n + 1"
"""Run in a write transaction on a lake that moves no existing map's version: makes it clash
with any overlapping write (see ``LakeStore._before_commit``)."""

_LAKE_ONLY = """
CREATE TABLE IF NOT EXISTS lake_writes (n BIGINT NOT NULL);
INSERT INTO lake_writes SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM lake_writes);
"""

# What DuckLake refuses, as it appears in schema.sql and the migrations: a table-level key
# line, a column's inline key or check, a list default, an index.
_DROPS = [
    (re.compile(r",\s*PRIMARY KEY\s*\([^)]*\)", re.I), ""),
    (re.compile(r"(?:\s+NOT NULL)?\s+PRIMARY KEY\b", re.I), " NOT NULL"),  # a key is never NULL
    (re.compile(r"\s+UNIQUE\b", re.I), ""),
    (re.compile(r"\s+CHECK\s*\((?:[^()]|\([^()]*\))*\)", re.I), ""),
    (re.compile(r"\s+DEFAULT\s+\[\]", re.I), ""),
    (re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b[^;]*;", re.I | re.M), ""),
]


# Tables of derived data that each process keeps for itself in its in-memory catalog (the
# search index's record of its builds, see argmap.store._search), never in the lake.
_LOCAL_TABLES = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?search_indexes\b[^;]*;", re.I | re.M)


def lake_ddl(sql: str) -> str:
    """The same DDL without what DuckLake refuses (keys, checks, list defaults, indexes), nor the
    tables this process keeps to itself (:func:`local_ddl`).

    >>> print(lake_ddl("CREATE TABLE t (id VARCHAR PRIMARY KEY, kind VARCHAR CHECK (kind IN ('a')),"
    ...                " tags VARCHAR[] NOT NULL DEFAULT []);\\nCREATE INDEX t_id ON t (id);"))
    CREATE TABLE t (id VARCHAR NOT NULL, kind VARCHAR, tags VARCHAR[] NOT NULL);
    <BLANKLINE>
    """
    sql = _LOCAL_TABLES.sub("", re.sub(r"--[^\n]*", "", sql))  # comments may mention the very words we drop
    for pattern, repl in _DROPS:
        sql = pattern.sub(repl, sql)
    return sql


def local_ddl(sql: str) -> str:
    """The tables of ``sql`` that a process on a lake keeps in its own in-memory catalog, as they are.

    >>> local_ddl("CREATE TABLE maps (id VARCHAR);\\nCREATE TABLE IF NOT EXISTS search_indexes (map_id VARCHAR);")
    'CREATE TABLE IF NOT EXISTS search_indexes (map_id VARCHAR);'
    """
    return "\n".join(m.group(0).strip() for m in _LOCAL_TABLES.finditer(re.sub(r"--[^\n]*", "", sql)))


def lake_only_ddl() -> str:
    """Tables only a lake needs (the write serialiser)."""
    return _LAKE_ONLY


THREADS = 1
"""DuckDB worker threads of a store on a lake. Nearly every query there is a handful of small
catalog queries (DuckLake's metadata, through PostgreSQL) and a scan of a few small files: a
second thread only shared them out, and cost a write group 40 % more CPU (28 -> 15 ms a
sequential write; 4.9 -> 2.9 ms a write with 8 writers) with no read slower (a 20,000-statement
map's whole read, support graph and search index: the same or faster, at load 7 on 2 cores)."""


def attach(lake: str, data_path: str | os.PathLike | None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake catalog ``lake`` attached (``postgres:…`` or a file).

    Raises InvalidInput naming ``lake`` when the catalog cannot be reached or opened.
    """
    files = [_extension("duckdb_extension_postgres_scanner", "postgres_scanner"),
             _extension("duckdb_extension_ducklake", "ducklake"), fts_path()]
    checked = all(_stamp(f) in _CHECKED for f in files)
    # Unsigned extensions are allowed only where every file this store loads had its signature
    # checked by DuckDB earlier in this process, and nothing else may be loaded on its own.
    config = {"allow_unsigned_extensions": "true", "autoload_known_extensions": "false",
              "autoinstall_known_extensions": "false"} if checked else {}
    conn = duckdb.connect(":memory:", config={**config, "threads": THREADS})
    try:
        for f in files:
            conn.execute(f"LOAD '{f}'")  # paths from our own packages
        if not checked:
            _CHECKED.update(_stamp(f) for f in files)
        options = ""
        if data_path is not None:
            if "://" not in str(data_path):  # a local or mounted folder; s3:// and the like exist already
                os.makedirs(data_path, exist_ok=True)
            options = " (DATA_PATH " + _literal(str(data_path)) + ")"
        conn.execute(f"ATTACH {_literal('ducklake:' + lake)} AS {ALIAS}{options}")
        conn.execute(f"USE {ALIAS}")
    except duckdb.Error as e:
        conn.close()
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InvalidInput("lake", redact(f"cannot open the DuckLake catalog {lake}: {first}")) from None
    return conn


STARTUP_LOCK = 0x61726D6170  # "armap": the advisory lock key of catalog creation and migration
WRITE_TURN = STARTUP_LOCK + 1  # held by the server whose group of writes is running
_TURN = threading.local()  # whether this thread holds a WRITE_TURN (of any store of this process)


def startup_lock(lake: str):
    """Hold PostgreSQL's advisory lock :data:`STARTUP_LOCK` on the catalog's database, for a
    ``postgres:`` lake (None for another catalog: a file has one opener at a time anyway).
    Close the connection returned to release it.

    Raises InvalidInput naming ``lake`` when the database cannot be reached.
    """
    if not lake.startswith("postgres:"):
        return None
    import psycopg  # only a lake on PostgreSQL needs it

    try:
        conn = psycopg.connect(lake[len("postgres:"):], autocommit=True, connect_timeout=30)
    except psycopg.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InvalidInput("lake", redact(f"cannot open the DuckLake catalog {lake}: {first}")) from None
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", (STARTUP_LOCK,))
    except BaseException:
        conn.close()
        raise
    return conn


def _data_files(cur) -> int:
    """Parquet files of the lake's tables in the current snapshot."""
    tables = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = $a", {"a": ALIAS}).fetchall()
    return sum(cur.execute(f"SELECT count(*) FROM ducklake_list_files('{ALIAS}', $t)", {"t": t}).fetchone()[0]
               for (t,) in tables)


PUSH_CHANNEL = "argmap_lake"
"""The PostgreSQL channel on which every commit to the catalog is announced (its snapshot id)."""

_PUSH_TRIGGER = "argmap_lake_notify"
_PUSH_DDL = f"""
CREATE OR REPLACE FUNCTION {_PUSH_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{PUSH_CHANNEL}', NEW.snapshot_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER {_PUSH_TRIGGER} AFTER INSERT ON ducklake_snapshot FOR EACH ROW EXECUTE FUNCTION {_PUSH_TRIGGER}();
"""
# The latest snapshot, and whether commits are announced (a catalog made before the trigger, or
# by a user who may not create one, is asked at every read instead).
_CHECK = (f"SELECT (SELECT max(snapshot_id) FROM ducklake_snapshot), "
          f"EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{_PUSH_TRIGGER}' "
          f"AND tgrelid = to_regclass('ducklake_snapshot') AND tgenabled <> 'D')")


def install_push(conn) -> bool:
    """Make every commit to the catalog announce its snapshot id on :data:`PUSH_CHANNEL` (a
    trigger on DuckLake's ``ducklake_snapshot``, which every commit of any process adds a row
    to; PostgreSQL delivers the notification when that commit becomes visible). ``conn``: a
    psycopg connection to the catalog's database holding :data:`STARTUP_LOCK`. Returns whether
    commits are announced; False (a user without the right to create it) leaves readers asking."""
    import psycopg  # only a lake on PostgreSQL needs it

    try:
        if conn.execute("SELECT to_regclass('ducklake_snapshot') IS NULL").fetchone()[0]:
            return False  # the catalog was never created (opening it failed)
        if conn.execute(_CHECK).fetchone()[1]:
            return True
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '5s'")  # it waits for commits in flight, not forever
            if conn.execute(f"SELECT 1 FROM pg_trigger WHERE tgname = '{_PUSH_TRIGGER}' "
                            "AND tgrelid = to_regclass('ducklake_snapshot')").fetchone():
                conn.execute(f"ALTER TABLE ducklake_snapshot ENABLE TRIGGER {_PUSH_TRIGGER}")  # was disabled
            else:
                conn.execute(_PUSH_DDL)
        return True
    except psycopg.Error:
        return False


class _SnapshotVersions:
    """Maps' versions on a lake, valid while the catalog's latest snapshot is the one last seen.

    Every commit to a DuckLake catalog, by any process, adds a snapshot, and a trigger
    (:func:`install_push`) announces it on :data:`PUSH_CHANNEL`. A thread of this process
    listens there and asks the latest snapshot itself every :attr:`CHECK_EVERY` seconds; each
    time the snapshot moved it forgets every version, so a read costs no catalog round trip
    while nothing changed. Reads trust what the thread learnt only while its last check is
    younger than :attr:`LEASE`: a listening connection that is lost, silent or starved makes
    each read ask PostgreSQL the one indexed question (~1 ms, a pool of connections), as all
    reads did before, until it listens again. A write acknowledged by another server is thus
    seen within the notification's delay (milliseconds), at worst :attr:`CHECK_EVERY`, and
    :attr:`LEASE` when the connection dies unseen; this process's own commits (every Store of
    it on the same catalog) at once. Versions are read through the lake only after a change,
    and answers cached per version (argmap.query) stay valid.
    """

    POOL = 4
    CHECK_EVERY = 0.1
    """Seconds between two checks of the latest snapshot by the listening thread."""
    LEASE = 0.5
    """Seconds a check is trusted for: past it, with no newer one, each read asks PostgreSQL."""

    def __init__(self, lake: str):
        self._conninfo = lake[len("postgres:"):]
        self._known = _Versions()
        self._snapshot: int | None = None
        self._lock = threading.Lock()
        self._idle: list = []  # connections to PostgreSQL, at most POOL (each server has a few)
        self._open = threading.BoundedSemaphore(self.POOL)
        self._trusted_until = 0.0  # time.monotonic() before which reads need not ask
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self.listening_pid: int | None = None  # the listening session's PostgreSQL backend
        with _NEIGHBOURS_LOCK:
            _NEIGHBOURS.setdefault(self._conninfo, weakref.WeakSet()).add(self)

    def get(self, map_id: str, read) -> int:
        if time.monotonic() >= self._trusted_until:
            self._listen()
            self._moved(self._latest())
        return self._known.get(map_id, read)

    @property
    def pushed(self) -> bool:
        """Whether reads currently answer without asking PostgreSQL (the push is live)."""
        return time.monotonic() < self._trusted_until

    def forget(self) -> None:
        """After a commit of this process: forget the versions of every Store of it on the
        catalog (read-your-writes, before the notification says so)."""
        with _NEIGHBOURS_LOCK:
            neighbours = list(_NEIGHBOURS.get(self._conninfo, ()))
        for n in neighbours:
            with n._lock:
                n._known.forget()
                n._snapshot = None

    def close(self) -> None:
        self._stop.set()
        listener, self._listener = self._listener, None
        if listener is not None and listener is not threading.current_thread():
            listener.join(self.CHECK_EVERY * 10)
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()

    def _moved(self, snapshot: int | None) -> None:
        with self._lock:
            if snapshot != self._snapshot:
                self._known.forget()
                self._snapshot = snapshot

    def _listen(self) -> None:
        """Start the listening thread, once (lazily: a command that only writes needs none)."""
        if self._listener is not None or self._stop.is_set():
            return
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listening, name="argmap-lake-listen", daemon=True)
                self._listener.start()

    def _listening(self) -> None:
        import psycopg  # only a lake on PostgreSQL needs it

        pause = self.CHECK_EVERY
        while not self._stop.is_set():
            conn = None
            try:
                # Keepalives and a TCP timeout: a connection that dies unseen is dropped in
                # seconds, not at the system's retransmission timeout (minutes).
                conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                       application_name="argmap-lake-listen", keepalives=1, keepalives_idle=5,
                                       keepalives_interval=2, keepalives_count=2, tcp_user_timeout=5000)
                self.listening_pid = conn.info.backend_pid
                conn.execute(f"LISTEN {PUSH_CHANNEL}")  # before the check: nothing falls between
                pause = self.CHECK_EVERY
                while not self._stop.is_set():
                    began = time.monotonic()
                    latest, announced = conn.execute(_CHECK).fetchone()
                    self._moved(latest)
                    self._trusted_until = began + self.LEASE if announced else 0.0
                    for note in conn.notifies(timeout=self.CHECK_EVERY):
                        self._moved(int(note.payload))
            except (psycopg.Error, OSError, ValueError):
                self._trusted_until = 0.0  # reads ask until this thread listens again
                pause = min(pause * 2, 5.0)
            finally:
                self.listening_pid = None
                if conn is not None:
                    conn.close()
            self._stop.wait(pause)
        self._trusted_until = 0.0

    def _latest(self) -> int | None:
        with self._open:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed:
                import psycopg  # only a lake on PostgreSQL needs it

                conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=30)
            try:
                latest = conn.execute("SELECT max(snapshot_id) FROM ducklake_snapshot").fetchone()[0]
            except BaseException:
                conn.close()
                raise
            with self._lock:
                self._idle.append(conn)
            return latest


_NEIGHBOURS: dict[str, weakref.WeakSet] = {}
"""Every _SnapshotVersions of this process, by catalog: a commit forgets them all at once."""
_NEIGHBOURS_LOCK = threading.Lock()


def use(cur: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Point a new cursor at the lake: each DuckDB cursor starts in the in-memory catalog."""
    cur.execute(f"USE {ALIAS}")
    return cur


def is_conflict(e: BaseException) -> bool:
    """Whether DuckLake refused a commit because another process committed a clashing write."""
    return isinstance(e, duckdb.TransactionException) and "conflict" in str(e).lower()


_CHECKED: set[tuple[str, int, int]] = set()
"""(path, size, mtime) of the extension files whose signature DuckDB checked in this process."""


def _stamp(path: str) -> tuple[str, int, int]:
    st = os.stat(path)
    return path, st.st_size, st.st_mtime_ns


@lru_cache(maxsize=None)
def _extension(package: str, name: str) -> str:
    try:
        mod = import_module(package)
    except ImportError:
        mod = None
    path = mod and resources.files(mod) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if path is None or not path.is_file():
        pypi = package.replace("_", "-")
        raise ArgmapError("lake", f"the {name} extension for duckdb {duckdb.__version__} is not installed; "
                          f"pip install {pypi}=={duckdb.__version__}")
    return str(path)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def redact(lake: str) -> str:
    # A connection string may carry a password; error messages reach HTTP clients and logs.
    return re.sub(r"(password\s*=\s*)[^\s\"']+", r"\1***", lake, flags=re.I)
