"""``argmap serve``: what it hands to the server, its warning for an open, unprotected server,
and its one-line refusals (exit code 2) when it cannot start. The real process (kills, drain)
is tested in tests/reliability/test_serve_process.py."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from argmap import _serve
from argmap.cli import cli
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


@pytest.fixture
def served(monkeypatch):
    calls = []

    def fake_serve(app, *, host, port, drain, on_close, on_drain=None):
        calls.append((app, host, port, drain))
        on_close()
        return 0

    monkeypatch.setattr(_serve, "serve", fake_serve)
    monkeypatch.delenv("ARGMAP_TOKEN", raising=False)
    monkeypatch.delenv("ARGMAP_DB", raising=False)
    return calls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_loads_the_seed_and_binds_localhost(served, tmp_path):
    db = tmp_path / "a.duckdb"
    port = _free_port()
    r = CliRunner().invoke(cli, ["--db", str(db), "serve", "--port", str(port), "--load", str(SEED)])
    assert r.exit_code == 0, r.output
    ((app, host, got_port, drain),) = served
    assert (host, got_port, drain) == ("127.0.0.1", port, 10.0)
    assert app.observe.log_format == "text" and app.observe.metrics
    assert "warning" not in r.output
    with Store(db, read_only=True) as store:  # closed by the server: the lock is free again
        assert store.counts("peace-plan").statements == 70


def test_serve_warns_when_open_to_the_network_without_a_token(served, tmp_path, monkeypatch):
    args = ["--db", str(tmp_path / "b.duckdb"), "serve", "--host", "0.0.0.0", "--port", str(_free_port())]
    assert "without ARGMAP_TOKEN" in CliRunner().invoke(cli, args).output
    monkeypatch.setenv("ARGMAP_TOKEN", "secret")
    assert "warning" not in CliRunner().invoke(cli, args).output


def _refusal(args: list[str]) -> str:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    return r.output.strip()


def test_a_port_in_use_is_one_line_and_exit_code_2(served, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        line = _refusal(["--db", str(tmp_path / "c.duckdb"), "serve", "--port", str(port)])
    assert line == f"argmap: error: cannot listen on 127.0.0.1:{port}: the port is in use by another process"
    assert served == [] and not (tmp_path / "c.duckdb").exists()  # refused before the store was touched


def test_a_file_that_is_no_database_is_one_line_and_exit_code_2(served, tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("these are my notes, not a database\n" * 100)
    line = _refusal(["--db", str(bad), "serve", "--port", str(_free_port())])
    assert line.startswith(f"argmap: error: cannot open {bad}: ") and served == []


def test_an_unreachable_lake_catalog_is_one_line_and_exit_code_2(served, tmp_path):
    port = _free_port()  # nothing listens there
    lake = f"postgres:dbname=argmap host=127.0.0.1 port={port} user=postgres password=hunter2"
    line = _refusal(["--lake", lake, "--data-path", str(tmp_path), "serve", "--port", str(_free_port())])
    assert line.startswith("argmap: error: cannot open ") and "lake" in line.lower() and served == []
    assert "hunter2" not in line  # the catalog is named redacted
