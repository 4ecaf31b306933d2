"""A lake server hands its write requests to the server leading the writes (argmap.api._forward):
the leader's answer comes back as it was; a leader that cannot be reached, or that is shutting
down, leaves the write to the server it reached; reads and forwarded requests stay where they are.

The leader here is a stand-in HTTP server that records what reached it, so every case runs
without PostgreSQL (tests/api/test_lake_serve.py runs real servers on a real lake).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.model import MapInfo
from argmap.store import Store


class _Leadership:
    """What the forwarder asks of a lake store's leadership, with a fixed answer."""

    def __init__(self, address):
        self.address_of_leader, self.leading, self.forgotten = address, False, 0

    def stale(self) -> bool:
        return False

    def leader(self):
        return self.address_of_leader

    def forget(self) -> None:
        self.forgotten += 1
        self.address_of_leader = None


class _Leader(BaseHTTPRequestHandler):
    seen: list = []
    status = 201

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).seen.append((self.command, self.path, dict(self.headers), body))
        out = json.dumps({"made by": "the leader"}).encode()
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.send_header("etag", '"from-the-leader"')
        if self.status == 503:
            self.send_header("x-argmap-draining", "1")
        self.end_headers()
        self.wfile.write(out)

    do_DELETE = do_PATCH = do_PUT = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def leader():
    _Leader.seen, _Leader.status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Leader)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _follower(address):
    store = Store(":memory:")
    store.create_map(MapInfo(id="m", title="A map"))
    store.leadership = _Leadership(address)
    return store


def test_a_write_goes_to_the_leader_as_it_came_and_its_answer_comes_back(leader):
    _, url = leader
    store = _follower(url)
    with TestClient(create_app(store=store)) as client:
        r = client.post("/maps/m/statements?x=1", json={"id": "s1", "text": "Sent on."},
                        headers={"Authorization": "Bearer secret", "X-Argmap-Message": "why"})
    assert (r.status_code, r.json(), r.headers["etag"]) == (201, {"made by": "the leader"}, '"from-the-leader"')
    assert r.headers["x-argmap-written-by"] == url
    [(method, path, headers, body)] = _Leader.seen
    assert (method, path) == ("POST", "/maps/m/statements?x=1")
    assert json.loads(body) == {"id": "s1", "text": "Sent on."}
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["authorization"] == "Bearer secret" and lower["x-argmap-message"] == "why"
    assert lower["x-argmap-forwarded"] == "1" and lower["host"] == "testserver.local"
    assert store.list_statements("m") == [], "the follower wrote nothing itself"
    store.close()


def test_reads_and_requests_already_forwarded_are_answered_where_they_arrive(leader):
    _, url = leader
    store = _follower(url)
    with TestClient(create_app(store=store)) as client:
        assert client.get("/maps/m").status_code == 200
        r = client.post("/maps/m/statements", json={"id": "s1", "text": "Made here."},
                        headers={"X-Argmap-Forwarded": "1"})
        assert r.status_code == 201 and "x-argmap-written-by" not in r.headers
    assert _Leader.seen == []
    assert [s.id for s in store.list_statements("m")] == ["s1"]
    store.close()


def test_a_leader_that_cannot_be_reached_leaves_the_write_here(leader):
    server, url = leader
    server.shutdown()
    server.server_close()  # nothing listens there any more
    store = _follower(url)
    with TestClient(create_app(store=store)) as client:
        r = client.post("/maps/m/statements", json={"id": "s1", "text": "Made here after all."})
    assert r.status_code == 201 and "x-argmap-written-by" not in r.headers
    assert [s.id for s in store.list_statements("m")] == ["s1"]
    assert store.leadership.forgotten == 1
    store.close()


def test_a_leader_shutting_down_leaves_the_write_here(leader):
    _Leader.status = 503
    _, url = leader
    store = _follower(url)
    with TestClient(create_app(store=store)) as client:
        r = client.post("/maps/m/statements", json={"id": "s1", "text": "Made here, the leader is going."})
    assert r.status_code == 201, r.text
    assert len(_Leader.seen) == 1 and [s.id for s in store.list_statements("m")] == ["s1"]
    store.close()


def test_a_large_body_streams_through_to_the_leader(leader):
    _, url = leader
    store = _follower(url)
    text = "x" * (3 << 20)  # past what is read before forwarding
    with TestClient(create_app(store=store, max_body=8 << 20)) as client:
        r = client.post("/maps/m/statements", json={"id": "s1", "text": text})
    assert r.status_code == 201
    assert json.loads(_Leader.seen[0][3])["text"] == text
    store.close()


def test_the_leader_takes_a_forwarded_write_whatever_name_the_client_used():
    # Servers bound to their own addresses each answer to their own names; the server that
    # forwarded the write checked the client's Host against its own, the leader does not again.
    store = Store(":memory:")
    store.create_map(MapInfo(id="m", title="A map"))
    with TestClient(create_app(store=store, allowed_hosts=["10.0.0.1"]), base_url="http://10.0.0.2:8000") as client:
        body = {"id": "s1", "text": "Sent to the other server."}
        assert client.post("/maps/m/statements", json=body).status_code == 400
        assert client.post("/maps/m/statements", json=body, headers={"X-Argmap-Forwarded": "1"}).status_code == 201
        # the Origin check still holds: a page of another site cannot write through a forward
        r = client.post("/maps/m/statements", json={"id": "s2", "text": "x"},
                        headers={"X-Argmap-Forwarded": "1", "Origin": "https://evil.example"})
        assert r.status_code == 403, r.text
    store.close()
