"""Bulk import over HTTP: ``POST /maps/import`` with an NDJSON body of many documents.

One map per document, all or nothing per document: a refused one is reported in its own line
with the error shape and changes nothing, and the others are imported.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from argmap.api.app import create_app
from argmap.store import Store

# ../shared beside the repository (a worktree of it sits one level deeper).
AIF = next((p / "shared" / "external" / "aif" / "araucaria" for p in Path(__file__).resolve().parents[3:5]
            if (p / "shared" / "external").is_dir()), Path("shared-not-found"))


@pytest.fixture
def client():
    with TestClient(app=create_app(store=Store(":memory:"))) as c:
        yield c


def ndjson(*lines) -> bytes:
    return b"".join((ln if isinstance(ln, bytes) else msgspec.json.encode(ln)) + b"\n" for ln in lines)


def post(client, body: bytes):
    r = client.post("/maps/import", content=body, headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [msgspec.json.decode(line) for line in r.text.splitlines()]


def test_each_document_is_its_own_map_and_a_refused_one_refuses_no_other(client):
    files = sorted(AIF.glob("*.json"))[:3]
    if not files:
        pytest.skip(f"{AIF} not found")
    lines = post(client, ndjson(
        *({"name": f.name, "document": msgspec.Raw(f.read_bytes())} for f in files),
        {"name": "broken.json", "document": {"nodes": [{"nodeID": "1", "text": "x"}], "edges": []}},
        b"this is not JSON",
        {"name": "debate.argdown", "id": "debate", "document": "[Peace]: Peace needs talks.\n  + <Why>: Wars end at tables."},
        {"name": "dup.argdown", "id": "debate", "document": "[Other]: Another map with the same id."},
    ))
    reports, summary = lines[:-1], lines[-1]
    assert [r["index"] for r in reports] == list(range(7))
    assert [r["ok"] for r in reports] == [True, True, True, False, False, True, False]
    assert reports[0]["id"] == files[0].stem and reports[0]["counts"]["statements"] > 0
    assert reports[3]["error"]["problems"][0]["field"].startswith("$.nodes[0]")
    assert reports[4]["error"]["problems"][0]["field"] == "$[4]"
    assert "already exists" in reports[6]["error"]["message"]
    assert summary == {"done": True, "documents": 7, "imported": 4, "refused": 3}
    maps = {m["id"] for m in client.get("/maps").json()["items"]}
    assert maps == {f.stem for f in files} | {"debate"}
    assert client.get("/maps/debate").json()["counts"]["statements"] == 2, "the first 'debate' stays, whole"


def test_a_bulk_import_may_not_name_one_id_in_the_query(client):
    r = client.post("/maps/import?id=x", content=ndjson({"document": {"id": "m", "title": "M"}}),
                    headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "id"


def test_the_whole_corpus_in_one_request(client):
    files = sorted(AIF.glob("*.json"))
    if not files:
        pytest.skip(f"{AIF} not found")
    lines = post(client, ndjson(*({"name": f.name, "document": msgspec.Raw(f.read_bytes())} for f in files)))
    assert lines[-1] == {"done": True, "documents": len(files), "imported": len(files), "refused": 0}
    assert len(client.get("/maps").json()["items"]) == len(files)
