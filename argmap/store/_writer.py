"""Group commit: the store's one write path.

Writes that arrive while a commit runs share the next transaction and commit; each stays
all-or-nothing (a refused one is rolled back alone) and returns only once durable. Within a
group, small inserts are staged on the :class:`WriteCursor` and go in as one INSERT of SQL
literals per table, in one call to DuckDB with the COMMIT, and checks answer from what is
staged and what earlier commits taught (``GroupCommit.facts``).
The change log and ``write_hooks`` run inside each request's part of the transaction.
See docs/ARCHITECTURE.md, "The store".
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import re
import threading
import time
from typing import Any, Callable

import duckdb
import msgspec

from argmap.errors import Conflict, DuplicateId
from argmap.store._rows import _insert_now, _literal_insert

__all__ = ["Change", "GroupCommit", "WriteCursor", "WriteRecord"]

MAX_GROUP = 256
"""At most this many requests share one commit (bounds the wait of the first of them)."""


class Change(msgspec.Struct, kw_only=True):
    """One entity a write created, changed or deleted: ``before`` None for a new one, ``after``
    None for a deleted one. ``kind`` is ``map``, ``speaker``, ``source``, ``statement``,
    ``argument`` or ``relation``. ``before`` is filled only while a hook is registered (reading
    it costs a query)."""

    kind: str
    id: str
    before: Any = None
    after: Any = None


class WriteRecord(msgspec.Struct, kw_only=True):
    """What one write request did, handed to the hooks inside its transaction.

    ``map_id`` is the map the write touched (None for one that touches no single map) and
    ``version`` the map's new version (a fresh random value written by this request).
    """

    map_id: str | None = None
    version: int | None = None
    changes: list[Change] = []


_NODE_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(?:\w+\.)?(?:statements|arguments|relations)\b", re.I)
_NODES = ("maps", "speakers", "sources", "statements", "arguments", "relations")
"""Tables whose staged rows :meth:`WriteCursor.staged` answers for, by (map, id)."""


LEADER_IDLE = 10.0
"""Seconds the thread leading awaited writes (:meth:`GroupCommit.submit_async`) stays without any."""

GATHER_WAIT = 0.004
GATHER_STEP = 0.001
GATHER_MAX = 0.025
GATHER_SLOW = 0.02
"""How long a group may wait for more writes in all, and for each next one, where commits are
fast; the most it waits where they are slow (a group took ``GATHER_SLOW`` s or more: a lake);
see ``GroupCommit._gather``."""


_OPTIMIZER_OFF = "PRAGMA disable_optimizer"
_OPTIMIZER_ON = "PRAGMA enable_optimizer"


class WriteCursor:
    """The cursor of one shared write transaction: small inserts are staged and go in together.

    :func:`argmap.store._rows._insert_many` stages rows here instead of inserting them;
    :meth:`execute` first inserts everything staged (one INSERT of literals per table and column
    set) and runs what was deferred (:meth:`defer`), all in one call, so every query sees the
    transaction's own writes; :meth:`commit` sends them with the COMMIT. :meth:`peek` runs a query *without* doing
    so, for the checks that consult :meth:`staged` themselves (does this id exist?): eight
    writes sharing a commit then cost three inserts and no flush in between. ``tx`` is what the
    transaction has learnt (maps known to exist, next ``seq``, versions given): it starts empty
    with the transaction and with every partial rollback.
    """

    def __init__(self, raw: duckdb.DuckDBPyConnection, staging: bool = True):
        self.raw = raw
        self.staging = staging
        self.tx: dict = {}
        self._staged: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
        self._keys: dict[tuple[str, str | None, str], dict] = {}
        self._premises: dict[tuple[str, str], list[dict]] = {}
        self._maps: dict[tuple[str, str | None], list[dict]] = {}
        self._deferred: list[str] = []
        self._unoptimized = False  # a script failed with the optimizer off (see _run_script)

    def stage(self, table: str, rows: list[dict]) -> None:
        self._staged.setdefault((table, tuple(rows[0])), []).extend(rows)
        for r in rows:
            self._maps.setdefault((table, r.get("map_id")), []).append(r)
        if table in _NODES:
            self.inserted(table, rows)
            for r in rows:
                self._keys[(table, r.get("map_id"), r["id"])] = r
        elif table == "premises":
            for r in rows:
                self._premises.setdefault((r["map_id"], r["argument_id"]), []).append(r)

    def staged(self, table: str, map_id: str | None, id_: str) -> dict | None:
        """The row of ``table`` with this map and id staged and not yet inserted, if any."""
        return self._keys.get((table, map_id, id_))

    def staged_in(self, table: str, map_id: str | None) -> list[dict]:
        """The rows of ``table`` in this map staged and not yet inserted, in order."""
        return self._maps.get((table, map_id), [])

    def staged_premises(self, map_id: str, argument_id: str) -> list[str] | None:
        """The premise ids of an argument staged and not yet inserted (None: none staged)."""
        rows = self._premises.get((map_id, argument_id))
        return None if rows is None else [r["statement_id"] for r in sorted(rows, key=lambda r: r["position"])]

    def defer(self, sql: str) -> None:
        """Run ``sql`` (a statement of literals, no parameters) with the next flush: before the
        next query that could read what it writes, or in the commit's own call to DuckDB."""
        self._deferred.append(sql)

    def flush(self) -> None:
        """Insert everything staged and run what is deferred (before a query that could read it)."""
        script = self._script()
        if script:
            self._run_script(script)

    def _script(self) -> list[str]:
        """The staged inserts (as SQL literals where every value can be one, else inserted here
        and now) and the deferred statements, to run in one call: DuckDB then parses and runs
        them without the Python round trip, GIL hand-over and parameter binding of each."""
        deferred, self._deferred = self._deferred, []
        if not self._staged:
            return deferred
        nodes = self.tx.get("nodes")  # ids looked up before: those staged now exist
        if nodes is not None:
            nodes[1].update(k for k in self._keys if (k[1], k[2]) in nodes[0])
        staged, self._staged, self._keys, self._premises, self._maps = self._staged, {}, {}, {}, {}
        script = []
        for (table, _), rows in staged.items():
            sql = _literal_insert(table, rows)
            if sql is not None:
                script.append(sql)
                continue
            try:
                _insert_now(self.raw, table, rows)
            except duckdb.Error as e:
                raise _StagedInsertFailed(e) from e
        return script + deferred

    def _run_script(self, script: list[str], commit: bool = False) -> None:
        # The statements are literal inserts and updates by key, which DuckDB's optimizer cannot
        # improve but takes half of the time of (0.10 of 0.21 ms for a log insert): it is off for
        # them, and back on before the COMMIT and any query. A script that fails midway leaves
        # it off, so the rollback turns it back on (:meth:`_optimizer_on`).
        self._unoptimized = True
        try:
            self.raw.execute(";\n".join([_OPTIMIZER_OFF, *script, _OPTIMIZER_ON, *(("COMMIT",) if commit else ())]))
            self._unoptimized = False
        except duckdb.Error as e:
            # Which statement failed is unknown: a staged insert (a request's rows at fault) or
            # the commit; the group runs again with each request's rows inserted in its turn.
            raise _StagedInsertFailed(e) from e

    def reset(self) -> None:
        """After a rollback: what was staged, deferred and learnt is gone with it."""
        self._staged, self._keys, self._premises, self._maps, self.tx = {}, {}, {}, {}, {}
        self._deferred = []

    def execute(self, sql: str, params=None):
        self.flush()
        verb = sql.lstrip()[:6].upper()
        if verb == "DELETE" or (verb == "INSERT" and _NODE_INSERT.match(sql)):
            self.changed(deleted=True)  # rows went, or came past _insert_many: which ones is unknown
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, params=None):
        self.flush()
        self.changed()
        return self.raw.executemany(sql, params)

    def changed(self, deleted: bool = True) -> None:
        """Rows were inserted or deleted past the staging: ids looked up before may be stale."""
        self.tx.pop("nodes", None)
        if deleted:
            self.tx["deleted"] = True

    def inserted(self, table: str, rows: list[dict]) -> None:
        """Note the statements, arguments and relations this transaction inserts (for the node
        ids kept between transactions, see ``Store._tx_prefetch``)."""
        if table in ("statements", "arguments", "relations"):
            self.tx.setdefault("inserted", []).extend((table, r["map_id"], r["id"]) for r in rows)

    def peek(self, sql: str, params=None):
        """Run a read that must not insert what is staged (the caller consults :meth:`staged`)."""
        return self.raw.execute(sql, params)

    def commit(self) -> None:
        """Commit; what is staged and deferred goes to DuckDB in the same call as the COMMIT."""
        script = self._script()
        if script:
            self._run_script(script, commit=True)
        else:
            self.raw.commit()

    def rollback(self) -> None:
        self.reset()
        try:
            self.raw.rollback()
        finally:
            self._optimizer_on()

    def begin(self) -> None:
        self.reset()
        self._optimizer_on()
        self.raw.begin()

    def _optimizer_on(self) -> None:
        """Turn DuckDB's optimizer back on where a failed script left it off (see :meth:`_run_script`)."""
        if self._unoptimized:
            self.raw.execute(_OPTIMIZER_ON)
            self._unoptimized = False

    def __getattr__(self, name: str):
        return getattr(self.raw, name)  # fetchone, fetchall, register, close …


