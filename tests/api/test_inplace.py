"""Editing in place (issue 20 item 2): the statement panel's forms, through the test client."""

from __future__ import annotations

import re

import pytest
from apitest import make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)


LAKE_IS_SLOW = True
KALLAS = "kallas-no-viable-plan"
BASE = f"/ui/maps/peace-plan/statements/{KALLAS}"


@pytest.fixture
def client(make_api):
    return make_api()


@pytest.fixture
def guarded(make_api):
    return make_api(token="writer")


def _form(client, **fields):
    page = client.get(f"/ui/maps/peace-plan?statement={KALLAS}").text
    assert 'id="edit-form"' in page
    data = {"text": re.search(r'<textarea id="edit-text"[^>]*>([^<]*)<', page)[1].replace("&#39;", "'"),
            "speaker": "kaja-kallas", "said": "2025-11-20", "precision": "as-written"}
    return {**data, **fields}


def test_editing_the_date_with_its_precision(client):
    r = client.post(BASE + "/edit", data=_form(client, said="2025-11-21", precision="month"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/ui/maps/peace-plan?statement={KALLAS}"
    assert client.get(f"/maps/peace-plan/statements/{KALLAS}").json()["said"] == "2025-11"
    r = client.post(BASE + "/edit", data=_form(client, said="2025-11-21", approximate="1"), follow_redirects=False)
    assert client.get(f"/maps/peace-plan/statements/{KALLAS}").json()["said"] == "2025-11-21~"


def test_a_bad_date_is_shown_next_to_its_field_and_changes_nothing(client):
    before = client.get(f"/maps/peace-plan/statements/{KALLAS}").json()
    r = client.post(BASE + "/edit", data=_form(client, said="20 Nov"))
    assert r.status_code == 422
    assert 'id="edit-said" name="said" value="20 Nov" autocomplete="off" aria-invalid="true" aria-describedby="edit-said-problem"' in r.text
    assert 'id="edit-said-problem"' in r.text
    assert client.get(f"/maps/peace-plan/statements/{KALLAS}").json() == before


def test_a_quote_must_be_words_of_the_source(client):
    r = client.post(BASE + "/edit", data=_form(client, quote="words nobody wrote"))
    assert r.status_code == 422 and 'id="edit-quote-problem"' in r.text


def test_adding_an_attacker_and_linking_and_undercutting(client):
    before = client.get("/maps/peace-plan").json()["counts"]
    r = client.post(BASE + "/add", data={"relation": "attack", "text": "A plan can be viable without consent.",
                                         "speaker": "", "said": "2025-11-22"}, follow_redirects=False)
    assert r.status_code == 303
    attackers = client.get(f"/maps/peace-plan/statements/{KALLAS}/attackers?depth=1").json()
    assert any("viable without consent" in str(a) for a in attackers["items"])
    after = client.get("/maps/peace-plan").json()["counts"]
    assert (after["statements"], after["arguments"]) == (before["statements"] + 1, before["arguments"] + 1)
    r = client.post(BASE + "/link", data={"premise": "victims-silenced", "relation": "support"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/ui/maps/peace-plan?statement={KALLAS}").text
    undercut = re.search(r'<option value="(undercut:[^"]+)"', page)[1]
    r = client.post(BASE + "/add", data={"relation": undercut, "text": "That inference does not hold."},
                    follow_redirects=False)
    assert r.status_code == 303


def test_delete_shows_the_cascade_first(client):
    page = client.get(BASE + "/delete")
    assert page.status_code == 200 and "go with it" in page.text
    assert client.get(f"/maps/peace-plan/statements/{KALLAS}").status_code == 200
    r = client.post(BASE + "/delete", data={}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/maps/peace-plan/statements/{KALLAS}").status_code == 404


def test_forms_need_a_write_session_and_its_csrf_field(guarded):
    page = guarded.get(f"/ui/maps/peace-plan?statement={KALLAS}").text
    assert 'id="edit-form"' not in page and "sign in with the write token" in page
    r = guarded.post(BASE + "/edit", data={"text": "x", "said": ""}, follow_redirects=False)
    assert r.status_code == 401
    guarded.post("/ui/sign-in", data={"token": "writer"})
    page = guarded.get(f"/ui/maps/peace-plan?statement={KALLAS}").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)[1]
    r = guarded.post(BASE + "/edit", data={"text": "x", "said": "", "csrf": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403
    r = guarded.post(BASE + "/edit", data={"text": "x", "said": ""}, follow_redirects=False)
    assert r.status_code == 403
    r = guarded.post(BASE + "/edit", data={"text": "Edited.", "said": "", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert guarded.get(f"/maps/peace-plan/statements/{KALLAS}").json()["text"] == "Edited."


def test_the_print_form_asks_for_a_pdf_of_that_paper(client):
    page = client.get(f"/ui/maps/peace-plan?statement={KALLAS}").text
    assert 'action="/maps/peace-plan/print.pdf"' in page and f'value="handout:{KALLAS}"' in page
    r = client.get("/maps/peace-plan/print.pdf", params={"paper": "a4", "orientation": "portrait",
                                                         "layout": f"handout:{KALLAS}"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content[:5] == b"%PDF-"
    r = client.get("/maps/peace-plan/print.pdf", params={"layout": "sideways"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "layout"
    r = client.get("/maps/peace-plan/print.pdf", params={"paper": "a5"})
    assert r.status_code == 400
