"""Access: with a token set, no write gets through without it, and no file leaks out.

Routes are enumerated from the app itself, so a route added later is covered the day it lands.
"""

from __future__ import annotations

import hmac
import re

import pytest
from litestar.testing import TestClient

import argmap.api.app as app_module
from reliability_server import seeded_app
TOKEN, READ_TOKEN = "w-" + "s3cret" * 6, "r-" + "look" * 8
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Real ids of the seed, so an authorised request reaches the handler (not a 404 of the router).
PARAMS = {"map_id": "peace-plan", "map_ref": "peace-plan", "item_id": "kaja-kallas",
          "statement_id": "victims-silenced"}


def _routes(app) -> list[tuple[str, str]]:
    out = set()
    for route in app.routes:
        # A POST that only computes (opt read_only: the editor's preview) is a read.
        read_only = {m for h in getattr(route, "route_handlers", []) if h.opt.get("read_only") for m in h.http_methods}
        for method in getattr(route, "methods", ()):
            if method in {"HEAD", "OPTIONS"} | read_only:
                continue
            path = re.sub(r"\{(\w+):\w+\}", lambda m: PARAMS.get(m[1], "x"), route.path)
            out.add((method, path))
    return sorted(out)


_app = seeded_app


ROUTES = _routes(_app()[0])
# The browser's sign-in form takes a token and sets a read cookie: it must be reachable without
# one. It writes nothing to the store (tests/api/test_pages.py); the guard skips only routes
# marked `sign_in`, and the test below keeps that set to exactly this route's two methods.
PUBLIC = {("GET", "/ui/sign-in"), ("POST", "/ui/sign-in")}
WRITES = [r for r in ROUTES if r[0] in WRITE_METHODS and r not in PUBLIC]
# The sign-in page's own style sheet, script and icon open too (issue 16 item 6); they hold no map.
PUBLIC_ASSETS = "/ui/static/"
READS = [r for r in ROUTES if r[0] not in WRITE_METHODS and not r[1].startswith("/schema") and r not in PUBLIC
         and not r[1].startswith(PUBLIC_ASSETS)]


def _renders(path: str) -> bool:
    return any(k in path for k in ("diagram.", "timeline.", "briefing."))


def test_the_route_table_is_what_we_think():
    # If enumeration broke (no routes, no writes), every test below would pass vacuously.
    assert len(WRITES) >= 20 and len(READS) >= 20
    assert ("POST", "/maps/import") in WRITES and ("POST", "/af/solve") in WRITES
    assert ("DELETE", "/maps/peace-plan/arguments/kaja-kallas") in WRITES


def test_only_the_sign_in_form_is_open_without_a_token():
    app = _app()[0]
    marked = sorted((m, route.path) for route in app.routes for h in getattr(route, "route_handlers", [])
                    if h.opt.get("sign_in") for m in h.http_methods)
    assert marked == [("GET", "/ui/sign-in"), ("POST", "/ui/sign-in")]


@pytest.fixture(scope="module")
def guarded():
    app, store = _app(token=TOKEN)
    with TestClient(app=app) as c:
        yield c
    store.close()


@pytest.mark.parametrize("method, path", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
@pytest.mark.parametrize("auth", [None, "Bearer nope", "Bearer " + TOKEN[:-1], "Basic " + TOKEN, TOKEN,
                                  "Bearer " + TOKEN + " ", "Bearer " + READ_TOKEN])
def test_every_write_refuses_a_missing_or_wrong_token(guarded, method, path, auth):
    headers = {"Authorization": auth} if auth is not None else {}
    before = guarded.get("/maps/peace-plan").json()["counts"]
    r = guarded.request(method, path, headers=headers, json={"id": "x", "title": "x"})
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] == "unauthorized" and r.json()["problems"][0]["field"] == "authorization"
    assert r.headers["www-authenticate"] == "Bearer"
    assert guarded.get("/maps/peace-plan").json()["counts"] == before


