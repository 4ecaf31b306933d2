"""Briefings as a reader gets them: the PDF read back with pypdf, the HTML parsed, the context checked.

PDFs are typeset once per module fixture (WeasyPrint takes about a second a document).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
from conftest import HOSTILE
from markupsafe import escape
from pypdf import PdfReader

from argmap.errors import InvalidInput, LimitExceeded
from argmap.mapfile import load
from argmap.model import Map, check_map
from argmap.render import briefing as B

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "peace-plan.yaml"
ISSUED = dt.date(2025, 11, 26)
CYRILLIC = "Київ заявляє: «Мир без України неможливий» — Володимир Зеленський"


def make_map(statements, arguments=(), **extra) -> Map:
    """A checked map from plain dicts (validated as a file would be)."""
    doc = {
        "id": "t", "title": extra.pop("title", "Test map"),
        "speakers": extra.pop("speakers", [{"id": "a", "name": "Ann"}, {"id": "b", "name": "Bob"}]),
        "sources": extra.pop("sources", [
            {"id": "s1", "title": "First report", "url": "https://example.org/1", "published": "2025-11-18"},
            {"id": "s2", "title": "Second report", "url": "https://example.org/2", "published": "2025-11-21"},
        ]),
        "statements": list(statements), "arguments": list(arguments), **extra,
    }
    m = msgspec.convert(doc, Map)
    check_map(m)
    return m


def text_of(reader: PdfReader, pages=None) -> str:
    return "\n".join(p.extract_text() for p in (reader.pages if pages is None else pages))


def outline_titles(reader: PdfReader) -> list[str]:
    out = []

    def walk(items):
        for x in items:
            walk(x) if isinstance(x, list) else out.append(x.title)

    walk(reader.outline)
    return out


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(SEED)


@pytest.fixture(scope="module")
def seed_ctx(seed) -> B.BriefingContext:
    # As `make exports` makes it, through the export catalogue (which evaluates the map and
    # finds the flips; the renderer does neither): version 1 of a freshly loaded map.
    from argmap.exports import Job
    from argmap.exports.briefing import BriefingParams, _flips
    from argmap.scope import Scope
    from argmap.semantics import evaluate_map

    ev = evaluate_map(seed, "grounded")
    o = B.BriefingOptions(issued=ISSUED)
    flips = _flips(Job(map=seed, whole=seed, scope=Scope(), options=BriefingParams()), o)
    return B.build_context(seed, o, labels=dict(ev.labels), explanations=dict(ev.explanations),
                           evaluation="grounded semantics", flips=flips, version=1)


@pytest.fixture(scope="module")
def seed_bytes(seed_ctx) -> bytes:
    return B.render_pdf(seed_ctx)


@pytest.fixture(scope="module")
def seed_pdf(seed_bytes) -> PdfReader:
    return PdfReader(io.BytesIO(seed_bytes))


@pytest.fixture(scope="module")
def pages(seed_pdf) -> list[str]:
    """Each page's text, extracted once (pypdf takes a tenth of a second a page)."""
    return [p.extract_text() for p in seed_pdf.pages]


# -- The seed briefing read back --------------------------------------------------------------


def test_seed_briefing_has_every_section_heading_as_text_and_bookmark(seed_pdf, seed_ctx, pages):
    titles = outline_titles(seed_pdf)
    text = "\n".join(pages)
    expected = ["Key conclusions", "Argument diagram", "Timeline", "Statements by speaker", "Corrections", "Sources"]
    assert [s.title for s in seed_ctx.sections if s.key != "contents"] == expected
    for heading in expected:
        assert heading in titles
        assert heading in text
    assert titles[0] == seed_ctx.title
    # speakers and conclusions are second-level bookmarks under their sections
    assert "Kaja Kallas" in titles and "No speaker" in titles
    assert any(t.startswith("1 A peace without Ukraine") for t in titles)


def test_seed_briefing_is_a4_with_page_x_of_y_and_the_running_title(seed_pdf, seed_ctx, pages):
    n = len(seed_pdf.pages)
    assert 8 <= n <= 30
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in seed_pdf.pages]
    landscape = [i for i, size in enumerate(sizes) if size == (842, 595)]
    assert all(size in ((595, 842), (842, 595)) for size in sizes)
    assert landscape and all(("Argument diagram" in pages[i]) != ("Timeline" in pages[i].splitlines()[0]) for i in landscape)
    first, second, last = pages[0], pages[1], pages[-1]
    assert "page 1 of" not in first  # the cover has no running header or footer
    assert f"page 2 of {n}" in second and f"page {n} of {n}" in last
    assert seed_ctx.title in second


