"""Resource limits: each one met by an input just over it, answered with a clear 4xx, and the
server answers the next request. The README's "Limits" table lists the same values."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

import argmap.api._typesetting as typesetting
import argmap.api.exports as exports_api
from argmap import query
from argmap.api import create_app
from argmap.api.app import DEFAULT_MAX_BODY
from argmap.api.entities import MAX_LIMIT
from argmap.api.queries import MAX_SEARCH
from argmap.mapfile import MAX_YAML_NODES
from argmap.render import _pdf, briefing, diagram
from argmap.store import Store

from reliability_server import SEED, Server, seeded_app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("limits") / "db.duckdb", seed=SEED).start()
    yield s
    s.kill()


def _still_up(url: str) -> None:
    r = httpx.get(url + "/maps/peace-plan/statements/victims-silenced", timeout=10)
    assert r.status_code == 200 and r.json()["id"] == "victims-silenced"


def _error(r: httpx.Response, status: int, field: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["problems"] and body["problems"][0]["field"].endswith(field), body
    return body


def _padded_map(size: int) -> bytes:
    """A valid map document of exactly ``size`` bytes (JSON whitespace pads it)."""
    head, tail = b'{"id":"big","title":"Big"', b'}'
    return head + b" " * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("path", ["/maps", "/maps/import", "/af/solve?semantics=grounded&task=se"])
def test_a_body_one_byte_over_the_limit_is_413(server, path):
    r = httpx.post(server.url + path, content=_padded_map(DEFAULT_MAX_BODY + 1),
                   headers={"Content-Type": "application/json"}, timeout=30)
    _error(r, 413, "body")
    _still_up(server.url)


def test_a_body_at_the_limit_is_read(server):
    r = httpx.post(server.url + "/maps", content=_padded_map(DEFAULT_MAX_BODY),
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 201, r.text[:300]
    assert httpx.delete(server.url + "/maps/big?confirm=true").status_code == 200


def test_a_body_without_content_length_is_cut_at_the_limit(server):
    def chunks():
        data = _padded_map(DEFAULT_MAX_BODY + 1)
        for i in range(0, len(data), 1 << 20):
            yield data[i : i + (1 << 20)]

    r = httpx.post(server.url + "/maps", content=chunks(), headers={"Content-Type": "application/json"}, timeout=30)
    _error(r, 413, "body")
    _still_up(server.url)


def test_max_body_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARGMAP_MAX_BODY", "1000")
    with TestClient(app=create_app(store=Store(":memory:"))) as c:
        assert c.post("/maps", content=_padded_map(1001), headers={"Content-Type": "application/json"}).status_code == 413
        assert c.post("/maps", content=_padded_map(1000), headers={"Content-Type": "application/json"}).status_code == 201


@pytest.mark.parametrize("resource", ["statements", "arguments", "speakers", "sources"])
def test_page_size_just_over_the_maximum_is_422(server, resource):
    _error(httpx.get(f"{server.url}/maps/peace-plan/{resource}", params={"limit": MAX_LIMIT + 1}), 422, "limit")
    r = httpx.get(f"{server.url}/maps/peace-plan/{resource}", params={"limit": MAX_LIMIT})
    assert r.status_code == 200 and r.json()["limit"] == MAX_LIMIT


def test_search_hits_just_over_the_maximum_is_422(server):
    _error(httpx.get(server.url + "/maps/peace-plan/search", params={"q": "peace", "limit": MAX_SEARCH + 1}),
           422, "limit")
    assert httpx.get(server.url + "/maps/peace-plan/search", params={"q": "peace", "limit": MAX_SEARCH}).status_code == 200


@pytest.mark.parametrize("which", ["supporters", "attackers"])
def test_depth_just_over_the_maximum_is_422(server, which):
    url = f"{server.url}/maps/peace-plan/statements/victims-silenced/{which}"
    _error(httpx.get(url, params={"depth": query.MAX_DEPTH + 1}), 422, "depth")
    assert httpx.get(url, params={"depth": query.MAX_DEPTH}).status_code == 200
    assert httpx.get(url, params={"depth": "all"}).status_code == 200
    _still_up(server.url)


def _fan_in(n: int) -> dict:
    """A map where ``n`` premises each support one conclusion directly."""
    return {"id": "fan", "title": "Fan-in",
            "statements": [{"id": "c", "text": "c"}] + [{"id": f"p{i}", "text": f"p{i}"} for i in range(n)],
            "arguments": [{"id": f"a{i}", "kind": "support", "premises": [f"p{i}"], "target": "c"} for i in range(n)]}


def test_results_just_over_the_cap_are_truncated(server):
    r = httpx.post(server.url + "/maps", json=_fan_in(query.MAX_RESULTS + 1), timeout=60)
    assert r.status_code == 201, r.text[:300]
    r = httpx.get(server.url + "/maps/fan/statements/c/supporters", timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert body["truncated"] is True
    assert len(body["items"]) == query.MAX_RESULTS
    assert httpx.delete(server.url + "/maps/fan?confirm=true", timeout=30).status_code == 200
    _still_up(server.url)


@pytest.mark.parametrize("path, limit, field", [("diagram.svg", diagram.MAX_STATEMENTS, "focus"),
                                                 ("briefing.html", briefing.MAX_STATEMENTS, "statements")])
def test_exports_one_statement_over_their_size_limit_are_422(server, path, limit, field):
    doc = {"id": "wide", "title": "Wide", "statements": [{"id": f"s{i}", "text": f"s{i}"} for i in range(limit + 1)]}
    assert httpx.post(server.url + "/maps", json=doc, timeout=30).status_code == 201
    body = _error(httpx.get(f"{server.url}/maps/wide/{path}", params={"semantics": "none"} if "brief" in path else {},
                            timeout=60), 422, field)
    assert body["error"] == "limit_exceeded" and "focus" in body["message"]
    assert httpx.delete(server.url + "/maps/wide?confirm=true").status_code == 200
    _still_up(server.url)


@pytest.fixture(scope="module")
def client():
    app, store = seeded_app()
    with TestClient(app=app) as c:
        yield c
    store.close()


def test_graphviz_over_its_time_limit_is_422_and_dot_is_stopped(client, monkeypatch):
    # The real limit is 10 s; the seed's whole diagram takes dot far longer than 1 ms.
    monkeypatch.setattr(exports_api, "TIMEOUT", 0.001)
    body = _error(client.get("/maps/peace-plan/diagram.svg"), 422, "timeout")
    assert body["error"] == "limit_exceeded" and "focus" in body["message"]
    monkeypatch.setattr(exports_api, "TIMEOUT", 10.0)
    assert client.get("/maps/peace-plan/diagram.svg").status_code == 200


@pytest.mark.parametrize("path, field", [("briefing.pdf", "briefing"), ("timeline.pdf", "timeline")])
def test_a_pdf_over_its_time_limit_is_422_its_child_is_killed_and_the_next_briefing_renders(
        client, monkeypatch, path, field):
    # The real limit is 60 s; WeasyPrint takes the seed's briefing (2.5 s) and timeline (0.4 s)
    # well past these deadlines, and a killed child must not be waited for.
    deadline = 0.5 if field == "briefing" else 0.05
    monkeypatch.setattr(exports_api, "TYPESET_TIMEOUT", deadline)  # the export routes' typesetting limit
    started: list[int] = []
    real = _pdf._Child.start
    monkeypatch.setattr(_pdf._Child, "start", lambda self: (real(self), started.append(self.pid)))
    t = time.monotonic()
    body = _error(client.get(f"/maps/peace-plan/{path}"), 422, field)
    assert time.monotonic() - t < 20
    assert body["error"] == "limit_exceeded" and f"longer than {deadline:g} s" in body["message"]
    assert ("focus" if field == "briefing" else "date range") in body["message"]
    assert started and not Path(f"/proc/{started[0]}").exists(), "the render's child outlived its deadline"
    monkeypatch.setattr(exports_api, "TYPESET_TIMEOUT", typesetting.TIMEOUT)
    r = client.get("/maps/peace-plan/briefing.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_every_limit_is_in_the_readme():
    table = README[README.index("### Limits"):]
    table = table[: table.index("\n\n", table.index("|---"))]
    for value in (f"{DEFAULT_MAX_BODY // 2**20} MiB", f"{MAX_LIMIT:,}", f"{query.MAX_DEPTH}",
                  f"{query.MAX_RESULTS:,}", f"{MAX_SEARCH}", f"{diagram.MAX_STATEMENTS:,}",
                  f"{exports_api.TIMEOUT:g} s", f"{briefing.MAX_STATEMENTS:,}", f"{MAX_YAML_NODES:,} values",
                  f"typesetting {typesetting.TIMEOUT:g} s (CLI {_pdf.DEFAULT_TIMEOUT:g} s)",
                  f"{typesetting.MAX_CONCURRENT} typeset at once", f"{_pdf.MEMORY_LIMIT // 2**30} GiB"):
        assert re.search(re.escape(value), table), f"{value} missing from README's Limits table"


def test_search_words_just_over_their_limit_are_refused(server):
    r = httpx.get(server.url + "/maps/peace-plan/search", params={"q": "a" * 501})
    assert r.status_code == 400 and r.json()["problems"], r.text[:300]
    assert httpx.get(server.url + "/maps/peace-plan/search", params={"q": "a" * 500}).status_code == 200
