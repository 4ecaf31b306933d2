"""The most expensive request of each documented kind, against GET /maps from another client.

Starts ``argmap serve`` on a fresh database (the seed map and a 10,001-statement support
chain), measures ``GET /maps`` latency alone (the baseline), then again while one client sends
each expensive request in turn (supporters/attackers depth=all on the chain, /af/solve at its
size limit, a preferred evaluation, diagram, briefing PDF, timeline PDF, the chain's AIF export
and its import back, a 2 MB Argdown import). Prints p50/p99 of both, and for each expensive
request its status, bytes sent and answered (and their ratio), time, and the server process's
peak resident memory during it over what it held before (VmHWM, reset before each request
through /proc/PID/clear_refs; PDF and import children are other processes, each under its own
RLIMIT_AS). The figures go to the README (Limits) and tests/reliability/test_expensive_requests.py
holds generous bounds on them.

    python benchmarks/hostile.py            # ~4 minutes on a 2-core machine
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import msgspec

ROOT = Path(__file__).resolve().parents[1]
ARGMAP = str(Path(sys.executable).parent / "argmap")


def _chain(n: int) -> bytes:
    return msgspec.json.encode({
        "id": "chain", "title": "Chain",
        "statements": [{"id": f"s{i}", "text": f"Statement number {i} of the chain."} for i in range(n)],
        "arguments": [{"id": f"a{i}", "kind": "support", "premises": [f"s{i + 1}"], "target": f"s{i}"}
                      for i in range(n - 1)]})


def _argdown(size: int) -> bytes:
    lines, i = [], 0
    while sum(map(len, lines)) < size:
        lines.append(f"[c{i}]: Claim number {i} of a long document.\n  <+ [p{i}]: Premise {i} for it.\n\n")
        i += 1
    return "".join(lines).encode()


EXPENSIVE = [
    ("supporters depth=all (10,001 chain)", "GET", "/maps/chain/statements/s0/supporters?depth=all", None, None),
    ("attackers depth=all (10,001 chain)", "GET", "/maps/chain/statements/s0/attackers?depth=all", None, None),
    ("af/solve p af 100000, ee preferred", "POST", "/af/solve?format=i23&task=ee&semantics=preferred&limit=1000",
     "p af 100000\n" + "".join(f"{2*i+1} {2*i+2}\n{2*i+2} {2*i+1}\n" for i in range(10)), "text/plain"),
    ("af/solve p af 10000000 (refused)", "POST", "/af/solve?format=i23&task=se&semantics=grounded",
     "p af 10000000\n", "text/plain"),
    ("evaluation preferred (seed)", "GET", "/maps/peace-plan/evaluation?semantics=preferred", None, None),
    ("evaluation preferred again (cached)", "GET", "/maps/peace-plan/evaluation?semantics=preferred", None, None),
    ("diagram.svg (seed)", "GET", "/maps/peace-plan/diagram.svg", None, None),
    ("briefing.pdf (seed)", "GET", "/maps/peace-plan/briefing.pdf", None, None),
    ("HEAD briefing.pdf", "HEAD", "/maps/peace-plan/briefing.pdf", None, None),
    ("timeline.pdf (seed)", "GET", "/maps/peace-plan/timeline.pdf", None, None),
    ("AIF export (10,001 chain)", "GET", "/maps/chain.aif.json", None, None),
    ("AIF import of that export", "POST", "/maps/import?id=chain-again", "AIF", "application/json"),
    ("Argdown import, 2 MB", "POST", "/maps/import?format=argdown&id=big-import", _argdown(2_000_000), "text/x-argdown"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _peak_rss(pid: int) -> int:
    return _status(pid, "VmHWM")


def reset_peak(pid: int) -> int:
    """Reset the process's peak resident memory to what it holds now (Linux: clear_refs 5); return that."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _status(pid, "VmRSS")


def expensive(url: str, pid: int, requests=None, on_phase=None) -> list[tuple]:
    """Send each expensive request in turn; rows of (name, status, sent, answered, seconds, peak over before)."""
    rows = []
    aif_export = b""
    with httpx.Client(timeout=300) as c:
        for name, method, path, body, ctype in requests or EXPENSIVE:
            if on_phase:
                on_phase(name)
            if body == "AIF":
                body = aif_export
            before = reset_peak(pid)
            start = time.perf_counter()
            r = c.request(method, url + path, content=body, headers={"content-type": ctype} if ctype else {})
            secs = time.perf_counter() - start
            grew = _peak_rss(pid) - before
            if path.endswith(".aif.json"):
                aif_export = r.content
            sent = len(body.encode() if isinstance(body, str) else body or b"") + len(path)
            rows.append((name, r.status_code, sent, len(r.content), secs, grew))
    return rows


PHASE = ["idle"]
"""What the other client is sending while a probe runs (the slowest probes, by phase)."""


def _probe(url: str, stop: threading.Event, out: list[float], phases: list[str] | None = None) -> None:
    with httpx.Client(timeout=30) as c:
        while not stop.is_set():
            t = time.perf_counter()
            phase = PHASE[0]
            c.get(url + "/maps").raise_for_status()
            out.append(time.perf_counter() - t)
            if phases is not None:
                phases.append(phase)
            time.sleep(0.02)


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="argmap-hostile-")
    db = os.path.join(tmp, "bench.duckdb")
    subprocess.run([ARGMAP, "--db", db, "load", str(ROOT / "seeds" / "peace-plan.yaml")], check=True,
                   capture_output=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([ARGMAP, "--db", db, "serve", "--port", str(port), "--log-format", "none"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        httpx.post(url + "/maps", content=_chain(10_001), headers={"content-type": "application/json"},
                   timeout=120).raise_for_status()
        base: list[float] = []
        stop = threading.Event()
        t = threading.Thread(target=_probe, args=(url, stop, base))
        t.start()
        time.sleep(10)
        stop.set()
        t.join()
        loaded: list[float] = []
        phases: list[str] = []
        stop = threading.Event()
        t = threading.Thread(target=_probe, args=(url, stop, loaded, phases))
        t.start()
        rows = expensive(url, server.pid, on_phase=lambda name: PHASE.__setitem__(0, name))
        stop.set()
        t.join()
        peak = _peak_rss(server.pid)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)  # the database: a few MB per run
    print(f"{'request':42} {'status':>6} {'sent B':>10} {'answer B':>12} {'x sent':>9} {'s':>7} {'+peak MiB':>10}")
    for name, status, sent, got, secs, grew in rows:
        print(f"{name:42} {status:>6} {sent:>10,} {got:>12,} {got / sent:>9.1f} {secs:>7.2f} {grew / 2**20:>10.0f}")
    print(f"GET /maps alone:        n={len(base):4} p50 {_pct(base, .5):6.1f} ms  p99 {_pct(base, .99):6.1f} ms")
    print(f"GET /maps under load:   n={len(loaded):4} p50 {_pct(loaded, .5):6.1f} ms  p99 {_pct(loaded, .99):6.1f} ms"
          f"  (x{_pct(loaded, .99) / max(_pct(base, .99), 0.001):.1f} the baseline p99; max {max(loaded) * 1000:.0f} ms)")
    print(f"server peak resident memory: {peak / 2**20:.0f} MiB")
    by_phase: dict[str, list[float]] = {}
    for x, phase in zip(loaded, phases):
        by_phase.setdefault(phase, []).append(x)
    for phase, xs in by_phase.items():
        print(f"  while {phase:42} n={len(xs):4} p99 {_pct(xs, .99):7.1f} ms  max {max(xs) * 1000:7.0f} ms")
    if statistics.fmean(loaded) <= 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
