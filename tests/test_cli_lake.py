"""``argmap --lake … --data-path …``: every command on a shared DuckLake catalog."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from argmap.cli import cli

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


def test_load_then_stats_through_the_lake_options_and_the_environment(lake):
    runner = CliRunner()
    r = runner.invoke(cli, ["--lake", lake[0], "--data-path", lake[1], "load", str(SEED)])
    assert r.exit_code == 0, r.output
    assert "into ducklake:postgres:" in r.output
    r = runner.invoke(cli, ["stats", "peace-plan"], env={"ARGMAP_LAKE": lake[0], "ARGMAP_DATA_PATH": lake[1]})
    assert r.exit_code == 0, r.output
    assert "70 statements, 60 arguments" in r.output


def test_an_unreachable_lake_is_exit_2_naming_the_lake_without_its_password(postgres):
    r = CliRunner().invoke(cli, ["--lake", f"postgres:dbname=missing host=127.0.0.1 port={postgres.port} "
                                 "user=postgres password=hunter2", "stats"])
    assert r.exit_code == 2
    assert "lake: cannot open the DuckLake catalog" in r.output and "hunter2" not in r.output
