"""Concurrency: many readers and writers on one map of the real server, over TCP (bounded).

No answer but 2xx and the documented 409; every acknowledged write is there at the end with its
last acknowledged value (no lost update); a reader never sees a map half-loaded or a deleted
map half-gone; of racing creates of one id exactly one wins.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from reliability_server import SEED, Server, report


def _whole_map(map_id: str, n: int = 8) -> dict:
    sts = [{"id": f"s{i}", "text": f"statement {i}"} for i in range(n)]
    args = [{"id": f"a{i}", "kind": "support", "premises": [f"s{i}"], "target": "s0"} for i in range(1, n)]
    return {"id": map_id, "title": map_id, "statements": sts, "arguments": args}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("conc") / "db.duckdb", seed=SEED).start()
    yield s
    s.kill()


def _run(server: Server, seconds: float, readers: int, writers: int, run: str) -> dict:
    stop = time.monotonic() + seconds
    errors: list[str] = []
    figures = {"reads": 0, "writes": 0, "conflicts": 0}
    lock = threading.Lock()
    last: dict[str, str] = {}  # statement id -> text of its last acknowledged write

    def count(key: str) -> None:
        with lock:
            figures[key] += 1

    def writer(w: int) -> None:
        rnd = random.Random(w)
        w = f"{run}{w}"
        with httpx.Client(base_url=server.url, timeout=30) as c:
            own = f"w{w}-own"
            r = c.post("/maps/peace-plan/statements", json={"id": own, "text": "v0"})
            if r.status_code != 201:
                errors.append(f"create {own}: {r.status_code} {r.text[:200]}")
                return
            last[own] = "v0"
            i = 0
            while time.monotonic() < stop:
                i += 1
                op = rnd.random()
                if op < 0.4:  # change my own statement: the final text must be my last acknowledged one
                    r = c.patch(f"/maps/peace-plan/statements/{own}", json={"text": f"v{i}"})
                    if r.status_code == 200:
                        last[own] = f"v{i}"
                elif op < 0.7:  # a whole map appears in one transaction, then goes
                    mid = f"cm-{w}-{i}"
                    r = c.post("/maps", json=_whole_map(mid))
                    if r.status_code == 201 and rnd.random() < 0.5:
                        count("writes")
                        r = c.delete(f"/maps/{mid}", params={"confirm": "true"})
                else:  # a statement and an argument resting on it
                    sid = f"cs-{w}-{i}"
                    r = c.post("/maps/peace-plan/statements", json={"id": sid, "text": sid})
                    if r.status_code == 201:
                        count("writes")
                        r = c.post("/maps/peace-plan/arguments", json={
                            "id": f"ca-{w}-{i}", "kind": "attack", "premises": [sid], "target": "victims-silenced"})
                        if r.status_code == 201:
                            last[f"arg:ca-{w}-{i}"] = sid
                if r.status_code == 409:
                    count("conflicts")
                elif r.status_code >= 300:
                    errors.append(f"write: {r.status_code} {r.text[:200]}")
                count("writes")

    def reader(k: int) -> None:
        rnd = random.Random(100 + k)
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while time.monotonic() < stop:
                op = rnd.random()
                if op < 0.5:
                    r = c.get("/maps")
                    if r.status_code != 200:
                        errors.append(f"list maps: {r.status_code} {r.text[:300]}")
                        continue
                    maps = r.json()["items"]
                    mine = [m for m in maps if m["id"].startswith("cm-")]
                    if not mine:
                        continue
                    m = rnd.choice(mine)
                    r = c.get(f"/maps/{m['id']}.json")
                    if r.status_code == 404:
                        continue  # deleted since the list: whole or gone, both fine
                    doc = r.json()
                    ids = {s["id"] for s in doc["statements"]}
                    if len(doc["statements"]) != 8 or len(doc["arguments"]) != 7 or any(
                            p not in ids for a in doc["arguments"] for p in a["premises"]):
                        errors.append(f"half-applied map seen: {m['id']}")
                    if m["counts"]["statements"] not in (0, 8):
                        errors.append(f"half-applied counts seen: {m}")
                elif op < 0.8:
                    r = c.get("/maps/peace-plan/arguments", params={"limit": 1000})
                    page = r.json()
                    for a in page["items"]:
                        if a["id"].startswith("ca-"):
                            for p in a["premises"]:
                                if c.get(f"/maps/peace-plan/statements/{p}").status_code != 200:
                                    errors.append(f"argument {a['id']} seen without its premise {p}")
                else:
                    r = c.get("/maps/peace-plan/statements/victims-silenced/attackers", params={"depth": "all"})
                if r.status_code != 200:
                    errors.append(f"read: {r.status_code} {r.text[:200]}")
                count("reads")

    with ThreadPoolExecutor(readers + writers) as pool:
        futures = [pool.submit(writer, w) for w in range(writers)] + [pool.submit(reader, k) for k in range(readers)]
        for f in futures:
            f.result()
    assert errors == [], errors[:5]

    with httpx.Client(base_url=server.url, timeout=30) as c:  # nothing lost
        for key, value in last.items():
            if key.startswith("arg:"):
                a = c.get(f"/maps/peace-plan/arguments/{key[4:]}").json()
                assert a["premises"] == [value]
            else:
                assert c.get(f"/maps/peace-plan/statements/{key}").json()["text"] == value, key
    figures["verified"] = len(last)
    report("concurrency", figures)
    assert figures["reads"] >= 20 and figures["writes"] >= 20
    return figures


def test_readers_and_writers_on_one_map(server):
    _run(server, seconds=4, readers=6, writers=4, run="a")


@pytest.mark.slow
def test_readers_and_writers_on_one_map_long(server):
    _run(server, seconds=20, readers=12, writers=8, run="b")


def test_racing_creates_of_one_id_have_one_winner(server):
    def create(i: int) -> int:
        return httpx.post(server.url + "/maps/peace-plan/statements",
                          json={"id": "raced", "text": f"by {i}"}, timeout=30).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = sorted(pool.map(create, range(12)))
    assert codes == [201] + [409] * 11
    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(lambda _: httpx.post(server.url + "/maps", json=_whole_map("raced-map"),
                                                     timeout=30).status_code, range(8)))
    assert codes == [201] + [409] * 7


def test_patches_of_different_fields_of_one_statement_all_land(server):
    # A PATCH reads the statement, merges the body and writes the whole statement back: unless
    # the read and the write are one transaction, two editors changing different fields at once
    # each write back the other's old value, and one edit is lost although both got 200.
    r = httpx.post(server.url + "/maps/peace-plan/statements", json={"id": "shared", "text": "t0"}, timeout=30)
    assert r.status_code == 201
    fields = {"text": lambda i: f"text {i}", "note": lambda i: f"note {i}", "tags": lambda i: [f"tag{i}"]}
    last: dict[str, object] = {}

    def editor(field: str) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for i in range(100):
                value = fields[field](i)
                r = c.patch("/maps/peace-plan/statements/shared", json={field: value})
                assert r.status_code == 200, r.text
                last[field] = value

    with ThreadPoolExecutor(len(fields)) as pool:
        list(pool.map(editor, fields))
    final = httpx.get(server.url + "/maps/peace-plan/statements/shared", timeout=30).json()
    assert {f: final[f] for f in fields} == last
