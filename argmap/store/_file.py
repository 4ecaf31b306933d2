"""The store on one DuckDB file (or ``:memory:``): the default back end.

One process owns the file (DuckDB's lock), so it knows every write: maps' versions are kept in
memory and forgotten at each commit, and writes from several Stores on one file in this
process share one writer lock and one write queue.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

import duckdb

from argmap.errors import InvalidInput
from argmap.store._search import ChangeLog
from argmap.store._store import Store, _schema_sql
from argmap.store._writer import GroupCommit

__all__ = ["FileStore"]


class FileStore(Store, backend="file"):
    """A DuckDB file, or ``":memory:"`` (see :class:`~argmap.store.Store` for the parameters)."""

    def _open(self, path, data_path) -> None:
        self.path = str(path)
        try:
            self._conn = duckdb.connect(self.path, read_only=self.read_only)
        except duckdb.IOException as e:
            raise InvalidInput("db", f"cannot open {self.path}: {e}") from None
        self._lock, self._versions, self._writer, self._changes = _shared(self)
        # While the file is open here no other process writes it, but before it was opened one
        # may have: what earlier transactions taught is forgotten.
        with self._lock:
            self._writer.facts = {}

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._conn.cursor()

    def _migration_ddl(self, sql: str) -> str:
        return sql

    def _schema_ddl(self) -> str:
        # Every time: IF NOT EXISTS brings older files up to date.
        return _schema_sql()

    def _index_catalogs(self) -> tuple[str, str]:
        return "", ""

    def _index_build_lock(self):
        return self._lock  # no write changes the map while it is indexed

    def _after_commit(self) -> None:
        self._versions.forget()

    def _migrated(self) -> None:
        # DuckDB 1.5 cannot replay an ALTER TABLE ADD COLUMN with a DEFAULT from its WAL
        # ("Failure while replaying WAL file: ... no default database set"): a new or migrated
        # file whose process was killed before a checkpoint could never be opened again.
        # Checkpoint the DDL into the file now, before anything else is written.
        self._conn.execute("CHECKPOINT")


class _Versions:
    """Maps' versions as last read, for a database only this process can write (a file).

    Every cached answer is checked against its map's version, and that one-row query was half
    the cost of reading one statement (~0.35 ms of DuckDB's per-query overhead). A file has one
    writing process, this one (DuckDB's lock), so the versions can be kept here and forgotten
    at every commit. A reader that looked a version up *before* a commit must not store it
    after the commit forgot the old ones: ``generation`` moves at each commit, and a value is
    stored only if it has not moved since the reader began.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._known: dict[str, int] = {}
        self._generation = 0

    def get(self, map_id: str, read: Callable[[], int]) -> int:
        with self._lock:
            if (version := self._known.get(map_id)) is not None:
                return version
            generation = self._generation
        version = read()
        with self._lock:
            if self._generation == generation:
                self._known[map_id] = version
        return version

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._known.clear()


_SHARED: dict[str, tuple] = {}
_SHARED_GUARD = threading.Lock()


def _shared(store: FileStore) -> tuple[threading.RLock, _Versions, GroupCommit, ChangeLog]:
    """The writer lock, versions, write queue and search change log of a database: one each per
    file in this process, shared by its Stores.

    DuckDB gives every connection to one file the same database, so two Stores opened on it
    (an app and a CLI command in one process, or a careless caller) must take turns: without
    that, one could check a premise while the other deletes it, and both commit. Each
    in-memory Store is its own database.
    """
    path = store.path
    if path == ":memory:" or path.startswith(":memory:"):
        lock = threading.RLock()
        return lock, _Versions(), GroupCommit(lock, retries=1), ChangeLog()
    with _SHARED_GUARD:
        key = os.path.realpath(path)
        if key not in _SHARED:
            lock = threading.RLock()
            _SHARED[key] = (lock, _Versions(), GroupCommit(lock, retries=1), ChangeLog())
        return _SHARED[key]
