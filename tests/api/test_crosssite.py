"""Cross-site writes and DNS rebinding, generated over every route and method.

A page of another site can send, without a CORS preflight, a POST/PUT/PATCH/DELETE whose body
is text/plain, form-encoded or multipart, with ``Origin: https://evil.example`` (or ``null``).
Every such write to a route that takes JSON is refused (415), and every write with a foreign
Origin is refused (403), whatever the route; the store is unchanged. A request whose Host is a
name the server was not configured for (a rebinding attacker's) is refused (400) on every path.
"""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.api._crosssite import AllowedHosts
from argmap.store import Store

SEED = {"id": "m", "title": "M", "speakers": [{"id": "sp", "name": "S"}], "sources": [{"id": "src", "title": "T"}],
        "statements": [{"id": "s1", "text": "one"}, {"id": "s2", "text": "two"}],
        "arguments": [{"id": "a1", "kind": "support", "premises": ["s1"], "target": "s2"}]}
BODIES = {"statement": {"id": "s9", "text": "x"}, "map": SEED | {"id": "m2"}, "info": {"id": "m", "title": "X"}}
# (method, path, a JSON body it would take)
WRITES = [
    ("POST", "/maps", BODIES["map"]), ("PUT", "/maps/m", BODIES["info"]), ("PATCH", "/maps/m", {"title": "X"}),
    ("POST", "/maps/m/statements", BODIES["statement"]), ("PUT", "/maps/m/statements/s1", {"id": "s1", "text": "y"}),
    ("PATCH", "/maps/m/statements/s1", {"text": "y"}), ("POST", "/maps/m/speakers", {"id": "sp2", "name": "N"}),
    ("POST", "/maps/m/sources", {"id": "src2", "title": "N"}), ("PATCH", "/maps/m/sources/src", {"title": "N"}),
    ("POST", "/maps/m/arguments", {"id": "a2", "kind": "attack", "premises": ["s2"], "target": "s1"}),
    ("PATCH", "/maps/m/speakers/sp", {"name": "N"}),
]
SIMPLE_TYPES = ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", None, "text/html", "application/xml", "application/jsonx"]


@pytest.fixture(scope="module")
def client():
    store = Store(":memory:")
    store.load_map(msgspec.convert(SEED, type=__import__("argmap.model", fromlist=["Map"]).Map))
    app = create_app(store=store, allowed_hosts=["127.0.0.1", "argmap.example.org"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c, store


def fingerprint(store: Store) -> bytes:
    return b"".join(msgspec.json.encode(store.get_map(s.id)) for s in store.list_maps())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(write=st.sampled_from(WRITES), content_type=st.sampled_from(SIMPLE_TYPES))
def test_json_routes_refuse_bodies_a_foreign_page_can_send(client, write, content_type):
    c, store = client
    method, path, body = write
    before = fingerprint(store)
    headers = {"content-type": content_type} if content_type else {}
    r = c.request(method, path, content=msgspec.json.encode(body), headers=headers)
    assert r.status_code == 415, (method, path, content_type, r.text)
    assert r.json()["problems"][0]["field"] == "content-type"
    assert fingerprint(store) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(write=st.sampled_from(WRITES + [("DELETE", "/maps/m/statements/s1", None), ("DELETE", "/maps/m", None),
                                       ("POST", "/maps/import?format=argdown", None), ("POST", "/af/solve", None)]),
       origin=st.sampled_from(["https://evil.example", "null", "http://127.0.0.1:9999", "http://localhost:8000",
                               "http://argmap.example.org.evil.example", "file://"]),
       json_type=st.booleans())
def test_writes_from_a_foreign_origin_are_refused(client, write, origin, json_type):
    c, store = client
    method, path, body = write
    before = fingerprint(store)
    headers = {"origin": origin, "content-type": "application/json" if json_type else "text/plain"}
    content = msgspec.json.encode(body) if body is not None else b"[A]: x\n  <+ y"
    r = c.request(method, path, content=content, headers=headers)
    assert r.status_code == 403, (method, path, origin, r.text)
    assert r.json()["problems"][0]["field"] == "origin"
    assert fingerprint(store) == before


def test_writes_from_its_own_origin_and_from_clients_without_origin_go_through(client):
    c, _ = client
    r = c.post("/maps/m/statements", json={"id": "own", "text": "x"}, headers={"origin": "http://127.0.0.1:8000"})
    assert r.status_code == 201, r.text
    r = c.post("/maps/m/statements", json={"id": "curl", "text": "x"})
    assert r.status_code == 201, r.text
    r = c.patch("/maps/m/statements/own", content=b'{"text": "y"}',
                headers={"content-type": "application/merge-patch+json", "origin": "https://argmap.example.org"})
    assert r.status_code == 200, r.text


hosts = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True),
    st.sampled_from(["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "argmap.example.org.x",
                     "xargmap.example.org"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=hosts, port=st.sampled_from(["", ":8000", ":80"]),
       path=st.sampled_from(["/maps", "/maps/m", "/maps/m.json", "/ui/", "/schema/openapi.json", "/nowhere"]))
def test_a_host_the_server_was_not_configured_for_is_refused_everywhere(client, host, port, path):
    c, _ = client
    if host in ("argmap.example.org", "localhost") or host.endswith(".localhost"):
        return
    r = c.get(path, headers={"host": host + port})
    assert r.status_code == 400, (host, path)
    assert r.json()["problems"][0]["field"] == "host"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "argmap.example.org", "[::1]:8000",
                                  "app.localhost:8000"])
def test_configured_and_local_hosts_are_answered(client, host):
    c, _ = client
    assert c.get("/maps", headers={"host": host}).status_code == 200


def test_a_wildcard_bind_admits_ip_literals_but_not_names():
    allowed = AllowedHosts(["0.0.0.0"])
    assert allowed.admits("10.1.2.3:8000") and allowed.admits("[fe80::1]:80") and allowed.admits("localhost")
    assert not allowed.admits("evil.example") and not allowed.admits("10.1.2.3.nip.io")
    assert AllowedHosts(["*"]).admits("anything.example")
