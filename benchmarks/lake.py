"""What sharing maps through DuckLake costs: one to four ``argmap serve`` processes on one lake
against one server on a DuckDB file (the baseline, measured in the same run).

Run (about a minute; with no ``--lake`` it starts a throw-away PostgreSQL cluster as the
tests do, which needs Debian's ``postgresql``)::

    python benchmarks/lake.py [--duration 10] [--clients 8]
    python benchmarks/lake.py --lake 'postgres:dbname=argmap_bench host=db.internal' \\
        --data-path /mnt/argmap-bench-data

For each set-up it starts the servers on free ports of 127.0.0.1, loads the seed map, and then

- **reads**: one client GETs single statements one after another (p50/p99 latency): the cost
  of sharing per request, since every read on a lake asks PostgreSQL for the latest snapshot;
- **writes**: ``--clients`` threads POST statements, each followed by an argument that uses it,
  spread over the servers in turn as a load balancer would, for ``--duration`` seconds: writes
  acknowledged per second, p50/p99, and how many were refused as 409 (clashes retried to the
  end), and how many writes a database commit held on average (``a group``, from the servers'
  ``/metrics``). The servers on a lake elect one writer and forward their writes to it (see
  ``argmap/store/_leader.py``), so every server's writes share its group commits;
- **visibility** (2 servers or more): a statement POSTed to one server, then GET from another
  in a loop until it answers 200: milliseconds from the write's acknowledgement to the first
  200 there (p50/p99 of ``--visibility`` writes).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure the tree this file is in, whatever is installed

from _timing import cpu_seconds, metric  # noqa: E402
from argmap.mapfile import load  # noqa: E402
from argmap.store import Store  # noqa: E402

SEED = REPO / "seeds" / "peace-plan.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", help="DuckLake catalog, e.g. 'postgres:dbname=argmap_bench host=…' "
                    "(default: a throw-away local cluster)")
    ap.add_argument("--data-path", help="The lake's data folder (with --lake)")
    ap.add_argument("--duration", type=float, default=10, help="Seconds of writing per set-up")
    ap.add_argument("--clients", type=int, default=8, help="Writing threads (connections with --load wrk)")
    ap.add_argument("--load", choices=["python", "wrk"], default="python",
                    help="Who writes: Python threads (each writes a statement, then an argument that uses it) "
                         "or wrk (cheaper clients, so the servers get more of the machine)")
    ap.add_argument("--servers", default="1,2,4", help="Server counts to try on the lake")
    ap.add_argument("--per-server", action="store_true",
                    help="Give each server --clients writers (the load grows with the servers, as when servers "
                         "are added for more users) instead of spreading --clients over them")
    ap.add_argument("--visibility", type=int, default=100, help="Writes whose cross-server visibility is timed")
    args = ap.parse_args()
    with throwaway_lake(args.lake, args.data_path) as (args.lake, args.data_path):
        compare(args.lake, args.data_path, [int(x) for x in args.servers.split(",")], args.clients, args.duration,
                args.visibility, args.load, args.per_server)


@contextlib.contextmanager
def throwaway_lake(lake: str | None = None, data_path: str | None = None):
    """``(lake, data_path)``: the one given, or a new catalog in a throw-away PostgreSQL cluster
    (started as the tests start theirs, and removed after)."""
    if lake is not None:
        yield lake, data_path
        return
    sys.path.insert(0, str(REPO / "tests"))
    import pgcluster  # the tests' throw-away cluster: one way to start PostgreSQL, not two

    if pgcluster.binaries() is None:
        sys.exit(f"{sys.argv[0]}: PostgreSQL is not installed (apt-get install postgresql); or pass --lake")
    cluster = pgcluster.Cluster(pgcluster.binaries())
    try:
        yield cluster.new_lake()
    finally:
        cluster.stop()


def compare(lake: str, data_path: str | None, servers: list[int], clients: int, duration: float,
            visibility: int = 100, writers: str = "python", per_server: bool = False) -> None:
    """Print reads and writes of one server on a DuckDB file, then of each count of servers on the lake."""
    args = argparse.Namespace(clients=clients, duration=duration, visibility=visibility, load=writers,
                              per_server=per_server)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clients} writing clients ({writers})"
          f"{' per server' if per_server else ''}, {args.duration:g} s each")
    print(f"{'set-up':<22}{'read p50':>10}{'read p99':>10}{'writes/s':>10}{'write p50':>11}{'write p99':>11}{'409s':>6}{'a group':>8}")
    with tempfile.TemporaryDirectory(prefix="argmap-bench-") as tmp:
        db = str(Path(tmp) / "argmap.duckdb")
        with Store(db) as store:
            store.load_map(load(SEED))
        _report("file, 1 server", ["--db", db], 1, args, Path(tmp))
        with Store(lake=lake, data_path=data_path) as store:
            store.load_map(load(SEED), replace=True)
        where = ["--lake", lake] + (["--data-path", data_path] if data_path else [])
        for n in servers:
            _report(f"lake, {n} server{'s' if n > 1 else ''}", where, n, args, Path(tmp))


def _report(label: str, where: list[str], n: int, args, tmp: Path) -> None:
    procs, urls = [], []
    # The servers run this tree too (they start in tmp, where a relative PYTHONPATH means nothing).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for name in ("ARGMAP_TOKEN", "ARGMAP_READ_TOKEN"):
        env.pop(name, None)
    try:
        for _ in range(n):
            port = _free_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "argmap.cli", *where, "serve", "--port", str(port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp, env=env,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait(url)
        reads = _reads(urls[0])
        commits = _commits(urls)
        before = [(cpu_seconds(p.pid, tree=True), metric(u, "argmap_writes_forwarded_total")) for p, u in zip(procs, urls)]
        clients = args.clients * n if args.per_server else args.clients
        if args.load == "wrk":
            writes, (p50, p99), refused = _writes_wrk(urls, clients, args.duration, tmp)
        else:
            writes, latencies, refused = _writes(urls, clients, args.duration)
            p50, p99 = _ms(latencies, 50), _ms(latencies, 99)
        commits = _commits(urls) - commits
        print(f"{label:<22}{_ms(reads, 50):>10}{_ms(reads, 99):>10}{writes / args.duration:>10.1f}"
              f"{p50:>11}{p99:>11}{refused:>6}"
              f"{writes / commits if commits else 0:>8.1f}", flush=True)
        if n > 1 and writes:
            # Server CPU (each process tree's user and system time): the leader's a write, and the
            # followers' a write they forwarded (receiving it, the exchange with the leader, relaying).
            after = [(cpu_seconds(p.pid, tree=True), metric(u, "argmap_writes_forwarded_total")) for p, u in zip(procs, urls)]
            leads = [metric(u, "argmap_lake_leading") == 1 for u in urls]
            lead_cpu = sum(a[0] - b[0] for a, b, lead in zip(after, before, leads) if lead)
            follow = [(a[0] - b[0], a[1] - b[1]) for a, b, lead in zip(after, before, leads) if not lead]
            forwarded = sum(f for _, f in follow)
            print(f"{'':<22}server CPU: the leader {lead_cpu / writes * 1000:.2f} ms a write; the followers "
                  f"{sum(c for c, _ in follow) / max(forwarded, 1) * 1000:.2f} ms a write they forwarded "
                  f"({forwarded:.0f} forwarded)", flush=True)
        if len(urls) > 1 and args.visibility:
            seen, stale = _visibility(urls, args.visibility)
            print(f"{'':<22}visible on another server after the write's acknowledgement: "
                  f"p50 {_ms(seen, 50)}, p99 {_ms(seen, 99)} ({len(seen)} writes; {stale} reads there "
                  f"still answered 404)", flush=True)
            seen, stale = _change_visibility(urls, args.visibility)
            print(f"{'':<22}a changed statement, read on a server that did not make the write (old text "
                  f"cached): new text after p50 {_ms(seen, 50)}, p99 {_ms(seen, 99)} ({len(seen)} writes; "
                  f"{stale} reads there still answered the old text)", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


def _commits(urls: list[str]) -> float:
    """Database commits of write groups so far, on all the servers (their /metrics)."""
    return sum(metric(url, "argmap_write_group_size_count") for url in urls)


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


def _visibility(urls: list[str], n: int) -> tuple[list[float], int]:
    """Seconds from a POST's acknowledgement by one server to the first 200 for it from the next,
    and how many GETs there answered 404 before (stale reads; the rest is one read's latency)."""
    run = uuid.uuid4().hex[:6]
    out, stale = [], 0
    with httpx.Client(timeout=60) as writer, httpx.Client(timeout=60) as reader:
        for i in range(n):
            a, b = urls[i % len(urls)], urls[(i + 1) % len(urls)]
            sid = f"v{run}-{i}"
            r = writer.post(f"{a}/maps/peace-plan/statements", json={"id": sid, "text": f"Visible {i}?"})
            acked = time.perf_counter()
            assert r.status_code == 201, r.text
            while reader.get(f"{b}/maps/peace-plan/statements/{sid}").status_code != 200:
                stale += 1
            out.append(time.perf_counter() - acked)
    return out, stale


def _change_visibility(urls: list[str], n: int) -> tuple[list[float], int]:
    """Seconds from the acknowledgement of a statement's new text to the first read of it on a
    server that did not make the write (the one that did reads it at once) and had the old text
    cached: what the push (argmap.store._lake) leaves stale; and how many reads answered the old text."""
    sid = f"c{uuid.uuid4().hex[:6]}"
    out, stale = [], 0
    with httpx.Client(timeout=60) as writer, httpx.Client(timeout=60) as reader:
        r = writer.post(f"{urls[0]}/maps/peace-plan/statements", json={"id": sid, "text": "Unchanged."})
        assert r.status_code == 201, r.text
        for i in range(n):
            for url in urls:  # every server has the current text cached
                while reader.get(f"{url}/maps/peace-plan/statements/{sid}").json()["text"] != (
                        f"Changed {i - 1}." if i else "Unchanged."):
                    pass
            a = urls[i % len(urls)]
            r = writer.patch(f"{a}/maps/peace-plan/statements/{sid}", json={"text": f"Changed {i}."})
            acked = time.perf_counter()
            assert r.status_code == 200, r.text
            made = r.headers.get("x-argmap-written-by", a)  # a follower hands writes to the leader
            b = next(u for u in urls[i % len(urls) + 1:] + urls if u != made)
            while reader.get(f"{b}/maps/peace-plan/statements/{sid}").json()["text"] != f"Changed {i}.":
                stale += 1
            out.append(time.perf_counter() - acked)
    return out, stale


_WRK_WRITES = """
local n, premises, tag = 0, {%s}, ""
function init(args) tag = args[1] end  -- one per wrk process: their random seeds are the same
request = function()
  n = n + 1
  local id = "k" .. tag .. "-" .. n
  if n %% 2 == 1 then
    return wrk.format("POST", "/maps/peace-plan/statements", {["Content-Type"] = "application/json"},
                      '{"id": "' .. id .. '", "text": "Client claim ' .. n .. '."}')
  end
  return wrk.format("POST", "/maps/peace-plan/arguments", {["Content-Type"] = "application/json"},
                    '{"id": "' .. id .. '", "kind": "support", "premises": ["' .. premises[(n %% #premises) + 1] ..
                    '"], "target": "victims-silenced"}')
end
"""


def _writes_wrk(urls: list[str], clients: int, duration: float, tmp: Path) -> tuple[int, tuple[str, str], int]:
    """As :func:`_writes`, with wrk as the clients (``--load wrk``): its connections spread over
    the servers, statements and arguments in turn (an argument's premise is one of the seed map's
    statements, as in benchmarks/writes.py). Returns writes, (p50, p99 of the slowest server), refused."""
    premises = [s.id for s in load(SEED).statements if s.id != "victims-silenced"][:20]
    script = tmp / "lake-writes.lua"
    script.write_text(_WRK_WRITES % ", ".join(f'"{p}"' for p in premises))
    share = [clients // len(urls) + (1 if i < clients % len(urls) else 0) for i in range(len(urls))]
    run = uuid.uuid4().hex[:6]
    procs = [subprocess.Popen(["wrk", "-t1", f"-c{c}", f"-d{duration:g}s", "--timeout", "30s", "--latency",
                               "-s", str(script), url, "--", f"{run}{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, (url, c) in enumerate(zip(urls, share)) if c]
    writes, refused, p50s, p99s = 0, 0, [], []
    for proc in procs:
        out, _ = proc.communicate(timeout=duration + 120)
        total = int(re.search(r"(\d+) requests in", out)[1])
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        refused += int(bad[1]) if bad else 0
        writes += total - (int(bad[1]) if bad else 0)
        lat = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
        p50s.append(lat["50"])
        p99s.append(lat["99"])
    return writes, (max(p50s, key=_wrk_ms), max(p99s, key=_wrk_ms)), refused


def _wrk_ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


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