def test_contents_give_the_page_each_section_starts_on(pages):
    cover = pages[0]
    for title in ("Key conclusions", "Argument diagram", "Timeline", "Statements by speaker", "Corrections", "Sources"):
        m = re.search(rf"{title}[ .]*?(\d+)\s*$", cover, re.M)
        assert m, f"{title} has no page number in the contents"
        page = pages[int(m[1]) - 1]
        assert re.search(rf"^{title}$", page, re.M), f"{title} is not on page {m[1]}"


def test_every_source_number_resolves_to_a_listed_source(seed_pdf, seed, seed_ctx, pages):
    dests = seed_pdf.named_destinations
    listed = {e.number for e in seed_ctx.sources}
    assert listed == set(range(1, len(listed) + 1))
    start = next(i for i, p in enumerate(pages) if re.search(r"^Sources$", p, re.M) and i > 0)
    body = "\n".join(pages[1:start])
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited == listed  # every number in the text is listed, and every listed source is cited
    sources_text = "\n".join(pages[start:])
    uris = {
        str(a.get_object()["/A"]["/URI"]) for p in seed_pdf.pages[start:] for a in p.get("/Annots", [])
        if "/A" in a.get_object()
    }
    by_id = {s.id: s for s in seed.sources}
    for e in seed_ctx.sources:
        assert f"[{e.number}]" in sources_text
        if by_id[e.id].url:  # printed (perhaps wrapped) and a live link
            assert by_id[e.id].url in uris
    links = [a.get_object() for p in seed_pdf.pages for a in p.get("/Annots", []) if "/Dest" in a.get_object()]
    src_links = [str(a["/Dest"]) for a in links if str(a["/Dest"]).startswith("src-")]
    assert len(src_links) >= 70
    for d in set(src_links):
        assert d in dests
        page = seed_pdf.get_destination_page_number(dests[d])
        assert page >= start and f"[{d[4:]}]" in pages[page]


def test_committed_seed_briefing_is_what_the_code_makes(seed_bytes):
    """`make exports` writes exports/peace-plan-briefing.pdf (issued 26 Nov 2025): regenerate it after a change."""
    assert (REPO / "exports" / "peace-plan-briefing.pdf").read_bytes() == seed_bytes, "run `make exports`"


def test_metadata_title_author_subject_created_and_language(seed_pdf, seed):
    meta = seed_pdf.metadata
    assert meta.title == seed.title
    assert meta.author == "argmap"
    assert meta.subject == seed.description
    assert meta.creation_date.date() == ISSUED
    root = seed_pdf.trailer["/Root"]
    assert root["/Lang"] == "en"


def test_pdf_is_tagged_for_accessibility(seed_pdf):
    root = seed_pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_corrections_put_each_corrected_claim_beside_what_corrects_it(seed_ctx):
    pairs = {x.claim.id: [f.statement.id for f in x.fixes] for x in seed_ctx.corrections}
    assert pairs == {
        "article-ternopil-26-dead": ["ternopil-toll-31", "ternopil-toll-34"],  # oldest first
        "article-long-range-renunciation": ["plan-text-no-long-range-ban"],
        "article-100bn-euros": ["plan-point-14-100bn-usd"],
    }
    why = {(x.claim.id, f.statement.id): f.why for x in seed_ctx.corrections for f in x.fixes}
    assert why[("article-ternopil-26-dead", "ternopil-toll-31")] == "later"  # untagged, but later and elsewhere
    assert why[("article-ternopil-26-dead", "ternopil-toll-34")] == "tagged"


def test_main_conclusion_comes_first_with_its_standing(seed_ctx):
    first = seed_ctx.conclusions[0]
    assert first.statement.id == "no-peace-without-ukraine-and-europe"
    assert first.behind > 10
    assert {r.argument for r in first.supports} >= {"s-excluded-no-peace", "s-kallas-no-peace"}
    assert [k.behind for k in seed_ctx.conclusions] == sorted((k.behind for k in seed_ctx.conclusions), reverse=True)
    ids = {k.statement.id for k in seed_ctx.conclusions}
    assert "next-crisis-not-its-end" in ids  # a premise, but tagged conclusion
    assert "kallas-no-viable-plan" not in ids  # supported, but a premise of the main conclusion


