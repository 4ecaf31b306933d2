"""Which server on a lake writes: one leads, the others hand it their write requests.

A server that offers to lead (``argmap serve --lake`` does, with its address) keeps trying
PostgreSQL's advisory lock :data:`WRITE_LEADER` on a session of its own; the holder records its
address in the catalog database's ``argmap_writer`` table. The others look the address up
(cached for :data:`RECHECK` seconds) and forward writes there (``argmap.api._forward``), so the
writes of every server share the leader's group commits. When the leader's session ends (it
stopped or died) PostgreSQL frees the lock and the next server to try takes it over.
"""

from __future__ import annotations

import threading
import time

import psycopg

__all__ = ["RECHECK", "WRITE_LEADER", "Leadership"]

WRITE_LEADER = 0x61726D6170 + 2  # after STARTUP_LOCK and WRITE_TURN (argmap.store._lake)
RECHECK = 1.0
"""Seconds between a follower's tries at the lock, and how long it trusts a leader's address."""

_LEADER = """
SELECT w.address FROM argmap_writer w
JOIN pg_locks l ON l.pid = w.pid AND l.locktype = 'advisory' AND l.granted
 AND l.classid::bigint = %(hi)s AND l.objid::bigint = %(lo)s AND l.objsubid = 1
"""


class Leadership:
    """One server's part in choosing the lake's writer (see the module's docstring).

    Parameters
    ----------
    conninfo
        The PostgreSQL connection string of the lake's catalog (without ``postgres:``).
    address
        Where other servers reach this one (``http://host:port``); None: never lead, only
        find the leader (a read-only server).
    """

    def __init__(self, conninfo: str, address: str | None):
        self._conninfo = conninfo
        self.address = address
        self._session: psycopg.Connection | None = None  # holds the lock while leading
        self._ask: psycopg.Connection | None = None
        self._ask_lock = threading.Lock()
        self._cached: tuple[float, str | None] = (float("-inf"), None)
        self._closed = threading.Event()
        self._thread = None
        if address is not None:
            self._thread = threading.Thread(target=self._compete, name="argmap-lake-leader", daemon=True)
            self._thread.start()

    @property
    def leading(self) -> bool:
        """Whether this server holds the lock (writes here are not forwarded)."""
        return self._session is not None

    def leader(self) -> str | None:
        """The address of the server leading, when it is another one (None: write here).

        Asks PostgreSQL at most once per :data:`RECHECK` seconds; None too when it cannot."""
        if self.leading:
            return None
        at, address = self._cached
        if time.monotonic() - at < RECHECK:
            return address
        address = self._lookup()
        if address == self.address:
            address = None  # our own session, lost a moment ago
        self._cached = (time.monotonic(), address)
        return address

    def stale(self) -> bool:
        """Whether :meth:`leader` would ask PostgreSQL (its answer is older than :data:`RECHECK`)."""
        return not self.leading and time.monotonic() - self._cached[0] >= RECHECK

    def forget(self) -> None:
        """The leader did not answer: write here until the next look-up finds one."""
        self._cached = (time.monotonic(), None)

    def close(self) -> None:
        """Stop competing and give up the lead (other servers take it within :data:`RECHECK` s)."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for conn in (self._session, self._ask):
            if conn is not None:
                conn.close()
        self._session = self._ask = None

    # -- internals ----------------------------------------------------------------------------

    def _lookup(self) -> str | None:
        with self._ask_lock:
            try:
                if self._ask is None or self._ask.closed:
                    self._ask = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=2)
                row = self._ask.execute(_LEADER, {"hi": WRITE_LEADER >> 32, "lo": WRITE_LEADER & 0xFFFFFFFF}).fetchone()
                return row[0] if row else None
            except psycopg.errors.UndefinedTable:
                return None  # no server has led on this catalog yet
            except psycopg.Error:
                if self._ask is not None:
                    self._ask.close()
                self._ask = None
                return None

    def _compete(self) -> None:
        while not self._closed.is_set():
            try:
                if self._session is None:
                    self._try_to_lead()
                else:
                    self._session.execute("SELECT 1")  # still ours: the session is alive
            except psycopg.Error:
                session, self._session = self._session, None
                if session is not None:
                    session.close()
            self._closed.wait(RECHECK)

    def _try_to_lead(self) -> None:
        conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                               application_name="argmap-writer")
        try:
            if not conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITE_LEADER,)).fetchone()[0]:
                conn.close()
                return
            # Only the holder of the lock writes the table, so servers never race to create it.
            conn.execute("CREATE TABLE IF NOT EXISTS argmap_writer (address text NOT NULL, pid integer NOT NULL)")
            with conn.transaction():
                conn.execute("DELETE FROM argmap_writer")
                conn.execute("INSERT INTO argmap_writer VALUES (%s, pg_backend_pid())", (self.address,))
        except BaseException:
            conn.close()
            raise
        self._session = conn
