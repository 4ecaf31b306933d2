"""What sharing maps through DuckLake costs: one to four ``argmap serve`` processes on one lake
against one server on a DuckDB file (the baseline, measured in the same run).

Run (about a minute; with no ``--lake`` it starts a throw-away PostgreSQL cluster as the
tests do, which needs Debian's ``postgresql``)::

    PYTHONPATH=. python benchmarks/lake.py [--duration 10] [--clients 8]
    PYTHONPATH=. python benchmarks/lake.py --lake 'postgres:dbname=argmap_bench host=db.internal' \\
        --data-path /mnt/argmap-bench-data

For each set-up it starts the servers on free ports of 127.0.0.1, loads the seed map, and then

- **reads**: one client GETs single statements one after another (p50/p99 latency): the cost
  of sharing per request, since every read on a lake asks PostgreSQL for the latest snapshot;
- **writes**: ``--clients`` threads POST statements, each followed by an argument that uses it,
  spread over the servers in turn as a load balancer would, for ``--duration`` seconds: writes
  acknowledged per second, p50/p99, and how many were refused as 409 (clashes retried to the
  end). Writes on a lake are serialised across all servers (see ``argmap/store/_lake.py``), so
  more servers add read capacity, not write capacity.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", help="DuckLake catalog, e.g. 'postgres:dbname=argmap_bench host=…' "
                    "(default: a throw-away local cluster)")
    ap.add_argument("--data-path", help="The lake's data folder (with --lake)")
    ap.add_argument("--duration", type=float, default=10, help="Seconds of writing per set-up")
    ap.add_argument("--clients", type=int, default=8, help="Writing threads")
    ap.add_argument("--servers", default="1,2,4", help="Server counts to try on the lake")
    args = ap.parse_args()
    cluster = None
    if args.lake is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        import pgcluster  # the tests' throw-away cluster: one way to start PostgreSQL, not two

        if pgcluster.binaries() is None:
            sys.exit("benchmarks/lake.py: PostgreSQL is not installed (apt-get install postgresql); or pass --lake")
        cluster = pgcluster.Cluster(pgcluster.binaries())
        args.lake, args.data_path = cluster.new_lake()
    try:
        _run(args)
    finally:
        if cluster is not None:
            cluster.stop()


def _run(args) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clients} writing clients, {args.duration:g} s each")
    print(f"{'set-up':<22}{'read p50':>10}{'read p99':>10}{'writes/s':>10}{'write p50':>11}{'write p99':>11}{'409s':>6}")
    with tempfile.TemporaryDirectory(prefix="argmap-bench-") as tmp:
        db = str(Path(tmp) / "argmap.duckdb")
        with Store(db) as store:
            store.load_map(load(SEED))
        _report("file, 1 server", ["--db", db], 1, args, Path(tmp))
        with Store(lake=args.lake, data_path=args.data_path) as store:
            store.load_map(load(SEED), replace=True)
        for n in (int(x) for x in args.servers.split(",")):
            _report(f"lake, {n} server{'s' if n > 1 else ''}", ["--lake", args.lake, "--data-path", args.data_path],
                    n, args, Path(tmp))


def _report(label: str, where: list[str], n: int, args, tmp: Path) -> None:
    procs, urls = [], []
    try:
        for _ in range(n):
            port = _free_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "argmap.cli", *where, "serve", "--port", str(port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait(url)
        reads = _reads(urls[0])
        writes, latencies, refused = _writes(urls, args.clients, args.duration)
        print(f"{label:<22}{_ms(reads, 50):>10}{_ms(reads, 99):>10}{writes / args.duration:>10.1f}"
              f"{_ms(latencies, 50):>11}{_ms(latencies, 99):>11}{refused:>6}", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


def _reads(url: str, n: int = 200) -> list[float]:
    ids = [s.id for s in load(SEED).statements]
    out = []
    with httpx.Client(timeout=60) as c:
        for i in range(n):
            t = time.perf_counter()
            r = c.get(f"{url}/maps/peace-plan/statements/{ids[i % len(ids)]}")
            out.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
    return out


def _writes(urls: list[str], clients: int, duration: float) -> tuple[int, list[float], int]:
    run = uuid.uuid4().hex[:6]
    done, latencies, refused = [0], [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(k: int) -> None:
        i = 0
        with httpx.Client(timeout=120) as c:
            while time.monotonic() < stop:
                sid = f"b{run}-{k}-{i}"
                for path, body in (
                    ("statements", {"id": sid, "text": f"Client {k} claim {i}"}),
                    ("arguments", {"id": sid + "-a", "kind": "support", "premises": [sid], "target": "victims-silenced"}),
                ):
                    t = time.perf_counter()
                    r = c.post(f"{urls[(k + i) % len(urls)]}/maps/peace-plan/{path}", json=body)
                    with lock:
                        if r.status_code == 201:
                            done[0] += 1
                            latencies.append(time.perf_counter() - t)
                        elif r.status_code == 409:
                            refused[0] += 1
                        else:
                            raise RuntimeError(f"{r.status_code} {r.text}")
                    if r.status_code != 201:
                        break
                i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], latencies, refused[0]


def _ms(xs: list[float], pct: int) -> str:
    if not xs:
        return "-"
    xs = sorted(xs)
    return f"{1000 * xs[min(len(xs) - 1, int(len(xs) * pct / 100))]:.1f} ms"


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/maps", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
