"""``POST /maps/import`` and the AIF and Argdown exports by extension, through Litestar's client."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from apitest import open_store, seed_map  # noqa: F401  (fixtures, found by name)
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.formats import aif, argdown
from argmap.mapfile import dumps, load

# Slow on a lake (a clone of the seeded catalog per writing test, ~100 catalog queries per
# map snapshot): its lake variants are marked slow; .ci/run runs them.
LAKE_IS_SLOW = True

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"

AIF = {
    "nodes": [
        {"nodeID": "1", "text": "Prices rose.", "type": "I"},
        {"nodeID": "2", "text": "Wages must rise.", "type": "I"},
        {"nodeID": "3", "text": "Default Inference", "type": "RA"},
        {"nodeID": "4", "text": "Default Transition", "type": "TA"},
    ],
    "edges": [{"edgeID": "1", "fromID": "1", "toID": "3"}, {"edgeID": "2", "fromID": "3", "toID": "2"}],
}
ARGDOWN = "===\ntitle: Taxes\n===\n\n[Tax]: Soft drugs should be taxed.\n  + <Revenue>: The state needs money.\n"


@pytest.fixture()
def client(open_store):
    store = open_store(seeded=False)
    with TestClient(app=create_app(store=store, max_body=200_000)) as c:
        c.store = store
        yield c
    store.close()


def test_import_aif_by_sniffing_json(client):
    r = client.post("/maps/import?id=wages", content=json.dumps(AIF), headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["id"], body["format"]) == ("wages", "aif")
    assert body["counts"]["statements"] == 2 and body["counts"]["supports"] == 1
    assert body["not_modelled"] == {"TA nodes": 1}
    assert body["document"]["RA nodes"] == 1
    assert client.get("/maps/wages").json()["counts"]["arguments"] == 1


def test_import_argdown_by_content_type_and_by_parameter(client):
    r = client.post("/maps/import", content=ARGDOWN, headers={"content-type": "text/x-argdown"})
    assert r.status_code == 201, r.text
    # The id comes from the document's title (issue 15); never "import", the import route.
    assert (r.json()["id"], r.json()["title"]) == ("taxes", "Taxes")
    assert r.headers["location"] == "/maps/taxes"
    assert client.get("/maps/taxes").status_code == 200
    assert r.json()["document"] == {"statements": 1, "arguments": 1, "support relations": 1}
    r = client.post("/maps/import?format=argdown&id=taxes-2", content=ARGDOWN, headers={"content-type": "text/plain"})
    assert r.status_code == 201 and r.json()["id"] == "taxes-2"


def test_import_a_native_map_twice_makes_two_maps_and_a_named_duplicate_is_refused(client):
    body = dumps(load(SEED), format="yaml")
    r = client.post("/maps/import", content=body, headers={"content-type": "application/yaml"})
    assert r.status_code == 201 and r.json()["id"] == "peace-plan"
    again = client.post("/maps/import", content=body, headers={"content-type": "application/yaml"})
    assert again.status_code == 201 and again.json()["id"] == "peace-plan-2"
    assert again.headers["location"] == "/maps/peace-plan-2"
    assert client.get("/maps/peace-plan-2").json()["counts"] == client.get("/maps/peace-plan").json()["counts"]
    named = client.post("/maps/import?id=peace-plan", content=body, headers={"content-type": "application/yaml"})
    assert named.status_code == 409
    replaced = client.post("/maps/import?replace=true", content=body, headers={"content-type": "application/yaml"})
    assert replaced.status_code == 201 and replaced.json()["id"] == "peace-plan"


def test_two_imports_without_id_get_different_ids(client):
    for fmt, body, content_type, first in [
        ("aif", json.dumps(AIF), "application/json", "imported"),
        ("argdown", "[Tax]: Soft drugs should be taxed.\n", "text/x-argdown", "imported-3"),
    ]:
        ids = []
        for _ in range(2):
            r = client.post("/maps/import", content=body, headers={"content-type": content_type})
            assert r.status_code == 201, r.text
            assert r.headers["location"] == f"/maps/{r.json()['id']}"
            ids.append(r.json()["id"])
        assert ids[0] == first and ids[1] != ids[0], (fmt, ids)
    # An AIF nodeset's id is its file name: sent as Content-Disposition, it names the map.
    r = client.post("/maps/import", content=json.dumps(AIF), headers={
        "content-type": "application/json", "content-disposition": 'attachment; filename="nodeset21145.json"'})
    assert r.status_code == 201 and r.json()["id"] == "nodeset21145"


def test_broken_documents_are_refused_whole_with_every_problem(client):
    broken = {**AIF, "edges": [*AIF["edges"], {"edgeID": "9", "fromID": "1", "toID": "99"}],
              "nodes": [*AIF["nodes"], {"nodeID": "5", "text": "CA", "type": "CA"}]}
    r = client.post("/maps/import?id=x", content=json.dumps(broken), headers={"content-type": "application/json"})
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert fields == {"$.edges[2].toID", "$.nodes[4]"}
    r = client.post("/maps/import", content="(1) a premise\n", headers={"content-type": "text/x-argdown"})
    assert r.status_code == 400
    assert r.json()["problems"][0]["field"] == "line 1"
    r = client.post("/maps/import", content="{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert client.get("/maps").json()["items"] == []


def test_unknown_format_and_undetectable_content(client):
    r = client.post("/maps/import?format=pdf", content="x")
    assert r.status_code == 400
    r = client.post("/maps/import", content="[A]: plain text", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and r.json()["problems"][0]["field"] == "format"


def test_the_body_is_limited(client):
    # Argdown: 3 times the body limit (MAX_ARGDOWN_RATIO), so that a map's own export comes back
    r = client.post("/maps/import?format=argdown", content="[A]: " + "x" * 700_000)
    assert r.status_code == 413


def test_exports_by_extension(client):
    client.store.load_map(load(SEED))
    r = client.get("/maps/peace-plan.aif.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    m = aif.loads(r.content, map_id="peace-plan")
    assert len(m.statements) == 70 and len(m.arguments) == 60
    r = client.get("/maps/peace-plan.argdown")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    back = argdown.loads(r.text)
    assert back.id == "peace-plan" and len(back.arguments) == 60
    assert client.get("/maps/nope.argdown").status_code == 404


def test_openapi_documents_the_import(client):
    spec = client.get("/schema/openapi.json").json()
    op = spec["paths"]["/maps/import"]["post"]
    assert op["operationId"] == "importMap"
    assert set(op["requestBody"]["content"]) == {"application/json", "text/x-argdown", "application/yaml",
                                                 "application/x-ndjson"}  # the bulk import
    assert {p["name"] for p in op["parameters"]} >= {"format", "id", "replace"}
    assert "201" in op["responses"]


def _largest_map(limit: int, shape: str):
    """A map whose map document is just under ``limit`` bytes, of a shape whose AIF is large
    per byte: statements that have only a date, or an argument's many premises."""
    from argmap.mapfile import decode_map

    def doc(n):
        if shape == "brackets":
            return {"id": "big", "title": "Big", "statements": [{"id": f"{i:x}", "text": "[]<>{}#*_" * 100}
                                                                 for i in range(n)]}
        if shape == "dated":
            return {"id": "big", "title": "Big", "statements": [{"id": f"{i:x}", "text": "x", "said": "2025"}
                                                                 for i in range(n)]}
        return {"id": "big", "title": "Big", "statements": [{"id": f"{i:x}", "text": "x"} for i in range(n)],
                "arguments": [{"id": f"A{j}", "kind": "attack" if shape == "attacks" else "support", "premises": [f"{i:x}" for i in range(1, min(n, 1000))],
                               "target": "0"} for j in range(max(1, n // 1000))]}

    n = 16
    while len(json.dumps(doc(n * 2), separators=(",", ":"))) < limit:
        n *= 2
    lo, hi = n, n * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if len(json.dumps(doc(mid), separators=(",", ":"))) < limit else (lo, mid)
    raw = json.dumps(doc(lo), separators=(",", ":")).encode()
    return decode_map(raw), raw


def test_the_argdown_export_of_the_largest_map_a_client_may_send_imports_back(client):
    # Argdown escapes each bracket (2 bytes for JSON's 1)
    m, raw = _largest_map(200_000, "brackets")
    assert client.post("/maps", content=raw, headers={"content-type": "application/json"}).status_code == 201
    exported = client.get("/maps/big.argdown").content
    assert len(exported) > 200_000  # past the body limit: refused (413) before
    r = client.post("/maps/import?id=again", content=exported, headers={"content-type": "text/x-argdown"})
    assert r.status_code == 201, r.text[:300]
    assert client.get("/maps/again").json()["counts"] == client.get("/maps/big").json()["counts"]


@pytest.mark.parametrize("shape", ["dated", "premises"])
def test_the_aif_export_of_the_largest_map_a_client_may_send_imports_back(client, shape):
    # The AIF of a map at the body limit is many times the limit; the import takes AIF up to
    # MAX_AIF_RATIO times it, and the map comes back equal.
    m, raw = _largest_map(200_000, shape)
    assert client.post("/maps", content=raw, headers={"content-type": "application/json"}).status_code == 201
    exported = client.get("/maps/big.aif.json").content
    assert len(exported) > 200_000 * 4  # past the body limit: refused (413) before
    r = client.post("/maps/import?id=again", content=exported, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text[:300]
    back = aif.loads(exported)
    assert [(s.id, s.text, s.said) for s in back.statements] == [(s.id, s.text, s.said) for s in m.statements]
    assert client.get("/maps/again").json()["counts"] == client.get("/maps/big").json()["counts"]


def test_each_format_has_its_body_limit(client):
    from argmap.formats.aif import MAX_AIF_RATIO

    over = {"nodes": [{"nodeID": "1", "type": "I", "text": "x" * (200_000 * MAX_AIF_RATIO)}], "edges": []}
    r = client.post("/maps/import", content=json.dumps(over), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    # JSON that is not AIF is a map document: the body limit
    doc = {"id": "m", "title": "T", "statements": [{"id": "s", "text": "x" * 90_000}] * 3}
    r = client.post("/maps/import", content=json.dumps(doc), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "native documents are imported up to 200,000 bytes" in r.text
    r = client.post("/maps/import", content="[A]: " + "x" * 600_000, headers={"content-type": "text/x-argdown"})
    assert r.status_code == 413 and "argdown documents are imported up to 600,000 bytes" in r.text
    # a bulk body: the body limit
    r = client.post("/maps/import", content=b'{"document": "x"}\n' * 12_000,
                    headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 413


def test_an_import_that_makes_too_large_a_map_is_refused(client):
    from argmap.api.interchange import MAX_MAP_RATIO

    nodes = [{"nodeID": str(i), "type": "I", "text": "y" * 90_000} for i in range(MAX_MAP_RATIO * 3)]
    r = client.post("/maps/import", content=json.dumps({"nodes": nodes, "edges": []}),
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "document"
    assert "an import makes maps of up to 800,000 bytes" in r.text
    assert client.get("/maps").json()["items"] == []


def _argdown_of(size: int) -> bytes:
    out, i = [], 0
    while sum(map(len, out)) < size:
        out.append(f"[c{i}]: Claim number {i}.\n  <+ [p{i}]: Premise {i}.\n\n")
        i += 1
    return "".join(out).encode()


def test_an_import_past_its_reading_limit_is_422_its_child_killed_and_nothing_stored(client, monkeypatch):
    from argmap import _child
    from argmap.formats import _bounded

    started: list[int] = []
    real = _child.Child.start
    monkeypatch.setattr(_child.Child, "start", lambda self: (real(self), started.append(self.pid)))
    monkeypatch.setattr(_bounded, "SECONDS", 0.2)  # a 190 KB document takes a child about 1 s
    t = time.monotonic()
    r = client.post("/maps/import?id=slow", content=_argdown_of(190_000), headers={"content-type": "text/x-argdown"})
    assert time.monotonic() - t < 10, "the request waited for the read instead of killing it"
    assert r.status_code == 422 and r.json()["error"] == "limit_exceeded", r.text[:300]
    assert r.json()["problems"][0]["field"] == "document" and "longer than 0.2 s" in r.text
    assert started and not Path(f"/proc/{started[0]}").exists(), "the reading child outlived its deadline"
    assert client.get("/maps/slow").status_code == 404
    monkeypatch.setattr(_bounded, "SECONDS", 60.0)
    r = client.post("/maps/import?id=slow", content=_argdown_of(190_000), headers={"content-type": "text/x-argdown"})
    assert r.status_code == 201 and len(started) == 2


def test_a_failing_read_in_the_child_names_its_problems_as_in_process(client):
    doc = _argdown_of(100_000) + b"[x]: y /* a comment never closed\n"
    r = client.post("/maps/import", content=doc, headers={"content-type": "text/x-argdown"})
    assert r.status_code == 400 and r.json()["problems"][0]["field"].startswith("line "), r.text[:300]


def test_the_import_limits_are_in_the_readme():
    from argmap.api.interchange import MAX_MAP_RATIO, MAX_READERS
    from argmap.formats import _bounded
    from argmap.formats.aif import MAX_AIF_RATIO

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("### Limits"):]
    for value in (f"AIF: {MAX_AIF_RATIO} ×", "Argdown: 3 ×", f"{_bounded.SECONDS:g} s and {_bounded.MEMORY // 2**30} GiB",
                  f"{MAX_READERS} read at once", f"{_bounded.IN_PROCESS_BYTES // 1024} KiB", f"{MAX_MAP_RATIO} ×"):
        assert value in table, value
