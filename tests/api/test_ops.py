"""The operator's routes and lines: /healthz, /readyz, /metrics (read by Prometheus' own parser),
the access log and X-Request-Id. The serving process itself: tests/reliability/test_serve_process.py."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

import pgcluster
from argmap.api import create_app
from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
MAP = "peace-plan"


@pytest.fixture(scope="module")
def store():
    with Store(":memory:") as s:
        s.load_map(load(SEED))
        yield s


@pytest.fixture
def client(store):
    with TestClient(create_app(store=store, access_log="json")) as c:
        yield c


def _samples(client, **headers) -> dict[tuple, float]:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def _get(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_healthz_and_readyz_answer_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_metrics_count_a_request_by_route_template_and_status(client):
    route = "/maps/{map_id}/statements/{item_id}"
    before = _samples(client)
    assert client.get(f"/maps/{MAP}/statements/victims-silenced").status_code == 200
    assert client.get(f"/maps/{MAP}/statements/no-such-statement").status_code == 404
    after = _samples(client)
    for status in ("200", "404"):
        key = dict(method="GET", route=route, status=status)
        assert _get(after, "argmap_http_requests_total", **key) == _get(before, "argmap_http_requests_total", **key) + 1
    assert _get(after, "argmap_http_request_duration_seconds_count", method="GET", route=route) == \
        _get(before, "argmap_http_request_duration_seconds_count", method="GET", route=route) + 2
    # A path that matches no route is counted under one label, never under its own path.
    client.get("/no/such/path/12345")
    assert not any("12345" in str(labels) for _, labels in _samples(client))


def test_metrics_count_writes_cache_lookups_and_search_index_builds(client):
    before = _samples(client)
    r = client.post(f"/maps/{MAP}/statements", json={"id": "metrics-1", "text": "Counted as a write."})
    assert r.status_code == 201
    assert client.post(f"/maps/{MAP}/statements", json={"id": "metrics-1", "text": "again"}).status_code == 409
    for _ in range(2):
        assert client.get(f"/maps/{MAP}/statements/victims-silenced/supporters").status_code == 200
    assert client.get(f"/maps/{MAP}/search", params={"q": "counted"}).status_code == 200
    after = _samples(client)

    def grew(name, **labels) -> float:
        return _get(after, name, **labels) - _get(before, name, **labels)

    assert grew("argmap_write_transactions_total", outcome="committed") == 1
    assert grew("argmap_write_transactions_total", outcome="refused") == 1
    assert grew("argmap_write_transaction_duration_seconds_count") == 2
    # One database commit, holding one request (the refused one committed nothing).
    assert grew("argmap_write_group_size_count") == 1 and grew("argmap_write_group_size_sum") == 1
    assert grew("argmap_cache_lookups_total", cache="graph", result="miss") >= 1  # the write made it stale
    assert grew("argmap_cache_lookups_total", cache="graph", result="hit") >= 1
    assert grew("argmap_search_index_builds_total") == 1
    assert ("argmap_pdf_children_running", ()) in after


def test_metrics_follow_the_read_token_rule(store):
    with TestClient(create_app(store=store, read_token="reads", token="writes")) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer reads"}).status_code == 200


def test_request_ids_are_echoed_or_made_and_each_request_is_one_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="argmap.access")
    r = client.get(f"/maps/{MAP}", headers={"X-Request-Id": "trace-42"})
    assert r.headers["x-request-id"] == "trace-42"
    made = client.get("/healthz", headers={"X-Request-Id": "not a sane id\x7f"}).headers["x-request-id"]
    assert len(made) == 16 and made != "trace-42"
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "argmap.access"]
    assert [(x["method"], x["path"], x["route"], x["status"], x["request_id"]) for x in lines] == [
        ("GET", f"/maps/{MAP}", "/maps/{map_ref}", 200, "trace-42"), ("GET", "/healthz", "/healthz", 200, made)]
    assert lines[0]["bytes"] > 0 and lines[0]["ms"] >= 0


@pytest.fixture
def text_client(store):
    # Made before the test's log capture starts: Litestar configures logging as it starts.
    with TestClient(create_app(store=store, access_log="text")) as c:
        yield c


def test_the_text_access_log_is_one_line_whatever_the_path(text_client, caplog):
    caplog.set_level(logging.INFO, logger="argmap.access")
    text_client.get("/maps/a%0Ab%0D%22x")
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "argmap.access"]
    assert "\n" not in line and "\r" not in line and " 404 " in line, line


def test_readyz_says_503_when_the_lakes_postgresql_is_stopped(tmp_path):
    bindir = pgcluster.binaries()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb)")
    cluster = pgcluster.Cluster(bindir)  # our own: this test stops it
    running = True
    try:
        lake, data_path = cluster.new_lake()
        store = Store(lake=lake, data_path=data_path)
        with TestClient(create_app(store=store)) as c:
            assert c.get("/readyz").status_code == 200
            cluster.stop()
            running = False
            r = c.get("/readyz")
            assert r.status_code == 503, r.text
            assert r.json()["status"] == "unavailable" and r.json()["reason"]
            assert c.get("/healthz").status_code == 200  # the process itself still answers
    finally:
        if running:
            cluster.stop()
