"""`argmap af solve` (ICCMA conventions) and `argmap evaluate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from argmap.cli import cli

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
FLOATING = "arg(a).\narg(b).\narg(c).\narg(d).\natt(a,b).\natt(b,a).\natt(a,c).\natt(b,c).\natt(c,d).\n"


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, ["--db", str(tmp_path / "t.duckdb"), *args], input=input)

    return invoke


@pytest.fixture
def floating(tmp_path) -> str:
    path = tmp_path / "floating.apx"
    path.write_text(FLOATING)
    return str(path)


def test_af_solve_prints_iccma_answers(run, floating):
    assert run("af", "solve", "-s", "preferred", "-t", "ee", floating).output == "[[a,d],[b,d]]\n"
    assert run("af", "solve", "-s", "preferred", "-t", "ds", "-a", "d", floating).output == "YES\n"
    assert run("af", "solve", "-s", "grounded", "-t", "ds", "-a", "d", floating).output == "NO\n"


def test_af_solve_reads_iccma23_from_stdin_and_answers_in_its_style(run):
    odd = "p af 3\n1 2\n2 3\n3 1\n"
    result = run("af", "solve", "-s", "stable", "-t", "se", "--format", "i23", "-", input=odd)
    assert (result.exit_code, result.output) == (0, "NO\n")
    result = run("af", "solve", "-s", "complete", "-t", "dc", "-a", "1", "--format", "i23", "-",
                 input="p af 2\n1 2\n2 1\n")
    assert result.output == "YES\nw 1\n"


def test_af_solve_refuses_a_bad_file_with_the_line(run, tmp_path):
    bad = tmp_path / "bad.af"
    bad.write_text("p af 2\n1 2\n2 3\n")
    result = run("af", "solve", "-s", "grounded", "-t", "se", str(bad))
    assert result.exit_code == 2
    assert "line 3: argument 3 is outside 1..2" in result.output


def test_af_solve_without_the_argument_dc_needs_is_a_usage_error(run, floating):
    result = run("af", "solve", "-s", "stable", "-t", "dc", floating)
    assert result.exit_code == 2 and "needs an argument" in result.output


def test_af_solve_says_when_ee_stopped_at_the_limit(run, floating):
    result = run("af", "solve", "-s", "complete", "-t", "ee", "--limit", "1", floating)
    assert result.exit_code == 0
    assert result.stdout.count("[") == 2  # one extension inside the list
    assert "more extensions exist" in result.stderr


def test_evaluate_a_map_file_as_json(run):
    result = run("evaluate", str(SEED), "--json")
    data = json.loads(result.output)
    assert data["labels"]["no-peace-without-ukraine-and-europe"] == "in"
    assert data["explanations"]["article-ternopil-26-dead"].startswith("out: attacked by argument a-toll-")


def test_evaluate_a_stored_map_lists_statements_with_reasons(run):
    assert run("load", str(SEED)).exit_code == 0
    result = run("evaluate", "peace-plan", "--semantics", "preferred")
    assert result.exit_code == 0
    assert "statements: 61 in, 7 out, 2 undecided" in result.output
    assert "gerasimov-kupiansk-captured" in result.output
    assert "undecided: in 1 of the 2 preferred extensions" in result.output
    assert "2 preferred extension(s)" in result.output


def test_evaluate_an_unknown_map_fails_with_exit_2(run):
    assert run("load", str(SEED)).exit_code == 0
    result = run("evaluate", "no-such-map")
    assert result.exit_code == 2 and "no-such-map" in result.output


def test_export_diagram_colours_by_evaluation(run):
    assert run("load", str(SEED)).exit_code == 0
    result = run("export", "diagram", "peace-plan", "--format", "dot", "--evaluate", "grounded")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith('"article-ternopil-26-dead" ['))
    assert ">OUT<" in line
