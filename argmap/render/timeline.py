"""Dated timelines of an already-scoped map: who said what when, and what answered what.

A time axis with one lane per speaker (and lanes for events and unattributed statements);
each dated statement at its date with its precision visible, links between dated items,
undated statements listed apart, never dropped. SVG (:func:`to_svg`) or A3 landscape PDF
pages (:func:`to_pdf`). The look and the paging rules are in docs/ARCHITECTURE.md; the export
records are in ``argmap/exports/timeline.py``.
"""

from __future__ import annotations

import heapq
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import NamedTuple

import msgspec

from argmap.errors import InvalidInput
from argmap.model import Argument, Map, Statement, partial_date
from argmap.render import _timeaxis as axis
from argmap.render._pdf import DEFAULT_TIMEOUT as PDF_TIMEOUT
from argmap.render._pdf import html_to_pdf
from argmap.render._text import fit, one_line, text_width, wrap, xml_safe
from argmap.scope import Scope, scope_from
from argmap.scope import select as select_scope

FONT = "DejaVu Sans, Noto Sans, Arial Unicode MS, sans-serif"
FONT_SIZE = 11

__all__ = [
    "PDF_ADVICE",
    "PDF_TIMEOUT",
    "Selection",
    "TimelineOptions",
    "options_from",
    "page_svgs",
    "select",
    "to_pdf",
    "to_svg",
]


TimelineOptions = Scope
"""A timeline's options are its scope (:class:`argmap.scope.Scope`): ``from``/``to`` also fix the axis."""


def options_from(mapping: dict) -> Scope:
    """Options from loose input (CLI flags, query parameters); InvalidInput naming the field.

    >>> options_from({"from": "2025-13"})
    Traceback (most recent call last):
    ...
    argmap.errors.InvalidInput: $.from: '2025-13' is not a valid EDTF date (expected e.g. 2025, 2025-11, 2025-11-20, 2025-11-26~); impossible dates such as 2025-02-30 are refused
    """
    return scope_from(mapping, others=False)


class Selection(msgspec.Struct, kw_only=True):
    """The statements a timeline shows, split by whether they have a date, in map order."""

    map: Map
    dated: list[Statement]
    undated: list[Statement]
    options: Scope


def select(m: Map, options: Scope | None = None, *, scoped: bool = False) -> Selection:
    """The scoped map (``scoped``: ``m`` is it already), split into dated and undated statements.

    >>> from argmap.model import Map, Statement
    >>> m = Map(id="m", title="T", statements=[Statement(id="a", text="A", said="2025-11"),
    ...                                       Statement(id="b", text="B")])
    >>> s = select(m)
    >>> [x.id for x in s.dated], [x.id for x in s.undated]
    (['a'], ['b'])
    """
    options = options or Scope()
    sub = m if scoped else select_scope(m, options)
    dated = [s for s in sub.statements if s.said is not None]
    undated = [s for s in sub.statements if s.said is None]
    return Selection(map=sub, dated=dated, undated=undated, options=options)


# ---- layout ---------------------------------------------------------------------------------

GUTTER = 210  # lane names
ROW_H = 20
LANE_PAD = 6
AXIS_H = 40
HEADER_H = 92
MARGIN = 16
LABEL_PX = 230  # a label longer than this is cut; the tooltip has the whole text
MAX_LABEL_ROWS = 12  # past this a lane shows marks only for the items that do not fit
MIN_PLOT, MAX_PLOT, PX_PER_DAY = 800.0, 2400.0, 120.0
BAR_TOP, BAR_H, BAR_BASELINE = 3, 6, 1  # a bar sits under its label: offsets from the row's middle
UNDATED_COL_W = 470
UNDATED_ROW_H = 17

KIND_COLOUR = {"claim": "#1f4e79", "event": "#9a4a00", "derived": "#5b6270"}
KIND_FILL = {"claim": "#c9daf0", "event": "#fbe3c4", "derived": "#e3e5e9"}
LINK_STYLE = {  # colour and dash differ, so greyscale and colour-blind readers can tell them apart
    "support": ("#2e7d32", None),
    "attack": ("#c62828", "7 4"),
    "undercut": ("#6a1b9a", "1.5 3.5"),
}
EVENTS, UNATTRIBUTED = "_events", "_unattributed"  # our ids never start with "_"


class _Item:
    __slots__ = ("st", "pd", "lane", "t0", "t1", "tx", "point", "x0", "x1", "ax", "row", "y",
                 "label", "label_w", "glyph", "extent")


class _Lane(NamedTuple):
    key: str
    title: list[str]
    subtitle: str
    items: list
    rows: int
    y: float
    height: float


class _Link(NamedTuple):
    arg: Argument
    src: str
    dst: str
    points: tuple  # (x1, y1, c1x, c1y, c2x, c2y, x2, y2)


class _Undated(NamedTuple):
    kind: str  # "head" (a speaker), "item" (a statement's first line), "more" (its next lines)
    st: Statement | None
    text: str
    x: float
    y: float


class _Layout(NamedTuple):
    sel: Selection
    width: float
    height: float
    plot_x: float
    plot_w: float
    d0: float
    d1: float
    scale: float
    ticks: list
    lanes: list
    items: list
    links: list
    undated: list
    undated_y: float
    lanes_top: float
    lanes_bottom: float


