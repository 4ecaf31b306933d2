"""What the pages say about a map: the statement panel, the view in the URL, the downloads."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from argmap import query
from argmap.errors import InvalidInput
from argmap.mapfile import load
from argmap.model import Map, Quote, Source, Speaker, Statement
from argmap.render.diagram import select
from argmap.store import Store
from argmap.web.context import View, downloads, map_page, quote_in_context, statement_panel

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


@pytest.fixture(scope="module")
def seed():
    m = load(SEED)
    store = Store(":memory:")
    store.load_map(m)
    yield m, store
    store.close()


def panel_of(seed, sid: str, **kw):
    m, store = seed
    return statement_panel(m, sid, supporters=query.supporters(store, m.id, sid).items,
                           attackers=query.attackers(store, m.id, sid).items, **kw)


def test_kallas_panel_has_her_date_its_precision_its_source_and_the_quote(seed):
    p = panel_of(seed, "kallas-no-viable-plan")
    assert (p.statement.date, p.precision) == ("20 Nov 2025", "known to the day")
    assert p.speaker.name == "Kaja Kallas" and p.statement.speaker == "Kaja Kallas"
    assert p.source.title.startswith("On the US draft peace plan") and p.source.url is None
    assert p.date_source.url == "https://en.interfax.com.ua/news/general/1122004.html"
    before, quoted, after = p.quote
    assert quoted == p.statement.text and before.startswith("…") and after.endswith("…")
    assert [(r.statement.id, r.symbol) for r in p.supporters] == [("kallas-ukrainians-europeans-on-board", "+")]
    assert p.attackers == []
    assert [(r.statement.id, r.words) for r in p.uses] == [("no-peace-without-ukraine-and-europe", "supports")]
    assert parse_qs(p.focus_href.split("?")[1]) == {
        "focus": ["kallas-no-viable-plan"], "depth": ["2"], "statement": ["kallas-no-viable-plan"]}


def test_rebuttals_and_undercuts_are_told_apart_in_words_and_symbols(seed):
    p = panel_of(seed, "plan-workable-on-current-line")
    undercuts = {r.statement.id: r for r in p.attackers if r.kind == "undercut"}
    assert {"gerasimov-kupiansk-captured", "front-lines-far-apart"} <= undercuts.keys()
    r = undercuts["gerasimov-kupiansk-captured"]
    assert (r.symbol, r.together_with) == ("×", 1)  # a linked undercut: with the General Staff's denial
    q = panel_of(seed, "us-official-umerov-agreed")
    assert [(r.statement.id, r.symbol, r.words) for r in q.attackers] == [
        ("umerov-denies-agreeing", "−", "rebuts this")]


def test_an_approximate_date_says_so_and_labels_bring_words(seed):
    p = panel_of(seed, "stenergard-assets-only-realistic", labels={"stenergard-assets-only-realistic": "out"},
                 explanations={"stenergard-assets-only-realistic": "Its attacker stands."})
    assert (p.statement.date, p.precision) == ("c. 26 Nov 2025", "known to the day; approximate")
    assert (p.standing.symbol, p.standing.words, p.standing.explanation) == (
        "✗", "defeated (out)", "Its attacker stands.")
    assert panel_of(seed, "stenergard-assets-only-realistic").standing is None


def test_only_http_urls_become_links():
    # A Struct built in Python skips the URL pattern that decoding enforces: the page checks again.
    m = Map(id="m", title="t", speakers=[Speaker(id="x", role="adviser")],
            sources=[Source(id="bad", title="B", url="javascript:alert(1)", text="Hello there world"),
                     Source(id="ok", title="O", url="HTTPS://example.org/a")],
            statements=[Statement(id="s", text="there", speaker="x", source="bad", date_source="ok",
                                  quote=Quote(start=6, end=11))])
    p = statement_panel(m, "s", supporters=[], attackers=[])
    assert p.source.url is None and p.date_source.url == "HTTPS://example.org/a"
    assert p.quote == ("Hello ", "there", " world") and p.statement.speaker == "(unnamed) adviser"


def test_an_unknown_statement_is_refused_naming_the_field(seed):
    with pytest.raises(InvalidInput) as e:
        statement_panel(seed[0], "nowhere", supporters=[], attackers=[])
    assert e.value.field == "statement"


def test_quote_context_stops_at_words_and_at_the_ends_of_the_text():
    src = Source(id="a", title="A", text="Alpha beta gamma delta epsilon")
    st = Statement(id="s", text="x", source="a", quote=Quote(start=0, end=5))
    assert quote_in_context(st, src, width=8) == ("", "Alpha", " beta…")
    st = Statement(id="s", text="x", source="a", quote=Quote(start=23, end=30))
    assert quote_in_context(st, src, width=9) == ("…delta ", "epsilon", "")


def test_the_view_round_trips_through_the_query_string_and_feeds_the_drawings():
    v = View(focus="c", depth=1, rankdir="LR", group=True, semantics="preferred")
    assert parse_qs(v.query(statement="s")) == {
        "focus": ["c"], "depth": ["1"], "rankdir": ["LR"], "group": ["1"], "semantics": ["preferred"],
        "statement": ["s"]}
    assert parse_qs(v.drawing_query("diagram")) == {
        "focus": ["c"], "depth": ["1"], "rankdir": ["LR"], "group_by_speaker": ["true"], "evaluate": ["preferred"]}
    assert parse_qs(v.drawing_query("timeline")) == {"focus": ["c"], "depth": ["1"]}
    assert View().query() == "" and View(depth=4).query() == ""  # depth means nothing without focus
    assert View(semantics=None).query() == "semantics=none" and View(semantics=None).drawing_query("diagram") == ""
    # A server that cannot evaluate puts no labels in any URL.
    assert View(evaluates=False).drawing_query("diagram") == "" and View(evaluates=False, semantics=None).query() == ""


def test_downloads_link_only_what_the_server_has_and_drawings_follow_the_view():
    v = View(focus="c", depth=1)
    groups = downloads("m", v, {"/diagram.svg", "/timeline.pdf", "/briefing.pdf", ".argdown"})
    links = {(g.title, link.label): link.href for g in groups for link in g.links}
    assert links == {
        ("Diagram", "SVG"): "/maps/m/diagram.svg?focus=c&depth=1&evaluate=grounded",
        ("Timeline", "PDF"): "/maps/m/timeline.pdf?focus=c&depth=1",
        ("Briefing", "PDF"): "/maps/m/briefing.pdf?focus=c&depth=1",
        ("The whole map", "Argdown"): "/maps/m.argdown",
    }


def test_a_focused_page_outlines_what_it_draws_and_still_offers_every_statement(seed):
    m, _ = seed
    v = View(focus="kallas-no-viable-plan", depth=1)
    page = map_page(m, v, shown=select(m, v.focus, v.depth), hits=["kallas-no-viable-plan", "gone"])
    assert page.total == 70 and page.shown == len(page.statements) < 70
    assert len(page.choices) == 70 and "focus=kallas-no-viable-plan" in page.diagram_src
    assert [h.id for h in page.hits] == ["kallas-no-viable-plan"]