@pytest.mark.parametrize("method, path", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_every_write_lets_the_right_token_through(method, path):
    # A fresh app each time: the right token really writes, and deletes would empty the seed.
    app, store = _app(token=TOKEN)
    with TestClient(app=app) as c:
        r = c.request(method, path, headers={"Authorization": "Bearer " + TOKEN}, json={"id": "x", "title": "x"})
    store.close()
    assert r.status_code != 401, r.text
    assert r.status_code < 500, r.text


def test_reads_are_open_with_only_a_write_token(guarded):
    for method, path in READS:
        if _renders(path):
            continue  # rendering every export here would be slow; one of each is enough below
        r = guarded.request(method, path)
        assert r.status_code != 401, (path, r.text)
    assert guarded.get("/maps/peace-plan/diagram.dot").status_code == 200
    assert guarded.get("/maps/peace-plan/timeline.json").status_code == 200


@pytest.fixture(scope="module")
def closed():
    app, store = _app(token=TOKEN, read_token=READ_TOKEN)
    with TestClient(app=app) as c:
        yield c
    store.close()


@pytest.mark.parametrize("method, path", READS, ids=[f"{m} {p}" for m, p in READS])
def test_a_read_token_closes_every_read(closed, method, path):
    assert closed.request(method, path).status_code == 401
    assert closed.request(method, path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    if not _renders(path):
        for tok in (READ_TOKEN, TOKEN):  # the write token opens reads too
            assert closed.request(method, path, headers={"Authorization": "Bearer " + tok}).status_code != 401
    # ...but a read token never opens a write.
    r = closed.post("/maps", headers={"Authorization": "Bearer " + READ_TOKEN}, json={"id": "x", "title": "x"})
    assert r.status_code == 401


def test_tokens_are_compared_with_hmac_compare_digest(monkeypatch):
    calls, real = [], hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(app_module.hmac, "compare_digest", spy)
    app, store = _app(token=TOKEN)
    with TestClient(app=app) as c:
        assert c.post("/maps", headers={"Authorization": "Bearer guess"}, json={}).status_code == 401
        assert calls and calls[-1] == (b"guess", TOKEN.encode())
        calls.clear()
        r = c.post("/maps", headers={"Authorization": "Bearer " + TOKEN}, json={"id": "t", "title": "T"})
        assert r.status_code == 201 and calls == [(TOKEN.encode(), TOKEN.encode())]
    store.close()


def test_the_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARGMAP_TOKEN", TOKEN)
    app, store = _app()
    with TestClient(app=app) as c:
        assert c.post("/maps", json={"id": "t", "title": "T"}).status_code == 401
        assert c.post("/maps", json={"id": "t", "title": "T"},
                      headers={"Authorization": "Bearer " + TOKEN}).status_code == 201
    store.close()


# -- No file outside the package is reachable ------------------------------------------------

SECRET = "argmap-secret-marker-7f3a"


@pytest.fixture(scope="module")
def open_client():
    app, store = _app()
    with TestClient(app=app) as c:
        yield c
    store.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("outside") / "secret.txt"
    p.write_text(SECRET)
    return p


TRAVERSALS = ["..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows",
              "%2fetc%2fpasswd", "....%2f%2f....%2f%2fetc%2fpasswd", "peace-plan%2f..%2f..%2fpyproject.toml",
              "%252e%252e%252fetc%252fpasswd", "%00..%2f"]


@pytest.mark.parametrize("ref", TRAVERSALS)
@pytest.mark.parametrize("suffix", ["", ".json", ".yaml", ".aif.json", ".argdown", "/diagram.svg",
                                    "/timeline.json", "/briefing.html", "/statements.csv", "/speakers/kaja-kallas"])
def test_no_map_id_reaches_a_file(open_client, ref, suffix):
    r = open_client.get(f"/maps/{ref}{suffix}")
    assert r.status_code in (400, 404, 422), (r.status_code, r.text[:300])
    assert b"root:" not in r.content and b"[build-system]" not in r.content


def _map_naming(path: str) -> dict:
    return {"id": "leak", "title": "t",
            "sources": [{"id": "s", "title": "t", "text_file": path}],
            "statements": [{"id": "a", "text": "x", "source": "s"}]}


@pytest.mark.parametrize("name", ["{secret}", "../../../../{secret}", "file://{secret}", "/etc/passwd"])
def test_no_http_body_can_name_a_file(open_client, secret_file, name):
    doc = _map_naming(name.format(secret=secret_file))
    for r in (open_client.post("/maps", json=doc),
              open_client.post("/maps/import", json=doc),
              open_client.post("/maps/import?format=native", content=__import__("yaml").safe_dump(doc),
                               headers={"Content-Type": "application/yaml"}),
              open_client.post("/maps/peace-plan/sources", json=doc["sources"][0]),
              open_client.put("/maps/peace-plan/sources/article", json={**doc["sources"][0], "id": "article"}),
              open_client.patch("/maps/peace-plan/sources/article", json={"text_file": name})):
        assert r.status_code in (400, 422), (r.status_code, r.text[:300])
        assert SECRET not in r.text and "root:" not in r.text
        assert "text_file" in r.text
    assert open_client.get("/maps/leak").status_code == 404


HOSTILE_REFS = ["file://{secret}", "<img src='file://{secret}'>", "url(file://{secret})",
                "<image href='{secret}'/>", "@import '{secret}';", "<!ENTITY x SYSTEM 'file://{secret}'>&x;"]


def test_no_export_reads_a_file_named_in_map_text(secret_file):
    refs = [r.format(secret=secret_file) for r in HOSTILE_REFS]
    app, store = _app()
    doc = {"id": "hostile", "title": refs[0], "description": refs[1],
           "speakers": [{"id": "sp", "name": refs[2], "role": refs[3]}],
           "sources": [{"id": "src", "title": refs[4], "url": "http://127.0.0.1:9" + str(secret_file), "text": refs[5]}],
           "statements": [{"id": f"s{i}", "text": t, "speaker": "sp", "source": "src", "said": "2025-11-2" + str(i)}
                          for i, t in enumerate(refs)],
           "arguments": [{"id": "a1", "kind": "support", "premises": ["s1"], "target": "s0", "note": refs[2]}]}
    with TestClient(app=app) as c:
        bad_url = {**doc, "sources": [{**doc["sources"][0], "url": "file://" + str(secret_file)}]}
        assert c.post("/maps", json=bad_url).status_code == 422
        assert c.post("/maps", json=doc).status_code == 201
        paths = [f"/maps/hostile{ext}" for ext in (".json", ".yaml", ".aif.json", ".argdown")]
        paths += [f"/maps/hostile/diagram.{e}" for e in ("svg", "dot", "pdf", "png")]
        paths += [f"/maps/hostile/timeline.{e}" for e in ("svg", "json", "pdf")]
        paths += ["/maps/hostile/briefing.html", "/maps/hostile/briefing.pdf"]
        paths += ["/maps/hostile/statements.csv", "/maps/hostile/statements.json", "/maps/hostile/search?q=img"]
        for p in paths:
            r = c.get(p)
            assert r.status_code == 200, (p, r.text[:300])
            assert SECRET.encode() not in r.content, p
            if p.endswith(".pdf"):
                import io

                import pypdf

                text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.content)).pages)
                assert SECRET not in text, p
    store.close()