def _layout(sel: Selection, *, plot_w: float | None = None) -> _Layout:
    """Place everything; ``plot_w`` overrides the width the time span would choose."""
    m = sel.map
    speakers = {s.id: s for s in m.speakers}
    items: list[_Item] = []
    for st in sel.dated:
        pd = st.date
        it = _Item()
        it.st, it.pd = st, pd
        it.t0, it.t1, it.tx, it.point = axis.extent(pd)
        it.glyph = ("~" if pd.approximate else "") + ("?" if pd.uncertain else "")
        it.lane = _lane_of(st)
        items.append(it)

    # Domain: the range asked for, else the data's, snapped outwards to whole ticks.
    opts = sel.options
    fixed_lo = partial_date(opts.date_from).lower.toordinal() if opts.date_from else None
    fixed_hi = partial_date(opts.date_to).upper.toordinal() + 1.0 if opts.date_to else None
    if items:
        lo, hi = min(i.t0 for i in items), max(i.t1 for i in items)
        pad = (hi - lo) * 0.01  # so that an instant on a tick does not sit on the plot's edge
        d0 = fixed_lo if fixed_lo is not None else min(min(i.t0, i.tx - pad) for i in items)
        d1 = fixed_hi if fixed_hi is not None else max(max(i.t1, i.tx + pad) for i in items)
    else:
        # Nothing dated: the range asked for, else any day (no ticks are drawn for it).
        d0 = fixed_lo if fixed_lo is not None else (fixed_hi - 1.0 if fixed_hi is not None else 730120.0)
        d1 = fixed_hi if fixed_hi is not None else d0 + 1.0
    if d1 - d0 < 1 / 12:  # a lone instant: show the two hours around it
        d0, d1 = d0 - 1 / 24, d1 + 1 / 24
    plot_w = plot_w or _natural_width(d1 - d0)
    step = axis.choose_step(d1 - d0, plot_w, hours=any(i.pd.precision == "time" for i in items))
    if fixed_lo is None:
        d0 = axis.floor(d0, step)
    if fixed_hi is None:
        d1 = axis.ceil(d1, step)
    scale = plot_w / (d1 - d0)
    plot_x = float(GUTTER)

    def x_of(t: float) -> float:
        return plot_x + (t - d0) * scale

    # Lanes: events first (the context), then speakers in map order, then the unattributed.
    by_lane: dict[str, list[_Item]] = defaultdict(list)
    for it in items:
        by_lane[it.lane].append(it)
    order = [EVENTS] + [s.id for s in m.speakers] + [UNATTRIBUTED]
    order += [k for k in by_lane if k not in set(order)]  # a speaker the map does not list
    lanes: list[_Lane] = []
    y = HEADER_H + AXIS_H
    lanes_top = y
    right = plot_x + plot_w
    for key in order:
        lane_items = by_lane.get(key)
        if not lane_items:
            continue
        for it in lane_items:
            it.x0 = max(plot_x, x_of(it.t0))
            it.x1 = min(plot_x + plot_w, x_of(it.t1))
            it.ax = x_of(it.tx) if it.point else (it.x0 + it.x1) / 2
        rows = _pack(lane_items)
        title, subtitle = _lane_names(key, speakers)
        height = max(rows * ROW_H, 14 * len(title) + 18) + 2 * LANE_PAD
        for it in lane_items:
            it.y = y + LANE_PAD + it.row * ROW_H + ROW_H / 2
            right = max(right, it.extent)
        lanes.append(_Lane(key, title, subtitle, lane_items, rows, y, height))
        y += height
    lanes_bottom = y if lanes else y + 3 * ROW_H
    width = max(right + MARGIN, plot_x + plot_w + MARGIN, 760.0)

    ticks = axis.ticks(d0, d1, step, x_of) if items or fixed_lo or fixed_hi else []
    placed = {it.st.id: it for it in items}
    links = _links(m.arguments, placed)

    undated_y = lanes_bottom + AXIS_H + 28
    lines = _undated_lines(sel, speakers, max_lines=3)
    undated = _flow(lines, width, undated_y + 22, math.inf)[0] if lines else []
    height = max((u.y for u in undated), default=undated_y) + UNDATED_ROW_H + MARGIN
    return _Layout(sel, width, height, plot_x, plot_w, d0, d1, scale, ticks, lanes, items, links,
                   undated, undated_y, lanes_top, lanes_bottom)


def _span(sel: Selection) -> float:
    """Days the axis of ``sel`` would span before snapping to ticks."""
    o = sel.options
    dates = [s.date for s in sel.dated]
    lo = partial_date(o.date_from).lower.toordinal() if o.date_from else min((d.lower.toordinal() for d in dates), default=0)
    hi = partial_date(o.date_to).upper.toordinal() + 1 if o.date_to else max((d.upper.toordinal() + 1 for d in dates), default=lo + 1)
    return float(hi - lo)


def _natural_width(span_days: float) -> float:
    return min(MAX_PLOT, max(MIN_PLOT, span_days * PX_PER_DAY))


