"""Read-your-writes on a lake server whose writes another server makes: a write a client sends
to a follower is made by the leader (argmap.api._forward), and the follower reads it at once,
even when the leader's notification has not reached it."""

from __future__ import annotations

import time

import pytest
from litestar.testing import TestClient

from test_lake_serve import SEED, _serve, _wait

from argmap.api import create_app
from argmap.mapfile import load
from argmap.store import Store
from argmap.store._lake import _SnapshotVersions


def test_a_follower_reads_at_once_what_a_client_wrote_through_it(postgres, tmp_path, monkeypatch):
    lake, data_path = postgres.new_lake()
    with Store(lake=lake, data_path=data_path) as store:
        store.load_map(load(SEED))
    leader, url = _serve(lake, data_path, tmp_path)
    try:
        _wait(url, leader, tmp_path / f"serve-{url.rsplit(':', 1)[1]}.log")
        # The follower's push is late, for ever: it trusts what it knows and hears nothing.
        monkeypatch.setattr(_SnapshotVersions, "_listening",
                            lambda self: setattr(self, "_trusted_until", time.monotonic() + 3600))
        follower = Store(lake=lake, data_path=data_path)
        follower.lead_writes(None)  # finds the leader, never leads
        try:
            with TestClient(create_app(store=follower)) as client:
                sid = client.get("/maps/peace-plan/statements").json()["items"][0]["id"]
                before = client.get(f"/maps/peace-plan/statements/{sid}").json()
                for i in range(3):
                    r = client.patch(f"/maps/peace-plan/statements/{sid}", json={"text": f"Rewritten {i}."})
                    assert r.status_code == 200, r.text
                    assert r.headers.get("x-argmap-written-by") == url  # the leader made it
                    assert client.get(f"/maps/peace-plan/statements/{sid}").json()["text"] == f"Rewritten {i}."
                assert before["text"] != "Rewritten 0."
        finally:
            follower.close()
    finally:
        leader.kill()
        leader.wait()


@pytest.fixture(autouse=True)
def _no_token(monkeypatch):
    monkeypatch.delenv("ARGMAP_TOKEN", raising=False)
    monkeypatch.delenv("ARGMAP_READ_TOKEN", raising=False)
