"""The real server as a subprocess (``argmap serve`` on 127.0.0.1, a free port, a temp database).

Crash, concurrency and fuzzing tests talk to it over TCP, as a client would; only access and
limit tests use Litestar's in-process test client.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import reaper

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "peace-plan.yaml"
ARGMAP = [sys.executable, "-c", "from argmap.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


class Server:
    """``argmap --db DB serve`` in a subprocess; :meth:`kill` is SIGKILL, :meth:`start` restarts."""

    def __init__(self, db: Path, *, seed: Path | None = None, env: dict | None = None):
        self.db, self.seed, self.env = db, seed, env or {}
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 30.0, port: int | None = None) -> "Server":
        port = port or free_port()
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        cmd = [*ARGMAP, "--db", str(self.db), "serve", "--port", str(port)]
        if self.seed is not None:
            cmd += ["--load", str(self.seed)]
            self.seed = None  # a restart must not reload: it would hide lost writes
        # Standard error to a file: the access log (a line a request) would fill a pipe nobody reads.
        self.log = tempfile.TemporaryFile()
        self.proc = reaper.watch(subprocess.Popen(cmd, env=run_env(**self.env), stdout=subprocess.DEVNULL,
                                                  stderr=self.log, start_new_session=True))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"argmap serve exited: {self.stderr()[-2000:]}")
            try:
                if httpx.get(self.url + "/maps", timeout=1).status_code < 500:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("argmap serve did not answer within %ss" % timeout)

    def stderr(self) -> str:
        """What the server wrote to standard error so far (its own lines and the access log)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group (the server and whatever it started: the PDF forkserver)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self._forget()

    def _forget(self) -> None:
        if self.proc is not None:
            reaper.unwatch(self.proc)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._forget()


def report(label: str, figures) -> None:
    """Print a test's figures (requests, kills, inputs) when ARGMAP_FUZZ_REPORT is set: the
    numbers the reliability note quotes, without noise in an ordinary run."""
    if os.environ.get("ARGMAP_FUZZ_REPORT"):
        print(f"\n{label}: {figures}", file=sys.__stderr__)


def seeded_app(**kw):
    """An in-process app on an in-memory store holding the seed map: ``(app, store)``."""
    from argmap.api import create_app
    from argmap.mapfile import load
    from argmap.store import Store

    store = Store(":memory:")
    store.load_map(load(SEED))
    return create_app(store=store, **kw), store