def _undated_lines(sel: Selection, speakers, max_lines: int = 1) -> list[tuple[str, Statement | None, str]]:
    """The undated band's lines, ``(kind, statement, text)``: each speaker's name (in lane
    order, kind "head"), then its statements ("item"), each wrapped to at most ``max_lines``
    lines (the continuation lines are kind "more"). The SVG keeps one line and a tooltip; print
    has no tooltips, so the PDF wraps."""
    groups: dict[str, list[Statement]] = defaultdict(list)
    for st in sel.undated:
        groups[_lane_of(st)].append(st)
    order = [EVENTS] + [s.id for s in sel.map.speakers] + [UNATTRIBUTED]
    order += [k for k in groups if k not in set(order)]
    width = UNDATED_COL_W - 34
    lines: list[tuple[str, Statement | None, str]] = []
    for key in order:
        if key in groups:
            name = " ".join(_lane_names(key, speakers)[0])
            lines.append(("head", None, fit(f"{name} ({len(groups[key])})", width, FONT_SIZE, bold=True)))
            for st in groups[key]:
                first, *more = wrap("• " + st.text, width, max_lines)
                lines.append(("item", st, first))
                lines.extend(("more", st, m) for m in more)
    return lines


def _flow(lines, width: float, top: float, bottom: float) -> list[list[_Undated]]:
    """Lay ``lines`` down columns ``UNDATED_COL_W`` wide; a new page (list) when ``bottom`` is
    reached. A heading never ends a column. With an infinite ``bottom``, the columns balance."""
    cols = max(1, int((width - 2 * MARGIN) // UNDATED_COL_W))
    rows = int((bottom - top) // UNDATED_ROW_H) if bottom != math.inf else math.ceil(len(lines) / cols) + 1
    rows = max(2, rows)
    pages: list[list[_Undated]] = [[]]
    col = row = 0
    for kind, st, text in lines:
        if row >= rows or (kind == "head" and row >= rows - 1):
            col, row = col + 1, 0
            if col >= cols:
                pages.append([])
                col = 0
        x = MARGIN + col * UNDATED_COL_W + {"head": 0, "item": 10, "more": 20}[kind]
        pages[-1].append(_Undated(kind, st, text, x, top + row * UNDATED_ROW_H))
        row += 1
    return pages


def _lane_of(st: Statement) -> str:
    return EVENTS if st.kind == "event" else (st.speaker or UNATTRIBUTED)


def _lane_names(key: str, speakers) -> tuple[list[str], str]:
    if key == EVENTS:
        return ["Events"], "reported happenings"
    if key == UNATTRIBUTED:
        return ["Unattributed"], "no speaker given"
    sp = speakers.get(key)
    if sp is None:
        return [fit(key, GUTTER - 2 * MARGIN, FONT_SIZE, bold=True)], "not among the map's speakers"
    sub = sp.affiliation or (sp.role if sp.name else "") or ""
    return wrap(sp.label, GUTTER - 2 * MARGIN, 2, FONT_SIZE, bold=True), fit(sub, GUTTER - 2 * MARGIN, 9.5)


def _pack(items: list[_Item]) -> int:
    """Give each item a row so that nothing overlaps; return the number of rows.

    Items go left to right into the lowest row free at their start; within the first
    ``MAX_LABEL_ROWS`` rows an item brings its label, past them (a crowded lane) it is a mark
    only, placed in whichever row frees first, so a pile-up costs O(n log n), not O(n^2).
    """
    items.sort(key=lambda it: (it.x0, it.t0, it.t1))
    ends: list[float] = []  # rightmost x used in each row
    heap: list[tuple[float, int]] = []
    gap = 6.0
    for it in items:
        glyph_w = text_width(it.glyph, FONT_SIZE, bold=True) if it.glyph else 0.0
        mark_end = (it.ax + 8 + glyph_w if it.glyph else it.ax + 6) if it.point else max(it.x1, it.x0 + 2 + glyph_w)
        label = fit(it.st.text, LABEL_PX)
        it.label_w = text_width(label, FONT_SIZE)
        with_label = max(mark_end, _label_x(it) + it.label_w)
        start = it.x0 if not it.point else it.ax - 6
        row = None
        for r in range(min(len(ends), MAX_LABEL_ROWS)):
            if ends[r] + gap <= start:
                row, it.label, it.extent = r, label, with_label
                break
        if row is None and len(ends) < MAX_LABEL_ROWS:
            row, it.label, it.extent = len(ends), label, with_label
            ends.append(-math.inf)
        if row is None:
            it.label, it.extent = None, mark_end
            while heap and (heap[0][0] != ends[heap[0][1]]):
                heapq.heappop(heap)  # stale: that row has grown since
            if heap and heap[0][0] + gap <= start:
                row = heap[0][1]
            else:
                row = len(ends)
                ends.append(-math.inf)
        it.row = row
        ends[row] = it.extent
        heapq.heappush(heap, (it.extent, row))
    return max(1, len(ends))


def _links(arguments: list[Argument], placed: dict[str, _Item]) -> list[_Link]:
    """Curves for arguments whose premise and target are both on the timeline.

    An undercut ends on the middle of the curve of the argument it undercuts.
    """
    out: list[_Link] = []
    first_curve: dict[str, tuple] = {}
    for a in arguments:
        if a.kind == "undercut" or a.target not in placed:
            continue
        t = placed[a.target]
        for p in a.premises:
            if p in placed:
                pts = _curve(placed[p].ax, placed[p].y, t.ax if t.point else t.x0, t.y, 7.0 if t.point else 1.0)
                first_curve.setdefault(a.id, pts)
                out.append(_Link(a, p, a.target, pts))
    for a in arguments:
        if a.kind != "undercut" or a.target not in first_curve:
            continue
        mx, my = _bezier_mid(first_curve[a.target])
        for p in a.premises:
            if p in placed:
                out.append(_Link(a, p, a.target, _curve(placed[p].ax, placed[p].y, mx, my, 2.0)))
    return out


def _curve(x1, y1, x2, y2, end_gap):
    """A curve that enters the target from the left, where no label is (labels sit right of
    their marks). Towards a later target it leaves the premise vertically; towards the same
    day or an earlier one it leaves to the left too, a bracket beside the day's column rather
    than a line down through the marks stacked in it."""
    dx, dy = x2 - x1, y2 - y1
    if dx > 24:
        c1y = y1 + (dy / 2 if abs(dy) > 4 else -ROW_H * 1.5)
        reach = max(28.0, min(dx * 0.4, 160.0))
        return (x1, y1, x1, c1y, x2 - end_gap - reach, y2, x2 - end_gap, y2)
    reach = 24 + min(abs(dy), 600) * 0.1
    x1 -= 6
    return (x1, y1, x1 - reach, y1, x2 - end_gap - reach, y2, x2 - end_gap, y2)


def _bezier_mid(p):
    x1, y1, c1x, c1y, c2x, c2y, x2, y2 = p
    return ((x1 + 3 * c1x + 3 * c2x + x2) / 8, (y1 + 3 * c1y + 3 * c2y + y2) / 8)


# ---- drawing --------------------------------------------------------------------------------


def _el(parent, tag: str, attrib: dict | None = None, text: str | None = None):
    e = ET.SubElement(parent, tag, {k: _attr(v) for k, v in (attrib or {}).items() if v is not None})
    if text is not None:
        e.text = xml_safe(text)
    return e


def _attr(v) -> str:
    if type(v) is float:
        return f"{v:.1f}".removesuffix(".0")
    return xml_safe(v if type(v) is str else str(v))


def _tooltip(st: Statement, m_lookup) -> str:
    speakers, sources = m_lookup
    who = speakers[st.speaker].label if st.speaker in speakers else ("event" if st.kind == "event" else "no speaker given")
    when = st.date.label() if st.said else "undated"
    lines = [st.text, f"{who} · {when}"]
    src = sources.get(st.source) if st.source else None
    if src is not None:
        lines.append("Source: " + ", ".join(x for x in (src.title, src.publisher, src.url) if x))
    if st.date_source and st.date_source in sources:
        lines.append(f"Date from: {sources[st.date_source].title}")
    return "\n".join(lines)


def _defs(svg) -> None:
    defs = _el(svg, "defs")
    for kind, (colour, _) in LINK_STYLE.items():
        mk = _el(defs, "marker", {"id": f"_arrow-{kind}", "viewBox": "0 0 10 10", "refX": "9", "refY": "5",
                                   "markerWidth": "7", "markerHeight": "7", "orient": "auto"})
        _el(mk, "path", {"d": "M0,1 L10,5 L0,9 z", "fill": colour})


def _draw_mark(g, it: _Item, x: float, y: float) -> float:
    """Draw ``it``'s mark at (x, y) (a point) or across [x0, x1]; return where its label starts."""
    kind = it.st.kind
    hollow = bool(it.glyph)
    stroke = KIND_COLOUR[kind]
    style = {"stroke": stroke, "stroke-width": "1.6" if hollow else "1.2"}
    if hollow:
        style["stroke-dasharray"] = "2.5 2"
    prec = it.pd.precision
    if prec == "day":
        _el(g, "circle", {"class": "mark", "cx": x, "cy": y, "r": "5", "fill": "#ffffff" if hollow else stroke, **style})
    elif prec == "time":
        pts = f"{x - 6:.1f},{y:.1f} {x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f}"
        _el(g, "polygon", {"class": "mark", "points": pts, "fill": "#ffffff" if hollow else stroke, **style})
    else:  # a low bar under the label, like an underline spanning the days the date may mean
        _el(g, "rect", {"class": "mark", "x": it.x0, "y": y + BAR_TOP, "width": max(2.0, it.x1 - it.x0),
                        "height": str(BAR_H), "rx": "1.5", "fill": "#ffffff" if hollow else KIND_FILL[kind], **style})
    if it.glyph:
        gx = x + 8 if it.point else it.x0 + 2
        _el(g, "text", {"class": "glyph", "x": gx, "y": y + (4 if it.point else BAR_BASELINE), "font-weight": "bold",
                        "fill": stroke}, it.glyph)
    return _label_x(it)


def _label_x(it: _Item) -> float:
    """Where ``it``'s label starts: after its point (and glyph), or at its bar's start."""
    glyph_w = text_width(it.glyph, FONT_SIZE, bold=True) if it.glyph else 0.0
    if it.point:
        return it.ax + (12 + glyph_w if it.glyph else 10)
    return it.x0 + (4 + glyph_w if it.glyph else 2)


def _draw_item(parent, it: _Item, lookup, tooltips: bool) -> None:
    p = it.pd
    cls = f"item {it.st.kind} {p.precision}" + (" approximate" if p.approximate else "") + (" uncertain" if p.uncertain else "")
    g = _el(parent, "g", {"id": it.st.id, "class": cls, "data-date": it.st.said})
    if tooltips:
        _el(g, "title", None, _tooltip(it.st, lookup))
    start = _draw_mark(g, it, it.ax, it.y)
    if it.label is not None:
        if it.point:  # a pale card under the label keeps it readable where curves pass behind
            _el(g, "rect", {"class": "halo", "x": start - 2, "y": it.y - 7, "width": it.label_w + 4, "height": "14",
                            "fill": "#ffffff", "fill-opacity": "0.8"})
        _el(g, "text", {"class": "label", "x": start, "y": it.y + (4 if it.point else BAR_BASELINE),
                        "font-style": "italic" if it.st.kind == "derived" else None}, it.label)


def _draw_links(parent, links: list[_Link], total: int, tooltips: bool) -> None:
    """One ``<g id=argument>`` per argument, its premises' curves inside. Supports go first,
    attacks and undercuts over them (rarer, and what a reader looks for). Past about a hundred
    links the strokes thin and fade, so marks and labels stay on top of a dense web."""
    width, opacity = (1.5, 0.85) if total <= 120 else (1.0, max(0.3, 0.85 * math.sqrt(120 / total)))
    rank = {"support": 0, "attack": 1, "undercut": 2}
    groups: dict[str, tuple[Argument, list[_Link]]] = {}
    for ln in sorted(links, key=lambda ln: rank[ln.arg.kind]):
        groups.setdefault(ln.arg.id, (ln.arg, []))[1].append(ln)
    for arg, lns in groups.values():
        colour, dash = LINK_STYLE[arg.kind]
        g = _el(parent, "g", {"id": arg.id, "class": f"link {arg.kind}", "fill": "none", "stroke": colour,
                              "stroke-width": width, "stroke-dasharray": dash, "stroke-linecap": "round",
                              "stroke-opacity": opacity})
        if tooltips:
            scheme = f" ({arg.scheme})" if arg.scheme else ""
            _el(g, "title", None, f"{arg.kind}{scheme}: {', '.join(arg.premises)} → {arg.target}")
        for ln in lns:
            x1, y1, c1x, c1y, c2x, c2y, x2, y2 = ln.points
            d = f"M{x1:.1f},{y1:.1f} C{c1x:.1f},{c1y:.1f} {c2x:.1f},{c2y:.1f} {x2:.1f},{y2:.1f}"
            _el(g, "path", {"d": d, "marker-end": f"url(#_arrow-{arg.kind})", "data-from": ln.src, "data-to": ln.dst})


def _draw_header(svg, lay: _Layout, x: float, y: float) -> None:
    sel = lay.sel
    _el(svg, "text", {"class": "title", "x": x, "y": y + 16, "font-size": "16", "font-weight": "bold"},
        fit(sel.map.title, 1400, 16, bold=True))
    o = sel.options
    bits = [f"{len(sel.dated)} dated, {len(sel.undated)} undated statements, {len(lay.links)} links shown"]
    if o.date_from or o.date_to:
        bits.append(f"from {o.date_from or '…'} to {o.date_to or '…'}")
    if o.speakers:
        bits.append("speakers: " + ", ".join(o.speakers))
    if o.kinds:
        bits.append("kinds: " + ", ".join(o.kinds))
    if o.tags:
        bits.append("tags: " + ", ".join(o.tags))
    if o.focus:
        bits.append(f"focus: {o.focus} (depth {DEFAULT_DEPTH if o.depth is None else o.depth})")
    _el(svg, "text", {"class": "subtitle", "x": x, "y": y + 36, "fill": "#444"}, fit(" · ".join(bits), 1400))
    _draw_legend(svg, x, y + 50)


def _draw_legend(svg, x: float, y: float) -> None:
    g = _el(svg, "g", {"class": "legend"})
    cx = x
    c, f = KIND_COLOUR["claim"], KIND_FILL["claim"]
    entries = [
        ("circle", {"r": "5", "fill": c, "stroke": c}, "day"),
        ("polygon", {"fill": c, "stroke": c}, "time"),
        ("rect", {"fill": f, "stroke": c}, "month, year or span"),
        ("circle", {"r": "5", "fill": "#ffffff", "stroke": c, "stroke-dasharray": "2.5 2"}, "~ approximate, ? uncertain"),
    ]
    for tag, attrs, text in entries:
        if tag == "circle":
            _el(g, tag, {"cx": cx + 6, "cy": y + 8, **attrs})
        elif tag == "polygon":
            _el(g, tag, {"points": f"{cx},{y + 8} {cx + 6},{y + 2} {cx + 12},{y + 8} {cx + 6},{y + 14}", **attrs})
        else:
            _el(g, tag, {"x": cx, "y": y + 8 + BAR_TOP, "width": "26", "height": str(BAR_H), "rx": "1.5", **attrs})
        tx = cx + (32 if tag == "rect" else 16)
        _el(g, "text", {"x": tx, "y": y + 12}, text)
        cx = tx + text_width(text, FONT_SIZE) + 18
    for kind, (colour, dash) in LINK_STYLE.items():
        _el(g, "path", {"d": f"M{cx:.1f},{y + 8:.1f} h30", "stroke": colour, "stroke-width": "1.8",
                        "stroke-dasharray": dash, "stroke-linecap": "round", "fill": "none",
                        "marker-end": f"url(#_arrow-{kind})"})
        _el(g, "text", {"x": cx + 36, "y": y + 12}, kind)
        cx += 36 + text_width(kind, FONT_SIZE) + 18
    for kind in ("event", "derived"):
        _el(g, "circle", {"cx": cx + 6, "cy": y + 8, "r": "5", "fill": KIND_COLOUR[kind], "stroke": KIND_COLOUR[kind]})
        _el(g, "text", {"x": cx + 16, "y": y + 12}, kind)
        cx += 16 + text_width(kind, FONT_SIZE) + 18


def _svg_root(width: float, height: float, zoom: float = 1.0) -> ET.Element:
    """An ``<svg>`` of ``width`` x ``height`` showing content drawn ``1 / zoom`` times as large."""
    return ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "version": "1.1", "width": _attr(width * zoom),
        "height": _attr(height * zoom), "viewBox": f"0 0 {_attr(width)} {_attr(height)}",
        "font-family": FONT, "font-size": str(FONT_SIZE), "fill": "#111111",
    })


class _Window(NamedTuple):
    """The part of the plot a page shows: x in [x0, x1), lanes' y in [y0, y1)."""

    x0: float
    x1: float
    y0: float
    y1: float


def _draw_timeline(lay: _Layout, *, tooltips: bool = True, window: _Window | None = None,
                   width: float = 0, height: float = 0, zoom: float = 1.0, page: str = "") -> ET.Element:
    """The lanes, axis, links and items; the whole layout, or one page's window of it."""
    sel = lay.sel
    lookup = ({s.id: s for s in sel.map.speakers}, {s.id: s for s in sel.map.sources})
    if window is None:
        win = _Window(lay.plot_x, lay.width, lay.lanes_top, lay.lanes_bottom)
        dx, dy = 0.0, 0.0
        svg = _svg_root(lay.width, lay.height)
    else:
        win = window
        dx, dy = lay.plot_x - win.x0, HEADER_H + AXIS_H - win.y0  # page coords = layout + (dx, dy)
        svg = _svg_root(width, height, zoom)
    _defs(svg)
    _el(svg, "rect", {"class": "background", "x": "0", "y": "0", "width": "100%", "height": "100%", "fill": "#ffffff"})
    view_w = lay.plot_x + (win.x1 - win.x0)
    top, bottom = HEADER_H + AXIS_H, HEADER_H + AXIS_H + (win.y1 - win.y0)
    if window is not None:  # the axis may use the band above the lanes; links and items may not
        defs = _el(svg, "defs")
        for cid, y0 in (("_axis", HEADER_H), ("_lanes", top)):
            clip = _el(defs, "clipPath", {"id": cid})
            _el(clip, "rect", {"x": lay.plot_x, "y": y0, "width": win.x1 - win.x0, "height": bottom - y0})
    _draw_header(svg, lay, MARGIN, 8)
    if page:
        _el(svg, "text", {"class": "page", "x": view_w, "y": 24, "text-anchor": "end", "fill": "#444"}, page)

    # Lane bands and names (the gutter is never clipped: names repeat on every page).
    bands = _el(svg, "g", {"class": "lanes"})
    for i, lane in enumerate(lay.lanes):
        if lane.y + lane.height <= win.y0 or lane.y >= win.y1:
            continue
        y0, y1 = max(lane.y, win.y0) + dy, min(lane.y + lane.height, win.y1) + dy
        g = _el(bands, "g", {"class": "lane", "data-lane": lane.key})
        _el(g, "rect", {"x": "0", "y": y0, "width": view_w, "height": y1 - y0, "fill": "#f4f6f9" if i % 2 == 0 else "#ffffff"})
        _el(g, "line", {"x1": "0", "x2": view_w, "y1": y1, "y2": y1, "stroke": "#d5d9e0"})
        ny = y0 + min(16, (y1 - y0) / 2 + 4)
        for k, line in enumerate(lane.title):
            _el(g, "text", {"class": "lane-name", "x": MARGIN, "y": ny + 14 * k, "font-weight": "bold"}, line)
        if lane.subtitle and y1 - y0 >= 16 + 14 * len(lane.title):
            _el(g, "text", {"x": MARGIN, "y": ny + 14 * len(lane.title), "font-size": "9.5", "fill": "#555"}, lane.subtitle)

    shift = {"transform": f"translate({dx:.1f},{dy:.1f})"} if (dx or dy) else {}
    axis = _el(svg, "g", {"clip-path": "url(#_axis)" if window is not None else None, **shift})
    _draw_axis(axis, lay, win, top - dy, bottom - dy, window is not None)
    plot = _el(svg, "g", {"class": "plot", "clip-path": "url(#_lanes)" if window is not None else None})
    inner = _el(plot, "g", shift)
    shown = []
    for ln in lay.links:
        xs, ys = ln.points[0::2], ln.points[1::2]
        if max(xs) < win.x0 or min(xs) > win.x1 or max(ys) < win.y0 or min(ys) > win.y1:
            continue
        shown.append(ln)
    _draw_links(_el(inner, "g", {"class": "links"}), shown, len(lay.links), tooltips)
    group = _el(inner, "g", {"class": "items"})
    for it in lay.items:
        left = it.x0 if not it.point else it.ax - 6
        if it.extent < win.x0 or left > win.x1 or it.y < win.y0 or it.y > win.y1:
            continue
        _draw_item(group, it, lookup, tooltips)
    if not lay.items:
        _el(inner, "text", {"x": lay.plot_x + 12, "y": lay.lanes_top + 30, "fill": "#555"},
            "No dated statement matches; undated ones are listed below.")
    if window is None:
        _draw_undated(svg, lay, lookup, tooltips, lay.undated, lay.undated_y)
    return svg


def _draw_axis(g, lay: _Layout, win: _Window, top: float, bottom: float, paged: bool) -> None:
    axis = _el(g, "g", {"class": "axis"})
    repeat_below = (bottom - top) > 640 and not paged
    for tk in lay.ticks:
        if tk.x < win.x0 - 400 or tk.x > win.x1 + 400:
            continue
        t = _el(axis, "g", {"class": "tick", "data-date": tk.iso, "data-x": tk.x})
        _el(t, "line", {"x1": tk.x, "x2": tk.x, "y1": top - 8, "y2": bottom, "stroke": "#c7ccd4",
                        "stroke-width": "1.2" if tk.major else "0.8"})
        _el(t, "text", {"x": tk.label_x, "y": top - 12, "text-anchor": "middle", "fill": "#333"}, tk.label)
        if tk.major:
            _el(t, "text", {"class": "major", "x": tk.x + 3, "y": top - 26, "font-weight": "bold", "fill": "#333"}, tk.major)
        if repeat_below:
            _el(t, "text", {"x": tk.label_x, "y": bottom + 14, "text-anchor": "middle", "fill": "#333"}, tk.label)
    _el(axis, "line", {"x1": lay.plot_x, "x2": lay.plot_x + lay.plot_w, "y1": top, "y2": top, "stroke": "#777"})


def _draw_undated(svg, lay: _Layout, lookup, tooltips: bool, entries, y: float) -> None:
    band = _el(svg, "g", {"class": "undated-band"})
    _el(band, "line", {"x1": MARGIN, "x2": lay.width - MARGIN, "y1": y, "y2": y, "stroke": "#777"})
    _el(band, "text", {"class": "band-title", "x": MARGIN, "y": y + 16, "font-weight": "bold"},
        f"Undated ({len(lay.sel.undated)}): statements without a date, by speaker" if lay.sel.undated else "Undated: none")
    g = None
    for e in entries:
        if e.kind == "head":
            _el(band, "text", {"class": "speaker", "x": e.x, "y": e.y + 12, "font-weight": "bold"}, e.text)
            continue
        if e.kind == "item" or g is None:
            g = _el(band, "g", {"id": e.st.id, "class": f"item undated {e.st.kind}"})
            if tooltips:
                _el(g, "title", None, _tooltip(e.st, lookup))
        _el(g, "text", {"class": "label", "x": e.x, "y": e.y + 12,
                        "font-style": "italic" if e.st.kind == "derived" else None}, e.text)


def _serialise(svg: ET.Element) -> bytes:
    # To str first, then encode once: ElementTree's utf-8 writer pays a codec call per fragment.
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(svg, encoding="unicode")).encode()


