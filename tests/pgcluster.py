"""A throw-away PostgreSQL cluster for the DuckLake tests (imported by name: tests/ is no package).

The cluster lives in a temporary folder, listens on a free port of 127.0.0.1 only, trusts
local connections and is stopped and removed by :meth:`Cluster.stop`. PostgreSQL refuses to
run as root, so as root (CI) it runs as the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (Debian's newest PostgreSQL, or the PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A running PostgreSQL cluster; :meth:`new_lake` hands out an empty catalog database."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="argmap-pg-"))
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")  # KeyError: no postgres user to run as
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.port = free_port()
        self._run("initdb", "-D", str(self.root / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-w", "-t", "30",
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200",
            "start",
        )
        # A watchdog stops the cluster when this process ends however it ends (a killed test run
        # left clusters running): it waits for the end of a pipe only this process holds.
        ids = [str(self.user.pw_uid), str(self.user.pw_gid)] if self.user is not None else []
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self.bindir / "pg_ctl"), str(self.root / "data"), str(self.root), *ids],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def new_lake(self) -> tuple[str, str]:
        """``(lake, data_path)`` of a new, empty catalog database with its own data folder."""
        name = "lake_" + uuid.uuid4().hex[:12]
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        data = self.root / "parquet" / name
        data.mkdir(parents=True)
        return f"postgres:dbname={name} host=127.0.0.1 port={self.port} user=postgres", str(data)

    def clone(self, lake: tuple[str, str]) -> tuple[str, str]:
        """A copy of a catalog (no process may have it open), on the same data path.

        Much faster than loading a map again (PostgreSQL copies the catalog's files; the data
        files are shared). Sound for tests because DuckLake never changes a data file it has
        written: a write to either catalog adds files of its own (names are UUIDs).
        """
        name = "lake_" + uuid.uuid4().hex[:12]
        template = lake[0].split("dbname=")[1].split()[0]
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-T", template, name)
        return lake[0].replace(f"dbname={template}", f"dbname={name}"), lake[1]

    def drop(self, lake: str) -> None:
        """Remove a catalog database (each takes ~8 MB: a session of clones would fill the disk)."""
        name = lake.split("dbname=")[1].split()[0]
        self._run("dropdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "--force", name)

    def stop(self) -> None:
        self._watchdog.kill()
        self._watchdog.wait()
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _demote(self):
        """A ``preexec_fn`` that makes the child the ``postgres`` user (as root), or None."""
        user = self.user
        if user is None:
            return None

        def demote():
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

        return demote

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        kwargs: dict = {"check": True, "capture_output": True, "cwd": self.root}
        if self.user is not None:
            kwargs["preexec_fn"] = self._demote()
            kwargs["env"] = {**os.environ, "HOME": str(self.root)}
        try:
            subprocess.run(cmd, **kwargs)
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"{tool} failed: {e.stderr.decode(errors='replace')[-2000:]}") from None


_WATCHDOG = """
import os, shutil, subprocess, sys
pg_ctl, data, root, *ids = sys.argv[1:]
sys.stdin.buffer.read()  # returns when the process that started the cluster has ended
as_postgres = (lambda: (os.setgid(int(ids[1])), os.setuid(int(ids[0])))) if ids else None
subprocess.run([pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True, preexec_fn=as_postgres)
shutil.rmtree(root, ignore_errors=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
