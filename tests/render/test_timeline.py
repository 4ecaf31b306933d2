"""The SVG and PDF timeline, checked the way a reader would look at it.

Positions are read back from the rendered SVG: an item's date is checked against the axis the
picture itself draws (its ticks carry their date), label widths are measured with FreeType
(Pillow) rather than with the renderer's own estimate, and lanes are the bands it draws.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from argmap.errors import DanglingReference, InvalidInput
from argmap.mapfile import load
from argmap.model import Argument, Map, Source, Speaker, Statement, partial_date
from argmap.render.timeline import TimelineOptions, options_from, select, to_pdf, to_svg
from argmap.scope import Scope
from argmap.scope import select as select_scope


def neighbourhood(m, focus, depth):
    """The statements the one scope rule (argmap.scope) keeps around ``focus``."""
    return {s.id for s in select_scope(m, Scope(focus=focus, depth=depth)).statements}

REPO = Path(__file__).resolve().parents[2]
NS = "{http://www.w3.org/2000/svg}"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(REPO / "seeds" / "peace-plan.yaml")


@pytest.fixture(scope="module")
def seed_svg(seed) -> ET.Element:
    return ET.fromstring(to_svg(seed))


# ---- reading a rendered timeline -------------------------------------------------------------


def days(iso: str) -> float:
    """An axis tick's ISO instant (2025, 2025-11, 2025-11-20, 2025-11-20T06:00) as ordinal days."""
    if len(iso) == 4:
        iso += "-01-01"
    elif len(iso) == 7:
        iso += "-01"
    t = dt.datetime.fromisoformat(iso)
    return t.toordinal() + (t.hour * 60 + t.minute) / 1440


def axis(root: ET.Element):
    """x of a day count, from the first and last tick the picture draws."""
    ticks = [(days(g.get("data-date")), float(g.get("data-x"))) for g in root.iter(f"{NS}g") if g.get("class") == "tick"]
    (d0, x0), (d1, x1) = ticks[0], ticks[-1]
    return lambda d: x0 + (d - d0) * (x1 - x0) / (d1 - d0)


def dated_items(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in root.iter(f"{NS}g")
            if (g.get("class") or "").startswith("item ") and "undated" not in g.get("class")}


def undated_items(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in root.iter(f"{NS}g") if "undated" in (g.get("class") or "").split()}


def mark(g: ET.Element) -> ET.Element:
    return next(e for e in g if e.get("class") == "mark")


def mark_span(g: ET.Element) -> tuple[float, float, float]:
    """(left, right, centre y) of an item's mark."""
    m = mark(g)
    if m.tag == f"{NS}circle":
        cx, cy, r = (float(m.get(k)) for k in ("cx", "cy", "r"))
        return cx - r, cx + r, cy
    if m.tag == f"{NS}polygon":
        pts = [tuple(map(float, p.split(","))) for p in m.get("points").split()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), max(xs), (min(ys) + max(ys)) / 2
    x, y, w, h = (float(m.get(k)) for k in ("x", "y", "width", "height"))
    return x, x + w, y + h / 2


def centre(g: ET.Element) -> float:
    left, right, _ = mark_span(g)
    return (left + right) / 2


def lanes(root: ET.Element) -> dict[str, tuple[float, float]]:
    out = {}
    for g in root.iter(f"{NS}g"):
        if g.get("class") == "lane":
            r = g.find(f"{NS}rect")
            out[g.get("data-lane")] = (float(r.get("y")), float(r.get("y")) + float(r.get("height")))
    return out


@pytest.fixture(scope="module")
def measure():
    from PIL import ImageFont

    regular, bold = ImageFont.truetype(FONT, 11), ImageFont.truetype(FONT.replace(".ttf", "-Bold.ttf"), 11)
    return lambda text, is_bold=False: (bold if is_bold else regular).getlength(text)


def boxes(root: ET.Element, measure) -> list[tuple[str, float, float, float]]:
    """(id, left, right, row y) of every dated item: its mark and all its text, as FreeType sets it."""
    out = []
    for sid, g in dated_items(root).items():
        left, right, y = mark_span(g)
        for t in g.iter(f"{NS}text"):
            x = float(t.get("x"))
            left, right = min(left, x), max(right, x + measure(t.text or "", t.get("font-weight") == "bold"))
        out.append((sid, left, right, y))
    return out