def to_svg(m: Map, options: TimelineOptions | None = None, *, scoped: bool = False) -> bytes:
    """The timeline of ``m`` as a standalone SVG document (UTF-8 bytes).

    >>> from argmap.model import Map, Statement
    >>> m = Map(id="m", title="T", statements=[Statement(id="a", text="<b>&", said="2025-11-20")])
    >>> b'id="a"' in to_svg(m) and b"&lt;b&gt;&amp;" in to_svg(m)
    True
    """
    return _serialise(_draw_timeline(_layout(select(m, options, scoped=scoped))))


# ---- PDF ------------------------------------------------------------------------------------

PAGE_SIZES = {"A3": (420, 297), "A4": (297, 210)}  # landscape, mm
PDF_ADVICE = "narrow it with a date range (from/to), fewer speakers, tags or kinds, or a focus statement"
"""What to do when a timeline's PDF is over its time or memory limit."""
PAGE_MARGIN_MM = 8
_PX_PER_MM = 96 / 25.4  # CSS px


def _pages(lay: _Layout, page_w: float, page_h: float, *, undated: bool = True) -> list[ET.Element]:
    """Cut the layout into page-sized SVGs: windows of time (overlapping by a label's width,
    so every label is whole on some page), then bands of lanes cut between rows.

    Lanes up to a fifth taller than a page are shrunk to fit it instead (text stays above
    6.5 pt), so a map like the seed prints on one sheet."""
    lanes_h = lay.lanes_bottom - lay.lanes_top
    room = page_h - (HEADER_H + AXIS_H) - MARGIN
    zoom = room / lanes_h if room < lanes_h <= room * 1.2 else 1.0
    page_w, page_h = page_w / zoom, page_h / zoom
    plot_w = page_w - lay.plot_x - MARGIN
    overlap = min(plot_w / 3, LABEL_PX + 40)
    xs = [lay.plot_x]
    while xs[-1] + plot_w < lay.width - MARGIN:
        xs.append(xs[-1] + plot_w - overlap)
    avail = page_h - (HEADER_H + AXIS_H) - MARGIN
    cuts = sorted({lane.y + LANE_PAD + r * ROW_H for lane in lay.lanes for r in range(lane.rows)}
                  | {lane.y for lane in lay.lanes} | {lay.lanes_bottom})
    ys = [lay.lanes_top]
    while ys[-1] < lay.lanes_bottom - 1e-6:
        limit = ys[-1] + avail
        fits = [c for c in cuts if ys[-1] < c <= limit]
        ys.append(fits[-1] if fits else limit)
    bands = list(zip(ys, ys[1:])) or [(lay.lanes_top, lay.lanes_bottom)]
    total = len(xs) * len(bands)
    pages = []
    for j, (y0, y1) in enumerate(bands):
        for i, x0 in enumerate(xs):
            win = _Window(x0, x0 + plot_w, y0, y1)
            where = f"time {i + 1} of {len(xs)}, lanes {j + 1} of {len(bands)}" if total > 1 else ""
            pages.append(_draw_timeline(lay, tooltips=False, window=win, width=page_w, height=page_h,
                                        zoom=zoom, page=where))
    if undated:
        pages.extend(_undated_pages(lay, page_w * zoom, page_h * zoom))
    return pages


