"""Fixtures for the HTTP API: the seed map served through Litestar's test client.

``api`` is one app for the whole session, for tests that only read; ``fresh_api`` is a new
store per test, for tests that write. Both hold the seed map ``peace-plan``.
"""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient

from apitest import SEED
from argmap.api import create_app
from argmap.mapfile import load
from argmap.store import Store


@pytest.fixture(scope="session", autouse=True)
def _quiet_httpx():
    # The test client logs every request at INFO; failures are easier to read without.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def seed_map():
    return load(SEED)


def _client(seed_map, **settings):
    store = Store(":memory:")
    store.load_map(seed_map)
    return store, TestClient(create_app(store=store, **settings))


@pytest.fixture(scope="session")
def api(seed_map):
    """A client over the seed map, shared by every read-only test (never write through it)."""
    store, client = _client(seed_map)
    with client:
        yield client
    store.close()


@pytest.fixture
def fresh_api(seed_map):
    """A client over a store of its own, for a test that writes."""
    store, client = _client(seed_map)
    with client:
        client.store = store
        yield client
    store.close()


@pytest.fixture
def make_api(seed_map):
    """Build a client with settings (tokens, body limit) over a fresh seeded store."""
    opened = []

    def make(**settings):
        store, client = _client(seed_map, **settings)
        client.__enter__()
        client.store = store
        opened.append((store, client))
        return client

    yield make
    for store, client in opened:
        client.__exit__(None, None, None)
        store.close()