def lane_map(statements, arguments=(), speakers=("a", "b")) -> Map:
    return Map(id="m", title="Test map", speakers=[Speaker(id=s, name=f"Speaker {s.upper()}") for s in speakers],
               sources=[Source(id="src", title="A source", url="https://example.org/report")],
               statements=list(statements), arguments=list(arguments))


# ---- the seed --------------------------------------------------------------------------------


def test_seed_twentieth_of_november_speakers_sit_on_the_twentieth(seed, seed_svg):
    x_of, items, bands = axis(seed_svg), dated_items(seed_svg), lanes(seed_svg)
    day = partial_date("2025-11-20").lower.toordinal()
    for speaker in ("kaja-kallas", "david-van-weel", "valery-gerasimov", "ukraine-general-staff"):
        said = [s for s in seed.statements if s.speaker == speaker and s.said == "2025-11-20"]
        assert said, speaker
        top, bottom = bands[speaker]
        for s in said:
            g = items[s.id]
            assert x_of(day) < centre(g) < x_of(day + 1), s.id
            assert top < mark_span(g)[2] < bottom, f"{s.id} is not in {speaker}'s lane"


def test_seed_axis_spans_the_week_in_days(seed_svg):
    dates = [g.get("data-date") for g in seed_svg.iter(f"{NS}g") if g.get("class") == "tick"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in dates), dates
    assert dates[0] <= "2025-11-17" and dates[-1] >= "2025-11-27"


def test_seed_every_statement_is_shown_once(seed, seed_svg):
    dated, undated = dated_items(seed_svg), undated_items(seed_svg)
    assert set(dated) == {s.id for s in seed.statements if s.said}
    assert set(undated) == {s.id for s in seed.statements if not s.said}
    assert len(undated) == 39


def test_seed_links_are_drawn_between_dated_items(seed, seed_svg):
    paths = [(p.get("data-from"), p.get("data-to")) for p in seed_svg.iter(f"{NS}path") if p.get("data-from")]
    assert ("general-staff-denies-kupiansk", "gerasimov-kupiansk-captured") in paths
    dated = {s.id for s in seed.statements if s.said}
    assert all(a in dated and b in dated for a, b in paths)


# ---- dates, precision, stacking --------------------------------------------------------------


PRECISIONS = {
    "day": "2025-03-10", "time": "2025-03-12T18:30:00Z", "offset": "2025-03-12T20:30:00+02:00",
    "month": "2025-02", "year": "2024", "span": "2025-03-03/2025-03-07",
    "approx": "2025-03-20~", "uncertain": "2025-03-21?", "both": "2025-03-22%", "approx_month": "2025-04~",
}


@pytest.fixture(scope="module")
def precision_svg():
    m = lane_map([Statement(id=k, text=f"Said on {v}", speaker="a", said=v) for k, v in PRECISIONS.items()])
    return ET.fromstring(to_svg(m))


@pytest.mark.parametrize("sid", sorted(PRECISIONS))
def test_item_sits_where_its_date_says(precision_svg, sid):
    x_of, g = axis(precision_svg), dated_items(precision_svg)[sid]
    pd = partial_date(PRECISIONS[sid])
    lo, hi = pd.lower.toordinal(), pd.upper.toordinal() + 1
    left, right, _ = mark_span(g)
    if pd.precision == "time":
        instant = dt.datetime(2025, 3, 12, 18, 30)  # both time items are 18:30 UTC
        assert centre(g) == pytest.approx(x_of(instant.toordinal() + 18.5 / 24), abs=0.6)
    elif pd.precision == "day":
        assert x_of(lo) < centre(g) < x_of(hi)
    else:  # a bar across every day the date may mean
        assert (left, right) == (pytest.approx(x_of(lo), abs=0.6), pytest.approx(x_of(hi), abs=0.6))


