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


class _KeptAlive(_Leader):
    """A leader that keeps connections open between requests (as granian does), records which
    connection each request came on, and may close a connection after answering (``close``) or
    answer in chunks of a streamed body (``chunked``)."""

    protocol_version = "HTTP/1.1"
    peers: list = []
    close = chunked = False

    def do_POST(self):  # noqa: N802
        type(self).peers.append(self.client_address)
        if not type(self).chunked:
            super().do_POST()
            if type(self).close:
                self.close_connection = True
            return
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-ndjson")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for i in range(3):
            line = json.dumps({"done": i}).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def kept_alive():
    _Leader.seen, _Leader.status = [], 201
    _KeptAlive.peers, _KeptAlive.close, _KeptAlive.chunked = [], False, False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeptAlive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_forwarded_writes_share_a_kept_alive_connection_and_one_the_leader_closed_is_not_reused(kept_alive):
    store = _follower(kept_alive)
    with TestClient(create_app(store=store)) as client:
        for i in range(3):
            r = client.post("/maps/m/statements", json={"id": f"s{i}", "text": "Sent on."})
            assert (r.status_code, r.headers["x-argmap-written-by"]) == (201, kept_alive)
        assert len(set(_KeptAlive.peers)) == 1, "one connection to the leader for the three"
        _KeptAlive.close = True  # the leader closes each connection after its answer from now on
        for i in range(3, 6):
            r = client.post("/maps/m/statements", json={"id": f"s{i}", "text": "Sent on."})
            assert (r.status_code, r.headers["x-argmap-written-by"]) == (201, kept_alive), r.text
    assert [json.loads(b)["id"] for _, _, _, b in _Leader.seen] == [f"s{i}" for i in range(6)]
    # s3 still came on the first connection; the leader closed it, and each one after it
    assert len(set(_KeptAlive.peers)) == 3 and len(set(_KeptAlive.peers[3:])) == 3
    assert store.list_statements("m") == [] and store.leadership.forgotten == 0
    store.close()


def test_an_answer_streamed_in_chunks_comes_back_whole(kept_alive):
    _KeptAlive.chunked = True  # as a bulk import's progress comes
    store = _follower(kept_alive)
    with TestClient(create_app(store=store)) as client:
        r = client.post("/maps/import", content=b'{"id": "x"}\n', headers={"content-type": "application/x-ndjson"})
        again = client.post("/maps/import", content=b'{"id": "y"}\n', headers={"content-type": "application/x-ndjson"})
    assert r.status_code == again.status_code == 200
    assert [json.loads(line) for line in r.text.splitlines()] == [{"done": 0}, {"done": 1}, {"done": 2}]
    assert again.text == r.text and len(set(_KeptAlive.peers)) == 1
    store.close()


def test_a_server_forwards_at_most_so_many_requests_at_once(kept_alive, monkeypatch):
    from argmap.api import _forward

    monkeypatch.setattr(_forward, "CONNECTIONS", 2)
    in_flight, most, lock = [0], [0], threading.Lock()
    real = _KeptAlive.do_POST

    def slow(self):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        threading.Event().wait(0.2)
        with lock:
            in_flight[0] -= 1
        real(self)

    monkeypatch.setattr(_KeptAlive, "do_POST", slow)
    store = _follower(kept_alive)
    with TestClient(create_app(store=store)) as client:
        results = [None] * 6

        def post(i):
            results[i] = client.post("/maps/m/statements", json={"id": f"s{i}", "text": "Sent on."}).status_code

        threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert results == [201] * 6  # the others waited their turn, none was refused
    assert most[0] == 2 and len(set(_KeptAlive.peers)) == 2
    store.close()
