"""Untrusted work in a child process with a hard deadline and a memory limit.

PDF typesetting (:mod:`argmap.render._pdf`) and whole imports (:mod:`argmap.formats._bounded`)
run their work here: children fork from one forkserver with the needed modules preloaded, die
with their parent, and are killed at their deadline; the caller gets the child's answer or
learns how it ended. Why: docs/ARCHITECTURE.md, "Untrusted work in children".

>>> run(len, b"abc", timeout=30, memory=2**30)                           # doctest: +SKIP
3
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from typing import Any

from argmap import errors
from argmap.errors import ArgmapError

__all__ = ["Died", "Failed", "OutOfMemory", "TimedOut", "die_with_parent", "preload", "run", "start_forkserver"]

_PRELOAD: list[str] = []


class TimedOut(Exception):
    """The child was still working at its deadline; it has been killed."""


class OutOfMemory(Exception):
    """The child ran out of the memory it was allowed (a MemoryError in it)."""


class Died(Exception):
    """The child ended without an answer (killed by a signal, or GLib aborting past its memory
    limit); ``code`` is its exit code (negative: the signal)."""

    def __init__(self, code: int | None):
        super().__init__(code)
        self.code = code

    def how(self) -> str:
        code = self.code
        return f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"


class Failed(Exception):
    """The work raised something other than an :class:`~argmap.errors.ArgmapError`: its type and
    message (never a traceback)."""


def preload(*modules: str) -> None:
    """Name modules every child should find imported (and warm) in the forkserver. Call at import
    time of the module that runs children: it applies when the forkserver starts."""
    for name in modules:
        if name not in _PRELOAD:
            _PRELOAD.append(name)


def die_with_parent() -> None:
    """SIGKILL this process when the thread that started it ends (Linux' PR_SET_PDEATHSIG;
    elsewhere a no-op). A child's parent is the forkserver, which ends with the server, so a job
    in flight ends with them instead of working on, orphaned, until its CPU limit. The
    forkserver itself: see :mod:`argmap._child_bound`."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl: nobody would kill us
        os._exit(1)


def context():
    """The forkserver context, with what :func:`preload` named (this applies when it starts)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["argmap._child_bound", *_PRELOAD])
    return ctx


def start_forkserver() -> None:
    """Start the forkserver now, from this thread, if it is not running: call it from a thread
    that lives as long as the process (the server's event loop), since the forkserver dies with
    the thread that started it (:mod:`argmap._child_bound`), not only with the process.
    Starting is a fork and exec (milliseconds); its imports run in the new process."""
    context()
    forkserver.ensure_running()


class _Launcher(popen_forkserver.Popen):
    """CPython's forkserver launcher (``popen_forkserver.Popen._launch``, 3.11–3.13) minus the
    caller's ``__main__``.

    multiprocessing re-imports ``__main__`` in every child, for targets defined there. Ours
    live in argmap, so that would be only cost (``argmap`` itself, or pytest, for each child) and
    risk (a script without an ``if __name__ == "__main__"`` guard would run again in the child).
    """

    def _launch(self, process_obj):
        prep = {k: v for k, v in spawn.get_preparation_data(process_obj._name).items()
                if k not in ("init_main_from_path", "init_main_from_name")}
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)  # the child's sentinel of its parent, as CPython keeps it
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class Child(mp_context.ForkServerProcess):
    """A process forked from the forkserver by :class:`_Launcher` (tests watch its ``start``)."""

    _Popen = staticmethod(_Launcher)


def _main(conn, work: Callable[..., Any], memory: int, seconds: float, blob: bool = False) -> None:
    """The child's whole life: limit memory and CPU, read the job, answer with a result or how it failed."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        # A second line behind the parent's kill: should the parent die first, the kernel still
        # stops the child a little after its deadline (SIGXCPU, then SIGKILL).
        cpu = math.ceil(seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        die_with_parent()
        job = conn.recv()
        answer = ("ok", work(job, conn.recv_bytes()) if blob else work(job))
    except ArgmapError as e:
        answer = ("error", type(e).__name__, [(p.field, p.reason) for p in e.problems])
    except MemoryError:
        answer = ("memory",)
    except BaseException as e:  # noqa: BLE001 - whatever it was, the parent gets words, not a traceback
        answer = ("failed", f"{type(e).__name__}: {e}"[:500])
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("memory",))
    conn.close()


def run(work: Callable[..., Any], job: Any, *, timeout: float, memory: int, name: str = "argmap-child",
        blob: bytes | None = None) -> Any:
    """``work(job)`` in a child forked from the forkserver, within ``timeout`` seconds (child
    start and transfer included) and ``memory`` bytes of address space; with ``blob``,
    ``work(job, blob)``, the bytes sent as they are (not pickled: no copy of a large body).

    ``work`` must be a module-level function (the child imports it by name). Every way out
    (an answer, the deadline, an exception, the caller interrupted) ends and reaps the child.

    Raises
    ------
    TimedOut, OutOfMemory, Died, Failed
        How the child ended without an answer; the caller says it in its own words.
    ArgmapError
        The error the work raised in the child (its class, fields and reasons), as it was.
    """
    ctx = context()
    deadline = time.monotonic() + timeout
    ours, theirs = ctx.Pipe()
    child = Child(target=_main, args=(theirs, work, memory, timeout, blob is not None), name=name, daemon=True)
    try:
        child.start()
    except BaseException:
        ours.close()
        theirs.close()
        raise
    try:
        theirs.close()
        try:
            ours.send(job)
            if blob is not None:
                ours.send_bytes(memoryview(blob))
        except OSError:  # the child stopped reading: what it answered, or its death, says why
            pass
        try:
            answered = ours.poll(max(0.0, deadline - time.monotonic()))
            answer = ours.recv() if answered else None
        except (EOFError, OSError):  # the child died before it answered
            answered, answer = True, None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        code = child.exitcode
        child.close()
        ours.close()
        theirs.close()
    if not answered:
        raise TimedOut()
    if answer is None:
        raise Died(code)
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "memory":
        raise OutOfMemory()
    if answer[0] == "error":
        cls = getattr(errors, answer[1], None)
        cls = cls if isinstance(cls, type) and issubclass(cls, ArgmapError) else ArgmapError
        raise cls(problems=[errors.Problem(f, r) for f, r in answer[2]])
    raise Failed(answer[1])
