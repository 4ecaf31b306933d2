"""One store suite on every back end (as Litestar runs one suite over all its stores).

A test that takes ``store`` runs once on a DuckDB database and once on a DuckLake catalog in
PostgreSQL (skipped, saying why, where PostgreSQL is not installed). Lake variants are marked
slow in modules that set ``LAKE_IS_SLOW`` (``-m "not slow"`` leaves them out of a quick run).
"""

from __future__ import annotations

import pytest

from argmap.store import Store


@pytest.fixture(scope="session")
def empty_lake(postgres) -> tuple[str, str]:
    """A catalog with the schema and nothing else, to clone (nothing may keep it open)."""
    lake, data_path = postgres.new_lake()
    Store(lake=lake, data_path=data_path).close()
    return lake, data_path


@pytest.fixture(params=["file", "lake"])
def open_store(request):
    """``open_store()``: a new empty store on the back end of this variant."""
    opened = []

    def open_file() -> Store:
        opened.append(Store(":memory:"))
        return opened[-1]

    def open_lake() -> Store:
        postgres = request.getfixturevalue("postgres")
        lake, data_path = postgres.clone(request.getfixturevalue("empty_lake"))
        opened.append(Store(lake=lake, data_path=data_path))
        return opened[-1]

    yield open_file if request.param == "file" else open_lake
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store) -> Store:
    return open_store()
