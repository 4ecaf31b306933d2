"""Critical questions in a real browser (issue 19): the statement panel lists the questions of
the arguments for a statement and what would flip it; raising one stores the undercut and the
statement's label changes on the page."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

MAP = {
    "id": "expert-claim", "title": "An expert's claim",
    "speakers": [{"id": "kallas", "name": "Kaja Kallas"}],
    "statements": [
        {"id": "said", "text": "Kallas says no plan can work without Ukraine and Europe.", "speaker": "kallas"},
        {"id": "no-plan", "text": "No plan can work without Ukraine and Europe.", "kind": "derived"},
    ],
    "arguments": [{"id": "from-kallas", "kind": "support", "premises": ["said"], "target": "no-plan",
                   "scheme": "ExpertOpinion"}],
}


def test_the_panel_lists_questions_and_flips_and_raising_one_changes_the_label(server, watched):
    request = urllib.request.Request(server + "/maps", data=json.dumps(MAP).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request, timeout=10).status == 201
    page = watched.page
    page.goto(server + "/ui/maps/expert-claim?statement=no-plan")
    panel = page.locator('#panel article[data-statement="no-plan"]')
    panel.wait_for()
    assert panel.locator(".standing-box").get_attribute("class").split()[-1] == "standing-in"
    questions = panel.locator('.critical[data-argument="from-kallas"] li[data-question]')
    assert questions.count() == 6
    expertise = panel.locator('li[data-question="expertise"]')
    assert expertise.locator(".q-state").inner_text() == "open"
    assert "Is E really an expert" in expertise.inner_text()
    flips = panel.locator("ul.flips").inner_text()
    assert "Retracting said would make it out." in flips and "Raising expertise of from-kallas" in flips
    with page.expect_navigation():
        expertise.locator("button").click()
    panel = page.locator('#panel article[data-statement="no-plan"]')
    panel.wait_for()
    expertise = panel.locator('li[data-question="expertise"]')
    assert expertise.locator(".q-state").inner_text() == "raised"
    assert "from-kallas.expertise.raised" in expertise.inner_text()
    assert panel.locator(".standing-box").get_attribute("class").split()[-1] == "standing-out"
    assert "raises critical question expertise" in panel.locator(".standing-box").inner_text() or \
        panel.locator('.critical .arg-label').inner_text() == "out"
    # the undercut is stored: the API sees it
    with urllib.request.urlopen(server + "/maps/expert-claim/arguments/from-kallas/questions", timeout=10) as r:
        states = {q["id"]: q["state"] for q in json.load(r)["questions"]}
    assert states["expertise"] == "raised"
    assert watched.errors == []