def _undated_pages(lay: _Layout, page_w: float, page_h: float) -> list[ET.Element]:
    if not lay.undated:
        return []
    lookup = ({s.id: s for s in lay.sel.map.speakers}, {s.id: s for s in lay.sel.map.sources})
    lines = _undated_lines(lay.sel, lookup[0], max_lines=4)
    pages = []
    for entries in _flow(lines, page_w, 40, page_h - MARGIN):
        svg = _svg_root(page_w, page_h)
        _draw_undated(svg, lay._replace(width=page_w), lookup, False, entries, 18)
        pages.append(svg)
    return pages


def page_svgs(m: Map, options: TimelineOptions | None = None, *, page: str = "A3", undated: bool = True,
              scoped: bool = False) -> list[bytes]:
    """The timeline cut into landscape pages at print scale, one SVG document each: what
    :func:`to_pdf` prints, and what a briefing embeds as its timeline pages. ``undated=False``
    leaves out the pages that list the undated statements, for a document that lists them
    elsewhere."""
    if page not in PAGE_SIZES:
        raise InvalidInput("page", f"unknown page size {page!r}; use one of {', '.join(PAGE_SIZES)}")
    w_mm, h_mm = PAGE_SIZES[page]
    page_w = (w_mm - 2 * PAGE_MARGIN_MM) * _PX_PER_MM
    page_h = (h_mm - 2 * PAGE_MARGIN_MM - 6) * _PX_PER_MM
    sel = select(m, options, scoped=scoped)
    # Fit the whole span to one page's width when that costs less than a third of the natural
    # scale (the seed's ten days do); longer spans keep their scale and run over pages.
    room = page_w - GUTTER - MARGIN - LABEL_PX - 30
    natural = _natural_width(_span(sel))
    lay = _layout(sel, plot_w=room if room < natural <= room * 1.5 else None)
    return [_serialise(svg) for svg in _pages(lay, page_w, page_h, undated=undated)]


