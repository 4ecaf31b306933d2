"""``GET /maps/{map}/diagram.{ext}`` through Litestar's test client."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from apitest import api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

import argmap.render.diagram as diagram


@pytest.mark.parametrize("ext, media_type, magic", [
    ("svg", "image/svg+xml", b"<?xml"),
    ("pdf", "application/pdf", b"%PDF-"),
    ("png", "image/png", b"\x89PNG"),
    ("dot", "text/vnd.graphviz", b"digraph"),
])
def test_each_extension_answers_its_format(api, ext, media_type, magic):
    r = api.get(f"/maps/peace-plan/diagram.{ext}", params={"focus": "victims-silenced", "depth": 1})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media_type)
    assert r.content.startswith(magic)
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_svg_has_the_map_s_ids_and_options_apply(api):
    r = api.get("/maps/peace-plan/diagram.svg")
    ids = {g.get("id") for g in ET.fromstring(r.content).iter("{http://www.w3.org/2000/svg}g")}
    assert {"no-peace-without-ukraine-and-europe", "victims-silenced", "legend/"} <= ids
    r = api.get("/maps/peace-plan/diagram.dot", params={
        "focus": "victims-silenced", "depth": "1", "rankdir": "LR", "group_by_speaker": "true", "legend": "false",
        "title": "Silenced"})
    assert 'rankdir="RL"' in r.text and "cluster_speaker/" in r.text and "legend/" not in r.text
    assert "Silenced" in r.text and "kallas-no-viable-plan" not in r.text


@pytest.mark.parametrize("params, status, field", [
    ({"focus": "nowhere"}, 422, "focus"),
    ({"depth": "-1"}, 422, "depth"),
    ({"depth": "deep"}, 400, "depth"),
    ({"rankdir": "sideways"}, 400, "rankdir"),
])
def test_bad_options_are_json_errors_naming_the_parameter(api, params, status, field):
    r = api.get("/maps/peace-plan/diagram.svg", params=params)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error", "message", "problems"}
    assert any(field in p["field"] for p in body["problems"]), body


def test_unknown_map_and_format(api):
    r = api.get("/maps/nowhere/diagram.svg")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert api.get("/maps/peace-plan/diagram.gif").status_code == 404


def test_over_the_limits_is_a_clear_422_not_a_hung_worker(api, monkeypatch):
    monkeypatch.setattr(diagram, "MAX_STATEMENTS", 10)
    r = api.get("/maps/peace-plan/diagram.svg")
    assert r.status_code == 422
    assert r.json()["error"] == "limit_exceeded" and "focus" in r.json()["message"]
    monkeypatch.undo()
    monkeypatch.setattr("argmap.api.exports.TIMEOUT", 0.001)
    r = api.get("/maps/peace-plan/diagram.png")
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "timeout"


def test_openapi_documents_every_extension(api):
    paths = api.get("/schema/openapi.json").json()["paths"]
    for ext in diagram.CONVERSIONS:
        operation = paths[f"/maps/{{map_id}}/diagram.{ext}"]["get"]
        assert operation["operationId"] == f"diagram{ext.capitalize()}"
        params = {p["name"] for p in operation["parameters"]}
        assert {"focus", "depth", "rankdir", "group_by_speaker", "title", "legend"} <= params
