"""Processes the tests start in sessions of their own end with the test run, however it ends.

A server started with ``start_new_session=True`` (so that it and its workers can be stopped as
one process group) is out of reach of a signal to the test run's own group: a test run stopped
with Ctrl-C, SIGTERM or SIGKILL left such servers running. One watchdog per run holds the
process groups the tests started (:func:`watch` adds one, :func:`unwatch` removes one that has
ended) and SIGKILLs those still listed when its stdin ends, which is when the test run has
ended, killed or not: only the run holds the other end of that pipe. A test calls
``watch(Popen(..., start_new_session=True))`` when it starts a server and ``unwatch`` once it
has stopped it (tests/reliability/reliability_server.py).
"""

from __future__ import annotations

import subprocess
import sys
import threading

__all__ = ["unwatch", "watch"]

_WATCHDOG = """
import os, signal, sys

def started(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]  # field 22: start time, in clock ticks
    except OSError:
        return None

groups = {}
for line in sys.stdin:
    sign, pgid, start = line[0], *line[1:].split()
    if sign == "+":
        groups[int(pgid)] = start
    else:
        groups.pop(int(pgid), None)
        print(pgid, flush=True)  # no longer listed: the caller may go on
for pgid, start in groups.items():
    # A leader with another start time is a new process that got the number: not ours. A leader
    # gone while its group lives on keeps the number from being reused, so the group is ours.
    if started(pgid) in (start, None):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
"""

_lock = threading.Lock()
_watchdog: subprocess.Popen | None = None


def _send(line: str, answer: bool = False) -> None:
    global _watchdog
    with _lock:
        if _watchdog is None or _watchdog.poll() is not None:
            # Its own session: Ctrl-C (SIGINT to the terminal's process group) reaches the run, not it.
            _watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, start_new_session=True)
        _watchdog.stdin.write(line + "\n")
        _watchdog.stdin.flush()
        if answer:
            _watchdog.stdout.readline()


def watch(proc: subprocess.Popen) -> subprocess.Popen:
    """Kill ``proc``'s process group if the test run ends before :func:`unwatch` (``proc`` must
    lead its group: started with ``start_new_session=True``). Returns ``proc``."""
    try:
        with open(f"/proc/{proc.pid}/stat") as f:
            start = f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return proc  # it has ended already
    _send(f"+{proc.pid} {start}")
    return proc


def unwatch(proc: subprocess.Popen) -> None:
    """Forget ``proc`` (it has ended, or is stopped by its test): returns once the watchdog has."""
    _send(f"-{proc.pid} 0", answer=True)
