"""Servers the tests start in sessions of their own end with the test run, however it ends
(tests/reaper.py): a run stopped with SIGKILL used to leave them running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent

RUN = """
import subprocess, sys, time
sys.path.insert(0, sys.argv[1])
import reaper
kept = reaper.watch(subprocess.Popen(["sleep", "300"], start_new_session=True))
let_go = reaper.watch(subprocess.Popen(["sleep", "300"], start_new_session=True))
reaper.unwatch(let_go)  # as a test does once it has stopped its server itself
print(kept.pid, let_go.pid, flush=True)
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_server_started_by_a_killed_test_run_dies_with_it():
    run = subprocess.Popen([sys.executable, "-c", RUN, str(TESTS)], stdout=subprocess.PIPE, text=True)
    kept, let_go = map(int, run.stdout.readline().split())
    try:
        assert _alive(kept) and _alive(let_go)
        run.kill()  # SIGKILL: the run cannot clean up after itself
        run.wait()
        deadline = time.monotonic() + 10
        while _alive(kept):
            assert time.monotonic() < deadline, "the watched server outlived the test run"
            time.sleep(0.05)
        assert _alive(let_go), "a process the run had stopped watching is not the watchdog's"
    finally:
        for pid in (kept, let_go):
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
