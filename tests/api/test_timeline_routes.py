"""``GET /maps/{map}/timeline.svg|.pdf|.json`` through Litestar's test client."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from apitest import api, open_store, seed_map  # noqa: F401  (fixtures, found by name)


NS = "{http://www.w3.org/2000/svg}"


def test_svg_with_filters(api):
    r = api.get("/maps/peace-plan/timeline.svg",
                   params={"speaker": ["kaja-kallas", "valery-gerasimov"], "from": "2025-11-20", "to": "2025-11-20"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    root = ET.fromstring(r.content)
    names = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "lane-name"]
    assert names == ["Kaja Kallas", "Valery Gerasimov"]
    ticks = [g.get("data-date") for g in root.iter(f"{NS}g") if g.get("class") == "tick"]
    assert ticks[0] == "2025-11-20"


def test_json_is_timelinejs(api):
    r = api.get("/maps/peace-plan/timeline.json", params={"kind": "event"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = json.loads(r.content)
    assert doc["events"] and {e["group"] for e in doc["events"]} == {"Events"}


def test_pdf(api):
    r = api.get("/maps/peace-plan/timeline.pdf", params={"focus": "gerasimov-kupiansk-captured", "depth": 1})
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="peace-plan-timeline.pdf"' in r.headers["content-disposition"]


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"from": "2025-13-01"}, 422, "$.from"),
    ({"speaker": "nobody"}, 422, "$.speakers[0]"),
    ({"kind": "opinion"}, 422, "$.kinds[0]"),
    ({"depth": 2}, 422, "$.depth"),
])
def test_bad_options_are_json_errors_naming_the_field(api, params, status, field):
    r = api.get("/maps/peace-plan/timeline.svg", params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] in ("invalid", "dangling_reference")
    assert body["problems"][0]["field"] == field


def test_unknown_map_is_404(api):
    r = api.get("/maps/nothing/timeline.json")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_routes_are_documented_in_openapi():
    # Only this controller: the whole app's document is checked by the API's own tests (on main,
    # /schema currently fails on a duplicate operation id elsewhere: statementsTable).
    from litestar import Litestar
    from litestar.di import Provide

    from argmap.api.exports import export_routes

    timeline = [h for h in export_routes() if h.fn.__name__ == "export_timeline"]
    app = Litestar(route_handlers=timeline, dependencies={"store": Provide(lambda: None, sync_to_thread=False)})
    doc = app.openapi_schema.to_schema()
    for ext in ("svg", "pdf", "json"):
        op = doc["paths"][f"/maps/{{map_id}}/timeline.{ext}"]["get"]
        assert op["operationId"] == f"timeline{ext.capitalize()}"
        params = {p["name"]: p for p in op["parameters"]}
        assert set(params) == {"map_id", "from", "to", "speaker", "tag", "kind", "focus", "depth"}
        assert all(params[name].get("description") for name in ("from", "speaker", "depth"))
