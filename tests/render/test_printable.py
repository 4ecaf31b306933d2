"""Printable diagrams (issue 20 item 4): the seed map on A4 and A3, read back with pdfplumber.

Every page is the paper asked for, no character is smaller than 7 pt, every statement of the
map is drawn on some page, statements drawn twice say where else they are; a handout is one
page; poster tiles are that paper too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest

from argmap.errors import ArgmapError
from argmap.mapfile import load
from argmap.render.printable import MIN_PT, PAPERS, key_conclusions, plan, printable

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def seed():
    return load(SEED)


@pytest.fixture(scope="module")
def printed(seed):
    """(paper, orientation) -> the PDF's pages as (width, height, smallest char size, text)."""
    out = {}
    for paper, orientation in (("a4", "portrait"), ("a3", "landscape")):
        pdf = printable(seed, paper=paper, orientation=orientation, timeout=300)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            out[paper, orientation] = [(p.width, p.height, min((c["size"] for c in p.chars), default=99.0),
                                        "".join(c["text"] for c in p.chars)) for p in doc.pages]
    return out


def _size(paper, orientation):
    w, h = PAPERS[paper]
    return (h, w) if orientation == "landscape" else (w, h)


@pytest.mark.parametrize("paper, orientation", [("a4", "portrait"), ("a3", "landscape")])
def test_every_page_is_the_paper_and_no_text_is_under_7_pt(printed, paper, orientation):
    pages = printed[paper, orientation]
    assert len(pages) > 1  # the seed map does not fit one page at a legible size
    w, h = _size(paper, orientation)
    for i, (pw, ph, smallest, text) in enumerate(pages, 1):
        assert abs(pw - w * MM) < 1 and abs(ph - h * MM) < 1, (i, pw, ph)
        assert smallest >= MIN_PT - 0.01, (i, smallest)
        assert f"page{i}of{len(pages)}" in re.sub(r"\s", "", text)  # page numbers


@pytest.mark.parametrize("paper, orientation", [("a4", "portrait"), ("a3", "landscape")])
def test_every_statement_is_drawn_on_some_page_and_repeats_say_where(printed, seed, paper, orientation):
    pages = printed[paper, orientation]
    text = "".join(t for *_, t in pages[1:])  # after the overview
    # Each box's first line is its statement's id (long ones shortened with "…" after 30-odd characters).
    missing = [s.id for s in seed.statements if s.id[:30] not in text]
    assert missing == []
    doc = plan(seed, paper=paper, orientation=orientation)
    drawn = [ids for ids in doc.pages]
    assert set().union(*drawn) == {s.id for s in seed.statements}
    shared = {sid for sid in set().union(*drawn) if sum(sid in p for p in drawn) > 1}
    assert shared and "also on page" in text
    # The overview comes first, and each key conclusion heads a page.
    assert "overview" in pages[0][3]
    headed = [t for *_, t in pages[1:]]
    by_id = {s.id: s for s in seed.statements}
    for root in key_conclusions(seed):
        assert any(t.startswith(re.sub(r"\s", "", by_id[root].text)[:30]) for t in
                   (re.sub(r"\s", "", h) for h in headed)), root


def test_a_small_map_fits_one_page(seed):
    small = seed.__class__(id="s", title="Two reasons", statements=seed.statements[:0] + [
        s for s in seed.statements if s.id in ("kallas-no-viable-plan", "kallas-ukrainians-europeans-on-board")],
        arguments=[], speakers=seed.speakers, sources=seed.sources)
    doc = plan(small, paper="a4")
    assert len(doc.pages) == 1


def test_a_handout_is_one_page_with_outline_and_sources(seed):
    pdf = printable(seed, paper="a4", handout="no-peace-without-ukraine-and-europe", timeout=300)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1
        page = doc.pages[0]
        assert min(c["size"] for c in page.chars) >= MIN_PT - 0.01
        text = page.extract_text()
    assert "Outline" in text and "Sources" in text and "supported by" in text


def test_poster_tiles_are_the_paper_with_an_assembly_page(seed):
    doc = plan(seed, paper="a3", orientation="landscape", tile=True)
    assert len(doc.pages) >= 3 and doc.pages[0] == set()
    assert doc.html.count('class="tile"') == len(doc.pages) - 1
    assert "glue-r" in doc.html and "mark" in doc.html


def test_each_poster_tile_draws_its_part_and_together_they_draw_every_statement(seed):
    # A tile used to carry the whole drawing, clipped: every node drawn once per tile.
    doc = plan(seed, paper="a4", orientation="portrait", tile=True)
    tiles = [svg.decode() for svg, _ in doc.resources.values()]
    assert len(tiles) == len(doc.pages) - 1 >= 10
    ids = [set(re.findall(r'<g id="([^"]+)" class="node"', t)) for t in tiles]
    drawn = set().union(*ids)
    assert {s.id for s in seed.statements} <= drawn
    assert max(len(i) for i in ids) < len(drawn) / 2, "a tile draws most of the map"
    pdf = printable(seed, paper="a4", orientation="portrait", tile=True, timeout=300)
    with pdfplumber.open(io.BytesIO(pdf)) as read:
        pages = read.pages
        assert len(pages) == len(doc.pages)
        text = "".join(c["text"] for p in pages[1:] for c in p.chars)
        for p in pages:
            assert (round(p.width / MM), round(p.height / MM)) == (210, 297)
    squeezed = re.sub(r"\s+", "", text)
    assert all(re.sub(r"\s+", "", s.id)[:12] in squeezed for s in seed.statements)


def test_bad_options_name_the_field(seed):
    for kwargs, field in (({"paper": "a5"}, "paper"), ({"orientation": "sideways"}, "orientation"),
                          ({"handout": "nope"}, "handout")):
        with pytest.raises(ArgmapError) as e:
            plan(seed, **kwargs)
        assert e.value.problems[0].field == field
