"""Editing in place in a real browser (issue 20 item 2): the statement panel's forms, by keyboard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

MAP = "/ui/maps/peace-plan"
VICTIMS = "victims-silenced"  # stands (in) under grounded semantics in the seed
KALLAS = "kallas-no-viable-plan"


def open_panel(page, server, sid):
    page.goto(f"{server}{MAP}?statement={sid}")
    page.locator(f'#panel article[data-statement="{sid}"]').wait_for()


def test_edit_a_statements_date_in_place(server, watched):
    page = watched.page
    open_panel(page, server, KALLAS)
    assert page.locator("#panel .date").inner_text() == "20 Nov 2025"
    page.locator("#panel summary", has_text="Edit this statement").click()
    page.fill("#edit-said", "2025-11-21")
    page.select_option("#edit-precision", "month")
    page.focus("#edit-said")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # keyboard-first: Enter in the field submits its form
    page.locator(f'#panel article[data-statement="{KALLAS}"]').wait_for()
    assert page.locator("#panel .date").inner_text() == "Nov 2025"
    assert "known to the month" in page.inner_text("#panel")
    # A date that is no date: the problem next to the field, nothing changed.
    page.locator("#panel summary", has_text="Edit this statement").click()
    page.fill("#edit-said", "next Tuesday")
    with page.expect_navigation():
        page.click("#edit-form button[type=submit]")
    assert page.get_attribute("#edit-said", "aria-invalid") == "true"
    assert page.locator("#edit-said-problem").is_visible()
    assert page.locator("#panel .date").inner_text() == "Nov 2025"
    assert watched.errors == [] or all("422" in e for e in watched.errors)


def test_add_an_attacking_statement_from_the_panel_and_see_the_label_change(server, watched):
    page = watched.page
    open_panel(page, server, VICTIMS)
    assert "standing-in" in page.get_attribute("#panel .standing-box", "class")
    page.locator("#panel summary", has_text="Add a reason").click()
    page.select_option("#add-relation", "attack")
    page.fill("#add-text", "Nobody was silenced: the plan was published.")
    page.fill("#add-said", "2025-11-23")
    with page.expect_navigation():
        page.click("#add-form button[type=submit]")
    page.locator(f'#panel article[data-statement="{VICTIMS}"]').wait_for()
    assert "standing-out" in page.get_attribute("#panel .standing-box", "class")
    assert "Nobody was silenced" in page.inner_text("#panel")
    page.wait_for_selector("#diagram svg [data-statement]")
    assert watched.errors == []


@pytest.mark.parametrize("width, height, name", [(1366, 768, "laptop"), (390, 844, "phone")])
def test_panel_forms_screenshots(server, open_page, tmp_path_factory, width, height, name):
    folder = Path(os.environ.get("ARGMAP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    w = open_page(width, height)
    open_panel(w.page, server, KALLAS)
    w.page.locator("#panel summary", has_text="Edit this statement").click()
    assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
    w.page.locator("#panel").screenshot(path=folder / f"panel-edit-{name}.png")
    assert w.errors == []
