"""Two ``argmap serve`` processes on one DuckLake catalog, standing for two machines behind a
load balancer: written through at once, they lose no acknowledged write, never keep an
argument without its premises, and refuse bad writes exactly as a server on a DuckDB file does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

import reaper
from pgcluster import free_port

from argmap.api import create_app
from argmap.mapfile import load
from argmap.store import Store
from argmap.store._leader import Leadership

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
MAP = "peace-plan"
THREADS, PAIRS = 8, 3  # each thread adds PAIRS statements, each with an argument that uses it


def _serve(lake: str, data_path: str, tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("ARGMAP_TOKEN", None)
    env.pop("ARGMAP_READ_TOKEN", None)
    log = open(tmp / f"serve-{port}.log", "wb")
    proc = reaper.watch(subprocess.Popen(
        [sys.executable, "-m", "argmap.cli", "--lake", lake, "--data-path", data_path,
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp, start_new_session=True,
    ))
    return proc, f"http://127.0.0.1:{port}"


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"argmap serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/maps", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"argmap serve did not answer within 60 s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def servers(postgres, tmp_path_factory):
    """Two servers on one lake holding the seed map (the catalog made first, as an admin would)."""
    lake, data_path = postgres.new_lake()
    with Store(lake=lake, data_path=data_path) as store:
        store.load_map(load(SEED))
    tmp = tmp_path_factory.mktemp("serve")
    started = [_serve(lake, data_path, tmp) for _ in range(2)]
    try:
        for proc, url in started:
            _wait(url, proc, tmp / f"serve-{url.rsplit(':', 1)[1]}.log")
        yield [url for _, url in started]
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, _ in started:
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                proc.kill()  # every acknowledged write is committed: nothing to wait for
                proc.wait()
            reaper.unwatch(proc)


@pytest.fixture(scope="module")
def file_api():
    """The same seed map behind an app on a DuckDB file: the reference for refusals."""
    store = Store(":memory:")
    store.load_map(load(SEED))
    with TestClient(create_app(store=store)) as client:
        yield client
    store.close()


def test_writes_through_two_servers_at_once_are_all_kept_and_seen_by_both(servers):
    r = httpx.post(f"{servers[0]}/maps/{MAP}/statements", json={"id": "t-root", "text": "What all threads support"})
    assert r.status_code == 201, r.text
    acknowledged: list[tuple[str, str]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def writer(t: int) -> None:
        with httpx.Client(timeout=60) as client:
            for i in range(PAIRS):
                url = servers[(t + i) % 2]  # alternate, as a load balancer would
                sid, aid = f"t{t}-s{i}", f"t{t}-a{i}"
                r = client.post(f"{url}/maps/{MAP}/statements", json={"id": sid, "text": f"thread {t} says {i}"})
                if r.status_code != 201:
                    with lock:
                        failures.append(f"{sid}: {r.status_code} {r.text}")
                    continue
                with lock:
                    acknowledged.append(("statements", sid))
                url = servers[(t + i + 1) % 2]  # the premise was written through the other server
                r = client.post(f"{url}/maps/{MAP}/arguments", json={
                    "id": aid, "kind": "support", "premises": [sid], "target": "t-root"})
                with lock:
                    (acknowledged.append(("arguments", aid)) if r.status_code == 201
                     else failures.append(f"{aid}: {r.status_code} {r.text}"))

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A 409 (conflicts retried to the end) would be an honest refusal, but with two servers
    # the bounded retries must absorb every clash.
    assert not failures, failures[:5]
    assert len(acknowledged) == 2 * THREADS * PAIRS

    for url in servers:
        arguments = _all(url, "arguments")
        seen = {"statements": {s["id"] for s in _all(url, "statements")}, "arguments": {a["id"] for a in arguments}}
        assert {(k, i) for k, i in acknowledged} <= {(k, i) for k in seen for i in seen[k]}, url
        assert all(set(a["premises"]) <= seen["statements"] for a in arguments), url
        assert all(a["target"] in seen["statements"] or a["kind"] == "undercut" for a in arguments), url


def _all(url: str, kind: str) -> list[dict]:
    items, offset = [], 0
    while offset is not None:
        page = httpx.get(f"{url}/maps/{MAP}/{kind}", params={"offset": offset}, timeout=60).json()
        items += page["items"]
        offset = page["next_offset"]
    return items


BAD_WRITES = [
    ("POST", "/maps/peace-plan/statements", {"id": "victims-silenced", "text": "again"}),
    ("POST", "/maps/peace-plan/statements", {"id": "new-s", "text": "x", "speaker": "nobody"}),
    ("POST", "/maps/peace-plan/arguments",
     {"id": "new-a", "kind": "support", "premises": ["nowhere"], "target": "victims-silenced"}),
    ("POST", "/maps/peace-plan/arguments",
     {"id": "new-a", "kind": "undercut", "premises": ["victims-silenced"], "target": "victims-silenced"}),
    ("POST", "/maps/peace-plan/speakers", {"id": "trump"}),
    ("POST", "/maps/atlantis/statements", {"id": "new-s", "text": "x"}),
    ("POST", "/maps", {"id": "peace-plan", "title": "again"}),
    ("DELETE", "/maps/peace-plan/statements/victims-silenced", None),
    ("POST", "/maps/peace-plan/statements", {"id": "new-s", "text": "x", "kind": "rumour"}),
]


@pytest.mark.parametrize("method, path, body", BAD_WRITES, ids=[f"{m} {p} {b and b.get('id')}" for m, p, b in BAD_WRITES])
def test_a_bad_write_is_refused_by_a_lake_server_as_by_a_file_server(servers, file_api, method, path, body):
    expected = file_api.request(method, path, json=body)
    assert expected.status_code >= 400, expected.text
    for url in servers:
        got = httpx.request(method, url + path, json=body, timeout=60)
        assert (got.status_code, got.json()) == (expected.status_code, expected.json())


def _metric(url: str, name: str) -> float:
    lines = httpx.get(f"{url}/metrics", timeout=30).text.splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.split(" ")[0] == name)


def _written_by(url: str, sid: str) -> str | None:
    r = httpx.post(f"{url}/maps/{MAP}/statements", json={"id": sid, "text": f"said as {sid}"}, timeout=60)
    assert r.status_code == 201, r.text
    return r.headers.get("x-argmap-written-by")


def test_one_server_leads_the_writes_and_the_other_hands_it_its_own(servers):
    # The first server to start leads; a write sent to the other is made by the leader (and
    # says so), so the writes of both share the leader's group commits.
    by = {url: _written_by(url, f"lead-{i}") for i, url in enumerate(servers)}
    leaders = [url for url, written_by in by.items() if written_by is None]
    assert len(leaders) == 1, by
    follower = next(url for url in servers if url not in leaders)
    assert by[follower] == leaders[0]
    # The operator sees it on /metrics and from the command line.
    assert _metric(leaders[0], "argmap_lake_leading") == 1 and _metric(follower, "argmap_lake_leading") == 0
    assert _metric(follower, "argmap_writes_forwarded_total") >= 1
    for url in servers:  # and each reads both at once
        ids = {s["id"] for s in _all(url, "statements")}
        assert {"lead-0", "lead-1"} <= ids


@contextmanager
def _leader_and_follower(postgres, tmp: Path):
    """Two servers on a new lake holding the seed map, the first started first (it leads):
    ``(lake, data_path, first, second)``, each server a ``(process, url)``; killed after."""
    lake, data_path = postgres.new_lake()
    with Store(lake=lake, data_path=data_path) as store:
        store.load_map(load(SEED))
    started = []
    try:
        for _ in range(2):  # one after the other: the first to start leads
            started.append(_serve(lake, data_path, tmp))
            _wait(started[-1][1], started[-1][0], tmp / f"serve-{started[-1][1].rsplit(':', 1)[1]}.log")
        yield lake, data_path, started[0], started[1]
    finally:
        for proc, _ in started:
            proc.kill()
            proc.wait()
            reaper.unwatch(proc)


def test_when_the_leader_stops_the_other_server_writes_itself_and_takes_the_lead(postgres, tmp_path):
    with _leader_and_follower(postgres, tmp_path) as (lake, data_path, first, second):
        assert _written_by(second[1], "before") == first[1]
        where = ["--lake", lake, "--data-path", data_path]
        assert _cli(*where, "lake", "leader").stdout.strip() == first[1]
        first[0].kill()  # as a machine that dies: its session, and its lead, end with it
        first[0].wait()
        # At once: the leader does not answer, so the write is made here, not refused.
        assert _written_by(second[1], "at-once") is None
        deadline = time.monotonic() + 10
        while second[1] not in _leaders(lake):
            assert time.monotonic() < deadline, "the second server never took the lead"
            time.sleep(0.2)
        assert {"before", "at-once"} <= {s["id"] for s in _all(second[1], "statements")}
        assert _cli(*where, "lake", "leader").stdout.strip() == second[1]
        second[0].kill()
        second[0].wait()
        gone = _cli(*where, "lake", "leader")
        assert gone.returncode == 1 and "no server leads" in gone.stdout


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "argmap.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def _leaders(lake: str) -> list[str]:
    look = Leadership(lake[len("postgres:"):], None)
    try:
        return [a for a in [look.leader()] if a]
    finally:
        look.close()


def test_writes_through_a_follower_while_the_leader_is_killed_lose_nothing_acknowledged(postgres, tmp_path):
    # Writers keep posting to the second server (which forwards to the first, the leader) while
    # the leader is SIGKILLed: every write acknowledged is kept; one in flight at the leader at
    # that moment is answered 502 (whether it was made is unknown), never a 5xx of ours.
    acknowledged, unknown, wrong, after = [], [], [], []
    stop, killed = threading.Event(), threading.Event()

    def writer(t: int) -> None:
        with httpx.Client(timeout=60) as client:
            i = 0
            while not stop.is_set():
                sid = f"k{t}-{i}"
                r = client.post(f"{second[1]}/maps/{MAP}/statements", json={"id": sid, "text": f"kept? {sid}"})
                (acknowledged if r.status_code == 201 else unknown if r.status_code == 502 else wrong).append(
                    sid if r.status_code in (201, 502) else f"{sid}: {r.status_code} {r.text}")
                if r.status_code == 201 and killed.is_set():
                    after.append(sid)
                i += 1

    with _leader_and_follower(postgres, tmp_path) as (lake, data_path, first, second):
        threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        try:
            for t in threads:
                t.start()
            time.sleep(1.5)
            first[0].kill()
            first[0].wait()
            killed.set()
            time.sleep(2.5)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        assert wrong == []
        assert len(acknowledged) >= 20, "the writers barely wrote: the test proves little"
        assert len(after) >= 4, "the second server did not go on writing once the leader was gone"
        kept = {s["id"] for s in _all(second[1], "statements")}
        assert set(acknowledged) <= kept
        with Store(lake=lake, data_path=data_path) as store:
            assert store.check_integrity() == []
