"""The editor's routes (issue 20 item 1): preview draws without writing, save replaces in one
write with If-Match, and what Argdown does not carry is kept."""

from __future__ import annotations

import re

import pytest
from apitest import make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

from argmap.api.pages import NEW_MAP

LAKE_IS_SLOW = True

DOC = NEW_MAP.replace("A new map", "Class debate")


@pytest.fixture
def client(make_api):
    return make_api()


@pytest.fixture
def guarded(make_api):
    return make_api(read_token="secret", token="writer")


def test_preview_draws_argdown_and_a_map_document_and_writes_nothing(client):
    before = client.get("/maps").json()
    r = client.post("/preview/diagram.svg", content=DOC, headers={"Content-Type": "text/x-argdown"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert 'id="Claim"' in r.text and "Someone" in r.text and "read;dur=" in r.headers["server-timing"]
    m = client.get("/maps/peace-plan.json").json()
    r = client.post("/preview/diagram.svg", json=m)
    assert r.status_code == 200 and 'id="kallas&#45;no&#45;viable&#45;plan"' in r.text
    assert client.get("/maps").json() == before


def test_preview_names_the_line_of_a_syntax_error(client):
    r = client.post("/preview/diagram.svg", content="[A]: x\n    + [B]: y\n  - [C]: z\n",
                    headers={"Content-Type": "text/x-argdown"})
    assert r.status_code == 400
    assert r.json()["problems"][0]["field"] == "line 3"


def test_preview_is_bounded(client):
    r = client.post("/preview/diagram.svg", content=b"[A]: " + b"x" * (2 * 1024 * 1024), headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "body"


def test_preview_needs_only_read_access(guarded):
    r = guarded.post("/preview/diagram.svg", content=DOC, headers={"Content-Type": "text/x-argdown"})
    assert r.status_code == 401
    r = guarded.post("/preview/diagram.svg", content=DOC, headers={"Content-Type": "text/x-argdown",
                                                                    "Authorization": "Bearer secret"})
    assert r.status_code == 200


def test_a_new_map_is_saved_once_and_not_over_another(client):
    r = client.put("/ui/maps/debate/argdown", content=DOC, headers={"If-None-Match": "*"})
    assert r.status_code == 200, r.text
    assert r.json()["href"] == "/ui/maps/debate" and r.json()["counts"]["statements"] == 3
    st = client.get("/maps/debate/statements/Claim").json()
    assert (st["speaker"], st["said"]) == ("someone", "2025-11-20")
    r = client.put("/ui/maps/debate/argdown", content=DOC, headers={"If-None-Match": "*"})
    assert r.status_code == 409 and "Claim" in r.json()["current"]


def test_save_replaces_only_the_version_the_editor_opened(client):
    page = client.get("/ui/maps/peace-plan/edit")
    assert page.status_code == 200
    etag = re.search(r'data-etag="([^"]+)"', page.text)[1].replace("&#34;", '"')
    text = client.get("/maps/peace-plan.argdown").text
    # Someone else changes the map meanwhile.
    client.patch("/maps/peace-plan/statements/victims-silenced", json={"note": "checked meanwhile"})
    edited = text.replace("[victims-silenced]:", "[victims-silenced]: EDITED", 1)
    r = client.put("/ui/maps/peace-plan/argdown", content=edited, headers={"If-Match": etag})
    assert r.status_code == 412 and "checked meanwhile" in r.json()["current"]
    assert "EDITED" not in client.get("/maps/peace-plan/statements/victims-silenced").json()["text"]
    r = client.put("/ui/maps/peace-plan/argdown", content=edited, headers={"If-Match": r.json()["etag"]})
    assert r.status_code == 200, r.text
    assert client.get("/maps/peace-plan/statements/victims-silenced").json()["text"].startswith("EDITED")


def test_saving_the_map_unchanged_keeps_everything_it_had(client):
    before = client.get("/maps/peace-plan.json").json()
    r = client.put("/ui/maps/peace-plan/argdown", content=client.get("/maps/peace-plan.argdown").text)
    assert r.status_code == 200, r.text
    after = client.get("/maps/peace-plan.json").json()
    for key in ("speakers", "sources"):
        assert after[key] == before[key], key
    strip = lambda items: [{k: v for k, v in x.items() if k != "extras"} for x in items]  # noqa: E731
    assert sorted(strip(after["statements"]), key=lambda s: s["id"]) == sorted(strip(before["statements"]), key=lambda s: s["id"])
    assert len(after["arguments"]) == len(before["arguments"])


def test_a_broken_document_is_refused_by_line_and_changes_nothing(client):
    before = client.get("/maps/peace-plan").json()["counts"]
    r = client.put("/ui/maps/peace-plan/argdown", content="[A]: x\n    + [B]: y\n  - [C]: z\n")
    assert r.status_code == 400 and r.json()["problems"][0]["field"] == "line 3"
    assert client.get("/maps/peace-plan").json()["counts"] == before


def test_without_a_write_session_the_editor_cannot_save(guarded):
    guarded.post("/ui/sign-in", data={"token": "secret"})
    page = guarded.get("/ui/maps/new").text
    assert "Read only" in page and 'id="save"' not in page
    r = guarded.put("/ui/maps/debate/argdown", content=DOC)
    assert r.status_code == 401
    guarded.post("/ui/sign-in", data={"token": "writer"})
    r = guarded.put("/ui/maps/debate/argdown", content=DOC)  # the cookie alone: a forged request
    assert r.status_code == 403
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', guarded.get("/ui/maps/new").text)[1]
    r = guarded.put("/ui/maps/debate/argdown", content=DOC, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
