"""Fixtures of the reliability tests: real servers on temp databases (see reliability_server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability_server import Server


@pytest.fixture
def server_factory(tmp_path):
    """Make servers on temp databases; every one is stopped at the end of the test."""
    made: list[Server] = []

    def make(db: Path | None = None, **kw) -> Server:
        s = Server(db or tmp_path / "argmap.duckdb", **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.kill()
