"""`argmap import FILE` and `argmap export aif|argdown MAP`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from argmap.cli import cli
from argmap.store import Store

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "peace-plan.yaml"

AIF = {
    "nodes": [
        {"nodeID": "1", "text": "Prices rose.", "type": "I", "timestamp": "2021-01-01 00:00:00"},
        {"nodeID": "2", "text": "Wages must rise.", "type": "I", "timestamp": "2021-01-01 00:00:00"},
        {"nodeID": "3", "text": "Default Inference", "type": "RA", "timestamp": "2021-01-01 00:00:00"},
        {"nodeID": "4", "text": "Default Transition", "type": "TA", "timestamp": "2021-01-01 00:00:00"},
    ],
    "edges": [{"edgeID": "1", "fromID": "1", "toID": "3"}, {"edgeID": "2", "fromID": "3", "toID": "2"}],
}
ARGDOWN = "[Tax]: Soft drugs should be taxed.\n  + <Revenue>: The state needs the money.\n"


def run(db: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)


def maps(db: Path) -> list[str]:
    with Store(db, read_only=True) as store:
        return [s.id for s in store.list_maps()]


def test_import_aif_reports_counts_and_what_was_not_modelled(tmp_path):
    db, doc = tmp_path / "a.duckdb", tmp_path / "nodeset1.json"
    doc.write_text(json.dumps(AIF))
    result = run(db, "import", str(doc))
    assert result.exit_code == 0, result.output
    assert "imported map 'nodeset1' (aif)" in result.output
    assert "2 statements, 1 arguments (1 support" in result.output
    assert "not modelled: 1 TA nodes" in result.output
    assert maps(db) == ["nodeset1"]


def test_import_argdown_and_native_with_an_id(tmp_path):
    db, doc = tmp_path / "a.duckdb", tmp_path / "taxes.argdown"
    doc.write_text(ARGDOWN)
    assert run(db, "import", str(doc)).exit_code == 0
    result = run(db, "import", str(SEED), "--id", "plan-copy")
    assert result.exit_code == 0, result.output
    assert sorted(maps(db)) == ["plan-copy", "taxes"]
    with Store(db, read_only=True) as store:
        assert store.counts("plan-copy").statements == 70


def test_a_broken_document_changes_nothing(tmp_path):
    db, doc = tmp_path / "a.duckdb", tmp_path / "bad.json"
    assert run(db, "import", str(SEED)).exit_code == 0
    broken = {**AIF, "edges": [*AIF["edges"], {"edgeID": "9", "fromID": "1", "toID": "99"}]}
    doc.write_text(json.dumps(broken))
    result = run(db, "import", str(doc))
    assert result.exit_code == 2
    assert "$.edges[2].toID: no node has nodeID '99'" in result.output
    assert maps(db) == ["peace-plan"]


def test_an_existing_map_needs_replace_when_named_and_is_kept_when_not(tmp_path):
    db, doc = tmp_path / "a.duckdb", tmp_path / "taxes.argdown"
    doc.write_text(ARGDOWN)
    assert run(db, "import", str(doc)).exit_code == 0
    again = run(db, "import", str(doc))  # no --id: a second map, never a silent replace
    assert again.exit_code == 0 and "'taxes-2'" in again.output
    assert sorted(maps(db)) == ["taxes", "taxes-2"]
    named = run(db, "import", str(doc), "--id", "taxes")
    assert named.exit_code == 2 and "already exists" in named.output
    assert run(db, "import", str(doc), "--replace").exit_code == 0
    assert sorted(maps(db)) == ["taxes", "taxes-2"]


def test_standard_input_needs_a_format(tmp_path):
    db = tmp_path / "a.duckdb"
    assert run(db, "import", "-", input=ARGDOWN).exit_code == 2
    result = run(db, "import", "-", "--format", "argdown", "--id", "piped", input=ARGDOWN)
    assert result.exit_code == 0, result.output
    assert maps(db) == ["piped"]


@pytest.mark.parametrize("fmt", ["aif", "argdown"])
def test_export_then_import_gives_the_same_map(tmp_path, fmt):
    db, out = tmp_path / "a.duckdb", tmp_path / f"plan.{fmt}"
    assert run(db, "import", str(SEED)).exit_code == 0
    result = run(db, "export", fmt, "peace-plan", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert run(db, "import", str(out), "--format", fmt, "--id", "again").exit_code == 0
    with Store(db, read_only=True) as store:
        a, b = store.get_map("peace-plan"), store.get_map("again")
    assert [(x.id, x.kind, x.premises, x.target) for x in a.arguments] == [
        (x.id, x.kind, x.premises, x.target) for x in b.arguments
    ]
    assert [(s.id, s.text, s.speaker, s.said) for s in a.statements] == [
        (s.id, s.text, s.speaker, s.said) for s in b.statements
    ]


def test_export_of_an_unknown_map(tmp_path):
    db = tmp_path / "a.duckdb"
    assert run(db, "import", str(SEED)).exit_code == 0
    result = run(db, "export", "argdown", "nope")
    assert result.exit_code == 2 and "no map 'nope'" in result.output
