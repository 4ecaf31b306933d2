"""The map page in a real browser: Debian's headless Chromium against ``argmap serve``.

What a reader does: load the page, click a statement in the diagram, walk every statement
with the keyboard, centre the drawings on one statement, search, and read hostile text as
text. Screenshots at a laptop's and a phone's size go to ``$ARGMAP_SCREENSHOTS`` (else a
temporary folder, printed).
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

MAP = "/ui/maps/peace-plan"
KALLAS = "kallas-no-viable-plan"
XSS = "<img src=x onerror=alert(1)>"


def api(server: str, path: str, body: dict | None = None):
    req = urllib.request.Request(server + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="GET" if body is None else "POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def statement_ids(server: str) -> set[str]:
    return {s["id"] for s in api(server, "/maps/peace-plan/statements")["items"]}


def open_map(w, server: str, query: str = "") -> None:
    w.page.goto(server + MAP + query)
    w.page.wait_for_selector("#diagram svg [data-statement]")
    w.page.wait_for_selector("#timeline svg [data-statement]")


def drawn(w, drawing: str) -> set[str]:
    return set(w.page.eval_on_selector_all(f"#{drawing} svg g[data-statement]",
                                           "els => els.map(e => e.dataset.statement)"))


def test_the_page_loads_with_both_drawings_and_no_console_errors(server, watched):
    open_map(watched, server)
    watched.page.wait_for_load_state("networkidle")
    assert drawn(watched, "diagram") == statement_ids(server)
    assert KALLAS in drawn(watched, "timeline")
    assert watched.errors == []
    # Both drawings share the page: their ids are prefixed, never duplicated.
    assert watched.page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.length - new Set(ids).size; }") == 0


def test_clicking_kallas_in_the_diagram_shows_her_date_and_source(server, watched):
    page = watched.page
    open_map(watched, server)
    page.click('.zoom[data-for="diagram"] button[data-zoom="fit"]')
    page.click(f'#diagram g[data-statement="{KALLAS}"]')
    panel = page.locator(f'#panel article[data-statement="{KALLAS}"]')
    panel.wait_for()
    assert panel.locator(".date").inner_text() == "20 Nov 2025"
    assert "known to the day" in panel.inner_text()
    assert "On the US draft peace plan for Ukraine" in panel.locator(".facts").inner_text()
    source = panel.locator('a[href^="https://en.interfax.com.ua/"]')
    assert source.get_attribute("rel") == "noopener noreferrer"
    assert panel.locator("mark").inner_text() == panel.locator(".text").inner_text()
    assert f"statement={KALLAS}" in page.url
    for drawing in ("diagram", "timeline"):
        assert page.locator(f'#{drawing} g[data-statement="{KALLAS}"]').get_attribute("class").endswith("is-selected")
    # What supports it is a link that opens in place.
    page.click('#panel a[data-statement="kallas-ukrainians-europeans-on-board"]')
    page.locator('#panel article[data-statement="kallas-ukrainians-europeans-on-board"]').wait_for()
    page.go_back()
    panel.wait_for()
    assert watched.errors == []


def test_the_keyboard_alone_reaches_every_statement_and_opens_one(server, watched):
    page = watched.page
    open_map(watched, server)
    page.evaluate("() => { window.reached = new Set();"
                  " document.addEventListener('focusin', e => e.target.dataset.statement &&"
                  " window.reached.add(e.target.dataset.statement)); }")
    ids = statement_ids(server)
    page.locator("body").focus()
    for _ in range(len(ids) * 3 + 60):
        page.keyboard.press("Tab")
        if page.evaluate("() => window.reached.size") >= len(ids):
            break
    assert set(page.evaluate("() => [...window.reached]")) == ids
    focused = page.evaluate("() => document.activeElement.dataset.statement")
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2  # the focus is visible
    page.keyboard.press("Enter")
    page.locator(f'#panel article[data-statement="{focused}"]').wait_for()
    assert f"statement={focused}" in page.url
    assert watched.errors == []


def test_focus_mode_changes_the_url_and_the_drawings_and_survives_a_reload(server, watched):
    page = watched.page
    open_map(watched, server)
    whole = drawn(watched, "diagram")
    whole_timeline = drawn(watched, "timeline")
    page.click('#outline a[data-statement="kallas-ukrainians-europeans-on-board"]')  # opened in place
    page.locator('#panel article[data-statement="kallas-ukrainians-europeans-on-board"]').wait_for()
    page.select_option("#focus", KALLAS)
    page.select_option("#depth", "1")
    page.click("form.view button[type=submit]")
    page.wait_for_url(lambda url: f"focus={KALLAS}" in url and "depth=1" in url)
    page.wait_for_selector("#diagram svg [data-statement]")
    page.wait_for_selector("#timeline svg [data-statement]")
    focused = drawn(watched, "diagram")
    assert KALLAS in focused and len(focused) < len(whole)
    assert KALLAS in drawn(watched, "timeline") and len(drawn(watched, "timeline")) < len(whole_timeline)
    outline = set(page.eval_on_selector_all("#outline a[data-statement]", "els => els.map(e => e.dataset.statement)"))
    assert outline == focused  # the text alternative says what the drawing shows
    # The statement opened before the redraw stays open.
    page.locator('#panel article[data-statement="kallas-ukrainians-europeans-on-board"]').wait_for()
    page.reload()
    page.wait_for_selector("#diagram svg [data-statement]")
    assert drawn(watched, "diagram") == focused and page.input_value("#focus") == KALLAS
    assert watched.errors == []


def test_the_search_box_asks_the_api_and_its_hits_open_statements(server, watched):
    page = watched.page
    open_map(watched, server)
    page.fill("#q", "viable plan consent")
    with page.expect_response(lambda r: "/maps/peace-plan/search?" in r.url) as answer:
        page.press("#q", "Enter")
    assert answer.value.status == 200
    hit = page.locator(f'#hits a[data-statement="{KALLAS}"]')
    hit.click()
    page.locator(f'#panel article[data-statement="{KALLAS}"]').wait_for()
    assert "q=viable" in page.url  # a reload shows the same results
    assert watched.errors == []


def test_hostile_text_stays_text_everywhere_and_runs_nothing(server, watched):
    api(server, "/maps/peace-plan/statements",
        {"id": "xss-img", "text": XSS, "speaker": "kaja-kallas", "said": "2025-11-21"})
    api(server, "/maps/peace-plan/arguments",
        {"id": "xss-supports-kallas", "kind": "support", "premises": ["xss-img"], "target": KALLAS})
    page = watched.page
    open_map(watched, server, "?statement=xss-img")
    assert page.locator("#panel .text").text_content() == XSS
    assert page.locator('#outline a[data-statement="xss-img"]').text_content() == XSS
    assert XSS in page.locator('#diagram g[data-statement="xss-img"]').text_content()
    page.click(f'#panel a[data-statement="{KALLAS}"]')  # the panel of the statement it supports lists it
    page.locator(f'#panel article[data-statement="{KALLAS}"]').wait_for()
    assert page.locator('#panel a[data-statement="xss-img"]').text_content() == XSS
    page.fill("#q", "onerror")
    page.press("#q", "Enter")
    assert page.locator('#hits a[data-statement="xss-img"]').text_content() == XSS
    assert page.locator("img").count() == 0
    assert watched.dialogs == [] and watched.errors == []


@pytest.mark.parametrize("width, height, name", [(1366, 768, "laptop"), (390, 844, "phone")])
def test_screenshots_at_laptop_and_phone_size(server, open_page, tmp_path_factory, width, height, name):
    folder = Path(os.environ.get("ARGMAP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    w = open_page(width, height)
    open_map(w, server, f"?statement={KALLAS}")
    w.page.locator(f'#diagram g[data-statement="{KALLAS}"].is-selected').wait_for()
    # Nothing wider than the screen: a phone reader never scrolls sideways.
    assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
    w.page.screenshot(path=folder / f"map-{name}.png")
    print(f"screenshots: {folder}")
    assert (folder / f"map-{name}.png").stat().st_size > 10_000
    assert w.errors == []


def test_a_reader_signs_in_once_and_then_reads_pages_searches_and_downloads(guarded_server, watched):
    from conftest import READ_TOKEN

    page = watched.page
    response = page.goto(guarded_server + MAP + "?focus=" + KALLAS)
    assert response.status == 401
    page.fill("#token", "not the token")
    page.click("form.sign-in button[type=submit]")
    assert "does not open this server" in page.inner_text(".problems")
    page.fill("#token", READ_TOKEN)
    page.click("form.sign-in button[type=submit]")
    # Back on the page first asked for, drawn, with the API answering the page's own requests.
    page.wait_for_selector(f'#diagram svg [data-statement="{KALLAS}"]')
    assert page.url.endswith(MAP + "?focus=" + KALLAS)
    page.fill("#q", "Kupiansk")
    with page.expect_response(lambda r: "/maps/peace-plan/search?" in r.url) as answer:
        page.press("#q", "Enter")
    assert answer.value.status == 200
    assert page.request.get(guarded_server + "/maps/peace-plan/statements.csv").status == 200
    # The cookie opens reads only.
    assert page.request.post(guarded_server + "/maps/peace-plan/statements",
                             data={"id": "x", "text": "x"}).status == 401
    assert watched.errors == [] or all("401" in e for e in watched.errors)  # the first, refused load
