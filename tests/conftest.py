"""Fixtures shared across test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> str:
    """A database file holding the seed map; tests only read it (CLI exports, HTTP GETs)."""
    path = str(tmp_path_factory.mktemp("seed") / "argmap.duckdb")
    with Store(path) as store:
        store.load_map(load(SEED))
    return path