def test_precision_marks_differ(precision_svg):
    items = dated_items(precision_svg)
    shape = {k: mark(g).tag.removeprefix(NS) for k, g in items.items()}
    assert shape["day"] == "circle" and shape["time"] == "polygon" and shape["month"] == "rect"
    width = {k: mark_span(items[k])[1] - mark_span(items[k])[0] for k in ("month", "year", "span")}
    assert width["year"] > 10 * width["month"] > 10 * 0  # a year bar is twelve months wide
    assert width["month"] > width["span"] > 0
    solid, hollow = mark(items["day"]), mark(items["approx"])
    assert solid.get("fill") != "#ffffff" and solid.get("stroke-dasharray") is None
    assert hollow.get("fill") == "#ffffff" and hollow.get("stroke-dasharray")
    glyph = {k: "".join(t.text for t in g.iter(f"{NS}text") if t.get("class") == "glyph") for k, g in items.items()}
    assert glyph["approx"] == "~" and glyph["uncertain"] == "?" and glyph["both"] == "~?"
    assert glyph["approx_month"] == "~" and mark(items["approx_month"]).get("stroke-dasharray")
    assert glyph["day"] == glyph["month"] == ""


def test_same_day_items_stack_without_overlapping(measure):
    m = lane_map([Statement(id=f"s{i}", text=f"Statement number {i} on the same day", speaker="a",
                            said="2025-11-20") for i in range(8)])
    root = ET.fromstring(to_svg(m))
    ys = [mark_span(g)[2] for g in dated_items(root).values()]
    assert len(set(ys)) == 8
    assert min(abs(a - b) for a in ys for b in ys if a != b) >= 14


def test_nothing_overlaps_in_a_crowded_timeline(measure):
    rnd = random.Random(3)
    dates = ["2025-01-{:02d}".format(rnd.randrange(1, 29)) for _ in range(250)]
    dates += ["2025-01", "2025-01-05/2025-01-20", "2025-01-14T09:00:00Z", "2025-01-14T09:30:00Z", "2025-01-07~"]
    m = lane_map([Statement(id=f"s{i}", text=" ".join(rnd.choice(["Peace", "plan", "Kyiv", "talks", "front"])
                                                        for _ in range(rnd.randrange(2, 12))),
                            speaker=rnd.choice(["a", "b", None]), said=d) for i, d in enumerate(dates)])
    found = boxes(ET.fromstring(to_svg(m)), measure)
    assert len(found) == len(dates)
    for i, (a, l1, r1, y1) in enumerate(found):
        for b, l2, r2, y2 in found[i + 1 :]:
            if abs(y1 - y2) < 14:  # the same row (a bar's mark sits lower than a point's)
                assert r1 <= l2 + 0.5 or r2 <= l1 + 0.5, f"{a} and {b} overlap in the row at y={y1}"


def test_crowded_lane_keeps_every_item_even_without_room_for_labels():
    m = lane_map([Statement(id=f"s{i}", text=f"Item {i}", speaker="a", said="2025-11-20") for i in range(40)])
    root = ET.fromstring(to_svg(m))
    items = dated_items(root)
    assert len(items) == 40
    ys = sorted(mark_span(g)[2] for g in items.values())
    assert all(b - a >= 14 for a, b in zip(ys, ys[1:]))
    assert all(g.find(f"{NS}title").text.startswith("Item ") for g in items.values())


def test_lanes_for_events_speakers_and_the_unattributed():
    m = lane_map([Statement(id="e", text="Strike", kind="event", speaker="a", said="2025-11-19"),
                  Statement(id="c", text="Claim", speaker="b", said="2025-11-20"),
                  Statement(id="u", text="Anonymous", said="2025-11-21")])
    root = ET.fromstring(to_svg(m))
    bands, items = lanes(root), dated_items(root)
    assert list(bands) == ["_events", "b", "_unattributed"]  # an event by a speaker is still an event
    for sid, lane in (("e", "_events"), ("c", "b"), ("u", "_unattributed")):
        assert bands[lane][0] < mark_span(items[sid])[2] < bands[lane][1]
    names = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "lane-name"]
    assert names == ["Events", "Speaker B", "Unattributed"]


