"""The web pages through Litestar's test client: what a browser receives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from apitest import open_store, seed_map  # noqa: F401  (fixtures, found by name)
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.api.pages import CSP

# Slow on a lake (a clone of the seeded catalog per writing test, ~100 catalog queries per
# map snapshot): its lake variants are marked slow; .ci/run runs them.
LAKE_IS_SLOW = True

XSS = "<img src=x onerror=alert(1)>"


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with their attributes, and text by class."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("br", "img", "input", "link", "meta"):
            self._open.append((tag, a.get("class")))

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, cls in self._open:
            if cls:
                for c in cls.split():
                    self.texts.setdefault(c, []).append(data)

    def text(self, cls: str) -> str:
        return "".join(self.texts.get(cls, []))

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def app_store(open_store):
    store = open_store()
    app = create_app(store=store)
    yield app, store
    store.close()


@pytest.fixture(scope="module")
def client(app_store):
    with TestClient(app=app_store[0]) as c:
        yield c


def test_root_redirects_to_the_list_of_maps_which_links_each_map(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/ui/"
    r = client.get("/ui/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert Page(r.text).find("a", href="/ui/maps/peace-plan")


def test_pages_carry_a_strict_csp_and_no_inline_code(client):
    for path in ("/ui/", "/ui/maps/peace-plan?statement=kallas-no-viable-plan",
                 "/ui/maps/peace-plan/statements/kallas-no-viable-plan/panel", "/ui/maps/nowhere"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP
        page = Page(r.text)
        assert all(a.get("src") for t, a in page.tags if t == "script"), path  # no inline script
        assert not [k for _, a in page.tags for k in a if k.startswith("on") or k == "style"], path
        assert "<style" not in r.text, path


def test_the_map_page_links_every_statement_and_has_landmarks(app_store, client):
    page = Page(client.get("/ui/maps/peace-plan").text)
    ids = {s.id for s in app_store[1].list_statements("peace-plan")}
    assert {a["data-statement"] for a in page.find("a") if "data-statement" in a} == ids
    assert page.find("html", lang="en") and page.find("main") and page.find("aside") and page.find("nav")
    assert page.find("form", role="search")
    assert {a["id"] for a in page.find("figure")} == {"diagram", "timeline"}


def test_focus_narrows_the_outline_and_the_drawings(client):
    page = Page(client.get("/ui/maps/peace-plan?focus=kallas-no-viable-plan&depth=1").text)
    linked = {a["data-statement"] for a in page.find("a") if "data-statement" in a}
    assert "kallas-no-viable-plan" in linked and len(linked) < 70
    (diagram,) = page.find("figure", id="diagram")
    assert diagram["data-src"] == "/maps/peace-plan/diagram.svg?focus=kallas-no-viable-plan&depth=1&evaluate=grounded"
    assert "selected" in page.find("option", value="kallas-no-viable-plan")[0]
    assert len(page.find("option")) > 70  # the focus picker still offers the whole map


def test_the_statement_panel_is_on_the_page_and_alone(client):
    for path in ("/ui/maps/peace-plan?statement=kallas-no-viable-plan",
                 "/ui/maps/peace-plan/statements/kallas-no-viable-plan/panel"):
        page = Page(client.get(path).text)
        assert page.text("date") == "20 Nov 2025"
        assert "Kaja Kallas" in page.text("facts")
        (link,) = [a for a in page.find("a") if "interfax" in a.get("href", "")]
        assert link["rel"] == "noopener noreferrer" and link["href"].startswith("https://")


def test_hostile_text_stays_text_in_the_panel(app_store, client, hostile, request):
    from argmap.model import Statement

    sid = f"hostile-{request.node.callspec.id}"
    app_store[1].add_statement("peace-plan", Statement(id=sid, text=hostile, speaker="kaja-kallas"))
    page = Page(client.get(f"/ui/maps/peace-plan/statements/{sid}/panel").text)
    assert page.text("text") == hostile
    assert not page.find("img") and not page.find("script") and not page.find("svg")


def test_an_img_tag_in_a_statement_is_text_on_the_page(app_store, client):
    from argmap.model import Statement

    app_store[1].add_statement("peace-plan", Statement(id="xss", text=XSS, speaker="kaja-kallas"))
    r = client.get("/ui/maps/peace-plan", params={"statement": "xss", "q": "onerror"})
    assert r.text.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # outline, search hit, panel
    assert not Page(r.text).find("img")


def test_errors_are_pages_that_name_the_field(client):
    r = client.get("/ui/maps/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    for params, field in [({"focus": "nowhere"}, "focus"), ({"depth": "99"}, "depth"),
                          ({"depth": "two"}, "depth"), ({"rankdir": "up"}, "rankdir")]:
        r = client.get("/ui/maps/peace-plan", params=params)
        assert r.status_code == 422 and f"<code>{field}</code>" in r.text, params
    r = client.get("/ui/maps/peace-plan/statements/nowhere/panel")
    assert r.status_code == 404 and "nowhere" in Page(r.text).text("problem")
    r = client.get("/ui/maps/peace-plan", params={"statement": "nowhere"})
    assert r.status_code == 200 and "nowhere" in Page(r.text).text("problem")


def test_search_without_the_script_lists_hits(client):
    page = Page(client.get("/ui/maps/peace-plan", params={"q": "Kallas viable"}).text)
    (hits,) = page.find("ol", id="hits")
    assert "kallas-no-viable-plan" in {a.get("data-statement") for a in page.find("a")}
    assert "match" in page.text("results-count")


def test_every_download_link_answers_and_each_export_route_has_a_link(app_store, client):
    page = Page(client.get("/ui/maps/peace-plan?focus=kallas-no-viable-plan&depth=1").text)
    hrefs = [a["href"] for a in page.find("a") if a.get("href", "").startswith("/maps/")]
    downloads = [h for h in hrefs if re.search(r"\.(svg|pdf|png|dot|json|argdown|yaml|csv|html)(\?|$)", h)]
    for href in downloads:
        if "/briefing.pdf" in href:  # seconds of typesetting; briefing.html takes the same parameters
            continue
        assert client.get(href).status_code == 200, href
    routes = {r.path for r in app_store[0].routes}
    for ext in ("briefing.pdf", "briefing.html", "diagram.pdf", "timeline.json"):
        has_route = any(p.endswith("/" + ext) for p in routes)
        assert has_route == any(f"/{ext}" in h for h in downloads), ext


def test_static_files_are_cached_for_long_under_a_content_hash(client):
    page = Page(client.get("/ui/").text)
    (css,) = page.find("link", rel="stylesheet")
    assert re.fullmatch(r"/ui/static/app\.css\?v=[0-9a-f]{12}", css["href"])
    r = client.get(css["href"])
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_stay_out_of_the_openapi_document(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/ui")]


def test_labels_follow_the_chosen_semantics_in_panel_outline_and_diagram(client):
    page = Page(client.get("/ui/maps/peace-plan", params={"statement": "plan-workable-on-current-line"}).text)
    assert page.text("standing-box").startswith("✗ Defeated (out) under grounded semantics.")
    assert page.find("figure", id="diagram")[0]["data-src"] == "/maps/peace-plan/diagram.svg?evaluate=grounded"
    assert "stands (in)" in page.text("tree")
    page = Page(client.get("/ui/maps/peace-plan", params={"semantics": "none", "statement": "kallas-no-viable-plan"}).text)
    assert page.text("standing-box") == "" and "stands (in)" not in page.text("tree")
    assert page.find("figure", id="diagram")[0]["data-src"] == "/maps/peace-plan/diagram.svg"
    assert "semantics=none" in page.find("a", **{"data-statement": "kallas-ukrainians-europeans-on-board"})[0]["href"]
    r = client.get("/ui/maps/peace-plan", params={"semantics": "psychic"})
    assert r.status_code == 422 and "<code>semantics</code>" in r.text


def test_a_server_without_evaluation_shows_no_labels_and_links_no_missing_route(monkeypatch, open_store):
    import argmap.api.app as app_module

    full = app_module.route_handlers
    monkeypatch.setattr(app_module, "route_handlers", lambda: [
        h for h in full() if getattr(h, "__name__", "") != "EvaluationController"
        and getattr(getattr(h, "fn", None), "__name__", "") != "export_briefing"])
    store = open_store()
    with TestClient(app=create_app(store=store)) as c:
        page = Page(c.get("/ui/maps/peace-plan", params={"statement": "plan-workable-on-current-line"}).text)
    store.close()
    assert not page.find("select", id="semantics") and page.text("standing-box") == ""
    assert page.find("figure", id="diagram")[0]["data-src"] == "/maps/peace-plan/diagram.svg"
    assert not [a for a in page.find("a") if "/briefing." in a.get("href", "")]


@pytest.fixture
def guarded(open_store):
    """A server that needs a read token ("secret") and a write token ("writer")."""
    store = open_store()
    with TestClient(app=create_app(store=store, read_token="secret", token="writer")) as c:
        yield c
    store.close()


def test_a_server_that_needs_a_read_token_answers_a_page_with_a_sign_in_form(guarded):
    r = guarded.get("/ui/maps/peace-plan?focus=victims-silenced")
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CSP
    page = Page(r.text)
    assert "needs a read token" in page.text("problems")
    (form,) = page.find("form", method="post")
    assert form["action"] == "/ui/sign-in"
    assert page.find("input", name="next", value="/ui/maps/peace-plan?focus=victims-silenced")
    assert page.find("input", name="token", type="password")
    assert guarded.get("/ui/", headers={"Authorization": "Bearer secret"}).status_code == 200


@pytest.mark.parametrize("token", ["secret", "writer"])
def test_signing_in_with_a_read_or_write_token_opens_pages_and_downloads_by_cookie(guarded, token):
    r = guarded.post("/ui/sign-in", data={"token": token, "next": "/ui/maps/peace-plan"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/ui/maps/peace-plan")
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert token not in cookie  # a digest, never the token itself
    assert guarded.get("/ui/maps/peace-plan").status_code == 200
    assert guarded.get("/maps/peace-plan/statements.csv").status_code == 200
    assert guarded.get("/maps/peace-plan/diagram.svg").status_code == 200


def test_a_session_cookie_alone_never_opens_a_write(guarded):
    # A read session cannot write at all; a write session only with its page's CSRF token
    # (tests/api/test_sessions.py), so a cookie a browser sends on its own opens no write.
    guarded.post("/ui/sign-in", data={"token": "secret"})
    before = guarded.get("/maps/peace-plan").json()["counts"]
    r = guarded.post("/maps/peace-plan/statements", json={"id": "x", "text": "x"})
    assert r.status_code == 401
    guarded.post("/ui/sign-in", data={"token": "writer"})
    r = guarded.post("/maps/peace-plan/statements", json={"id": "x", "text": "x"})
    assert r.status_code == 403
    assert guarded.get("/maps/peace-plan").json()["counts"] == before


def test_a_wrong_token_is_refused_with_the_form_again_and_no_cookie(guarded):
    r = guarded.post("/ui/sign-in", data={"token": "secret-but-not", "next": "/ui/"}, follow_redirects=False)
    assert r.status_code == 401 and "set-cookie" not in r.headers
    assert "does not open this server" in Page(r.text).text("problems")
    assert guarded.get("/ui/").status_code == 401


def test_a_forged_cookie_opens_nothing(guarded):
    guarded.cookies.set("argmap_read", "secret")
    assert guarded.get("/ui/").status_code == 401
    assert guarded.get("/maps").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "ui/maps",
                                    "/ui/\r\nSet-Cookie: a=b", ""])
def test_sign_in_sends_the_reader_only_to_a_page_of_this_server(guarded, target):
    r = guarded.post("/ui/sign-in", data={"token": "secret", "next": target}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/ui/")


def test_a_server_without_a_read_token_says_so_on_the_sign_in_page(client):
    r = client.get("/ui/sign-in")
    assert r.status_code == 200 and "needs no token to read" in r.text
    assert not Page(r.text).find("form", method="post")
