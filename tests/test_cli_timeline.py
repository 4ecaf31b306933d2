"""`argmap export timeline`: the three formats, the filters, and errors as exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from argmap.cli import cli
from argmap.mapfile import load
from argmap.store import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "argmap.duckdb")
    with Store(path) as store:
        store.load_map(load(REPO / "seeds" / "peace-plan.yaml"))
    return path


def run(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "export", "timeline", "peace-plan", *args])


def test_svg_to_a_file(db, tmp_path):
    out = tmp_path / "t.svg"
    result = run(db, "--format", "svg", "--out", str(out), "--speaker", "kaja-kallas", "--speaker", "valery-gerasimov")
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    names = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "lane-name"]
    assert names == ["Kaja Kallas", "Valery Gerasimov"]


def test_json_to_standard_output_with_a_date_range(db):
    result = run(db, "--format", "json", "--from", "2025-11-21", "--to", "2025-11-23", "--kind", "event")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["events"] and all(e["group"] == "Events" for e in doc["events"])
    assert all(21 <= e["start_date"]["day"] <= 23 for e in doc["events"])


def test_pdf_with_a_focus(db, tmp_path):
    out = tmp_path / "t.pdf"
    result = run(db, "--format", "pdf", "--out", str(out), "--focus", "gerasimov-kupiansk-captured", "--depth", "1")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-02-30"], "$.from: '2025-02-30' is not a valid EDTF date"),
    (["--speaker", "nobody"], "$.speakers[0]: map 'peace-plan' has no speaker 'nobody'"),
    (["--depth", "2"], "$.depth: a depth needs a focus statement"),
    (["--focus", "nothing"], "$.focus: map 'peace-plan' has no statement 'nothing'"),
])
def test_bad_input_exits_2_naming_the_field(db, args, message):
    result = run(db, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_map_exits_2(db):
    result = CliRunner().invoke(cli, ["--db", db, "export", "timeline", "no-such-map"])
    assert result.exit_code == 2 and "no-such-map" in result.output


def test_a_pdf_over_its_time_limit_exits_2_with_advice(db, tmp_path):
    from argmap.render import _pdf

    out = tmp_path / "t.pdf"
    result = run(db, "--format", "pdf", "--out", str(out), "--timeout", "0.05")
    assert result.exit_code == 2, result.output
    assert "argmap: error: timeline: typesetting this timeline took longer than 0.05 s" in result.output
    assert "date range" in result.output and not out.exists()
    opt = next(o for o in cli.commands["export"].commands["timeline"].params if o.name == "timeout")
    assert opt.default == _pdf.DEFAULT_TIMEOUT