def test_hour_ticks_for_a_single_day():
    m = lane_map([Statement(id=f"t{h}", text=f"At {h}", speaker="a", said=f"2025-11-20T{h:02d}:00:00Z")
                  for h in (6, 9, 14)])
    root = ET.fromstring(to_svg(m))
    ticks = [g.get("data-date") for g in root.iter(f"{NS}g") if g.get("class") == "tick"]
    assert all("T" in t for t in ticks) and len(ticks) >= 4
    x_of = axis(root)
    for h in (6, 9, 14):
        g = dated_items(root)[f"t{h}"]
        assert centre(g) == pytest.approx(x_of(dt.date(2025, 11, 20).toordinal() + h / 24), abs=0.6)


def test_year_ticks_for_decades():
    m = lane_map([Statement(id="a1", text="Then", speaker="a", said="1991"),
                  Statement(id="a2", text="Now", speaker="a", said="2025-11-20")])
    ticks = [g.get("data-date") for g in ET.fromstring(to_svg(m)).iter(f"{NS}g") if g.get("class") == "tick"]
    assert all(re.fullmatch(r"\d{4}", t) for t in ticks) and ticks[0] <= "1991" and ticks[-1] >= "2025"


# ---- undated ---------------------------------------------------------------------------------


def test_undated_band_lists_each_undated_statement_under_its_speaker():
    m = lane_map([Statement(id="d", text="Dated", speaker="a", said="2025-11-20"),
                  Statement(id="u1", text="Undated by A", speaker="a"),
                  Statement(id="u2", text="Undated by nobody"),
                  Statement(id="u3", text="Undated by B", speaker="b", kind="derived")])
    root = ET.fromstring(to_svg(m))
    band = next(g for g in root.iter(f"{NS}g") if g.get("class") == "undated-band")
    lines = [(t.get("class"), t.text) for t in band.iter(f"{NS}text")]
    assert lines[0][1].startswith("Undated (3)")
    texts = [text for _, text in lines]
    assert texts.index("Speaker A (1)") < texts.index("• Undated by A")
    assert texts.index("Speaker B (1)") < texts.index("• Undated by B") < texts.index("Unattributed (1)")
    assert texts.index("Unattributed (1)") < texts.index("• Undated by nobody")
    lane_bottom = max(b for _, b in lanes(root).values())
    assert all(float(t.get("y")) > lane_bottom for t in band.iter(f"{NS}text"))
    assert set(undated_items(root)) == {"u1", "u2", "u3"}


def test_a_date_range_keeps_undated_statements_whose_source_it_covers(seed):
    # The one date rule (argmap.scope): a statement's own date, else its source's. The seed's 39
    # undated statements come from an article published 21-22 Nov.
    sel = select(seed, TimelineOptions(date_from="2025-11-20", date_to="2025-11-20"))
    assert {s.said for s in sel.dated} == {"2025-11-20"}
    assert sel.undated == []
    sel = select(seed, TimelineOptions(date_from="2025-11-20", date_to="2025-11-21"))
    assert len(sel.undated) == 39 and all(s.said is None for s in sel.undated)
    nothing_dated = lane_map([Statement(id="u", text="No date, no source", speaker="a")])
    assert [s.id for s in select(nothing_dated, TimelineOptions(date_from="2030")).undated] == ["u"]


def test_no_dated_statement_still_draws_the_band():
    root = ET.fromstring(to_svg(lane_map([Statement(id="u", text="Only undated", speaker="a")])))
    assert set(undated_items(root)) == {"u"} and not dated_items(root)


# ---- links -----------------------------------------------------------------------------------


def path_ends(p: ET.Element) -> tuple[tuple[float, float], tuple[float, float]]:
    nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
    return (nums[0], nums[1]), (nums[-2], nums[-1])


@pytest.fixture(scope="module")
def linked():
    m = lane_map(
        [Statement(id="claim", text="The claim", speaker="a", said="2025-11-20"),
         Statement(id="backing", text="Backing", speaker="b", said="2025-11-18"),
         Statement(id="denial", text="The denial", speaker="b", said="2025-11-22"),
         Statement(id="doubt", text="A doubt", said="2025-11-23"),
         Statement(id="loose", text="Undated reason", speaker="a")],
        [Argument(id="r1", kind="support", premises=["backing"], target="claim"),
         Argument(id="r2", kind="attack", premises=["denial", "loose"], target="claim"),
         Argument(id="r3", kind="undercut", premises=["doubt"], target="r1"),
         Argument(id="r4", kind="support", premises=["loose"], target="denial")])
    return ET.fromstring(to_svg(m))