def to_pdf(m: Map, options: TimelineOptions | None = None, *, page: str = "A3", scoped: bool = False,
           timeout: float = PDF_TIMEOUT, metadata: dict[str, str] | None = None) -> bytes:
    """The timeline of ``m`` as a PDF: landscape pages at print scale (see the module notes);
    ``metadata``: document information entries to add (the map and version it shows).

    Rendered by WeasyPrint from a small HTML page whose images are the page SVGs made here;
    its fetcher serves those and refuses every other URL (:mod:`argmap.render._pdf`). DejaVu
    Sans covers Latin, Cyrillic and Arabic. ``page`` "A4" is there for printers without A3:
    the same scale, so more pages. WeasyPrint runs in a child process killed after
    ``timeout`` seconds (:data:`PDF_TIMEOUT` by default; 60 s over HTTP), and a timeline too
    big for that or for its memory limit is :class:`~argmap.errors.LimitExceeded` naming
    ``timeline``, with advice to narrow it.
    """
    svgs = page_svgs(m, options, page=page, scoped=scoped)
    title = f"Timeline: {one_line(m.title)}"
    pages = {f"argmap:page/{i + 1}": (svg, "image/svg+xml") for i, svg in enumerate(svgs)}
    html = ET.Element("html", {"lang": "en"})
    head = _el(html, "head")
    _el(head, "meta", {"charset": "utf-8"})
    _el(head, "title", None, title)
    _el(head, "style", None, (
        f"@page {{ size: {page} landscape; margin: {PAGE_MARGIN_MM}mm {PAGE_MARGIN_MM}mm {PAGE_MARGIN_MM + 6}mm; "
        "@bottom-right { content: counter(page) ' / ' counter(pages); font: 8pt 'DejaVu Sans'; } }"
        " html, body { margin: 0; }"
        " img { display: block; width: 100%; break-after: page; } img:last-child { break-after: auto; }"
    ))
    body = _el(html, "body")
    for url in pages:
        _el(body, "img", {"src": url, "alt": ""})
    return html_to_pdf(ET.tostring(html, encoding="unicode", method="html"), title=title, resources=pages,
                       timeout=timeout, field="timeline", advice=PDF_ADVICE, metadata=metadata)
