"""axe-core (Deque's accessibility engine, the npm package ``axe-core``, vendored in
``tests/web/vendor``) over every page in the tests' Chromium: WCAG 2.1 A and AA rules and
axe's best practices, 0 violations (issue 20 item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PAGES = [
    ("/ui/", "#main"),
    ("/ui/maps/peace-plan", "#diagram svg"),
    ("/ui/maps/peace-plan?statement=kallas-no-viable-plan", "#panel article"),
    ("/ui/maps/peace-plan?focus=kallas-no-viable-plan&depth=1&q=plan", "#hits"),
    ("/ui/maps/peace-plan?as_of=1&statement=kallas-no-viable-plan", "#panel article"),  # a past version
    ("/ui/maps/new", "#preview svg"),
    ("/ui/maps/peace-plan/edit", "#preview svg"),
    ("/ui/sign-in", "#main"),
    ("/ui/maps/no-such-map", "#main"),
    ("/schema", "#main"),
    ("/maps/peace-plan/briefing.html", "main"),
]


@pytest.fixture(scope="module")
def axe_context(browser):
    # The pages' CSP forbids inline script, which is how a test injects axe: this context alone
    # bypasses it (the pages' own scripts are unchanged).
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    yield context
    context.close()


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.length, first: v.nodes[0] && v.nodes[0].target.join(' ')})))""", TAGS)


@pytest.mark.parametrize("path, ready", PAGES, ids=[p for p, _ in PAGES])
def test_axe_finds_no_violations(server, axe_context, path, ready):
    page = axe_context.new_page()
    try:
        page.goto(server + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        assert violations(page) == []
    finally:
        page.close()


def test_axe_finds_none_on_the_sign_in_page_of_a_guarded_server(guarded_server, axe_context):
    page = axe_context.new_page()
    try:
        page.goto(guarded_server + "/ui/maps/peace-plan")  # 401: the sign-in form, styled
        page.wait_for_selector("form.sign-in")
        assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith('"DejaVu Sans"')
        assert violations(page) == []
    finally:
        page.close()
