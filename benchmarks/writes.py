"""Writes: small writes over HTTP, bulk import, and the first search after a write, each beside a
baseline measured in the same run.

Run (about two minutes; needs ``wrk``: ``apt-get install -y wrk``)::

    python benchmarks/writes.py
    python benchmarks/writes.py --only small --duration 5

- **small**: ``argmap serve`` on a DuckDB file holding the seed map; ``wrk`` (``--clients``
  connections) POSTs statements and arguments (each argument on two seed statements), every
  request a new id: writes acknowledged per second and p50/p99. Baselines (run for half the
  time before the server and half after, their mean taken): one plain DuckDB
  connection inserting the same statement rows into a table with the same keys, one
  transaction per row; and one committing, per transaction, every row one of our writes stores
  (the statement or argument and premise, the map's version, the change log's two rows) in an
  argmap database: what a store without group commit can at best do.
- **import**: the AIF corpus of ``../shared/external/aif/araucaria`` through the same kind of
  server, one ``POST /maps/import`` per nodeset from one client, then all of them as one NDJSON
  bulk import into a fresh server. Baseline: ``json.loads`` of every file.
- **search**: a generated map of ``--statements`` statements in a file; p50/p99 of a warm search
  against the first search after each of ``--writes`` one-statement writes (in-process).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import msgspec

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure the tree this file is in, whatever is installed
sys.path.insert(0, str(REPO / "benchmarks"))

from _timing import cpu_seconds, metric  # noqa: E402
from api import MAP_ID, SEARCHES, free_port, generate, percentile, stop_server  # noqa: E402
from argmap.mapfile import load  # noqa: E402
from argmap.model import Statement  # noqa: E402
from argmap.store import Store  # noqa: E402

SEED = REPO / "seeds" / "peace-plan.yaml"
AIF = next((p / "shared" / "external" / "aif" / "araucaria" for p in REPO.parents
            if (p / "shared" / "external" / "aif").is_dir()), None)

_WRITES_LUA = """
local n = 0
local statement = true
local premises = {%s}
function setup(thread) thread:set("tag", tostring(math.random(1, 1e9))) end
request = function()
  n = n + 1
  statement = not statement
  local id = "w" .. tag .. "-" .. n
  if statement then
    return wrk.format("POST", "/maps/peace-plan/statements", {["Content-Type"] = "application/json"},
                      '{"id": "' .. id .. '", "text": "A small write, number ' .. n .. '."}')
  end
  local p = premises[(n %% #premises) + 1]
  return wrk.format("POST", "/maps/peace-plan/arguments", {["Content-Type"] = "application/json"},
                    '{"id": "' .. id .. '", "kind": "support", "premises": ["' .. p .. '"], "target": "victims-silenced"}')
end
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.stderr:write("refused: " .. status .. " " .. body .. "\\n")
  end
end
"""


def start_server(where: list[str], port: int) -> subprocess.Popen:
    """``argmap <where> serve`` of this tree on ``port``, once it answers ``GET /maps``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("ARGMAP_TOKEN", None)
    env.pop("ARGMAP_READ_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "argmap.cli", *where, "serve", "--port", str(port)],
                            env=env, cwd=str(REPO), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"argmap serve exited ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/maps", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("argmap serve did not answer within 120 s")


def plain_duckdb(folder: Path, seconds: float, tag: str = "") -> float:
    """Baseline: transactions/s of one DuckDB connection inserting one statement row per transaction."""
    import duckdb

    con = duckdb.connect(str(folder / f"plain{tag}.duckdb"))
    con.execute("CREATE TABLE statements (map_id VARCHAR NOT NULL, id VARCHAR NOT NULL, seq BIGINT NOT NULL, "
                "text VARCHAR NOT NULL, kind VARCHAR NOT NULL, tags VARCHAR[] NOT NULL DEFAULT [], "
                "PRIMARY KEY (map_id, id))")
    con.execute("CREATE INDEX statements_id ON statements (id)")
    n, stop = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < stop:
        con.begin()
        con.execute("INSERT INTO statements (map_id, id, seq, text, kind) VALUES ($m, $id, $seq, $t, 'claim')",
                    {"m": "peace-plan", "id": f"p{n}", "seq": n, "t": f"A small write, number {n}."})
        con.commit()
        n += 1
    rate = n / (time.perf_counter() - start)
    con.close()
    return rate


def same_rows(folder: Path, seconds: float, tag: str = "") -> float:
    """Baseline: transactions/s of one DuckDB connection committing, one transaction per write,
    the rows one of our small writes stores (in an argmap database, so with the same tables and
    indexes): the statement or the argument and its premise, the map's new version, and the
    change log's two rows."""
    import duckdb

    db = folder / f"same-rows{tag}.duckdb"
    with Store(db) as store:
        store.load_map(load(SEED))
    con = duckdb.connect(str(db))
    # The change log's two rows (the version's own, the entity's), in one INSERT as the store writes them.
    log = ("INSERT INTO change_log (map_id, version, kind, id, seq, before, after) VALUES "
           "('peace-plan', $v, NULL, NULL, epoch_us(now()), NULL, $s), ('peace-plan', $v, $k, $id, $v, NULL, $doc)")
    n, stop = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < stop:
        i, v = f"p{n}", 1_000_000 + n
        con.begin()
        if n % 2 == 0:
            con.execute("INSERT INTO statements (map_id, id, seq, text, kind) VALUES ('peace-plan', $id, $v, $t, 'claim')",
                        {"id": i, "v": v, "t": f"A small write, number {n}."})
        else:
            con.execute("INSERT INTO arguments (map_id, id, seq, kind, target_id) "
                        "VALUES ('peace-plan', $id, $v, 'support', 'victims-silenced')", {"id": i, "v": v})
            con.execute("INSERT INTO premises (map_id, argument_id, position, statement_id) "
                        "VALUES ('peace-plan', $id, 0, $p)", {"id": i, "p": f"p{n - 1}"})
        con.execute("UPDATE maps SET version = $v WHERE id = 'peace-plan'", {"v": v})
        con.execute(log, {"v": v, "k": "statement" if n % 2 == 0 else "argument", "id": i, "doc": '{"id": "%s"}' % i,
                          "s": '{"action": "write", "summary": "added %s", "changes": 1}' % i})
        con.commit()
        n += 1
    rate = n / (time.perf_counter() - start)
    con.close()
    return rate


def store_alone(folder: Path, seconds: float, clients: int) -> tuple[float, float]:
    """The same writes as the HTTP run, ``clients`` threads calling the Store in this process (no
    HTTP): writes/s and CPU milliseconds a write (this process, every thread)."""
    from argmap.model import Argument

    db = folder / "alone.duckdb"
    with Store(db) as store:
        store.load_map(load(SEED))
        premises = [s.id for s in store.list_statements("peace-plan") if s.id != "victims-silenced"][:20]
        done = [0] * clients
        stop = time.perf_counter() + seconds

        def client(k: int) -> None:
            n = 0
            while time.perf_counter() < stop:
                n += 1
                if n % 2:
                    store.add_statement("peace-plan", Statement(id=f"a{k}-{n}", text=f"A small write, number {n}."))
                else:
                    store.add_argument("peace-plan", Argument(id=f"a{k}-{n}", kind="support",
                                                              premises=[premises[n % len(premises)]],
                                                              target="victims-silenced"))
                done[k] += 1

        start, cpu = time.perf_counter(), time.process_time()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
    return sum(done) / took, cpu * 1000 / max(sum(done), 1)


def _commits(port: int) -> float:
    """The server's database commits of write groups so far (its /metrics)."""
    return metric(f"http://127.0.0.1:{port}", "argmap_write_group_size_count")


def small_writes(folder: Path, args) -> None:
    db = folder / "small.duckdb"
    with Store(db) as store:
        store.load_map(load(SEED))
        premises = [s.id for s in store.list_statements("peace-plan") if s.id != "victims-silenced"][:20]
    # The baselines run before and after the server (their mean is the ratio's): on a shared
    # machine, a disk busy in one of the two minutes moves a baseline's commits several-fold.
    bases = [plain_duckdb(folder, args.duration / 2)]
    sames = [same_rows(folder, args.duration / 2)]
    alone, alone_cpu = store_alone(folder, args.duration, args.clients)
    port = free_port()
    proc = start_server(["--db", str(db)], port)
    try:
        script = folder / "writes.lua"
        script.write_text(_WRITES_LUA % ", ".join(f'"{p}"' for p in premises))
        cpu0, commits0 = cpu_seconds(proc.pid), _commits(port)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{args.clients}", f"-d{args.duration}s", "--timeout", "30s", "--latency",
             "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=args.duration + 60, check=True)
        if out.stderr.strip():
            print(out.stderr.strip()[:1000])
        out = out.stdout
        cpu, commits = cpu_seconds(proc.pid) - cpu0, _commits(port) - commits0
    finally:
        stop_server(proc)
    bases.append(plain_duckdb(folder, args.duration / 2, "-after"))
    sames.append(same_rows(folder, args.duration / 2, "-after"))
    base, same = statistics.mean(bases), statistics.mean(sames)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    lat = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    with Store(db, read_only=True) as store:
        kept = store.counts("peace-plan")
    print(f"small writes, {args.clients} clients (wrk), DuckDB file: {rps:,.0f} /s  p50 {lat['50']}  p99 {lat['99']}"
          f"  refused {int(bad[1]) if bad else 0}")
    print(f"  baseline, plain DuckDB one INSERT per transaction: {base:,.0f} tx/s (before / after the server: "
          f"{bases[0]:,.0f} / {bases[1]:,.0f})  -> ratio {rps / base:.2f}")
    print(f"  baseline, plain DuckDB committing the rows of one write per transaction (row, version, log): "
          f"{same:,.0f} tx/s ({sames[0]:,.0f} / {sames[1]:,.0f})  -> ratio {rps / same:.2f}")
    print(f"  stored after the run: {kept.statements} statements, {kept.arguments} arguments")
    writes = rps * args.duration
    print(f"  the server's CPU: {cpu * 1000 / writes:.2f} ms a write ({cpu / args.duration:.2f} of "
          f"{os.cpu_count()} cores busy); {writes / commits if commits else 0:.1f} writes a commit "
          f"({commits:,.0f} commits, from /metrics)")
    print(f"  the store alone, {args.clients} threads calling it in one process (no HTTP): {alone:,.0f} /s, "
          f"CPU {alone_cpu:.2f} ms a write -> HTTP takes {max(cpu * 1000 / writes - alone_cpu, 0):.2f} ms a write")


def imports(folder: Path, args) -> None:
    if AIF is None:
        print("import: ../shared/external/aif/araucaria not found; skipped")
        return
    files = sorted(AIF.glob("*.json"))
    raw = [(f.name, f.read_bytes()) for f in files]
    t = time.perf_counter()
    for _, data in raw:
        json.loads(data)
    base = time.perf_counter() - t
    for label in ("one by one", "bulk"):
        db = folder / f"import-{label.replace(' ', '-')}.duckdb"
        with Store(db) as store:
            store.load_map(load(SEED))
        port = free_port()
        proc = start_server(["--db", str(db)], port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as c:
                t = time.perf_counter()
                if label == "one by one":
                    for name, data in raw:
                        r = c.post("/maps/import", content=data, headers={"content-type": "application/json"},
                                   params={"id": name.split(".")[0]})
                        assert r.status_code == 201, r.text
                    refused = 0
                else:
                    body = b"".join(msgspec.json.encode({"name": n, "document": msgspec.Raw(d)}) + b"\n"
                                    for n, d in raw)
                    r = c.post("/maps/import", content=body, headers={"content-type": "application/x-ndjson"})
                    summary = json.loads(r.text.strip().splitlines()[-1])
                    refused = summary["refused"]
                elapsed = time.perf_counter() - t
        finally:
            stop_server(proc)
        print(f"import of {len(raw)} AIF nodesets, {label}: {elapsed:.2f} s"
              f"{f'  (refused {refused})' if refused else ''}")
    print(f"  baseline, json.loads of every file: {base:.3f} s")


def search_after_write(folder: Path, args) -> None:
    db = folder / "search.duckdb"
    with Store(db) as store:
        store.load_map(generate(args.statements, args.statements * 2))
        store.search(MAP_ID, "front")  # built once
        warm, first = [], []
        for i in range(args.writes):
            q = SEARCHES[i % len(SEARCHES)]
            for _ in range(3):
                t = time.perf_counter()
                store.search(MAP_ID, q)
                warm.append(time.perf_counter() - t)
            store.add_statement(MAP_ID, Statement(id=f"new-{i}", text=f"Kupiansk front line report {i}."))
            t = time.perf_counter()
            store.search(MAP_ID, q)
            first.append(time.perf_counter() - t)
    ms = lambda xs, p: f"{percentile(xs, p) * 1000:.1f} ms"  # noqa: E731
    print(f"search at {args.statements:,} statements: warm p50 {ms(warm, 50)} p99 {ms(warm, 99)}; "
          f"first after a write p50 {ms(first, 50)} p99 {ms(first, 99)}  "
          f"-> p99 ratio {percentile(first, 99) / percentile(warm, 99):.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["small", "import", "search"], action="append",
                    help="Run only this part (repeatable)")
    ap.add_argument("--duration", type=int, default=10, help="Seconds of writing (small) and of the baseline")
    ap.add_argument("--clients", type=int, default=8, help="wrk connections writing at once")
    ap.add_argument("--statements", type=int, default=100_000, help="Statements of the search map")
    ap.add_argument("--writes", type=int, default=40, help="Writes, each followed by a search (search)")
    args = ap.parse_args()
    parts = args.only or ["small", "import", "search"]
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="argmap-writes-") as tmp:
        for part in parts:
            {"small": small_writes, "import": imports, "search": search_after_write}[part](Path(tmp), args)


if __name__ == "__main__":
    main()
