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


def test_lake_compact_flushes_small_writes_into_files_and_keeps_every_row(lake):
    from click.testing import CliRunner

    from argmap.cli import cli
    from argmap.model import MapInfo, Statement
    from argmap.store import Store

    catalog, data_path = lake
    with Store(lake=catalog, data_path=data_path) as store:
        store.create_map(MapInfo(id="m", title="Small writes"))
        for i in range(5):
            store.add_statement("m", Statement(id=f"s{i}", text=f"Small write {i}."))
    result = CliRunner().invoke(cli, ["--lake", catalog, "--data-path", data_path, "lake", "compact"])
    assert result.exit_code == 0, result.output
    assert "data files before" in result.output
    with Store(lake=catalog, data_path=data_path) as store:
        assert [s.id for s in store.list_statements("m")] == [f"s{i}" for i in range(5)]
        assert store.compact()["files_after"] >= 1, "the inlined rows are in Parquet files now"


def test_lake_compact_without_a_lake_is_refused(tmp_path):
    from click.testing import CliRunner

    from argmap.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.duckdb"), "lake", "compact"])
    assert result.exit_code != 0 and "--lake" in result.output
