"""Crash safety: SIGKILL the real server (and ``argmap load``) at random moments, restart, and
check that every acknowledged write is there and nothing is half-written.

A write acknowledged with 2xx must survive; a write whose answer never came (the kill cut it)
may be absent or present, but only whole: a map with all its statements and arguments, never
an argument without its premises. ``Store.check_integrity()`` must be empty after every crash.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from argmap.store import Store
from argmap.store._history import check as check_log
from reliability_server import ARGMAP, SEED, Server, report, run_env

WRITERS = 4


def _small_map(map_id: str, n: int = 6) -> dict:
    """A map whose arguments need its statements: a half-written load would show."""
    sts = [{"id": f"s{i}", "text": f"statement {i} of {map_id}"} for i in range(n)]
    args = [{"id": f"a{i}", "kind": "support" if i % 2 else "attack", "premises": [f"s{i}", f"s{i + 1}"],
             "target": "s0"} for i in range(1, n - 1)]
    return {"id": map_id, "title": map_id, "statements": sts, "arguments": args}


@dataclass
class Ledger:
    """What the writers were told: acknowledged writes, and writes whose answer never came."""

    acked: list[tuple[str, str, dict]] = field(default_factory=list)  # (kind, key, body)
    unknown: list[tuple[str, str, dict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a thread's assertion would otherwise vanish
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ok: bool | None, entry) -> None:
        """``ok``: True for 2xx, False for a refusal (4xx, nothing to check), None for no answer."""
        if ok is False:
            return
        with self.lock:
            (self.acked if ok else self.unknown).append(entry)


def _writer(url: str, tag: str, ledger: Ledger, stop: threading.Event) -> None:
    rnd = random.Random(tag)
    with httpx.Client(base_url=url, timeout=10) as c:
        i = 0
        while not stop.is_set():
            i += 1
            choice = rnd.random()
            if choice < 0.3:  # a whole map in one transaction
                body, entry_kind, key = _small_map(f"m-{tag}-{i}"), "map", f"m-{tag}-{i}"
                req = ("POST", "/maps")
            elif choice < 0.65:  # a statement on the seed map
                key = f"st-{tag}-{i}"
                body, entry_kind, req = {"id": key, "text": f"said {key}"}, "statement", ("POST", "/maps/peace-plan/statements")
            else:  # an argument whose premise is a seed statement
                key = f"arg-{tag}-{i}"
                body = {"id": key, "kind": "support", "premises": ["victims-silenced"], "target": "no-peace-without-ukraine-and-europe"}
                entry_kind, req = "argument", ("POST", "/maps/peace-plan/arguments")
            try:
                r = c.request(*req, json=body)
            except httpx.TransportError:
                ledger.record(None, (entry_kind, key, body))
                return  # the server is gone: this writer's round is over
            if r.status_code >= 500 or r.status_code in (400, 404, 422):
                ledger.errors.append(f"{req} answered {r.status_code}: {r.text[:300]}")
                return
            ledger.record(r.status_code < 300, (entry_kind, key, body))


def _present(c: httpx.Client, kind: str, key: str, body: dict) -> bool:
    """Whether the write is in the database, whole; a half-written map fails the test."""
    if kind == "map":
        r = c.get(f"/maps/{key}.json")
        if r.status_code == 404:
            return False
        got = r.json()
        assert [s["id"] for s in got["statements"]] == [s["id"] for s in body["statements"]], key
        assert [(a["id"], a["premises"]) for a in got["arguments"]] == [(a["id"], a["premises"]) for a in body["arguments"]]
        return True
    r = c.get(f"/maps/peace-plan/{kind}s/{key}")
    assert r.status_code in (200, 404), r.text[:200]
    if r.status_code == 200:
        got = r.json()
        assert all(got[k] == v for k, v in body.items()), (got, body)
    return r.status_code == 200


def _kill_rounds(tmp_path: Path, rounds: int, seed: int) -> dict:
    rnd = random.Random(seed)
    db = tmp_path / "crash.duckdb"
    server = Server(db, seed=SEED)
    ledger = Ledger()
    figures = {"kills": 0, "acked": 0, "unknown": 0, "unknown_present": 0}
    try:
        for r in range(rounds):
            server.start()
            stop = threading.Event()
            threads = [threading.Thread(target=_writer, args=(server.url, f"r{r}w{w}", ledger, stop), daemon=True)
                       for w in range(WRITERS)]
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(0.2, 1.5))
            server.kill()  # SIGKILL, mid-write
            figures["kills"] += 1
            stop.set()
            for t in threads:
                t.join(15)
                assert not t.is_alive()
        assert ledger.errors == []
        server.start()
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for kind, key, body in ledger.acked:
                assert _present(c, kind, key, body), f"acknowledged {kind} {key} was lost"
            for kind, key, body in ledger.unknown:
                figures["unknown_present"] += _present(c, kind, key, body)
        server.stop()
    finally:
        server.kill()
    with Store(db) as store:
        assert store.check_integrity() == []
        assert check_log(store) == [], "the change log and the data disagree"
        assert store.counts("peace-plan").statements >= 70
    figures["acked"], figures["unknown"] = len(ledger.acked), len(ledger.unknown)
    assert figures["acked"] >= rounds * 5, "the writers barely wrote: the test proves little"
    report("server kills", figures)
    return figures


@pytest.mark.parametrize("rounds, seed", [(4, 1), pytest.param(8, 2, marks=pytest.mark.slow, id="long")])
def test_acknowledged_writes_survive_sigkill(tmp_path, rounds, seed):
    _kill_rounds(tmp_path, rounds=rounds, seed=seed)


# -- argmap load, killed mid-load -----------------------------------------------------------


def _big_map_file(path: Path, n: int) -> Path:
    doc = _small_map("big", n)
    doc["arguments"] += [{"id": f"b{i}", "kind": "support", "premises": [f"s{i}"], "target": f"s{i + 1}"}
                         for i in range(1, n - 1)]
    path.write_text(json.dumps(doc))
    return path


def _load(db: Path, file: Path) -> subprocess.Popen:
    return subprocess.Popen([*ARGMAP, "--db", str(db), "load", str(file)], env=run_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _kill_loads(tmp_path: Path, times: int, seed: int) -> dict:
    rnd = random.Random(seed)
    big = _big_map_file(tmp_path / "big.json", 20_000)
    db = tmp_path / "load.duckdb"
    with Store(db) as store:
        from argmap.mapfile import load

        store.load_map(load(SEED))
        seed_counts = store.counts("peace-plan")
    t0 = time.monotonic()
    p = _load(tmp_path / "timing.duckdb", big)
    assert p.wait(120) == 0, p.stderr.read().decode()
    duration = time.monotonic() - t0
    outcomes = {"unchanged": 0, "loaded": 0}
    for _ in range(times):
        p = _load(db, big)
        time.sleep(rnd.uniform(0.05, duration * 1.1))  # a few land after the commit
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(30)
        with Store(db) as store:
            assert store.check_integrity() == []
            assert check_log(store) == [], "the change log and the data disagree"
            assert store.counts("peace-plan") == seed_counts
            maps = {m.id: m.counts for m in store.list_maps()}
            if "big" in maps:
                assert maps["big"].statements == 20_000
                assert maps["big"].arguments == len(json.loads(big.read_text())["arguments"])
                outcomes["loaded"] += 1
                store.delete_map("big")
            else:
                outcomes["unchanged"] += 1
    assert outcomes["unchanged"] >= 1, "no kill landed before the commit: the test proves nothing"
    report(f"load kills (a load takes {duration:.1f} s)", outcomes)
    return outcomes


@pytest.mark.parametrize("times, seed", [(3, 3), pytest.param(10, 4, marks=pytest.mark.slow, id="long")])
def test_argmap_load_killed_mid_load_leaves_all_or_nothing(tmp_path, times, seed):
    _kill_loads(tmp_path, times=times, seed=seed)
