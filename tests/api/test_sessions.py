"""Browser sessions (issue 16 item 6, issue 20 item 3): a signed-in browser may write only with
its page's CSRF token; sessions expire and end when the token changes; wrong tokens are slowed;
the cookie is Secure behind a trusted TLS proxy; the sign-in page's own files and the API
reference open without a token and load nothing from elsewhere."""

from __future__ import annotations

import re

import pytest
from apitest import make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.api._session import SESSION_COOKIE, client_address, is_https, make_session, read_session, trusted_proxies
from argmap.api.pages import CSP

LAKE_IS_SLOW = True


@pytest.fixture
def guarded(make_api):
    return make_api(read_token="secret", token="writer")


def _csrf(client, path="/ui/maps/peace-plan") -> str:
    m = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', client.get(path).text)
    return m[1] if m else ""


def _counts(client):
    return client.get("/maps/peace-plan").json()["counts"]


def test_a_write_session_writes_with_its_csrf_token_and_only_with_it(guarded):
    guarded.post("/ui/sign-in", data={"token": "writer"})
    csrf = _csrf(guarded)
    assert len(csrf) == 64
    before = _counts(guarded)
    off_by_one = csrf[:-1] + ("1" if csrf[-1] == "0" else "0")  # "+ '0'" was the right token 1 time in 16
    for bad in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": off_by_one}, {"X-CSRF-Token": "writer"}):
        r = guarded.post("/maps/peace-plan/statements", json={"id": "x", "text": "x"}, headers=bad)
        assert r.status_code == 403 and r.json()["error"] == "forbidden", bad
    assert _counts(guarded) == before
    r = guarded.post("/maps/peace-plan/statements", json={"id": "x", "text": "x"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert _counts(guarded)["statements"] == before["statements"] + 1


def test_a_read_session_page_says_how_to_sign_in_to_edit_and_carries_no_csrf_token(guarded):
    guarded.post("/ui/sign-in", data={"token": "secret"})
    page = guarded.get("/ui/maps/peace-plan").text
    assert "Sign in to edit" in page and 'name="csrf-token"' not in page
    r = guarded.post("/maps/peace-plan/statements", json={"id": "x", "text": "x"}, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 401


def test_a_session_ends_when_it_expires_or_the_token_changes(open_store):
    store = open_store()
    with TestClient(app=create_app(store=store, read_token="secret", token="writer")) as c:
        c.cookies.set(SESSION_COOKIE, make_session("writer", True, seconds=60, now=1_000.0))  # long expired
        assert c.get("/ui/").status_code == 401
        c.cookies.clear()
        r = c.post("/ui/sign-in", data={"token": "writer"}, follow_redirects=False)
        cookie = r.headers["set-cookie"].lower()
        assert "max-age=" in cookie and "samesite=strict" in cookie and "httponly" in cookie
        assert "secure" not in cookie  # plain http, no trusted proxy
        assert c.get("/ui/").status_code == 200
        value = c.cookies.get(SESSION_COOKIE)
    with TestClient(app=create_app(store=store, read_token="secret", token="writer-2")) as c:
        c.cookies.set(SESSION_COOKIE, value)  # made with the old write token
        assert c.get("/ui/").status_code == 401
        assert c.get("/maps").status_code == 401
    store.close()
    assert read_session(value, ["secret"], ["writer"]) is not None
    assert read_session("r" + value[1:], ["secret", "writer"], ["writer"]) is None  # access is signed


def test_wrong_tokens_are_rate_limited_and_a_right_one_waits_too(guarded):
    codes = [guarded.post("/ui/sign-in", data={"token": f"guess-{i}"}, follow_redirects=False).status_code
             for i in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    r = guarded.post("/ui/sign-in", data={"token": "writer"}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "set-cookie" not in r.headers and "Too many wrong tokens" in r.text


@pytest.mark.parametrize("peer, proto, trusted, secure", [
    ("10.0.0.7", "https", "", False),            # nobody is trusted by default
    ("10.0.0.7", "https", "10.0.0.0/8", True),   # a trusted proxy terminated TLS
    ("192.0.2.1", "https", "10.0.0.0/8", False),  # anyone else's header is ignored
    ("10.0.0.7", "http", "10.0.0.0/8", False),
    ("10.0.0.7", "https, http", "10.0.0.7", True),
])
def test_the_cookie_is_secure_behind_a_trusted_tls_proxy_only(monkeypatch, peer, proto, trusted, secure):
    monkeypatch.setenv("ARGMAP_TRUSTED_PROXIES", trusted)
    assert is_https("http", peer, proto, trusted_proxies()) == secure


def test_behind_a_trusted_proxy_failures_count_against_the_forwarded_client(monkeypatch):
    monkeypatch.setenv("ARGMAP_TRUSTED_PROXIES", "10.0.0.0/8")
    proxies = trusted_proxies()
    assert client_address("10.0.0.7", "203.0.113.9, 10.0.0.8", proxies) == "203.0.113.9"
    assert client_address("192.0.2.1", "203.0.113.9", proxies) == "192.0.2.1"  # not a proxy of ours


def test_the_cookie_is_not_secure_over_plain_http_even_when_a_header_says_https(guarded):
    r = guarded.post("/ui/sign-in", data={"token": "writer"}, headers={"X-Forwarded-Proto": "https"},
                     follow_redirects=False)
    assert r.status_code == 303 and "secure" not in r.headers["set-cookie"].lower().split("; ")


def test_the_sign_in_page_and_its_own_files_open_without_a_token(guarded):
    page = guarded.get("/ui/sign-in")
    assert page.status_code == 200
    for src in re.findall(r'(?:href|src)="(/ui/static/[^"]+)"', page.text):
        r = guarded.get(src)
        assert r.status_code == 200, src
    assert guarded.get("/ui/static/app.css").status_code == 200
    assert guarded.get("/ui/").status_code == 401  # the pages themselves stay closed


def test_the_api_reference_is_a_page_of_ours_under_the_pages_csp(open_store):
    store = open_store()
    with TestClient(app=create_app(store=store)) as c:
        r = c.get("/schema")
    store.close()
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP
    assert "cdn" not in r.text.lower() and "<script>" not in r.text
    assert not re.search(r'src="(?:https?:)?//', r.text)
    assert "/maps/{map_ref}" in r.text and "createMap" in r.text