class _StagedInsertFailed(Exception):
    """Inserting the staged rows of several requests failed: which request's rows were at
    fault is unknown, so the group runs again without staging."""

    def __init__(self, error: duckdb.Error):
        super().__init__(str(error))
        self.error = error


class _Request:
    __slots__ = ("store", "fn", "touch", "context", "result", "error", "done", "record", "ids", "wake")

    def __init__(self, store, fn, touch, context, ids=(), wake=None):
        self.store, self.fn, self.touch, self.context, self.ids = store, fn, touch, context, ids
        self.result = self.error = self.record = None
        self.done = False
        self.wake = wake  # (loop, future) of a caller awaiting it on an event loop


class GroupCommit:
    """Runs submitted writes in shared transactions (see the module docstring).

    One per database in this process, shared by the Stores opened on it; a group holds the
    requests of one Store (its reads inside a write go through that Store's write cursor).

    Parameters
    ----------
    lock
        The writer lock (one per database in this process).
    retries
        How often a group refused by a retryable commit conflict is run again.
    """

    def __init__(self, lock: threading.RLock, retries: int):
        self._lock = lock
        self._retries = retries
        self._queue: list[_Request] = []
        self._leading = False
        self._turn = threading.Condition(threading.Lock())
        self._last_group = 0
        self._writers = 0  # the last group's requests and those that queued while it ran
        self._last_took = 0.0  # seconds the last group took, from its start to its commit
        self._leader: threading.Thread | None = None  # leads while awaited writes are queued
        self.on_commit: list[Callable[[int], None]] = []
        """Called after each commit with how many requests it committed (the metrics count them)."""
        self.facts: dict[str, dict] | None = {}
        """What committed transactions taught, by map (next ``seq`` per table, whether the map
        exists, its log's last version, its version), for the next transactions: valid while this
        process is the database's only writer, as on a DuckDB file (a lake sets it to None)."""

    def submit(self, store, fn: Callable, touch: str | None, ids: tuple[tuple[str | None, str], ...] = ()):
        """Run ``fn(cur)`` in a transaction, possibly shared; return its result once committed.

        ``store`` is the back end: its ``_cursor()``, ``_before_commit(cur)``,
        ``_retryable(error)``, ``_after_commit()``, ``write_hooks`` and ``_local`` (whose
        ``write_cur`` marks a thread inside a write, and ``record`` the request's
        :class:`WriteRecord`) are used. ``ids``: the ``(map, id)`` pairs ``fn`` will look up
        (the group looks its requests' pairs up at once first: ``store._tx_prefetch``).
        """
        # fn may run on another thread (whichever leads the group): it sees this one's contextvars.
        req = _Request(store, fn, touch, contextvars.copy_context(), ids)
        self._wait([req])
        if req.error is not None:
            raise req.error
        return req.result

    def submit_many(self, store, writes: list[tuple[Callable, str | None, tuple[str, ...]]]) -> list:
        """Run each ``(fn, touch, ids)`` as its own all-or-nothing write, in shared commits;
        return each one's result, or the exception that refused it, in order."""
        context = contextvars.copy_context()
        reqs = [_Request(store, fn, touch, context, ids) for fn, touch, ids in writes]
        self._wait(reqs)
        return [r.error if r.error is not None else r.result for r in reqs]

    def submit_async(self, store, fn: Callable, touch: str | None,
                     ids: tuple[tuple[str | None, str], ...] = ()) -> asyncio.Future:
        """:meth:`submit` for a caller on an event loop: a future of the loop, resolved there once
        the write committed or was refused. No thread waits for it: a thread of this
        GroupCommit leads the groups while such writes are queued (and ends after
        :data:`LEADER_IDLE` seconds without any)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        req = _Request(store, fn, touch, contextvars.copy_context(), ids, wake=(loop, future))
        with self._turn:
            self._queue.append(req)
            self._turn.notify_all()  # the leading thread, idle or gathering its group
            if self._leader is None:
                self._leader = threading.Thread(target=self._lead_async, name="argmap-group-commit", daemon=True)
                self._leader.start()
        return future

    def _lead_async(self) -> None:
        try:
            while True:
                with self._turn:
                    idle = time.monotonic() + LEADER_IDLE
                    while not (queued := [r for r in self._queue if r.wake is not None]):
                        if (left := idle - time.monotonic()) <= 0:
                            self._leader = None
                            return
                        self._turn.wait(left)
                self._lead([r for r in queued if r.store is queued[0].store])
        finally:
            with self._turn:
                if self._leader is threading.current_thread():  # ended by an error: the next one starts anew
                    self._leader = None

    def _wait(self, reqs: list[_Request]) -> None:
        """Queue ``reqs`` and return once all are committed or refused, leading groups meanwhile."""
        if not reqs:
            return
        with self._turn:
            self._queue.extend(reqs)
            if self._leading or self._leader is not None:
                self._turn.notify_all()  # a leader gathering its group (see _gather)
        self._lead(reqs)

    def _lead(self, reqs: list[_Request]) -> None:
        """Return once ``reqs`` (queued) are committed or refused, leading groups meanwhile."""
        store = reqs[0].store
        while True:
            with self._turn:
                while self._leading and not all(r.done for r in reqs):
                    self._turn.wait()
                if all(r.done for r in reqs):
                    return
                # Lead: take the queued requests of this Store in their order of arrival; later
                # ones wait for the next leader.
                self._leading = True
                self._gather()
                group = [r for r in self._queue if r.store is store][:MAX_GROUP]
                taken = set(map(id, group))
                self._queue = [r for r in self._queue if id(r) not in taken]
            try:
                with self._lock, group[0].store._write_turn():
                    self._run(group)
            except BaseException as e:
                # Outside any request's part (taking a lake's turn, say): each request of the group
                # gets the error, so that none waits for ever, awaited ones included.
                _finish([r for r in group if not r.done], e)
                if not isinstance(e, Exception):
                    raise
            finally:
                with self._turn:
                    self._leading = False
                    self._writers = len(group) + len(self._queue)
                    self._turn.notify_all()

    def _gather(self) -> None:
        """Let a group grow while writes keep arriving (called holding ``_turn``).

        A commit costs about as much for one write as for twenty, and with many clients the
        writes of the last group's clients arrive again while the next group runs. Waiting, as
        long as each step brings a new one, makes the groups larger (PostgreSQL's
        ``commit_delay``, but only while writes keep coming: a lone writer never waits). The
        wait is in proportion to what a commit costs here: up to :data:`GATHER_WAIT` seconds a
        group with steps of :data:`GATHER_STEP` where commits take milliseconds (a file), up to
        half the last group's time with steps of a quarter of it where they take tens (a lake:
        groups of 4 -> 6 with 8 clients)."""
        if self._last_group < 2:
            return
        took = self._last_took
        if took < GATHER_SLOW:  # measured: on a file, longer waits made groups larger and writes fewer
            wait, step = GATHER_WAIT, GATHER_STEP
        else:
            wait, step = min(took / 2, GATHER_MAX), min(took / 4, GATHER_MAX / 2)
        deadline = time.monotonic() + wait
        while len(self._queue) < MAX_GROUP:
            left = deadline - time.monotonic()
            before = len(self._queue)
            if before >= self._writers and took < GATHER_SLOW:
                # Where commits take milliseconds (a file) the group starts as soon as the last
                # round's writers are back: one more step for writers that are not coming cost
                # each group a millisecond (8 writers on a file, 4 runs each alternated at load
                # 4.4-5.8: 379 -> 494 writes/s on average).
                return
            if step > GATHER_STEP and before >= self._writers:
                # The writers of the last round are all back (the last group's, each answered at
                # its commit, and those that queued while it ran): from here wait only while
                # others keep coming, in short steps (a long one after the last arrival cost
                # every group of a lake ~10 ms for nothing). Waiting for those that queued
                # meanwhile too merges two halves of the writers taking turns into one group.
                step = GATHER_STEP
            if left <= 0 or not self._turn.wait(min(step, left)) or len(self._queue) == before:
                return

    # -- the leader's work ---------------------------------------------------------------------

    def _run(self, group: list[_Request]) -> None:
        self._last_group = len(group)
        started = time.monotonic()
        store = group[0].store
        staging, attempt = True, 0
        try:
            while attempt < self._retries:
                cur = WriteCursor(store._writer_cursor(), staging)
                store._local.write_cur = cur
                try:
                    self._apply(cur, group)
                    if any(r.error is None for r in group):
                        store._tx_flush(cur)
                        store._before_commit(cur)
                        cur.commit()
                        store._tx_committed(cur)
                        self._last_took = time.monotonic() - started
                        for observe in self.on_commit:
                            observe(sum(r.error is None for r in group))
                    else:
                        _rollback(cur)
                    return
                except BaseException as e:
                    _rollback(cur)
                    if isinstance(e, _StagedInsertFailed):
                        if staging and not store._retryable(e.error):
                            staging = False  # run again, each request's rows inserted in its turn
                            continue
                        e = e.error
                    if not store._retryable(e):
                        for r in group:
                            if r.error is None:
                                r.error = _translated(e)
                        return
                finally:
                    store._local.write_cur = None
                    store._tx_end(cur)
                    store._after_commit()  # committed or not: forget cached versions, never guess
                # Back off at random so that clashing processes stop meeting at the same moment.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
                attempt += 1
            for r in group:
                r.error = Conflict(
                    "db", f"{self._retries} attempts clashed with writes of other processes on the same lake; "
                    "try again")
        finally:
            _finish(group)

    def _apply(self, cur, group: list[_Request]) -> None:
        """Run the group's functions in one open transaction; a refused one is rolled back alone
        (by rolling back and running the accepted ones again without it)."""
        for r in group:
            r.error = r.result = None
        pending = list(group)
        store = group[0].store
        cur.begin()
        store._tx_begin(cur)
        store._tx_prefetch(cur, {h for r in pending for h in r.ids})
        while True:
            for i, r in enumerate(pending):
                try:
                    r.result = r.context.run(self._one, cur, r)
                except BaseException as e:
                    if isinstance(e, _StagedInsertFailed) or r.store._retryable(e):
                        raise  # the whole group again (on a fresh snapshot, or without staging)
                    r.error = _translated(e)
                    _rollback(cur)
                    cur.begin()
                    store._tx_begin(cur)  # what the rolled-back requests taught is gone with them
                    store._tx_prefetch(cur, {h for q in pending if q is not r for h in q.ids})
                    if i == 0:  # nothing accepted yet: go on with the rest
                        pending = pending[1:]
                    else:
                        pending = pending[:i] + pending[i + 1:]
                    break
            else:
                return

    def _one(self, cur, r: _Request):
        record = WriteRecord(map_id=r.touch)
        r.store._local.record = record
        r.store._request_begin()  # the change log's journal of this request
        done = None
        try:
            result = r.fn(cur)
            if r.touch is not None:
                record.version = r.store._touch(cur, r.touch)
            for hook in r.store.write_hooks:
                hook(cur, record)
            done = record
        finally:
            r.store._request_end(cur, done)  # logs this request's version (and its search changes)
            r.store._local.record = None
        r.record = record
        return result


def _finish(reqs: list[_Request], error: BaseException | None = None) -> None:
    """Mark ``reqs`` done (with ``error``, if given) and hand the awaited ones to their loops."""
    for r in reqs:
        if error is not None:
            r.error = error
        r.done = True
    awaited = [r for r in reqs if r.wake is not None]
    for loop in {r.wake[0] for r in awaited}:
        try:
            loop.call_soon_threadsafe(_resolve, [r for r in awaited if r.wake[0] is loop])
        except RuntimeError:  # the loop closed meanwhile: nobody awaits these any more
            pass


def _resolve(reqs: list[_Request]) -> None:
    """On the awaiting loop: hand each request's result or error to its future."""
    for r in reqs:
        future = r.wake[1]
        if future.done():  # cancelled: the client went away (the write stands)
            continue
        if r.error is not None:
            future.set_exception(r.error)
        else:
            future.set_result(r.result)


def _translated(e: BaseException) -> BaseException:
    if isinstance(e, duckdb.ConstraintException):
        # The store's own checks should have caught this; the key is the last line.
        return DuplicateId("id", str(e).split("\n")[0])
    return e


def _rollback(cur) -> None:
    # A commit that fails has already ended the transaction; rolling back then raises "no
    # transaction is active", which would hide the error that matters.
    try:
        cur.rollback()
    except duckdb.TransactionException:
        pass
