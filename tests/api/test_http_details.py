"""HTTP details an outside probe checks: OPTIONS tells the truth, HEAD costs what headers cost,
and a briefing's Graphviz layouts get the diagrams' time limit over HTTP."""

from __future__ import annotations

import re

import pytest
from apitest import api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _concrete(path: str) -> str:
    """A route's path with every parameter filled: /maps/{map_id:str} -> /maps/nope."""
    return re.sub(r"\{[^}]+\}", "nope", path).replace("/nope/diagram", "/nope/diagram")


def test_options_allows_exactly_the_methods_that_are_answered(api):
    """For every route of the app: each method Allow lists is answered with something other
    than 405, and each it does not list gets 405."""
    paths = sorted({_concrete(r.path) for r in api.app.routes if "{" in r.path or r.path.startswith(("/maps", "/af"))})
    assert len(paths) >= 15
    checked = 0
    for path in paths:
        r = api.options(path)
        if r.status_code == 404:
            continue
        assert r.status_code in (200, 204), (path, r.status_code)
        allow = {m.strip() for m in r.headers["allow"].split(",")}
        assert {"OPTIONS"} <= allow and ("GET" not in allow or "HEAD" in allow), (path, allow)
        for method in METHODS:
            answer = api.request(method, path, content=b"{}", headers={"content-type": "application/json"})
            assert (answer.status_code != 405) == (method in allow), (path, method, allow, answer.status_code)
            checked += 1
    assert checked >= 60


@pytest.mark.parametrize("path", ["/maps/peace-plan/briefing.pdf", "/maps/peace-plan/timeline.pdf"])
def test_head_on_a_pdf_answers_its_headers_without_typesetting(api, monkeypatch, path):
    import argmap.api.exports as exports

    made = []
    real = exports._make
    monkeypatch.setattr(exports, "_make", lambda *a, **k: made.append(a) or real(*a, **k))
    r = api.head(path)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers.get("content-length") in (None,)  # unknown without typesetting, never a false 0
    assert made == []
    assert api.head(path.replace("peace-plan", "nope")).status_code == 404
    assert api.head(path, params={"focus": "nope"}).status_code == 422
    assert made == []
    assert api.get(path, params={"focus": "nope"}).status_code == 422  # as GET answers


def test_a_briefing_over_http_gives_each_graphviz_layout_ten_seconds(api, monkeypatch):
    import argmap.render.diagram as diagram
    from argmap.api.exports import TIMEOUT

    seen = []
    real = diagram._run_dot
    monkeypatch.setattr(diagram, "_run_dot", lambda src, args, timeout: seen.append(timeout) or real(src, args, timeout))
    r = api.get("/maps/peace-plan/briefing.html", params={"sections": "conclusions,diagram,sources"})
    assert r.status_code == 200, r.text[:300]
    assert seen and max(seen) <= TIMEOUT == 10.0


READ_ONLY_WRITES = [
    ("POST", "/maps", {"id": "m2", "title": "T"}), ("PUT", "/maps/peace-plan", {"id": "peace-plan", "title": "T"}),
    ("PATCH", "/maps/peace-plan", {"title": "T"}), ("DELETE", "/maps/peace-plan?confirm=true", None),
    ("POST", "/maps/peace-plan/statements", {"id": "new", "text": "x"}),
    ("PATCH", "/maps/peace-plan/statements/kremlin-silent", {"text": "x"}),
    ("DELETE", "/maps/peace-plan/statements/kremlin-silent?cascade=true", None),
    ("POST", "/maps/peace-plan/speakers", {"id": "new", "name": "N"}),
    ("POST", "/maps/import?format=argdown", "[A]: a\n  <+ [B]: b\n"),
]


def test_a_read_only_database_answers_reads_and_refuses_every_write_with_503(tmp_path, seed_map):
    from litestar.testing import TestClient

    from argmap.api import create_app
    from argmap.store import Store

    path = str(tmp_path / "ro.duckdb")
    with Store(path) as s:
        s.load_map(seed_map)
        s.search("peace-plan", "peace")  # the search index is built while the file is writable
    with Store(path, read_only=True) as store, TestClient(create_app(store=store)) as c:
        before = c.get("/maps/peace-plan.json").content
        for path_ in ["/maps", "/maps/peace-plan", "/maps/peace-plan/statements", "/maps/peace-plan/diagram.svg",
                      "/maps/peace-plan/evaluation", "/maps/peace-plan/search?q=peace",
                      "/maps/peace-plan/statements/kremlin-silent/supporters?depth=all"]:
            assert c.get(path_).status_code == 200, path_
        for method, path_, body in READ_ONLY_WRITES:
            if isinstance(body, str):
                r = c.request(method, path_, content=body, headers={"content-type": "text/plain"})
            else:
                r = c.request(method, path_, json=body)
            assert r.status_code == 503, (method, path_, r.status_code, r.text[:200])
            assert r.json()["error"] == "read_only" and "read-only" in r.json()["message"]
        assert c.get("/maps/peace-plan.json").content == before
