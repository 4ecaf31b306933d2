"""``argmap serve``: what it hands to granian, and its warning for an open, unprotected server."""

from __future__ import annotations

from pathlib import Path

import granian
import pytest
from click.testing import CliRunner

from argmap.cli import cli
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


@pytest.fixture
def served(monkeypatch):
    calls = []

    class FakeGranian:
        def __init__(self, target, **options):
            calls.append((target, options))

        def serve(self):
            pass

    monkeypatch.setattr(granian, "Granian", FakeGranian)
    monkeypatch.delenv("ARGMAP_TOKEN", raising=False)
    monkeypatch.delenv("ARGMAP_DB", raising=False)
    return calls


def test_serve_loads_the_seed_and_binds_localhost(served, tmp_path):
    db = tmp_path / "a.duckdb"
    r = CliRunner().invoke(cli, ["--db", str(db), "serve", "--port", "8123", "--load", str(SEED)])
    assert r.exit_code == 0, r.output
    ((target, options),) = served
    assert target == "argmap.api.app:create_served_app" and options["factory"] is True
    assert (options["address"], options["port"], options["interface"]) == ("127.0.0.1", 8123, "asgi")
    assert "warning" not in r.output
    with Store(db, read_only=True) as store:
        assert store.counts("peace-plan").statements == 70


def test_serve_warns_when_open_to_the_network_without_a_token(served, tmp_path, monkeypatch):
    args = ["--db", str(tmp_path / "b.duckdb"), "serve", "--host", "0.0.0.0"]
    assert "without ARGMAP_TOKEN" in CliRunner().invoke(cli, args).output
    monkeypatch.setenv("ARGMAP_TOKEN", "secret")
    assert "warning" not in CliRunner().invoke(cli, args).output