def test_the_pdf_fetcher_refuses_local_files(secret_file):
    from argmap.render._pdf import html_to_pdf, own_only_fetcher

    fetcher = own_only_fetcher()
    pdf = html_to_pdf(f"<p>x</p><img src='file://{secret_file}'><link rel=stylesheet href='{secret_file}'>"
                      f"<p style=\"background: url('file://{secret_file}')\">y</p>", fetcher=fetcher)
    assert pdf.startswith(b"%PDF") and SECRET.encode() not in pdf
    assert any(str(secret_file) in u for u in fetcher.refused)
    # refused in the render's child process, which opened no such file (its audit record)
    assert str(secret_file) not in fetcher.files and fetcher.network == []


@pytest.mark.parametrize("path", [
    "/ui/static/..%2f..%2f..%2fpyproject.toml", "/ui/static/%2e%2e/%2e%2e/cli.py", "/ui/static/../templates/base.html",
    "/ui/static/..%2ftemplates%2fbase.html", "/ui/static/..%5c..%5capi%5capp.py", "/ui/static/%2fetc%2fpasswd",
    "/ui/static//etc/passwd", "/ui/static/..%252f..%252fpyproject.toml", "/ui/static/app.css%00.py",
    "/ui/maps/..%2f..%2fetc%2fpasswd", "/ui/%2e%2e/%2e%2e/etc/passwd",
])
def test_no_static_or_page_path_leaves_its_folder(open_client, path):
    r = open_client.get(path)
    assert r.status_code in (400, 404, 422), (r.status_code, r.text[:200])
    for leaked in (b"root:", b"[build-system]", b"import ", b"{% ", b"{{"):
        assert leaked not in r.content, (path, leaked)


def test_the_static_folder_serves_its_own_files(open_client):
    assert open_client.get("/ui/static/app.css").status_code == 200  # the test above is not vacuous


def test_no_map_can_take_an_id_its_routes_cannot_reach(open_client):
    # Found by schemathesis: imports without an id made a map 'import', which GET, PATCH and
    # DELETE /maps/import (the import route) could never reach.
    r = open_client.post("/maps", json={"id": "import", "title": "t"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "$.id"
    r = open_client.post("/maps/import", content="[a]: A\n  <+ [b]: B\n", headers={"Content-Type": "text/x-argdown"})
    assert r.status_code == 201
    assert open_client.delete(f"/maps/{r.json()['id']}", params={"confirm": "true"}).status_code == 200