def test_links_connect_the_right_items(linked):
    items = dated_items(linked)
    drawn = {(p.get("data-from"), p.get("data-to")): p for p in linked.iter(f"{NS}path") if p.get("data-from")}
    assert set(drawn) == {("backing", "claim"), ("denial", "claim"), ("doubt", "r1")}  # nothing to or from "loose"
    for src, dst in [("backing", "claim"), ("denial", "claim")]:
        start, end = path_ends(drawn[(src, dst)])
        s_left, s_right, s_y = mark_span(items[src])
        t_left, _, t_y = mark_span(items[dst])
        assert s_left - 1 <= start[0] <= s_right + 1 and start[1] == pytest.approx(s_y)
        assert t_left - 4 <= end[0] <= t_left + 0.5 and end[1] == pytest.approx(t_y)  # enters from the left


def test_undercut_ends_on_the_curve_it_undercuts(linked):
    drawn = {p.get("data-to"): p for p in linked.iter(f"{NS}path") if p.get("data-from")}
    support = next(p for p in linked.iter(f"{NS}path") if p.get("data-from") == "backing")
    x1, y1, c1x, c1y, c2x, c2y, x2, y2 = (float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", support.get("d")))
    mid = ((x1 + 3 * c1x + 3 * c2x + x2) / 8, (y1 + 3 * c1y + 3 * c2y + y2) / 8)
    _, end = path_ends(drawn["r1"])
    assert end[0] == pytest.approx(mid[0] - 2, abs=0.2) and end[1] == pytest.approx(mid[1], abs=0.2)


def test_link_kinds_differ_in_colour_and_dash(linked):
    style = {g.get("id"): (g.get("stroke"), g.get("stroke-dasharray")) for g in linked.iter(f"{NS}g")
             if (g.get("class") or "").startswith("link ")}
    assert style["r1"][1] is None and style["r2"][1] and style["r3"][1]
    assert len({s[0] for s in style.values()}) == 3 and len({s[1] for s in style.values()}) == 3
    marker_ends = {p.get("marker-end") for p in linked.iter(f"{NS}path") if p.get("data-from")}
    assert marker_ends == {"url(#_arrow-support)", "url(#_arrow-attack)", "url(#_arrow-undercut)"}


# ---- options ---------------------------------------------------------------------------------


def test_filters_narrow_dated_and_undated_alike(seed):
    sel = select(seed, TimelineOptions(speakers=["kaja-kallas", "maria-malmer-stenergard"]))
    assert {s.speaker for s in sel.dated + sel.undated} == {"kaja-kallas", "maria-malmer-stenergard"}
    assert {s.speaker for s in sel.undated} == {"maria-malmer-stenergard"}
    events = select(seed, TimelineOptions(kinds=["event"]))
    assert events.dated and all(s.kind == "event" for s in events.dated + events.undated)
    tagged = select(seed, TimelineOptions(tags=["correction", "corrected"]))
    assert {s.id for s in tagged.dated + tagged.undated} == {
        s.id for s in seed.statements if {"correction", "corrected"} & set(s.tags)}


def test_date_range_keeps_overlapping_dates_and_fixes_the_axis():
    m = lane_map([Statement(id="month", text="Month", speaker="a", said="2025-11"),
                  Statement(id="before", text="Before", speaker="a", said="2025-10-31"),
                  Statement(id="inside", text="Inside", speaker="a", said="2025-11-20"),
                  Statement(id="after", text="After", speaker="a", said="2025-11-23")])
    opts = TimelineOptions(date_from="2025-11-19", date_to="2025-11-21")
    assert [s.id for s in select(m, opts).dated] == ["month", "inside"]
    root = ET.fromstring(to_svg(m, opts))
    ticks = [g.get("data-date") for g in root.iter(f"{NS}g") if g.get("class") == "tick"]
    assert ticks[0] == "2025-11-19" and ticks[-1] == "2025-11-22"
    left, right, _ = mark_span(dated_items(root)["month"])
    x_of = axis(root)  # the month's bar is cut to the range shown
    assert left == pytest.approx(x_of(days("2025-11-19")), abs=0.6) and right == pytest.approx(x_of(days("2025-11-22")), abs=0.6)


def test_focus_keeps_what_connects(seed):
    sel = select(seed, TimelineOptions(focus="gerasimov-kupiansk-captured", depth=1))
    ids = {s.id for s in sel.dated + sel.undated}
    assert {"gerasimov-kupiansk-captured", "general-staff-denies-kupiansk"} <= ids
    assert "kallas-no-viable-plan" not in ids
    assert ids == neighbourhood(seed, "gerasimov-kupiansk-captured", 1)


def test_neighbourhood_counts_arguments_and_undercuts_as_one_step():
    m = lane_map([Statement(id=i, text=i) for i in "abcdu"],
                 [Argument(id="r1", kind="support", premises=["a"], target="b"),
                  Argument(id="r2", kind="support", premises=["b"], target="c"),
                  Argument(id="r3", kind="attack", premises=["d"], target="c"),
                  Argument(id="r4", kind="undercut", premises=["u"], target="r1")])
    assert neighbourhood(m, "a", 0) == {"a"}
    assert neighbourhood(m, "a", 1) == {"a", "b", "u"}  # u undercuts a's own argument
    assert neighbourhood(m, "u", 1) == {"u", "a", "b"}
    assert neighbourhood(m, "b", 1) == {"a", "b", "c", "u"}
    assert neighbourhood(m, "a", 2) == {"a", "b", "c", "u"}
    assert neighbourhood(m, "a", 3) == {"a", "b", "c", "d", "u"}


@pytest.mark.parametrize(("given", "field"), [
    ({"from": "2025-13"}, "$.from"),
    ({"to": "yesterday"}, "$.to"),
    ({"from": "2025-11-21", "to": "2025-11-20"}, "$.to"),
    ({"depth": 2}, "$.depth"),
    ({"focus": "x", "depth": -1}, "$.depth"),
    ({"kinds": ["opinion"]}, "$.kinds[0]"),
    ({"speakers": ["bad id!"]}, "$.speakers[0]"),
    ({"colour": "red"}, "$.colour"),
])
def test_bad_options_name_the_field(given, field):
    with pytest.raises(InvalidInput) as e:
        options_from(given)
    assert e.value.field == field, e.value


def test_unknown_names_are_refused_with_the_field(seed):
    with pytest.raises(DanglingReference) as e:
        select(seed, TimelineOptions(speakers=["kaja-kallas", "nobody"], tags=["no-such-tag"], focus="nothing"))
    assert [p.field for p in e.value.problems] == ["$.speakers[1]", "$.tags[0]", "$.focus"]


# ---- hostile text ----------------------------------------------------------------------------


def squeezed(text: str) -> str:
    """Text without white space or ellipses: wrapped and cut labels compare with the original."""
    return "".join(text.replace("…", "").split())


def showable(text: str) -> str:
    """What the outputs must show: the text, with controls that cannot be drawn as U+FFFD."""
    return re.sub("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "\ufffd", text)


def hostile_map(text: str) -> Map:
    return Map(
        id="h", title=f"Map: {text}",
        speakers=[Speaker(id="sp", name=text, role=text, affiliation=text)],
        sources=[Source(id="src", title=text, publisher=text, url="https://example.org/a?b=<c>&d='e'")],
        statements=[Statement(id="dated", text=text, speaker="sp", said="2025-11-20", source="src", tags=["x<y"]),
                    Statement(id="undated", text=text, speaker="sp", source="src")],
        arguments=[Argument(id="r1", kind="attack", premises=["undated"], target="dated", scheme=text)],
    )


def assert_inert(root: ET.Element) -> None:
    """No element or attribute that runs code or reaches outside the document."""
    for e in root.iter():
        tag = e.tag.split("}")[-1].lower()
        assert tag not in {"script", "foreignobject", "a", "image", "use", "iframe", "style", "link", "feimage"}, tag
        for name, value in e.attrib.items():
            local = name.split("}")[-1].lower()
            assert local != "href" and not local.startswith("on"), name
            assert "javascript:" not in value.lower() or local in {"data-date"}, (name, value)
            for ref in re.findall(r"url\(([^)]*)\)", value):
                assert ref.startswith("#_"), value


def test_hostile_text_stays_text_in_svg(hostile):
    data = to_svg(hostile_map(hostile))
    root = ET.fromstring(data)  # parses as XML
    assert b"\x00" not in data
    assert_inert(root)
    shown = showable(hostile)
    for sid in ("dated", "undated"):
        g = next(g for g in root.iter(f"{NS}g") if g.get("id") == sid)
        as_xml_reads_it = shown.replace("\r\n", "\n").replace("\r", "\n")  # XML's end-of-line rule
        assert g.find(f"{NS}title").text.startswith(as_xml_reads_it + "\n")
        label = "".join(t.text or "" for t in g.iter(f"{NS}text") if t.get("class") == "label")
        assert label and squeezed(shown).startswith(squeezed(label.removeprefix("• "))), label
    names = "".join(t.text for t in root.iter(f"{NS}text") if t.get("class") == "lane-name")
    assert squeezed(shown).startswith(squeezed(names))


def test_nul_and_lone_surrogates_become_replacement_characters():
    m = hostile_map("placeholder")
    m.statements[0].text = "before\x00after\ud800end"  # a Struct changed after it was checked
    data = to_svg(m)
    root = ET.fromstring(data)
    title = next(g for g in root.iter(f"{NS}g") if g.get("id") == "dated").find(f"{NS}title").text
    assert title.startswith("before\ufffdafter\ufffdend\n")


def test_hostile_text_in_pdf_is_shown_and_inert():
    from pypdf import PdfReader

    text = "Сергей Лавров <script>alert(1)</script> javascript:alert(2) & \"quotes\" قال الوزير"
    data = to_pdf(hostile_map(text))
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/OpenAction" not in catalog and "/AA" not in catalog and "/JavaScript" not in catalog.get("/Names", {})
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/A") is None, annot.get_object()
    extracted = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for needle in ("Сергей Лавров", "<script>alert(1)</script>", "javascript:alert(2)", '& "quotes"'):
        assert needle in extracted, needle


# ---- PDF -------------------------------------------------------------------------------------


def test_seed_pdf_is_a3_landscape_with_the_timeline_then_the_undated(seed):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(to_pdf(seed)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)
    first = " ".join(reader.pages[0].extract_text().split())
    for name in ("Kaja Kallas", "David van Weel", "Valery Gerasimov", "General Staff", "Thu 20"):
        assert name in first, name
    rest = " ".join(" ".join(p.extract_text().split()) for p in reader.pages[1:])
    assert "Undated (39)" in rest and "Maria Malmer Stenergard (2)" in rest
    assert reader.metadata.title.startswith("Timeline: A peace without Ukraine")


def test_pdf_serves_only_its_own_pages_and_refuses_every_other_fetch():
    from argmap.render._pdf import html_to_pdf, own_only_fetcher

    fetcher = own_only_fetcher({"argmap:page/1": (b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
                                                  "image/svg+xml")})
    html = ('<link rel="stylesheet" href="http://evil.example/x.css"><style>@import url(file:///etc/passwd);</style>'
            '<p>text</p><img src="argmap:page/1"><img src="file:///etc/passwd"><img src="https://evil.example/p.png">'
            '<img src="argmap:page/2">')
    assert html_to_pdf(html, fetcher=fetcher).startswith(b"%PDF")
    assert sorted(u.split("/")[-1] for u in fetcher.refused) == ["2", "p.png", "passwd", "passwd", "x.css"]


def test_committed_exports_are_what_the_code_makes(seed):
    """`make exports` writes exports/; a change to the seed or the renderer must regenerate them.

    `make exports` reads a freshly loaded database, so each file is stamped as version 1 of the map.
    """
    from argmap.exports import find
    from argmap.history import stamp
    from argmap.render.timelinejs import dumps

    def made(data: bytes, suffix: str) -> bytes:
        return stamp(data, find("timeline", suffix), "peace-plan", 1)

    exports = REPO / "exports"
    assert (exports / "peace-plan-timeline.svg").read_bytes() == made(to_svg(seed), "svg"), "run `make exports`"
    assert (exports / "peace-plan-timeline.json").read_bytes() == made(dumps(seed), "json"), "run `make exports`"
    assert (exports / "peace-plan-timeline.pdf").read_bytes().startswith(b"%PDF-")
