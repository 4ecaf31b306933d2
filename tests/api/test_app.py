"""The app as a whole: tokens on every route, one error shape, the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from apitest import MAP, READ_TOKEN, TOKEN, assert_error, snapshot
from apitest import api, fresh_api, make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)
from litestar.routes import HTTPRoute

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PATH_VALUES = {"map_id": MAP, "map_ref": MAP, "item_id": "kremlin-silent", "statement_id": "kremlin-silent"}


def _routes(app, map_id: str = MAP) -> list[tuple[str, str]]:
    """(method, concrete path) for every HTTP route the app has, the schema pages included.

    With ``map_id="nope"`` an accepted request ends in a quick 404 instead of rendering a PDF:
    what matters there is only that the token let it through.
    """
    values = {**PATH_VALUES, "map_id": map_id, "map_ref": map_id}
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m[1], "x"), route.path)
            # A POST that only computes (opt read_only: the editor's preview) is a read, checked
            # in tests/api/test_editor.py.
            read_only = {m for h in route.route_handlers if h.opt.get("read_only") for m in h.http_methods}
            out += [(method, path) for method in sorted(route.methods - {"OPTIONS", "HEAD"} - read_only)]
    # The browser's sign-in form must be open to take a token (it writes nothing to the store):
    # tests/reliability/test_access.py checks it is the only route the guard lets through. Its
    # style sheet, script and icon (/ui/static/) open too (issue 16: the form must look like itself);
    # tests/api/test_sessions.py checks them.
    return [(m, p) for m, p in out if p != "/ui/sign-in" and not p.startswith("/ui/static/")]


def _bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


BAD_CREDENTIALS = [None, "wrong", TOKEN + "x", TOKEN[:-1], ""]


def test_every_write_route_needs_the_write_token(make_api):
    client = make_api(token=TOKEN)
    writes = [(m, p) for m, p in _routes(client.app) if m in WRITES]
    assert len(writes) >= 17  # maps: 4 writes; each of the four entities: 4 writes
    before = snapshot(client)
    for method, path in writes:
        for token in BAD_CREDENTIALS:
            r = client.request(method, path, headers=_bearer(token), json={})
            assert_error(r, 401, "unauthorized", "authorization")
            assert r.headers["www-authenticate"] == "Bearer"
        r = client.request(method, path, headers={"Authorization": f"Basic {TOKEN}"}, json={})
        assert r.status_code == 401, (method, path)
    assert snapshot(client) == before, "a refused write changed the map"
    for method, path in writes:
        r = client.request(method, path, headers=_bearer(TOKEN), json={})
        assert r.status_code != 401, (method, path, r.text)
    # Without a read token, reads stay open.
    assert all(client.get(p).status_code != 401 for m, p in _routes(client.app, "nope") if m == "GET")


def test_a_read_token_closes_reads_but_never_opens_writes(make_api):
    client = make_api(token=TOKEN, read_token=READ_TOKEN)
    routes = _routes(client.app, "nope")
    reads = [p for m, p in routes if m == "GET"]
    assert any(p.startswith("/schema") for p in reads) and len(reads) >= 15
    for path in reads:
        for token in BAD_CREDENTIALS:
            r = client.get(path, headers=_bearer(token))
            if r.headers["content-type"].startswith("text/html"):  # the web pages answer with a page
                assert r.status_code == 401 and path.startswith("/ui"), path
            else:
                assert_error(r, 401, "unauthorized", "authorization")
        assert client.get(path, headers=_bearer(READ_TOKEN)).status_code != 401, path
        assert client.get(path, headers=_bearer(TOKEN)).status_code != 401, path  # a write token reads too
    for method, path in routes:
        if method in WRITES:
            assert client.request(method, path, headers=_bearer(READ_TOKEN), json={}).status_code == 401, path


def test_without_tokens_everything_is_open(fresh_api):
    r = fresh_api.post(f"/maps/{MAP}/statements", json={"id": "open", "text": "Anyone may write here."})
    assert r.status_code == 201


# -- one error shape ---------------------------------------------------------------------------


def _shape(body) -> bool:
    return (
        set(body) == {"error", "message", "problems"}
        and isinstance(body["error"], str) and isinstance(body["message"], str)
        and all(set(p) == {"field", "reason"} and all(isinstance(v, str) for v in p.values()) for p in body["problems"])
    )


def test_every_error_has_the_same_shape(make_api, monkeypatch):
    client = make_api(token=TOKEN, max_body=1024)
    h = _bearer(TOKEN)
    answers = {
        "400": client.post(f"/maps/{MAP}/statements", content=b"{", headers=h | {"content-type": "application/json"}),
        "401": client.post(f"/maps/{MAP}/statements", json={}),
        "404 route": client.get("/nowhere"),
        "404 map": client.get("/maps/nope"),
        "404 id": client.get(f"/maps/{MAP}/statements/nope"),
        "405": client.post(f"/maps/{MAP}/statements.csv", headers=h),
        "409": client.post(f"/maps/{MAP}/statements", json={"id": "victims-silenced", "text": "t"}, headers=h),
        "413": client.post(f"/maps/{MAP}/statements", json={"id": "x", "text": "x" * 2000}, headers=h),
        "422 body": client.post(f"/maps/{MAP}/statements", json={"id": "x", "text": ""}, headers=h),
        "400 query": client.get(f"/maps/{MAP}/statements", params={"limit": "many"}),
        "422 rule": client.get(f"/maps/{MAP}/statements", params={"limit": 5000}),
    }

    def boom(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(client.store, "get_statement", boom)
    answers["500"] = client.get(f"/maps/{MAP}/statements/kremlin-silent")
    for name, r in answers.items():
        assert r.status_code == int(name[:3]), (name, r.text)
        assert r.headers["content-type"].startswith("application/json"), name
        assert _shape(r.json()), (name, r.json())
        assert r.json()["problems"] or name == "500", name
    assert "secret" not in answers["500"].text  # internals stay in the server log


def test_the_error_shape_is_pinned(api):
    assert api.get(f"/maps/{MAP}/statements/nope").json() == {
        "error": "not_found",
        "message": "id: no statement 'nope' in map 'peace-plan'",
        "problems": [{"field": "id", "reason": "no statement 'nope' in map 'peace-plan'"}],
    }


# -- the OpenAPI document --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(api) -> dict:
    r = api.get("/schema/openapi.json")
    assert r.status_code == 200, r.text
    return r.json()


def _resolve(doc: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _documented(route) -> bool:
    """An API route (the schema's own pages and the web pages are not part of the API)."""
    return (isinstance(route, HTTPRoute) and not route.path.startswith("/schema")
            and any(h.resolve_include_in_schema() for h in route.route_handlers))


def test_openapi_documents_every_route(api, openapi):
    operation_ids = []
    for route in filter(_documented, api.app.routes):
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        assert path in openapi["paths"], path
        for method in route.methods - {"OPTIONS", "HEAD"}:
            op = openapi["paths"][path][method.lower()]
            where = f"{method} {path}"
            operation_ids.append(op["operationId"])
            assert op.get("summary"), where
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), where
            if method in ("POST", "PUT", "PATCH"):
                content = op["requestBody"]["content"]
                assert content, where
                for media_type, body in content.items():
                    schema = body["schema"]
                    if "$ref" in schema:  # a Struct: its fields are documented
                        assert _resolve(openapi, schema)["properties"], where
                    else:  # a document read raw (an import, an ICCMA framework)
                        assert schema.get("type") in ("object", "string"), (where, media_type)
            ok = [code for code in op["responses"] if code.startswith("2")]
            assert len(ok) == 1, where
            ((media_type, content),) = op["responses"][ok[0]]["content"].items()
            schema = content["schema"]
            if "$ref" in schema or "items" in schema:
                assert _resolve(openapi, schema.get("items", schema))["properties"], where
            elif media_type.startswith("application/json"):
                assert schema.get("type") == "object", where  # a document of another tool (TimelineJS)
            else:  # a file: CSV, Parquet, SVG, PDF, PNG, DOT, ...
                assert schema.get("type") == "string" and media_type != "application/octet-stream", where
            for code in ("400", "401", "422") + (("404",) if "{" in path else ()):
                error = op["responses"][code]["content"]["application/json"]["schema"]
                assert _resolve(openapi, error)["required"] == ["error", "message", "problems"], f"{where} {code}"
    assert len(operation_ids) == len(set(operation_ids)) >= 37, "operationIds are unique"
    assert "diagramSvg" in operation_ids and "importMap" in operation_ids  # every controller is checked