# -- The context: a pure function of the map and the options ----------------------------------


CHAIN = [
    {"id": "c", "text": "Conclusion.", "speaker": "a", "source": "s1", "said": "2025-11-18"},
    {"id": "p", "text": "Premise.", "speaker": "a", "source": "s1", "said": "2025-11-18"},
    {"id": "q", "text": "Deeper premise.", "speaker": "b", "source": "s2", "said": "2025-11-21"},
    {"id": "x", "text": "Objection.", "speaker": "b", "source": "s2", "said": "2025-11-21"},
    {"id": "loose", "text": "Undated aside.", "speaker": "b"},
]
CHAIN_ARGS = [
    {"id": "s-p", "kind": "support", "premises": ["p"], "target": "c"},
    {"id": "s-q", "kind": "support", "premises": ["q"], "target": "p"},
    {"id": "a-x", "kind": "attack", "premises": ["x"], "target": "c"},
]


def test_conclusions_are_the_tops_of_support_trees():
    ctx = B.build_context(make_map(CHAIN, CHAIN_ARGS))
    assert [k.statement.id for k in ctx.conclusions] == ["c"]
    k = ctx.conclusions[0]
    assert (k.behind, k.against) == (2, 1)
    assert [r.argument for r in k.supports] == ["s-p"] and [r.argument for r in k.attacks] == ["a-x"]


def test_a_later_attack_from_another_source_is_a_correction_but_not_from_the_same_source():
    ctx = B.build_context(make_map(CHAIN, CHAIN_ARGS))
    assert [(x.claim.id, [f.why for f in x.fixes]) for x in ctx.corrections] == [("c", ["later"])]
    same_source = [{**s, "source": "s1", "said": "2025-11-19"} if s["id"] == "x" else s for s in CHAIN]
    assert B.build_context(make_map(same_source, CHAIN_ARGS)).corrections == []
    earlier = [{**s, "said": "2025-11-17"} if s["id"] == "x" else s for s in CHAIN]
    assert B.build_context(make_map(earlier, CHAIN_ARGS)).corrections == []


def test_focus_keeps_what_lies_within_depth_argument_steps():
    m = make_map(CHAIN, CHAIN_ARGS)
    near = B.build_context(m, B.BriefingOptions(focus="c", depth=1))
    assert near.counts.statements == 3 and near.counts.arguments == 2  # c, p, x; q is two steps away
    assert "within 1 argument step of “Conclusion.”" in near.scope.description
    assert B.build_context(m, B.BriefingOptions(focus="c", depth=2)).counts.statements == 4


def test_date_range_keeps_undated_statements_and_says_so():
    ctx = B.build_context(make_map(CHAIN, CHAIN_ARGS), B.BriefingOptions(date_from="2025-11-20"))
    kept = {v.id for g in ctx.speakers for v in g.statements}
    assert kept == {"q", "x", "loose"}
    assert ctx.counts.undated == 1 and "undated statements kept" in ctx.scope.description
    assert ctx.conclusions == []  # c is dated before the range


