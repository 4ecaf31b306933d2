"""The HTTP API under load: a generated 100,000-statement map served by ``argmap serve``.

Run (about three minutes; needs ``wrk``: ``apt-get install -y wrk``)::

    python benchmarks/api.py            # or: make bench
    python benchmarks/api.py --statements 20000 --duration 5   # a quick look
    python benchmarks/api.py --only depth5 --repeat 3 --baseline main   # one query, against main
    python benchmarks/api.py --lake     # and the same on DuckLake, side by side (see below)

It builds a map of 100,000 statements and 200,000 arguments in a temporary DuckDB file
(``Store.load_map``), times the four queries in-process (the baseline: the same Store and
query functions the handlers call, no HTTP), then starts the real server (granian) on a free
port of 127.0.0.1 and drives it from a second process with ``wrk`` for a fixed time per query,
each request a different statement or search picked from a fixed list: first unmeasured (a
long-running server's caches are warm), then ``-c32`` for throughput and ``-c4`` for latency
under light load (with 32 connections queued, latency is 32 / throughput whatever the code
does). It prints requests/s and p50/p99 latency, the in-process p50/p99, and the ratio of HTTP
p50 to in-process p50. ``--repeat N`` measures each query N times (the table shows medians,
each run its own line with the load average); ``--baseline REF`` also serves a copy of the
database with the code of git revision REF and alternates runs between the two servers, so
both see the same load from the other people on the machine. ``--metrics-cost`` does the same
with this tree's code served ``--no-metrics`` (``--only get --repeat 3 --metrics-cost``: the
cost of the Prometheus metrics on the single-statement read; the access log is on in both).

wrk corrects its latencies for coordinated omission: a stall of S ms, at one request every I
ms per connection, adds about S / I samples between I and S. So one 250 ms pause of the server
(a full collection of Python's garbage collector walking a big cache, as before the support
graph was kept in arrays) in a 5 s run at -c4 is worth ~200 slow samples: p99 swung between
9 and 200 ms depending on whether a pause fell inside the run.

Targets (2 cores): >= 1,500 req/s single-statement read (at -c32); p99 <= 50 ms depth-5
supporters and p50 <= 20 ms search (at -c4). Peer (BENCHMARKS.md): Litestar + msgspec + DuckDB
GET one row, granian, wrk -t1 -c32: 1,690-1,740 req/s. The machine is shared: compare runs
made at a similar load average (printed), or better, use ``--baseline``.

With ``--lake`` (a catalog, or nothing for a throw-away PostgreSQL cluster started as the
tests start theirs: Debian's ``postgresql``) the same map is loaded into a DuckLake catalog
(``--lake-statements`` makes it smaller, keeping the file's map size in proportion), the
same four figures are measured on a server on the lake and printed beside the file's; then
one server on the file and 1, 2 and 4 servers on the lake (``--read-servers``) all run at
once, and each query is measured on each set-up in turn, run after run (one wrk per server,
the 32 connections shared among them, their requests/s summed), so the lake's figures are
ratios to the file's under the same load; then ``benchmarks/lake.py`` measures write
throughput with 1, 2 and 4 servers on that lake (``--servers``). With ``--only statement,depth5
--repeat 3`` (the issue's figures) it takes about 15 minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure the tree this file is in, whatever is installed

import lake as lakebench  # noqa: E402  (benchmarks/lake.py: the throw-away cluster and the write figures)
from _timing import cpu_seconds  # noqa: E402
from argmap import query  # noqa: E402
from argmap.model import Argument, Map, Source, Speaker, Statement  # noqa: E402
from argmap.store import Store  # noqa: E402

PEER_RPS = "1,690-1,740 req/s (Litestar + msgspec + DuckDB GET one row, granian, BENCHMARKS.md)"
MAP_ID = "bench"
SEARCHES = ["kupiansk", "kupiansk front", "ceasefire talks", "sanctions envoy", "assets reconstruction", "front"]


def generate(n_statements: int, n_arguments: int, seed: int = 7) -> Map:
    """A map shaped like a big real one: local support chains, rebuttals, undercuts, Zipf words.

    Arguments point from later statements to earlier ones (within 2,000 places), so chains
    are long and acyclic, and a statement has about three direct supporters.
    """
    rnd = random.Random(seed)
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "pa", "gro", "stan", "kor", "bel", "ti"]
    vocab = sorted({"".join(rnd.choice(syll) for _ in range(rnd.randint(2, 4))) for _ in range(8000)})
    rnd.shuffle(vocab)
    planted = ["kupiansk", "front", "ceasefire", "talks", "sanctions", "envoy", "assets", "reconstruction"]
    cum, total = [], 0.0
    for i in range(len(vocab)):  # Zipf: a few common words, a long tail
        total += 1 / (i + 1)
        cum.append(total)
    speakers = [Speaker(id=f"sp{i}", name=f"Speaker {w.title()}", role="official") for i, w in enumerate(vocab[:200])]
    sources = [Source(id=f"src{i}", title=f"Report on {vocab[i]} and {vocab[i + 1]}") for i in range(1000)]
    statements = []
    for i in range(n_statements):
        words = rnd.choices(vocab, cum_weights=cum, k=rnd.randint(8, 20))
        if rnd.random() < 0.05:
            words[rnd.randrange(len(words))] = rnd.choice(planted)
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        said = rnd.choice([f"2025-{month:02d}", f"2025-{month:02d}-{day:02d}", f"2025-{month:02d}-{day:02d}~", None])
        statements.append(
            Statement(
                id=f"s{i}", text=" ".join(words).capitalize() + ".", said=said,
                speaker=rnd.choice(speakers).id if rnd.random() < 0.9 else None,
                source=rnd.choice(sources).id, kind="claim" if rnd.random() < 0.9 else "event",
            )
        )
    arguments = []
    supports: list[str] = []
    for j in range(n_arguments):
        r = rnd.random()
        if r < 0.1 and supports:
            target, kind = rnd.choice(supports), "undercut"
            premises = [f"s{rnd.randrange(n_statements)}"]
        else:
            kind = "support" if r < 0.8 else "attack"
            t = rnd.randrange(n_statements - 1)
            target = f"s{t}"
            hi = min(n_statements, t + 2000)
            premises = [f"s{p}" for p in rnd.sample(range(t + 1, hi), min(hi - t - 1, rnd.choice([1, 1, 2, 3])))]
        arguments.append(Argument(id=f"a{j}", kind=kind, premises=premises, target=target))
        if kind == "support":
            supports.append(f"a{j}")
    return Map(id=MAP_ID, title="Generated benchmark map", speakers=speakers, sources=sources,
               statements=statements, arguments=arguments)


def percentile(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def in_process(store: Store, cases: dict[str, list], reps: int) -> dict[str, tuple[float, float]]:
    """p50/p99 in ms of each case's function, run directly on the Store (no HTTP)."""
    out = {}
    for name, calls in cases.items():
        for fn in calls[:reps]:
            fn()  # warm, as the server is before it is measured: caches by map version, DuckDB's own
        times = []
        for k in range(reps):
            fn = calls[k % len(calls)]
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = (percentile(times, 50), percentile(times, 99))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(where: list[str], port: int, tree: Path = REPO, extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """``argmap <where> serve [extra]`` (``where``: ``--db FILE`` or ``--lake … --data-path …``) of
    the code in ``tree`` (this repository, or a baseline's export). Its standard error (one
    access-log line per request) goes to a file, as a supervisor's journal would take it: a
    pipe nobody reads would fill up."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")])}
    env.pop("ARGMAP_TOKEN", None)
    env.pop("ARGMAP_READ_TOKEN", None)
    log = tempfile.NamedTemporaryFile(prefix=f"argmap-serve-{port}-", suffix=".log")
    proc = subprocess.Popen(
        [sys.executable, "-m", "argmap.cli", *where, "serve", "--port", str(port), *extra],
        # cwd: `python -m` puts the working directory first on sys.path, before PYTHONPATH.
        env=env, cwd=str(tree), stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )
    proc.log = log  # removed when the Popen goes
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"argmap serve exited ({proc.returncode}): {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/maps/{MAP_ID}", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("argmap serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the session we started (a baseline revision may still run granian workers)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def run_wrk(port: int, paths: list[str], duration: int, connections: int, folder: Path) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms and failures (non-2xx answers, socket errors, timeouts) from wrk."""
    script = folder / "paths.lua"
    script.write_text(_LUA % ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths))
    out = subprocess.run(
        # A 30 s timeout: wrk's 2 s would count a slow answer (a lake under -c32) as an error.
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    lat = {m[0]: _ms(m[1]) for m in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rps, lat["50"], lat["99"], (int(bad[1]) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)


def _ms(value: str) -> float:
    n, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


QUERIES = {"statement": "get one statement", "direct": "direct supporters", "depth5": "supporters depth 5",
           "search": "search"}


def export_tree(ref: str, folder: Path) -> Path:
    """The code of git revision ``ref`` of this repository, unpacked into ``folder`` (read-only use)."""
    tree = folder / f"tree-{re.sub(r'[^A-Za-z0-9_.-]', '_', ref)}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "argmap"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def one_run(port: int, paths: list[str], args, folder: Path) -> tuple[tuple, tuple, float]:
    """(-c{connections} figures, -c{light} figures, load average) of one measured run of one query."""
    load = os.getloadavg()[0]
    heavy = run_wrk(port, paths, args.duration, args.connections, folder)
    light = run_wrk(port, paths, max(3, args.duration // 2), args.light, folder)
    return heavy, light, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--statements", type=int, default=100_000)
    ap.add_argument("--arguments", type=int, default=200_000)
    ap.add_argument("--duration", type=int, default=10, help="wrk seconds per query")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections for the throughput run")
    ap.add_argument("--light", type=int, default=4, help="wrk connections for the latency run (light load)")
    ap.add_argument("--reps", type=int, default=300, help="in-process repetitions per query")
    ap.add_argument("--only", default=",".join(QUERIES),
                    help=f"comma-separated queries to run, of: {', '.join(QUERIES)}")
    ap.add_argument("--repeat", type=int, default=1, help="measured wrk runs per query (the table shows medians)")
    ap.add_argument("--baseline", metavar="REF",
                    help="also serve the same map with the code of this git revision (e.g. main), runs alternating")
    ap.add_argument("--metrics-cost", action="store_true",
                    help="also serve a copy with `serve --no-metrics`, runs alternating: what the metrics cost")
    ap.add_argument("--lake", nargs="?", const="", default=None,
                    help="Also measure on DuckLake: this catalog, or (no value) a throw-away PostgreSQL cluster")
    ap.add_argument("--data-path", help="The lake's data folder (with --lake CATALOG)")
    ap.add_argument("--lake-statements", type=int, help="A smaller map for the lake (arguments in proportion)")
    ap.add_argument("--write-seconds", type=float, default=10, help="Seconds of writing per server count (--lake)")
    ap.add_argument("--servers", default="1,2,4", help="Server counts for the lake's write throughput")
    ap.add_argument("--read-servers", default="1,2,4",
                    help="Server counts for the lake's read throughput, all serving at once ('' : none)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("benchmarks/api.py needs wrk: apt-get install -y wrk")
    only = [q.strip() for q in args.only.split(",") if q.strip()]
    if unknown := [q for q in only if q not in QUERIES]:
        raise SystemExit(f"--only: unknown {', '.join(unknown)}; choose from {', '.join(QUERIES)}")
    names = [QUERIES[q] for q in only]

    with tempfile.TemporaryDirectory(prefix="argmap-bench-") as tmp:
        folder = Path(tmp)
        db = str(folder / "bench.duckdb")
        file = measure("file", lambda: Store(db), ["--db", db], args.statements, args.arguments, names, args, folder,
                       baseline_db=db if (args.baseline or args.metrics_cost) else None)
        report(file, args)
        if args.lake is None:
            return
        with lakebench.throwaway_lake(args.lake or None, args.data_path) as (lake, data_path):
            n = args.lake_statements or args.statements
            where = ["--lake", lake] + (["--data-path", data_path] if data_path else [])
            on_lake = measure("lake", lambda: Store(lake=lake, data_path=data_path), where,
                              n, args.arguments * n // args.statements, names, args, folder)
            report(on_lake, args)
            side_by_side(file, on_lake, args)
            counts = [int(x) for x in args.read_servers.split(",") if x.strip()]
            if counts:
                read_scaling(["--db", db], where, args.statements, n, counts, names, args, folder)
            print("\nWrite throughput (benchmarks/lake.py: the seed map, statement + argument pairs, "
                  "round-robin over the servers):")
            lakebench.compare(lake, data_path, [int(x) for x in args.servers.split(",")], 8, args.write_seconds)


def statement_ids(n_statements: int) -> list[str]:
    """The 1,000 statements (of the map's older half) that the reads ask about."""
    rnd = random.Random(11)
    return [f"s{rnd.randrange(n_statements // 2)}" for _ in range(1000)]


def request_paths(ids: list[str]) -> dict[str, list[str]]:
    return {
        "get one statement": [f"/maps/{MAP_ID}/statements/{i}" for i in ids],
        "direct supporters": [f"/maps/{MAP_ID}/statements/{i}/supporters" for i in ids],
        "supporters depth 5": [f"/maps/{MAP_ID}/statements/{i}/supporters?depth=5" for i in ids],
        "search": [f"/maps/{MAP_ID}/search?q={q.replace(' ', '+')}" for q in SEARCHES],
    }


def measure(label: str, open_store, where: list[str], n_statements: int, n_arguments: int, names: list[str], args,
            folder: Path, baseline_db: str | None = None) -> dict:
    """Load a generated map through ``open_store()``, then the queries in-process and over HTTP
    (with ``baseline_db``, a DuckDB file, also on a copy of it served by ``args.baseline``'s code)."""
    t = time.perf_counter()
    m = generate(n_statements, n_arguments)
    t_gen = time.perf_counter() - t
    ids = statement_ids(n_statements)
    with open_store() as store:
        t = time.perf_counter()
        store.load_map(m, replace=True)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        store.search(MAP_ID, "kupiansk")
        t_index = time.perf_counter() - t
        print(f"{label} map: {n_statements:,} statements, {n_arguments:,} arguments; generated in {t_gen:.1f} s, "
              f"loaded in {t_load:.1f} s; search index built in {t_index:.2f} s", flush=True)
        cases = {
            "get one statement": [lambda i=i: query.statement(store, MAP_ID, i) for i in ids],
            "direct supporters": [lambda i=i: query.supporters(store, MAP_ID, i, depth=1) for i in ids],
            "supporters depth 5": [lambda i=i: query.supporters(store, MAP_ID, i, depth=5) for i in ids],
            "search": [lambda q=q: query.search(store, MAP_ID, q) for q in SEARCHES],
        }
        t = time.perf_counter()
        query.supporters(store, MAP_ID, ids[0])
        t_graph = time.perf_counter() - t
        sizes = [len(query.supporters(store, MAP_ID, i, depth=5).items) for i in ids[:200]]
        print(f"support graph built in {t_graph:.2f} s; depth-5 supporters per statement: "
              f"median {statistics.median(sizes):.0f}, max {max(sizes)}")
        local = in_process(store, {n: cases[n] for n in names}, args.reps)
    del m
    servers = {"this tree": (REPO, where, ())}
    if baseline_db is not None and args.baseline:
        copy = folder / "baseline.duckdb"
        shutil.copyfile(baseline_db, copy)  # one process per DuckDB file
        servers = {args.baseline: (export_tree(args.baseline, folder), ["--db", str(copy)], ()), **servers}
    if baseline_db is not None and args.metrics_cost:
        copy = folder / "no-metrics.duckdb"
        shutil.copyfile(baseline_db, copy)
        servers = {"no metrics": (REPO, ["--db", str(copy)], ("--no-metrics",)), **servers}

    paths = request_paths(ids)
    procs, runs, cpu_us = {}, {(server, n): [] for server in servers for n in names}, {}
    try:
        for server, (tree, server_where, extra) in servers.items():
            port = free_port()
            procs[server] = (port, start_server(server_where, port, tree, extra))
            for ps in paths.values():  # build the graph and the search index before any load
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ps[0]}", timeout=120).read()
        for name in names:
            for port, _ in procs.values():
                # An unmeasured run first: a long-running server has warm caches (statements by
                # version, parsed dates, DuckDB's buffers); the figures are for that server.
                run_wrk(port, paths[name], 3, args.connections, folder)
            for k in range(args.repeat):
                for server, (port, proc) in procs.items():  # alternate: both servers see the same load
                    cpu0 = cpu_seconds(proc.pid)
                    heavy, light, load = one_run(port, paths[name], args, folder)
                    answered = heavy[0] * args.duration + light[0] * max(3, args.duration // 2)
                    cpu_us.setdefault((server, name), []).append((cpu_seconds(proc.pid) - cpu0) / answered * 1e6)
                    runs[server, name].append((heavy, light, load))
                    print(f"  {name:<20} {server:<10} run {k + 1}: load {load:.1f}; -c{args.connections} "
                          f"{heavy[0]:,.0f} req/s, p99 {heavy[2]:.1f} ms; -c{args.light} p50 {light[1]:.2f} ms, "
                          f"p99 {light[2]:.1f} ms", flush=True)
    finally:
        for _, proc in procs.values():
            stop_server(proc)
    return {"label": label, "statements": n_statements, "load": t_load, "local": local, "runs": runs,
            "servers": list(servers), "names": names, "cpu_us": cpu_us}


def report(r: dict, args) -> None:
    """Each server's table (medians of its runs); the targets, for this tree on a file."""
    load = os.getloadavg()[0]
    light_s = max(3, args.duration // 2)
    print(f"\nHTTP ({r['label']}): argmap serve (granian), wrk -t1 on 127.0.0.1, {args.duration}s at "
          f"-c{args.connections} (throughput) and {light_s}s at -c{args.light} (light load), median of "
          f"{args.repeat} run(s); in-process: the same Store/query call, {args.reps} runs, no HTTP. "
          f"Load average at the end: {load:.1f} on {os.cpu_count()} cores.")
    names, runs = r["names"], r["runs"]
    for server in r["servers"]:
        r.setdefault("medians", {})[server] = table(server, names, runs, r["local"] if server == "this tree" else None,
                                                    args)
    if r["label"] != "file":
        return
    print(f"\npeer: {PEER_RPS}")
    http, light = r["medians"]["this tree"]
    checks = []
    if "get one statement" in names:
        checks.append((f"single-statement read >= 1,500 req/s (-c{args.connections})", http["get one statement"][0] >= 1500))
    if "supporters depth 5" in names:
        checks.append((f"depth-5 supporters p99 <= 50 ms (-c{args.light})", light["supporters depth 5"][2] <= 50))
    if "search" in names:
        checks.append((f"search p50 <= 20 ms (-c{args.light})", light["search"][1] <= 20))
    checks.append(("no failed requests", all(x[0][3] + x[1][3] == 0 for (server, _), rs in runs.items()
                                             if server == "this tree" for x in rs)))
    if "no metrics" in r["medians"]:
        bare = r["medians"]["no metrics"][0]
        cpu = {key: statistics.median(v) for key, v in r["cpu_us"].items()}
        for name in names:
            cost = 1 - http[name][0] / bare[name][0]
            with_, without = cpu["this tree", name], cpu["no metrics", name]
            print(f"  metrics cost, {name}: {http[name][0]:,.0f} vs {bare[name][0]:,.0f} req/s without "
                  f"(-c{args.connections}): {cost:+.1%} throughput; server CPU per request {with_:.0f} vs "
                  f"{without:.0f} µs: {with_ / without - 1:+.1%} (medians of {args.repeat} runs)")
        if "get one statement" in names:
            name = "get one statement"
            checks.append(("metrics cost <= 5 % on the single-statement read (server CPU per request)",
                           cpu["this tree", name] / cpu["no metrics", name] - 1 <= 0.05))
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")


def side_by_side(file: dict, lake: dict, args) -> None:
    """The figures of both back ends (this tree's medians), and what sharing costs per request."""
    (f_http, f_light), (l_http, l_light) = file["medians"]["this tree"], lake["medians"]["this tree"]
    print(f"\nFile ({file['statements']:,} statements) against lake ({lake['statements']:,} statements), one server each:")
    print(f"{'query':<20} {'req/s file':>11} {'req/s lake':>11} {'lake/file':>9} | {'p50 ms file':>11} "
          f"{'p50 ms lake':>11} {'p99 ms file':>11} {'p99 ms lake':>11} (-c{args.light}) | lake p50 - file p50")
    for name in file["names"]:
        (_, f50, f99, _), (_, l50, l99, _) = f_light[name], l_light[name]
        print(f"{name:<20} {f_http[name][0]:>11,.0f} {l_http[name][0]:>11,.0f} {l_http[name][0] / f_http[name][0]:>9.0%} "
              f"| {f50:>11.2f} {l50:>11.2f} {f99:>11.2f} {l99:>11.2f} | {l50 - f50:>+8.2f} ms")
    print(f"load: file {file['load']:.1f} s, lake {lake['load']:.1f} s")


def read_scaling(file_where: list[str], lake_where: list[str], n_file: int, n_lake: int, counts: list[int],
                 names: list[str], args, folder: Path) -> None:
    """Reads from one server on the file and from 1, 2, 4… servers on the lake at once (as behind
    a load balancer): one wrk per server, all running together, ``args.connections`` connections
    shared among them, their requests/s summed. Every server runs throughout and the set-ups
    take turns, run by run, so that all see the same load from the rest of the machine."""
    file_paths, lake_paths = request_paths(statement_ids(n_file)), request_paths(statement_ids(n_lake))
    lake_procs, file_proc = [], None
    setups = ["file"] + [f"lake x{c}" for c in counts]
    totals: dict[tuple[str, str], list[float]] = {}
    failed = 0
    try:
        port = free_port()
        file_proc = (port, start_server(file_where, port))
        for _ in range(max(counts)):
            port = free_port()
            lake_procs.append((port, start_server(lake_where, port)))
        chosen = {"file": ([file_proc], file_paths), **{f"lake x{c}": (lake_procs[:c], lake_paths) for c in counts}}
        for name in names:
            for procs, paths in (([file_proc], file_paths), (lake_procs, lake_paths)):
                for port, _ in procs:  # build each server's caches (graph, statements) before any load
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{paths[name][0]}", timeout=120).read()
                _together(procs, paths[name], 3, max(1, args.connections // len(procs)), folder)  # unmeasured
            for k in range(args.repeat):
                for setup in setups:
                    procs, paths = chosen[setup]
                    each = max(1, args.connections // len(procs))
                    load = os.getloadavg()[0]
                    results = _together(procs, paths[name], args.duration, each, folder)
                    total, bad = sum(r[0] for r in results), sum(r[3] for r in results)
                    totals.setdefault((setup, name), []).append(total)
                    failed += bad
                    print(f"  {name:<20} {setup:<8} run {k + 1}: load {load:.1f}; -c{each} each: {total:,.0f} req/s"
                          + (f" in all ({', '.join(f'{r[0]:,.0f}' for r in results)})" if len(results) > 1 else "")
                          + (f", {bad} failed" if bad else ""), flush=True)
    finally:
        for _, proc in lake_procs + ([file_proc] if file_proc else []):
            stop_server(proc)
    med = {key: statistics.median(v) for key, v in totals.items()}
    print(f"\nReads, one file server against 1-{max(counts)} lake servers serving at once (file {n_file:,}, lake "
          f"{n_lake:,} statements; one wrk per server, {args.connections} connections in all, {args.duration} s, "
          f"set-ups taking turns; medians of {args.repeat}):")
    print(f"{'query':<20} {'file':>8} " + " ".join(f"{f'lake x{c}':>8} {'/file':>6}" for c in counts)
          + "   lake: total / one server")
    for name in names:
        f = med["file", name]
        line = f"{name:<20} {f:>8,.0f} " + " ".join(f"{med[f'lake x{c}', name]:>8,.0f} "
                                                    f"{med[f'lake x{c}', name] / f:>6.0%}" for c in counts)
        if 1 in counts:
            one = med["lake x1", name]
            line += "   " + ", ".join(f"x{c}: {med[f'lake x{c}', name] / one:.2f}" for c in counts if c != 1)
        print(line)
    checks = []
    for name in ("get one statement", "supporters depth 5"):
        if name in names and 1 in counts:
            one = med["lake x1", name]
            checks.append((f"{name}: one lake server >= 50 % of the file's req/s", one >= 0.5 * med["file", name]))
            checks += [(f"{name}: {c} lake servers in all >= one lake server", med[f"lake x{c}", name] >= one)
                       for c in counts if c > 1]
    checks.append(("no failed requests", failed == 0))
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")


def _together(procs: list, paths: list[str], duration: int, connections: int, folder: Path) -> list[tuple]:
    """One wrk per server, all at once; each one's (requests/s, p50, p99, failures)."""
    out: list = [None] * len(procs)

    def run(k: int, port: int) -> None:
        sub = folder / f"wrk-{k}"
        sub.mkdir(exist_ok=True)
        out[k] = run_wrk(port, paths, duration, connections, sub)

    threads = [threading.Thread(target=run, args=(k, port)) for k, (port, _) in enumerate(procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any(r is None for r in out):
        raise SystemExit("a wrk run failed")
    return out


def table(label: str, names: list[str], runs: dict, local: dict | None, args) -> tuple[dict, dict]:
    """Print one server's table (medians over its runs); return its median figures."""
    med = lambda xs: statistics.median(xs)  # noqa: E731
    http, light = {}, {}
    for name in names:
        rs = runs[label, name]
        http[name] = tuple(med([r[0][i] for r in rs]) for i in range(3)) + (sum(r[0][3] for r in rs),)
        light[name] = tuple(med([r[1][i] for r in rs]) for i in range(3)) + (sum(r[1][3] for r in rs),)
    loads = [r[2] for rs in (runs[label, n] for n in names) for r in rs]
    print(f"\n{label} (load average {min(loads):.1f}-{max(loads):.1f} at the runs' starts)")
    print(f"{'':<20} {'-c' + str(args.connections):^33} | {'-c' + str(args.light):^26} | {'in-process':^19} |")
    print(f"{'query':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} | {'p50 ms':>8} {'p99 ms':>8} "
          f"{'worst':>8} | {'p50 ms':>9} {'p99 ms':>9} | HTTP/local p50 (-c{args.light})")
    for name in names:
        rps, p50, p99, bad = http[name]
        _, lt50, lt99, lbad = light[name]
        worst = max(r[1][2] for r in runs[label, name])
        line = (f"{name:<20} {rps:>8,.0f} {p50:>8.2f} {p99:>8.2f} {bad + lbad:>6} | {lt50:>8.2f} {lt99:>8.2f} "
                f"{worst:>8.1f} |")
        if local is not None:
            lp50, lp99 = local[name]
            line += f" {lp50:>9.3f} {lp99:>9.3f} | {lt50 / lp50:>6.1f}x"
        print(line)
    return http, light


if __name__ == "__main__":
    main()
