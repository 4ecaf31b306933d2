"""The editor in a real browser (issue 20): type Argdown, see the diagram and the problems by
line, save, reload; a browser without a write session cannot write, and a forged cross-site
write with the write cookie is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

DOC = """===
title: School uniforms
argmap:
  speakers:
  - id: head-teacher
    name: Ada Head
    role: head teacher
===

[uniforms]: Pupils should wear school uniforms. {argmap: {speaker: head-teacher, said: 2025-09-01}}
  + [equal]: Uniforms hide differences in wealth.
"""


def preview_ids(page) -> set[str]:
    return set(page.eval_on_selector_all("#preview svg g.node[data-statement]", "els => els.map(e => e.dataset.statement)"))


def wait_drawn(page, statement: str) -> None:
    page.wait_for_function(
        "id => !!document.querySelector(`#preview svg g.node[data-statement='${id}']`)", arg=statement)


def test_type_a_map_see_it_drawn_and_its_problems_by_line_save_and_find_it(server, watched):
    page = watched.page
    page.goto(server + "/ui/maps/new")
    wait_drawn(page, "Claim")  # the starting example is drawn at once
    page.fill("#map-id", "uniforms")
    page.fill("#argdown", DOC)
    wait_drawn(page, "uniforms")
    assert {"uniforms", "equal"} <= preview_ids(page) and "Claim" not in preview_ids(page)
    # Typed key by key: the diagram follows the last key.
    page.click("#argdown")
    page.keyboard.press("Control+End")
    page.keyboard.type("  - [cost]: Uniforms cost families money.\n")
    wait_drawn(page, "cost")
    assert page.locator("#problems li.none").count() == 1
    # Data that is not YAML: Argdown's reader refuses line 13.
    page.keyboard.type("  + [deep]: Broken data. {speaker: [}\n  - [back]: Back.\n")
    page.wait_for_selector('#gutter li.is-problem[data-line="13"]')
    assert "Line 13" in page.inner_text("#problems")
    assert page.get_attribute("#argdown", "aria-invalid") == "true"
    assert "cost" in preview_ids(page)  # the last good drawing stays
    page.click('#problems button')  # jumps to the line
    assert page.evaluate("() => document.activeElement.id") == "argdown"
    page.keyboard.press("Delete")  # the selection was line 13: remove it
    page.keyboard.press("Delete")
    wait_drawn(page, "back")
    assert page.locator("#gutter li.is-problem").count() == 0
    with page.expect_navigation():
        page.click("#save")
    assert page.url.endswith("/ui/maps/uniforms")
    page.reload()
    page.wait_for_selector('#outline a[data-statement="uniforms"]')
    assert "Pupils should wear school uniforms." in page.inner_text("#outline")
    page.click('#outline a[data-statement="uniforms"]')
    panel = page.locator('#panel article[data-statement="uniforms"]')
    panel.wait_for()
    assert "Ada Head" in panel.inner_text() and panel.locator(".date").inner_text() == "1 Sep 2025"
    assert watched.errors == [] or all("400" in e for e in watched.errors)  # the refused previews


def test_edit_opens_the_map_as_argdown_and_saves_it_back(server, watched):
    page = watched.page
    page.goto(server + "/ui/maps/peace-plan")
    page.click("text=Edit as Argdown")
    page.wait_for_url("**/ui/maps/peace-plan/edit")
    wait_drawn(page, "kallas-no-viable-plan")
    text = page.input_value("#argdown")
    assert '"speaker": "kaja-kallas", "said": "2025-11-20"' in text
    assert watched.errors == []


@pytest.mark.parametrize("width, height, name", [(1366, 768, "laptop"), (390, 844, "phone")])
def test_editor_screenshots(server, open_page, tmp_path_factory, width, height, name):
    folder = Path(os.environ.get("ARGMAP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    w = open_page(width, height)
    w.page.goto(server + "/ui/maps/new")
    wait_drawn(w.page, "Claim")
    assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
    w.page.screenshot(path=folder / f"editor-{name}.png", full_page=True)
    print(f"screenshots: {folder}")
    assert w.errors == []


def test_without_a_write_session_nothing_is_written_and_a_forged_write_is_refused(guarded_server, watched):
    from conftest import READ_TOKEN, WRITE_TOKEN

    page = watched.page
    page.goto(guarded_server + "/ui/sign-in")
    page.fill("#token", READ_TOKEN)
    page.click("form.sign-in button[type=submit]")
    page.goto(guarded_server + "/ui/maps/new")
    wait_drawn(page, "Claim")  # a reader may preview
    assert page.locator("#save").count() == 0 and "Sign in with the write token" in page.inner_text("#read-only")
    assert page.request.put(guarded_server + "/ui/maps/x/argdown", data=DOC).status == 401
    # Signed in to write, the page can save; the same cookie without the page's CSRF token
    # (what another site's form or fetch would send) is refused.
    page.goto(guarded_server + "/ui/sign-in?next=/ui/maps/new")
    page.fill("#token", WRITE_TOKEN)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url("**/ui/maps/new")
    assert page.locator("#save").count() == 1
    forged = page.request.post(guarded_server + "/maps/peace-plan/statements",
                               headers={"Origin": "https://evil.example", "Content-Type": "application/json"},
                               data='{"id": "forged", "text": "forged"}')
    assert forged.status == 403
    forged = page.request.put(guarded_server + "/ui/maps/forged/argdown", data=DOC,
                              headers={"Origin": "https://evil.example"})
    assert forged.status == 403
    assert page.request.get(guarded_server + "/maps/forged").status == 404
    page.fill("#map-id", "signed-in")
    with page.expect_navigation():
        page.click("#save")
    assert page.url.endswith("/ui/maps/signed-in")
