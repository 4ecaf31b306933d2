"""/maps: list, create, read (summary and whole document), change and delete maps."""

from __future__ import annotations

import msgspec
import pytest
import yaml
from apitest import MAP, assert_error, assert_refused
from apitest import api, fresh_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

from argmap.mapfile import dumps

# Slow on a lake (a clone of the seeded catalog per writing test, ~100 catalog queries per
# map snapshot): its lake variants are marked slow; .ci/run runs them.
LAKE_IS_SLOW = True

SMALL = {
    "id": "small",
    "title": "A small map",
    "speakers": [{"id": "a", "name": "A"}],
    "statements": [{"id": "p", "text": "Premise.", "speaker": "a"}, {"id": "c", "text": "Conclusion."}],
    "arguments": [{"id": "s", "kind": "support", "premises": ["p"], "target": "c"}],
}


def test_list_maps_with_counts(api, seed_map):
    (item,) = api.get("/maps").json()["items"]
    assert item["id"] == MAP
    assert item["counts"]["statements"] == len(seed_map.statements) == 70
    assert item["counts"]["arguments"] == len(seed_map.arguments) == 60
    assert item["counts"]["undercuts"] == 5


def test_summary_and_whole_document(api, seed_map):
    summary = api.get(f"/maps/{MAP}").json()
    assert summary["title"] == seed_map.title
    r = api.get(f"/maps/{MAP}.json")
    assert r.headers["content-type"].startswith("application/json")
    assert r.content == dumps(seed_map, format="json")
    y = api.get(f"/maps/{MAP}.yaml")
    assert y.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(y.text)["statements"][0]["id"] == "no-peace-without-ukraine-and-europe"


def test_unknown_map(api):
    assert_error(api.get("/maps/nope"), 404, "not_found", "map")
    assert_error(api.get("/maps/nope.json"), 404, "not_found", "map")


def test_create_read_change_delete_a_map(fresh_api):
    r = fresh_api.post("/maps", json=SMALL)
    assert r.status_code == 201, r.text
    assert r.json()["counts"]["supports"] == 1
    assert msgspec.json.decode(fresh_api.get("/maps/small.json").content)["arguments"] == SMALL["arguments"]
    assert fresh_api.put("/maps/small", json={"id": "small", "title": "Renamed"}).json()["title"] == "Renamed"
    assert fresh_api.patch("/maps/small", json={"description": "Now described."}).json() == {
        "id": "small", "title": "Renamed", "description": "Now described.",
    }
    assert_error(fresh_api.delete("/maps/small"), 422, "invalid", "confirm")
    assert fresh_api.delete("/maps/small", params={"confirm": "true"}).json()["statements"] == 2
    assert_error(fresh_api.get("/maps/small"), 404, "not_found")
    assert [m["id"] for m in fresh_api.get("/maps").json()["items"]] == [MAP]
    # The id is free again, and nothing of the old map comes back with it.
    assert fresh_api.post("/maps", json={"id": "small", "title": "Again"}).json()["counts"]["statements"] == 0


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({**SMALL, "id": MAP}, 409, "duplicate_id", "$.id"),
        ({**SMALL, "arguments": [{"id": "s", "kind": "support", "premises": ["nope"], "target": "c"}]},
         422, "dangling_reference", "$.arguments[0].premises[0]"),
        ({**SMALL, "statements": [{"id": "p", "text": "P.", "colour": "red"}]}, 422, "invalid", "$.statements[0].colour"),
        ({**SMALL, "statements": [*SMALL["statements"], {"id": "p", "text": "Again."}]}, 422, "invalid", "$.statements[2].id"),
        ({**SMALL, "sources": [{"id": "f", "title": "F", "text_file": "/etc/passwd"}]}, 422, "invalid",
         "$.sources[0].text_file"),
        ({"title": "no id"}, 422, "invalid", "$.id"),
    ],
)
def test_refused_maps_change_nothing(fresh_api, body, status, error, field):
    before = fresh_api.get("/maps").json()
    assert_refused(fresh_api, "POST", "/maps", status, error, field, json=body)
    assert fresh_api.get("/maps").json() == before


def test_refused_map_changes(fresh_api):
    assert_refused(fresh_api, "PUT", f"/maps/{MAP}", 422, "invalid", "$.id", json={"id": "other", "title": "T"})
    assert_refused(fresh_api, "PATCH", f"/maps/{MAP}", 422, "invalid", "$.title", json={"title": " "})
    assert_refused(fresh_api, "PATCH", f"/maps/{MAP}", 422, "invalid", "$.id", json={"id": "other"})
    assert_refused(fresh_api, "PATCH", f"/maps/{MAP}", 400, "format", "$", content=b"{", headers={"content-type": "application/json"})
    assert_error(fresh_api.put("/maps/nope", json={"id": "nope", "title": "T"}), 404, "not_found", "map")
    assert_error(fresh_api.delete("/maps/nope", params={"confirm": "true"}), 404, "not_found", "map")


# -- Conditional requests on a map: its ETag moves with every write to anything in it ----------


@pytest.mark.parametrize("ref", [MAP, f"{MAP}.json", f"{MAP}.yaml", f"{MAP}.argdown"])
def test_an_unchanged_map_is_a_304_until_anything_in_it_changes(fresh_api, ref):
    r = fresh_api.get(f"/maps/{ref}")
    tag = r.headers["ETag"]
    again = fresh_api.get(f"/maps/{ref}", headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
    fresh_api.patch(f"/maps/{MAP}/statements/victims-silenced", json={"note": "edited"})
    r = fresh_api.get(f"/maps/{ref}", headers={"If-None-Match": tag})
    assert r.status_code == 200 and r.headers["ETag"] != tag
    if ref.endswith(".json"):
        assert "edited" in r.text


@pytest.mark.parametrize("method, kwargs", [
    ("PATCH", {"json": {"title": "Mine"}}),
    ("PUT", {"json": {"id": MAP, "title": "Mine"}}),
    ("DELETE", {"params": {"confirm": "true"}}),
])
def test_a_map_write_on_a_stale_etag_is_412_and_changes_nothing(fresh_api, method, kwargs):
    stale = fresh_api.get(f"/maps/{MAP}").headers["ETag"]
    assert fresh_api.post(f"/maps/{MAP}/statements", json={"id": "new", "text": "Another editor's."}).status_code == 201
    assert_refused(fresh_api, method, f"/maps/{MAP}", 412, "precondition_failed", "If-Match",
                   headers={"If-Match": stale}, **kwargs)
    current = fresh_api.get(f"/maps/{MAP}").headers["ETag"]
    r = fresh_api.request(method, f"/maps/{MAP}", headers={"If-Match": current}, **kwargs)
    assert r.status_code == 200, r.text
