"""A map page read as of a past version, in a real browser (issue 18): it says which version it
shows, and every link, form and drawing on it (downloads, focus links, the statement panel,
the view and print forms, the search box) keeps reading that version."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)")

MAP = "asof-pages"
OLD, NEW = "The bridge reopened on Monday.", "The bridge stays closed until spring."


def call(base: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


@pytest.fixture(scope="module")
def versions(server) -> tuple[int, int]:
    """A map of its own on the shared server: version ``old`` says OLD, the latest says NEW."""
    call(server, "POST", "/maps", {"id": MAP, "title": "Roads after the flood", "statements": [
        {"id": "bridge", "text": OLD}, {"id": "traffic", "text": "Traffic moves through the centre again."},
        {"id": "closed", "text": "Lorries still queue at the old ford."}],
        "arguments": [{"id": "a1", "kind": "support", "premises": ["bridge"], "target": "traffic"},
                      {"id": "a2", "kind": "attack", "premises": ["closed"], "target": "traffic"}]})
    old = call(server, "GET", f"/maps/{MAP}/history?limit=1")["current"]
    call(server, "PATCH", f"/maps/{MAP}/statements/bridge", {"text": NEW})
    return old, call(server, "GET", f"/maps/{MAP}/history?limit=1")["current"]


def _ours(url: str) -> bool:
    path = urlsplit(url).path
    return path.startswith((f"/maps/{MAP}", f"/ui/maps/{MAP}"))


def test_every_link_and_control_of_a_past_page_keeps_its_version(server, watched, versions):
    old, now = versions
    assert now > old
    page = watched.page
    page.goto(f"{server}/ui/maps/{MAP}?as_of={old}&focus=traffic&depth=2")
    page.wait_for_selector("#diagram svg")
    assert f"as it was at version {old}" in page.inner_text("#past")
    assert OLD in page.inner_text("main") and NEW not in page.inner_text("main")
    assert page.locator("text=Edit as Argdown").count() == 0  # a past version is read, not edited

    def missing() -> list[str]:
        """Every URL of ours on the page that does not read version ``old``."""
        found = page.evaluate("""() => [
            ...[...document.querySelectorAll('a[href]')].filter(a => !a.classList.contains('now')).map(a => a.href),
            ...[...document.querySelectorAll('figure[data-src]')].map(f => new URL(f.dataset.src, location.href).href),
            ...[...document.querySelectorAll('form')].map(f => {
                const u = new URL(f.dataset.search || f.action, location.href);
                if (!f.dataset.search) new FormData(f).forEach((v, k) => u.searchParams.append(k, v));
                return u.href;
            }),
            new URL(document.querySelector('main').dataset.panel + 'x/panel?' + document.querySelector('main').dataset.view,
                    location.href).href,
        ]""")
        ours = [u for u in found if _ours(u)]
        assert len(ours) > 20  # downloads, outline, drawings, forms: the check is not empty
        return [u for u in ours if parse_qs(urlsplit(u).query).get("as_of") != [str(old)]]

    assert missing() == []
    # The banner's own links lead back to now.
    now_links = page.eval_on_selector_all("#past a.now", "els => els.map(a => a.href)")
    assert any(urlsplit(u).path == f"/ui/maps/{MAP}" and "as_of" not in u for u in now_links)
    assert any(f"/diff?from={old}" in u for u in now_links)

    # Open a statement from the outline: the panel (fetched by the script) is the old one too.
    page.click(f"#outline a[data-statement='bridge']")
    page.wait_for_selector(".panel article[data-statement='bridge']")
    assert OLD in page.inner_text(".panel") and "as_of" in page.url
    assert missing() == []
    json_href = page.get_attribute(".panel a:has-text('as JSON')", "href")
    assert call(server, "GET", json_href)["text"] == OLD

    # The search box asks the API about the old version: the old words are found.
    page.fill("#q", "reopened")
    page.press("#q", "Enter")
    page.wait_for_selector(".results a[data-statement='bridge']")

    # The drawing shown is the old one, and so is a download from the page.
    assert "reopened" in page.text_content("#diagram svg")
    download = page.eval_on_selector(".downloads a:has-text('Argdown')", "a => a.href")
    with urllib.request.urlopen(download, timeout=30) as r:
        text = r.read().decode()
    assert "reopened" in text and "stays closed" not in text
    assert watched.errors == []
