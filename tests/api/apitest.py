"""The seed map served through Litestar's test client, for the API tests: fixtures, constants
and assertions. A test module imports the fixtures it uses by name (``from apitest import api``):
a second ``conftest.py`` here would shadow the one in tests/ for modules that import from it.

``api`` is one app per module, for tests that only read; ``fresh_api`` is a new store per
test, for tests that write; ``make_api(token=..., max_body=...)`` builds one with settings.
All hold the seed map ``peace-plan``.

Every module runs twice, once per back end (:func:`open_store`): on a DuckDB database and on a
DuckLake catalog in the session's PostgreSQL cluster, each lake store a clone of one seeded
catalog (``CREATE DATABASE … TEMPLATE``), so no test loads the map into a lake again.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
MAP = "peace-plan"
TOKEN, READ_TOKEN = "write-secret", "read-secret"
WRITE = {"Authorization": f"Bearer {TOKEN}"}

# The test client logs every request at INFO; failures are easier to read without.
logging.getLogger("httpx").setLevel(logging.WARNING)


BACKENDS = ("file", "lake")


@pytest.fixture(scope="module")
def seed_map():
    return load(SEED)


@pytest.fixture(scope="module", params=BACKENDS)
def open_store(request, seed_map):
    """``open_store()`` opens a new store holding the seed map, ``open_store(seeded=False)`` an
    empty one: on a DuckDB database (``file``) or a DuckLake catalog (``lake``).

    A module whose fixtures take this runs once per back end; a lake test is skipped (saying
    why) where PostgreSQL is not installed.
    """
    if request.param == "file":
        def open_file(seeded: bool = True) -> Store:
            store = Store(":memory:")
            if seeded:
                store.load_map(seed_map)
            return store

        return open_file
    postgres, template = request.getfixturevalue("postgres"), request.getfixturevalue("seeded_lake")

    class LakeOfItsOwn(Store):
        def close(self) -> None:
            super().close()
            postgres.drop(self.lake)  # its data files are a few kB in the session's folder

    def open_lake(seeded: bool = True) -> Store:
        lake, data_path = postgres.clone(template) if seeded else postgres.new_lake()
        return LakeOfItsOwn(lake=lake, data_path=data_path)

    return open_lake


def _client(open_store, **settings):
    store = open_store()
    return store, TestClient(create_app(store=store, **settings))


@pytest.fixture(scope="module")
def api(open_store):
    """A client over the seed map, shared by the module's read-only tests (never write through it)."""
    yield from _served(open_store)


@pytest.fixture
def fresh_api(open_store):
    """A client over a store of its own, for a test that writes."""
    yield from _served(open_store)


def _served(open_store):
    store, client = _client(open_store)
    with client:
        client.store = store
        yield client
    store.close()


@pytest.fixture
def make_api(open_store):
    """Build a client with settings (tokens, body limit) over a fresh seeded store."""
    opened = []

    def make(**settings):
        store, client = _client(open_store, **settings)
        client.__enter__()
        client.store = store
        opened.append((store, client))
        return client

    yield make
    for store, client in opened:
        client.__exit__(None, None, None)
        store.close()


def snapshot(client) -> bytes:
    """The whole seed map as the API exports it: what a refused write must leave alone."""
    r = client.get(f"/maps/{MAP}.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    return r.content


def assert_error(response, status: int, error: str, field: str | None = None) -> dict:
    """The response is our JSON error with this status and code (and a problem at ``field``)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    if field is not None:
        assert field in [p["field"] for p in body["problems"]], body
    return body


def assert_refused(client, method: str, url: str, status: int, error: str, field: str | None = None, **kwargs) -> dict:
    """The write is refused with this error, and the map is exactly as it was before."""
    before = snapshot(client)
    body = assert_error(client.request(method, url, **kwargs), status, error, field)
    assert snapshot(client) == before, f"{method} {url} was refused but changed the map"
    return body