def test_statements_by_speaker_are_oldest_first_with_date_precision_and_numbered_sources():
    stmts = [
        {"id": "u", "text": "Undated.", "speaker": "a", "source": "s2"},
        {"id": "m", "text": "Some day that month.", "speaker": "a", "said": "2025-11", "source": "s1"},
        {"id": "d", "text": "About then.", "speaker": "a", "said": "2025-11-26~", "source": "s2"},
        {"id": "e", "text": "It happened.", "kind": "event", "said": "2025-11-20", "source": "s1"},
    ]
    ctx = B.build_context(make_map(stmts))
    ann, nobody = ctx.speakers
    assert [(v.id, v.date) for v in ann.statements] == [("m", "Nov 2025"), ("d", "c. 26 Nov 2025"), ("u", None)]
    assert nobody.name == "No speaker" and nobody.statements[0].id == "e"
    assert [(e.number, e.id) for e in ctx.sources] == [(1, "s1"), (2, "s2")]  # order of first citation
    assert [v.note for v in ann.statements] == [1, 2, 2]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (B.BriefingOptions(focus="nope"), "focus"),
        (B.BriefingOptions(date_from="2025-13-01"), "date_from"),
        (B.BriefingOptions(date_from="2025-11-20", date_to="2025-11-01"), "date_to"),
        (B.BriefingOptions(sections=["conclusions"]), "sections"),
        (B.BriefingOptions(sections=[]), "sections"),
        (B.BriefingOptions(sections=["diagram", "sources"]), "sections"),
        (B.BriefingOptions(depth=21), "depth"),
    ],
)
def test_bad_options_are_refused_naming_the_field(options, field):
    with pytest.raises(InvalidInput) as e:
        B.build_context(make_map(CHAIN, CHAIN_ARGS), options, figures={})
    assert e.value.field in (field, f"$.{field}")


def test_parse_options_reads_comma_lists_and_names_bad_fields():
    assert B.parse_options(sections="speakers , sources", depth=1).sections == ["speakers", "sources"]
    with pytest.raises(InvalidInput) as e:
        B.parse_options(sections="speakers,nonsense")
    assert e.value.field == "sections[1]"


def test_too_many_statements_ask_for_a_narrower_briefing(monkeypatch):
    monkeypatch.setattr(B, "MAX_STATEMENTS", 3)
    with pytest.raises(LimitExceeded) as e:
        B.build_context(make_map(CHAIN, CHAIN_ARGS))
    assert "focus" in e.value.reason


def test_seed_conclusions_carry_grounded_labels_and_why(seed_ctx):
    assert seed_ctx.evaluation == "grounded semantics"
    first = seed_ctx.conclusions[0].statement
    assert first.label == "in" and first.explanation == "nothing attacks it"
    by_id = {k.statement.id: k.statement for k in seed_ctx.conclusions}
    assert by_id["plan-helps-ukraine-rebuild"].label == "out"  # both its supports are undercut
    assert "none of its supports stands" in by_id["plan-helps-ukraine-rebuild"].explanation
    html = B.render_html(seed_ctx)
    assert "Why it falls: derived, and none of its supports stands" in html


def test_no_semantics_means_no_labels():
    ctx = B.build_context(make_map(CHAIN, CHAIN_ARGS), B.parse_options(semantics="none"))
    assert ctx.evaluation is None and ctx.conclusions[0].statement.label is None
    assert "Labels follow" not in B.render_html(ctx)


def test_evaluation_labels_show_beside_statements():
    ctx = B.build_context(make_map(CHAIN, CHAIN_ARGS), labels={"c": "out", "x": "in"}, evaluation="grounded semantics")
    html = B.render_html(ctx)
    assert ctx.conclusions[0].statement.label == "out"
    assert "Labels follow grounded semantics" in html
    assert re.search(r'class="label label-out">falls<', html)
    speakers = html.split('id="sec-speakers"')[1].split('id="sec-corrections"')[0]
    assert 'label-out' in speakers and 'label-in' not in speakers  # there, only the exceptions are marked


def test_a_figure_maker_gets_the_selection_and_the_key_conclusions():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100"/></svg>'
    fig = B.Figure(src=B._svg_data_uri(svg), alt="A test diagram of 5 statements.", caption="The test diagram.")
    asked = []
    ctx = B.build_context(
        make_map(CHAIN, CHAIN_ARGS), B.BriefingOptions(date_from="2025-11-18", date_to="2025-11-18"),
        labels={"c": "in"}, figures={"diagram": lambda m, req: asked.append((m, req)) or [fig]},
    )
    (m, req), = asked
    assert {s.id for s in m.statements} == {"c", "p", "loose"} and req.conclusions == ["c"] and req.labels == {"c": "in"}
    assert [s.key for s in ctx.sections][:3] == ["contents", "conclusions", "diagram"]
    html = B.render_html(ctx)
    assert 'alt="A test diagram of 5 statements."' in html and "data:image/svg+xml;base64," in html