SLOW = (".pdf", ".png")  # rendered by WeasyPrint or Graphviz; their own tests check them


def test_every_answer_has_the_documented_media_type(api, openapi):
    checked = 0
    for route in filter(_documented, api.app.routes):
        if "GET" not in route.methods or route.path.endswith(SLOW):
            continue
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PATH_VALUES.get(m[1], "x"), route.path)
        r = api.get(path, params={"q": "Kupiansk"} if path.endswith("/search") else None)
        op = openapi["paths"][re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)]["get"]
        documented = op["responses"][str(r.status_code)]["content"]
        assert r.headers["content-type"].split(";")[0] in {m.split(";")[0] for m in documented}, (path, r.status_code)
        assert r.headers["content-type"].count("charset") <= 1, (path, r.headers["content-type"])
        checked += r.status_code == 200
    assert checked >= 20
    for ext in (".json", ".yaml", ".aif.json", ".argdown"):  # the map's own exports, by extension
        r = api.get(f"/maps/{MAP}{ext}")
        assert r.status_code == 200 and r.headers["content-type"].count("charset") <= 1, (ext, r.headers)


def test_openapi_names_the_limits_and_the_interactive_page(api, openapi):
    params = {p["name"]: p for p in openapi["paths"]["/maps/{map_id}/statements"]["get"]["parameters"]}
    assert {"from", "to", "speaker", "kind", "tag", "limit", "offset"} <= set(params)
    assert "1000" in params["limit"]["description"]
    patch = openapi["components"]["schemas"]["StatementPatch"]
    assert "required" not in patch or patch["required"] == []  # every field of a PATCH is optional
    page = api.get("/schema")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_the_served_app_hides_its_startup_objects_from_the_collector(tmp_path, monkeypatch):
    """`argmap serve` runs create_served_app: after startup, the app's own objects (which live
    as long as the process) are frozen, so full collections under load walk only what requests
    and caches made since, not the ~70,000 objects of the app."""
    import gc

    from litestar.testing import TestClient

    from argmap.api.app import create_served_app

    monkeypatch.setenv("ARGMAP_DB", str(tmp_path / "served.duckdb"))
    monkeypatch.delenv("ARGMAP_TOKEN", raising=False)
    monkeypatch.delenv("ARGMAP_READ_TOKEN", raising=False)
    gc.unfreeze()
    try:
        with TestClient(create_served_app()) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/maps").status_code == 200
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


@pytest.mark.parametrize("path", [
    "/maps", f"/maps/{MAP}", f"/maps/{MAP}/statements/victims-silenced", f"/maps/{MAP}/statements.csv",
    f"/maps/{MAP}/diagram.svg", f"/maps/{MAP}/search?q=Kupiansk", "/ui/", "/schema/openapi.json", "/maps/nope",
])
def test_head_answers_what_get_answers_without_the_body(api, path):
    got, head = api.get(path), api.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "etag"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_head_is_refused_where_only_post_is_a_route(api):
    assert api.head("/af/solve").status_code == 405


def test_a_read_token_alone_also_guards_the_writes(make_api):
    # Reads guarded, writes open to anyone: never. With no write token the read token is needed.
    client = make_api(read_token=READ_TOKEN)
    body = {"id": "x", "text": "Anyone may write here?"}
    count = lambda: client.get(f"/maps/{MAP}", headers=_bearer(READ_TOKEN)).json()["counts"]  # noqa: E731
    before = count()
    assert_error(client.post(f"/maps/{MAP}/statements", json=body), 401, "unauthorized", "authorization")
    assert count() == before
    assert client.post(f"/maps/{MAP}/statements", json=body, headers=_bearer(READ_TOKEN)).status_code == 201
