"""``argmap export briefing``: the same briefing as the API, written to a file."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from argmap.cli import cli


@pytest.fixture
def db(seed_db) -> str:
    return seed_db


def run(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "export", "briefing", *args])


def test_export_briefing_writes_a_focused_letter_pdf(db, tmp_path):
    out = tmp_path / "b.pdf"
    r = run(db, "peace-plan", "--out", str(out), "--paper", "letter", "--focus", "victims-silenced", "--depth", "1",
            "--issued", "2025-11-26", "--author", "Kaizen desk")
    assert r.exit_code == 0, r.output
    pdf = PdfReader(io.BytesIO(out.read_bytes()))
    assert round(float(pdf.pages[0].mediabox.width)) == 612
    assert pdf.metadata.author == "Kaizen desk" and pdf.metadata.creation_date.date().isoformat() == "2025-11-26"
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "within 1 argument step of “The plan is an attempt to resolve a war by silencing its victims.”" in text
    assert "Kaja Kallas" not in text  # two steps away


def test_export_briefing_html_with_chosen_sections(db, tmp_path):
    out = tmp_path / "b.html"
    r = run(db, "peace-plan", "--format", "html", "--sections", "corrections,sources", "--semantics", "none",
            "--out", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    body = html.split("<body", 1)[1]
    assert "<h2>Corrections</h2>" in body and "<h2>Sources</h2>" in body
    assert "Key conclusions" not in body and "Statements by speaker" not in body
    assert "label-" not in body  # --semantics none


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "nope"], "$.focus: map 'peace-plan' has no statement 'nope'"),
        (["--sections", "speakers"], "include 'sources' too"),
        (["--from", "yesterday"], "$.from:"),
        (["--depth", "21"], "depth:"),
    ],
)
def test_bad_options_exit_2_naming_the_option(db, args, message):
    r = run(db, "peace-plan", "--format", "html", *args)
    assert r.exit_code == 2 and message in r.output


def test_unknown_map_exits_2(db):
    r = run(db, "no-such-map", "--format", "html")
    assert r.exit_code == 2 and "no-such-map" in r.output


def test_a_pdf_over_its_time_limit_exits_2_with_advice_and_the_default_is_the_renderers(db, tmp_path):
    from argmap.render import _pdf

    out = tmp_path / "b.pdf"
    r = run(db, "peace-plan", "--out", str(out), "--timeout", "0.5", "--semantics", "none")
    assert r.exit_code == 2, r.output
    assert "argmap: error: briefing: typesetting this briefing took longer than 0.5 s" in r.output
    assert "focus" in r.output and not out.exists()
    opt = next(o for o in cli.commands["export"].commands["briefing"].params if o.name == "timeout")
    assert opt.default == _pdf.DEFAULT_TIMEOUT