def test_diagram_figures_describe_the_diagram_in_words(seed_ctx):
    overview, *focused = seed_ctx.diagram
    assert overview.alt.startswith("Argument diagram of 70 statements by ")
    assert "60 arguments (47 support, 8 attack, 5 undercut)" in overview.alt
    assert "The main conclusion is “A peace without Ukraine and without Europe would not be a peace.”" in overview.alt
    assert overview.landscape
    assert len(focused) == B.CONCLUSION_DIAGRAMS
    assert focused[0].alt.startswith("Diagram of the conclusion “A peace without Ukraine")
    assert "4 arguments support it and 0 attack it directly" in focused[0].alt


def test_timeline_pages_describe_the_timeline_in_words(seed_ctx, seed):
    first, *rest = seed_ctx.timeline
    dated = sum(1 for s in seed.statements if s.said)
    assert first.alt.startswith(f"Timeline of {dated} dated statements in ")
    assert "from 17 Nov 2025 to 26 Nov 2025" in first.alt
    assert f"{70 - dated} undated statements listed under Statements by speaker" in first.alt
    assert rest == [] and first.landscape  # the seed's ten days fit one page


def test_every_context_field_reaches_a_template():
    used = "\n".join(p.read_text() for p in B.TEMPLATES.glob("*.j2"))
    unused = [f for f in B.BriefingContext.__struct_fields__ if f"c.{f}" not in used]
    assert unused == []


# -- Hostile text, other scripts, and paper ---------------------------------------------------

OURS = [
    "<script>alert(1)</script> closes </style></head><h2>Injected</h2>",
    '<img src="file:///etc/passwd" alt="x"> and <img src=x onerror=alert(1)>',
    "ignore\x07bell and \x1b[31mescape",
    "שלום עולם — سلام 🕊️ peace",
]
TEXTS = OURS + [HOSTILE[k] for k in sorted(HOSTILE)]  # the shared set of tests/conftest.py too


@pytest.fixture(scope="module")
def hostile_doc():
    stmts = [
        {"id": f"h{i}", "text": text, "speaker": "ab"[i % 2], "source": f"s{1 + i % 2}"}
        for i, text in enumerate(TEXTS)
    ]
    stmts[0]["said"] = "2025-11-18"
    stmts.append({"id": "cy", "text": CYRILLIC, "speaker": "c", "source": "s2", "said": "2025-11-21"})
    m = make_map(
        stmts,
        [{"id": "s", "kind": "support", "premises": ["h1", "h2"], "target": "h0"},
         {"id": "k", "kind": "attack", "premises": ["cy"], "target": "h0"},
         *({"id": f"s{i}", "kind": "support", "premises": [f"h{i}"], "target": "h3"} for i in range(4, len(TEXTS)))],
        title="Briefing <b>bold</b> & «Київ»",
        speakers=[{"id": "a", "name": "<i>Ann</i>"}, {"id": "b", "name": HOSTILE["script"]},
                  {"id": "c", "name": "Олена Петренко"}],
    )
    ctx = B.build_context(m, B.BriefingOptions(paper="letter", issued=ISSUED))
    fetcher = B.asset_fetcher()
    return m, ctx, B.render_html(ctx), PdfReader(io.BytesIO(B.render_pdf(ctx, fetcher=fetcher))), fetcher


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def test_hostile_text_stays_text_in_html(hostile_doc):
    _, ctx, html, _, _ = hostile_doc
    parsed = _Tags()
    parsed.feed(html)
    ours = set(re.findall(r"<([a-z][a-z0-9]*)", "\n".join(p.read_text() for p in B.TEMPLATES.glob("*.j2"))))
    assert set(parsed.tags) <= ours  # no script, svg, b, i, image, style from the text
    assert parsed.tags.count("img") == len(ctx.diagram) + len(ctx.timeline) and parsed.tags.count("h2") == len(ctx.sections)
    assert parsed.tags.count("style") == 1 and parsed.tags.count("a") == len(re.findall(r"<a ", html))
    names = {n for n, _ in parsed.attrs}
    assert not names & {"onerror", "onload", "xlink:href", "srcset", "style"}
    assert all(v.startswith(("#", "https://example.org/")) for n, v in parsed.attrs if n == "href")
    assert all(v.startswith("data:image/svg+xml;base64,") for n, v in parsed.attrs if n == "src")
    for text in TEXTS:
        assert str(escape(B._printable(B._clip(text)))) in html
    assert "\x07" not in html and "\x1b" not in html and "ignore\ufffdbell" in html


