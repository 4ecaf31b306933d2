"""`argmap export diagram`: a stored map drawn to a file, with errors as one line and exit 2."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from argmap.cli import cli
from argmap.exports import by_name


@pytest.fixture
def db(seed_db) -> str:
    return seed_db


def run(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "export", "diagram", *args])


def test_formats_offered_are_the_catalogues():
    command = cli.commands["export"].get_command(None, "diagram")
    offered = next(p for p in command.params if p.name == "fmt").type.choices
    assert list(offered) == [e.suffix for e in by_name()["diagram"]]
    assert list(offered)[:4] == ["svg", "pdf", "png", "dot"]


def test_writes_the_seed_diagram_as_svg(db, tmp_path):
    out = tmp_path / "seed.svg"
    result = run(db, "peace-plan", "--out", str(out))
    assert result.exit_code == 0, result.output
    ids = {g.get("id") for g in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}g")}
    assert {"no-peace-without-ukraine-and-europe", "legend/"} <= ids


def test_format_follows_the_file_extension_unless_given(db, tmp_path):
    assert run(db, "peace-plan", "--out", str(tmp_path / "d.pdf")).exit_code == 0
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF-")
    assert run(db, "peace-plan", "--format", "dot", "--out", str(tmp_path / "d.txt")).exit_code == 0
    assert (tmp_path / "d.txt").read_text().startswith("digraph")


def test_focus_depth_and_layout_options_reach_the_drawing(db):
    result = run(db, "peace-plan", "--format", "dot", "--focus", "victims-silenced", "--depth", "1",
                 "--rankdir", "LR", "--group-by-speaker", "--title", "Part", "--no-legend")
    assert result.exit_code == 0, result.output
    dot = result.stdout
    assert 'rankdir="RL"' in dot and "cluster_speaker/kaizen-author" in dot and "legend/" not in dot
    assert "victims-silenced" in dot and "kallas-no-viable-plan" not in dot
    assert "<B>Part</B>" in dot


@pytest.mark.parametrize("args, message", [
    (["peace-plan", "--focus", "nowhere"], "$.focus: map 'peace-plan' has no statement 'nowhere'"),
    (["peace-plan", "--depth", "-1"], "depth:"),
    (["no-such-map"], "no map 'no-such-map'"),
    (["peace-plan", "--timeout", "0.001"], "timeout: Graphviz took longer"),
])
def test_bad_input_is_one_line_and_exit_2(db, args, message):
    result = run(db, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("argmap: error: ") and message in result.stderr