def test_hostile_text_stays_text_in_pdf_and_nothing_is_fetched(hostile_doc):
    _, ctx, _, pdf, fetcher = hostile_doc
    text = text_of(pdf)
    assert "<script>alert(1)</script>" in text
    assert '<img src="file:///etc/passwd" alt="x">' in text
    assert "root:" not in text
    assert all(w in text for w in ("שלום עולם", "سلام", "🕊", "ignore\ufffdbell", HOSTILE["cyrillic"]))
    # a 10,000-letter word is broken across lines and cut, saying so
    assert text.count("x" * 30) >= B.MAX_SHOWN // 30 and "[…8,000 more characters in the map]" in text
    # the text named files and URLs, but as text: only the figures' data: URIs were read
    assert fetcher.refused == [] and fetcher.served and all(u.startswith("data:image/svg+xml") for u in fetcher.served)
    assert "Injected" not in outline_titles(pdf)
    assert pdf.metadata.title == "Briefing <b>bold</b> & «Київ»"


def test_cyrillic_text_is_extractable_and_letter_paper_is_used(hostile_doc):
    _, _, _, pdf, _ = hostile_doc
    text = text_of(pdf)
    assert CYRILLIC in text.replace("\n", " ")
    assert "Олена Петренко" in outline_titles(pdf)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages}
    assert sizes == {(612, 792), (792, 612)}  # US Letter, and landscape for the timeline


# -- The fetcher -----------------------------------------------------------------------------


def test_a_template_that_references_local_files_and_the_network_fetches_neither(tmp_path):
    # WeasyPrint runs in a child process: what it fetched, and what Python opened there, comes
    # back on the fetcher (a spy patched in here would see nothing).
    outside = tmp_path / "secret.css"
    outside.write_text("body { color: red }")
    html = f"""<!DOCTYPE html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="http://example.com/x.css">
      <link rel="stylesheet" href="{outside.as_uri()}">
      <link rel="attachment" href="file:///etc/passwd">
      <style>body {{ background: url(http://example.com/x.png) }}</style></head>
      <body><p>text</p><img src="file:///etc/passwd" alt="passwd"><img src="http://example.com/x.png" alt="remote">
      <link rel="stylesheet" href="briefing.css">
      <img src="../briefing.py" alt="climbs out"><img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E" alt="inline">
      </body></html>"""
    fetcher = B.asset_fetcher()
    pdf = PdfReader(io.BytesIO(B.html_to_pdf(html, fetcher=fetcher)))
    assert set(fetcher.refused) >= {
        "http://example.com/x.css", "http://example.com/x.png", "file:///etc/passwd", outside.as_uri(),
        (B.TEMPLATES.parent / "briefing.py").as_uri(),
    }
    # only the data: URI reached WeasyPrint's own fetcher (the one that opens files and sockets)
    assert fetcher.passed_on and all(u.startswith("data:") for u in fetcher.passed_on)
    assert str(B.TEMPLATES / "briefing.css") in fetcher.files  # the record is real: it saw the allowed file
    assert not {"/etc/passwd", str(outside), str(B.TEMPLATES.parent / "briefing.py")} & set(fetcher.files)
    assert fetcher.network == []
    assert "root:" not in text_of(pdf) and not pdf.attachments


def test_the_fetcher_serves_files_inside_the_template_folder_only(tmp_path):
    fetcher = B.asset_fetcher()
    inside = fetcher.fetch((B.TEMPLATES / "briefing.css").as_uri())
    assert inside.read().startswith(b"/*") and inside.content_type == "text/css"
    link = B.TEMPLATES / "test-link.css"
    try:
        link.symlink_to("/etc/passwd")
        with pytest.raises(ValueError, match="refuses"):
            fetcher.fetch(link.as_uri())
    finally:
        link.unlink(missing_ok=True)
    for url in ("https://example.com/", "ftp://example.com/x", f"file://otherhost{B.TEMPLATES}/briefing.css"):
        with pytest.raises(ValueError, match="refuses"):
            fetcher.fetch(url)


def test_public_names_are_sorted_and_importable():
    assert B.__all__ == sorted(set(B.__all__))
    assert [n for n in B.__all__ if not hasattr(B, n)] == []
