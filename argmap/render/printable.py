"""Argument diagrams that print: every page one paper size, no text smaller than 7 pt.

Three layouts: ``pages`` (one page, or an overview and a page per key conclusion), ``tiles``
(posters to assemble) and ``handout`` (one conclusion, its outline and sources, on one page);
see docs/ARCHITECTURE.md, "Pages". Drawings come from :mod:`argmap.render.diagram`; WeasyPrint
typesets in a child process with a deadline (:mod:`argmap.render._pdf`).

>>> pdf = printable(m, paper="a4", orientation="portrait")           # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET  # noqa: N817 - the SVG that Graphviz wrote, for cropping
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from argmap.errors import DanglingReference, InvalidInput, LimitExceeded
from argmap.model import Map
from argmap.render._pdf import html_to_pdf
from argmap.render.diagram import (
    CONVERSIONS,
    DEFAULT_TIMEOUT,
    MAX_STATEMENTS,
    _run_dot,
    build_graph,
    options_from,
    select,
)

__all__ = ["MIN_PT", "OVERLAP_MM", "ORIENTATIONS", "PAPERS", "key_conclusions", "plan", "printable"]

PAPERS: dict[str, tuple[float, float]] = {  # width, height in mm (portrait)
    "a4": (210.0, 297.0),
    "a3": (297.0, 420.0),
    "letter": (215.9, 279.4),
    "tabloid": (279.4, 431.8),
}
ORIENTATIONS = ("portrait", "landscape")
MIN_PT = 7.0
"""No text on a printed page is smaller than this (points)."""
OVERLAP_MM = 12.0
"""How much neighbouring poster tiles share."""
MARGIN_MM = 12.0
HEAD_MM = 16.0  # the page's heading lines
FOOT_MM = 6.0
SLACK = 1.15  # height kept free when choosing a page's part, for the "also on page N" lines added later
MAX_DEPTH = 4
PT_PER_MM = 72 / 25.4

Paper = Literal["a4", "a3", "letter", "tabloid"]
Orientation = Literal["portrait", "landscape"]


def printable(m: Map, *, paper: str = "a4", orientation: str = "portrait", tile: bool = False,
              handout: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              metadata: dict[str, str] | None = None) -> bytes:
    """The map's printable diagram as PDF bytes (see the module's description); ``metadata``:
    document information entries to add (the map and version it shows).

    Raises InvalidInput naming ``paper``, ``orientation`` or ``handout``; LimitExceeded past
    ``timeout`` (Graphviz for each drawing, WeasyPrint for the whole document).
    """
    doc = plan(m, paper=paper, orientation=orientation, tile=tile, handout=handout, timeout=timeout)
    return html_to_pdf(doc.html, title=doc.title, resources=doc.resources, timeout=timeout, field="print",
                       advice="print part of the map (a handout) or a larger paper", metadata=metadata)


@dataclass
class Document:
    """What :func:`printable` typesets: the HTML, its images, and which statements each page draws."""

    title: str
    html: str
    resources: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    pages: list[set[str]] = field(default_factory=list)
    """Statement ids drawn in full on each page (page 1 first)."""


def key_conclusions(m: Map) -> list[str]:
    """Statements that arguments support or attack and that are no argument's premise: the
    map's main claims, the ones with the most reasons first."""
    premises = {p for a in m.arguments for p in a.premises}
    targets = [a.target for a in m.arguments if a.kind != "undercut"]
    weight: dict[str, int] = defaultdict(int)
    for t in targets:
        weight[t] += 1
    order = {s.id: i for i, s in enumerate(m.statements)}
    roots = [sid for sid in dict.fromkeys(targets) if sid not in premises and sid in order]
    return sorted(roots, key=lambda s: (-weight[s], order[s]))


def plan(m: Map, *, paper: str = "a4", orientation: str = "portrait", tile: bool = False,
         handout: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Document:
    """The document :func:`printable` typesets, without typesetting it (tests, the API's checks)."""
    if paper not in PAPERS:
        raise InvalidInput("paper", f"must be one of {', '.join(PAPERS)}")
    if orientation not in ORIENTATIONS:
        raise InvalidInput("orientation", "must be portrait or landscape")
    if handout is not None and handout not in {s.id for s in m.statements}:
        raise DanglingReference("handout", f"map {m.id!r} has no statement {handout!r}")
    w, h = PAPERS[paper]
    if orientation == "landscape":
        w, h = h, w
    page = _Page(paper, orientation, w, h)
    if handout is not None:
        return _Handout(m, page, timeout).build(handout)
    if tile:
        return _Tiles(m, page, timeout).build()
    return _Pages(m, page, timeout).build()


# -- Implementation details ----------------------------------------------------------------


@dataclass
class _Page:
    paper: str
    orientation: str
    w_mm: float
    h_mm: float

    @property
    def area(self) -> tuple[float, float]:
        """Where a diagram may go (points)."""
        return ((self.w_mm - 2 * MARGIN_MM) * PT_PER_MM,
                (self.h_mm - 2 * MARGIN_MM - HEAD_MM - FOOT_MM) * PT_PER_MM)


class _Svg:
    """One Graphviz drawing and the sizes that decide where it may go."""

    _FONT = re.compile(rb'font-size="([\d.]+)"')
    _BOX = re.compile(rb'viewBox="([\d.\-]+) ([\d.\-]+) ([\d.]+) ([\d.]+)"')

    def __init__(self, data: bytes, statements: set[str]):
        self.data, self.statements = data, statements
        box = self._BOX.search(data)
        self.w, self.h = (float(box[3]), float(box[4])) if box else (1.0, 1.0)
        sizes = [float(x) for x in self._FONT.findall(data)]
        self.min_font = min(sizes) if sizes else 14.0

    @property
    def least_scale(self) -> float:
        """The smallest scale at which every text is at least MIN_PT."""
        return MIN_PT / self.min_font

    def crop(self, x: float, y: float, w: float, h: float) -> bytes:
        """The part of the drawing in the rectangle ``x, y, w, h`` (its own units) as an SVG of its
        own: that viewBox, and only the nodes, edges and clusters that reach into it.

        A poster's tiles each showed the whole drawing clipped, so WeasyPrint drew every node
        once per tile (25 s for the seed map's 26 tiles on A4); a tile now draws what it shows.
        """
        root = ET.fromstring(self.data)
        graph = next((g for g in root if g.get("class") == "graph"), None)
        if graph is not None:
            sx, sy, tx, ty = _graph_transform(graph.get("transform", ""))
            x0, y0, x1, y1 = x / sx - tx, y / sy - ty, (x + w) / sx - tx, (y + h) / sy - ty
            for child in list(graph):
                if child.get("class") in ("node", "edge", "cluster"):
                    bx0, by0, bx1, by1 = _extent(child)
                    if bx1 < x0 or bx0 > x1 or by1 < y0 or by0 > y1:
                        graph.remove(child)
        root.set("viewBox", f"{x:.2f} {y:.2f} {w:.2f} {h:.2f}")
        root.set("width", f"{w:.2f}pt")
        root.set("height", f"{h:.2f}pt")
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def scale_in(self, w: float, h: float) -> float:
        """The largest scale (at most 1) at which it fits ``w`` × ``h`` points."""
        return min(1.0, w / self.w, h / self.h)

    def fits(self, w: float, h: float, slack: float = 1.0) -> bool:
        return self.scale_in(w, h) >= self.least_scale * slack


ET.register_namespace("", "http://www.w3.org/2000/svg")
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_TRANSFORM = re.compile(r"(scale|translate)\(\s*(-?[\d.]+)(?:[ ,]+(-?[\d.]+))?\s*\)")
_SLACK = 12.0  # units of the drawing around an element's extent (strokes, arrowheads, text)


def _graph_transform(transform: str) -> tuple[float, float, float, float]:
    """``(sx, sy, tx, ty)`` of Graphviz's ``scale(sx sy) rotate(0) translate(tx ty)``: a point
    ``p`` of the graph is drawn at ``s * (p + t)``."""
    sx = sy = 1.0
    tx = ty = 0.0
    for kind, a, b in _TRANSFORM.findall(transform):
        if kind == "scale":
            sx, sy = float(a), float(b or a)
        else:
            tx, ty = float(a), float(b or 0)
    return sx, sy, tx, ty


def _extent(element: ET.Element) -> tuple[float, float, float, float]:
    """The box an element of a Graphviz drawing covers: its shapes' points and paths, its
    texts (at a generous width for their size), with some slack."""
    xs: list[float] = []
    ys: list[float] = []
    for e in element.iter():
        for name in ("points", "d"):
            numbers = [float(n) for n in _NUMBER.findall(e.get(name, ""))]
            xs += numbers[0::2]
            ys += numbers[1::2]
        if e.get("cx") is not None:
            cx, cy = float(e.get("cx")), float(e.get("cy", 0))
            rx, ry = float(e.get("rx", 0)), float(e.get("ry", 0))
            xs += [cx - rx, cx + rx]
            ys += [cy - ry, cy + ry]
        if e.tag.endswith("}text") and e.get("x") is not None:
            tx, ty = float(e.get("x")), float(e.get("y", 0))
            size = float(e.get("font-size", 14))
            half = len("".join(e.itertext())) * size * 0.65
            xs += [tx - half, tx + half]
            ys += [ty - size, ty + size]
    if not xs:
        return (-math.inf, -math.inf, math.inf, math.inf)  # nothing to measure: keep it
    return min(xs) - _SLACK, min(ys) - _SLACK, max(xs) + _SLACK, max(ys) + _SLACK


def _draw(m: Map, timeout: float, **options) -> _Svg:
    """The diagram's SVG without its title lines (the page's heading says them, in HTML)."""
    shown = {s.id for s in select(m, options.get("focus"), options.get("depth", 2))[0]}
    graph = build_graph(m, options_from(options))
    graph.set("label", '""')
    return _Svg(CONVERSIONS["svg"](graph, timeout), shown)


def _with_marks(m: Map, marks: dict[str, str]) -> Map:
    """``m`` with a line added to the statements in ``marks`` (for the printed page only)."""
    if not marks:
        return m
    statements = [msgspec.structs.replace(s, text=f"{s.text} [{marks[s.id]}]") if s.id in marks else s
                  for s in m.statements]
    return msgspec.structs.replace(m, statements=statements)


_CSS = """
@page { size: %(w).1fmm %(h).1fmm; margin: %(margin).0fmm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans"; color: #333; }
  @bottom-left { content: "%(foot)s"; font: 8pt "DejaVu Sans"; color: #333; } }
body { font: 9pt/1.35 "DejaVu Sans", sans-serif; color: #111; margin: 0; }
section.page { page-break-after: always; height: %(body_h).1fmm; overflow: hidden; position: relative; }
section.page:last-child { page-break-after: auto; }
h1 { font-size: 12pt; margin: 0 0 1mm; }
p.sub { font-size: 8.5pt; margin: 0 0 2mm; color: #333; }
.figure { text-align: center; }
.figure img { display: inline-block; }
.tile { position: relative; overflow: hidden; border: 0; }
.tile img { position: absolute; }
.tile .glue-r { position: absolute; top: 0; bottom: 0; border-left: 0.6pt dashed #555; background: rgba(0,0,0,.06); }
.tile .glue-b { position: absolute; left: 0; right: 0; border-top: 0.6pt dashed #555; background: rgba(0,0,0,.06); }
.tile .mark { position: absolute; width: 5mm; height: 5mm; border-color: #000; border-style: solid; border-width: 0; }
table.grid { border-collapse: collapse; margin: 4mm 0; }
table.grid td { border: 0.8pt solid #444; padding: 3mm 4mm; text-align: center; font-size: 10pt; }
ul, ol { margin: 0 0 2mm 4mm; padding-left: 3mm; }
li { margin: 0 0 .6mm; }
h2 { font-size: 10pt; margin: 2mm 0 1mm; }
.meta { color: #444; }
.handout { font-size: 8pt; line-height: 1.3; }
ol.contents { list-style: none; columns: 2; column-gap: 6mm; font-size: 7.5pt; margin: 0; padding: 0; }
"""


class _Writer:
    def __init__(self, m: Map, page: _Page, timeout: float):
        self.m, self.page, self.timeout = m, page, timeout
        self.resources: dict[str, tuple[bytes, str]] = {}
        self._urls: dict[int, str] = {}
        self.sections: list[str] = []
        self.pages: list[set[str]] = []

    def image(self, svg: bytes, w_pt: float, h_pt: float, style: str = "") -> str:
        # One URL per drawing: WeasyPrint reads an image once however often a page shows it (tiles).
        url = self._urls.get(id(svg))
        if url is None:
            url = self._urls[id(svg)] = f"argmap:print/{len(self.resources) + 1}.svg"
            self.resources[url] = (svg, "image/svg+xml")
        return f'<img src="{url}" style="width:{w_pt:.2f}pt;height:{h_pt:.2f}pt;{style}" alt="">'

    def section(self, heading: str, sub: str, body: str, statements: set[str]) -> None:
        self.sections.append(f'<section class="page"><h1>{html.escape(heading)}</h1>'
                             f'<p class="sub">{sub}</p>{body}</section>')
        self.pages.append(statements)

    def figure(self, svg: _Svg, w: float | None = None, h: float | None = None) -> str:
        aw, ah = self.page.area
        scale = max(svg.scale_in(w or aw, h or ah), svg.least_scale)
        return f'<div class="figure">{self.image(svg.data, svg.w * scale, svg.h * scale)}</div>'

    def document(self, kind: str) -> Document:
        p = self.page
        foot = html.escape(f"{self.m.title[:80]} · {kind} · {p.paper.upper()} {p.orientation}").replace('"', "'")
        css = _CSS % {"w": p.w_mm, "h": p.h_mm, "margin": MARGIN_MM, "foot": foot,
                      "body_h": p.h_mm - 2 * MARGIN_MM - FOOT_MM}
        body = "".join(self.sections)
        doc = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(self.m.title)}</title>'
               f"<style>{css}</style></head><body>{body}</body></html>")
        return Document(title=self.m.title, html=doc, resources=self.resources, pages=self.pages)


class _Pages(_Writer):
    def build(self) -> Document:
        m = self.m
        if len(m.statements) > MAX_STATEMENTS:
            raise LimitExceeded("map", f"a printable diagram draws up to {MAX_STATEMENTS:,} statements; "
                                       "print a handout of one conclusion")
        aw, ah = self.page.area
        if len(m.statements) <= 200:  # larger maps never fit one page legibly: no layout spent on it
            for legend in (True, False):
                for rankdir in ("TB", "LR"):
                    whole = _draw(m, self.timeout, legend=legend, rankdir=rankdir)
                    if whole.fits(aw, ah):
                        self.section(m.title, _esc(f"The whole map: {len(m.statements)} statements."),
                                     self.figure(whole), whole.statements)
                        return self.document("whole map")
        parts = self._parts(aw, ah)
        # Page numbers: the overview is page 1; a part cut into tiles takes several pages.
        first_page, n = {}, 2
        for i, part in enumerate(parts):
            first_page[i] = n
            n += part.pages
        where: dict[str, list[int]] = defaultdict(list)
        for i, part in enumerate(parts):
            for sid in part.statements:
                where[sid].append(first_page[i])
        by_id = {s.id: s for s in m.statements}
        self._toc = [(first_page[i], "Statements not part of any argument" if part.focus is None
                      else _short(by_id[part.focus].text, 110)) for i, part in enumerate(parts)]
        self._overview(where, aw, ah)
        for i, part in enumerate(parts):
            here = first_page[i]
            marks = {sid: "also on page " + ", ".join(str(p) for p in pages if p != here)
                     for sid, pages in where.items() if sid in part.statements and len(pages) > 1}
            self._part(part, marks, here, aw, ah)
        return self.document("one page per key conclusion")

    def _parts(self, aw: float, ah: float) -> list[_Part]:
        m = self.m
        order = {s.id: i for i, s in enumerate(m.statements)}
        reach = _reach(m)
        covered: set[str] = set()
        parts: list[_Part] = []
        roots = key_conclusions(m)
        queue = list(roots)
        linked = {p for a in m.arguments for p in a.premises} | {a.target for a in m.arguments}
        while True:
            if not queue:
                rest = [s.id for s in m.statements if s.id not in covered and s.id in linked]
                if not rest:
                    break
                # The uncovered statement with the most reasons below it heads the next page.
                queue = [max(rest, key=lambda sid: (len(reach[sid]), -order[sid]))]
            focus = queue.pop(0)
            if focus in covered and focus not in roots:
                continue
            parts.append(self._fit(focus, aw, ah))
            covered |= parts[-1].statements
        alone = [s.id for s in m.statements if s.id not in linked]
        if alone:
            parts.append(_Part(None, 0, "TB", None, set(alone), 1))
        return parts

    def _fit(self, focus: str, aw: float, ah: float) -> _Part:
        size = len(select(self.m, focus, MAX_DEPTH)[0])
        for depth in range(MAX_DEPTH, 0, -1):
            if depth > 1 and len(select(self.m, focus, depth)[0]) > 40:
                continue  # more boxes than any page holds legibly: not worth a layout
            if depth < MAX_DEPTH and len(select(self.m, focus, depth)[0]) == size and size > 1:
                size = -1  # the same statements as one step deeper, already tried
            for rankdir in ("TB", "LR"):
                svg = _draw(self.m, self.timeout, focus=focus, depth=depth, rankdir=rankdir, legend=False)
                if svg.fits(aw, ah / SLACK):  # marks add lines, not width
                    return _Part(focus, depth, rankdir, svg, svg.statements, 1)
                if depth < MAX_DEPTH and len(svg.statements) <= 1:
                    break
        svg = _draw(self.m, self.timeout, focus=focus, depth=1, legend=False)
        cols, rows = _grid(svg.w * svg.least_scale, svg.h * svg.least_scale, aw, ah)
        return _Part(focus, 1, "TB", svg, svg.statements, cols * rows)

    def _overview(self, where: dict[str, list[int]], aw: float, ah: float) -> None:
        import pydot

        g = pydot.Dot(graph_type="digraph", rankdir="BT", nodesep="0.08", ranksep="0.25", bgcolor="white")
        g.set_node_defaults(shape="box", style="rounded", fontname="DejaVu Sans", fontsize="8", margin="0.03,0.01",
                            height="0.18", width="0.3")
        colours = {"support": ("#1b6e20", "solid"), "attack": ("#b3261e", "dashed"), "undercut": ("#6a1b9a", "dotted")}
        by_id = {a.id: a for a in self.m.arguments}
        for i, s in enumerate(self.m.statements):
            pages = where.get(s.id, [])
            g.add_node(pydot.Node(f"s{i}", label=",".join(map(str, pages[:2])) + ("…" if len(pages) > 2 else "")))
        index = {s.id: f"s{i}" for i, s in enumerate(self.m.statements)}
        for a in self.m.arguments:
            target = a.target if a.kind != "undercut" else getattr(by_id.get(a.target), "target", None)
            if target not in index:
                continue
            colour, style = colours[a.kind]
            for p in a.premises:
                if p in index:
                    g.add_edge(pydot.Edge(index[p], index[target], color=colour, style=style, arrowsize="0.5"))

        sub = ("The whole map, small: each box is a statement and its number the page that draws it in full; "
               "arrows run from a reason to what it supports (green, solid), rebuts (red, dashed) or undercuts "
               "(purple, dotted).")
        for rankdir in ("BT", "RL"):  # conclusions on top, else on the left (a tall page)
            g.set("rankdir", rankdir)
            svg = _Svg(_run_dot(g.to_string().encode(), ["-Tsvg"], self.timeout), set())
            if svg.fits(aw, ah * 0.6):
                break
        else:
            # Too many boxes for numbers of a legible size: the shape alone, no text.
            g.set("rankdir", "BT" if svg.w < svg.h * aw / ah else "RL")
            for node in g.get_nodes():
                node.set("label", '""')
                node.set("shape", "point")
                node.set("width", "0.06")
            data = re.sub(rb"<text[^>]*>[^<]*</text>", b"", _run_dot(g.to_string().encode(), ["-Tsvg"], self.timeout))
            svg = _Svg(data, set())
            svg.min_font = 1e9  # no text left
            sub = ("The whole map, small: each dot is a statement; the pages that follow draw each key conclusion "
                   "with what supports and attacks it.")
        contents = "".join(f"<li>{i}: {html.escape(_short(t, 70))}</li>" for i, t in self._contents())
        self.section(f"{self.m.title}: overview", _esc_words(sub),
                     self.figure(svg, aw, ah * 0.6) + f'<h2>Pages</h2><ol class="contents">{contents}</ol>',
                     set())

    def _contents(self):
        return self._toc

    def _part(self, part: _Part, marks: dict[str, str], here: int, aw: float, ah: float) -> None:
        m = self.m
        by_id = {s.id: s for s in m.statements}
        if part.focus is None:
            items = "".join(f"<li>{_esc(by_id[sid].text)}{_mark(marks.get(sid))}</li>" for sid in part.statements)
            self.section("Statements not part of any argument", "", f"<ul>{items}</ul>", part.statements)
            return
        drawn = _with_marks(m, marks)
        svg = _draw(drawn, self.timeout, focus=part.focus, depth=part.depth, rankdir=part.rankdir, legend=False,
                    title=_short(by_id[part.focus].text, 120))
        heading = f"{_short(by_id[part.focus].text, 110)}"
        steps = "step" if part.depth == 1 else "steps"
        sub = _esc(f"What supports and attacks it, up to {part.depth} {steps} away "
                   f"({len(part.statements)} statements).") + (" Boxes marked “also on page N” are drawn there too."
                                                                if marks else "")
        if part.pages == 1:
            self.section(heading, sub, self.figure(svg), part.statements)
            return
        for body in _tile_bodies(self, svg, aw, ah):
            self.section(heading, sub + " Cut into tiles: " + body[0], body[1], part.statements)

    def __init__(self, m: Map, page: _Page, timeout: float):
        super().__init__(m, page, timeout)
        self._toc = []


def _mark(text: str | None) -> str:
    return f' <span class="meta">[{html.escape(text)}]</span>' if text else ""


@dataclass
class _Part:
    focus: str | None
    depth: int
    rankdir: str
    svg: _Svg | None
    statements: set[str]
    pages: int


def _reach(m: Map) -> dict[str, set[str]]:
    """Every statement's reasons, all the way down (what a page around it could draw)."""
    below: dict[str, set[str]] = defaultdict(set)
    for a in m.arguments:
        for p in a.premises:
            below[a.target].add(p)
    out: dict[str, set[str]] = {}
    for s in m.statements:
        seen, stack = set(), [s.id]
        while stack and len(seen) < 10_000:
            for p in below[stack.pop()]:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        out[s.id] = seen
    return out


def _grid(w: float, h: float, aw: float, ah: float) -> tuple[int, int]:
    o = OVERLAP_MM * PT_PER_MM
    cols = max(1, math.ceil((w - o) / (aw - o)))
    rows = max(1, math.ceil((h - o) / (ah - o)))
    return cols, rows


def _tile_bodies(writer: _Writer, svg: _Svg, aw: float, ah: float):
    """(caption, body) of each tile of ``svg`` at its least legible scale (at most 1)."""
    scale = max(svg.least_scale, min(1.0, svg.least_scale * 1.3))
    w, h = svg.w * scale, svg.h * scale
    cols, rows = _grid(w, h, aw, ah)
    o = OVERLAP_MM * PT_PER_MM
    tw, th = min(aw, w), min(ah, h)
    for r in range(rows):
        for c in range(cols):
            name = f"{chr(65 + r) if r < 26 else r + 1}{c + 1}"
            x, y = c * (aw - o), r * (ah - o)
            marks = []
            if c < cols - 1:
                marks.append(f'<div class="glue-r" style="left:{tw - o:.1f}pt;width:{o:.1f}pt"></div>')
            if r < rows - 1:
                marks.append(f'<div class="glue-b" style="top:{th - o:.1f}pt;height:{o:.1f}pt"></div>')
            for cx, cy, sides in ((0, 0, "top left"), (tw, 0, "top right"), (0, th, "bottom left"), (tw, th, "bottom right")):
                left = cx - (5 * PT_PER_MM if "right" in sides else 0)
                top = cy - (5 * PT_PER_MM if "bottom" in sides else 0)
                widths = ";".join(f"border-{side}-width:0.8pt" for side in sides.split())
                marks.append(f'<div class="mark" style="left:{left:.1f}pt;top:{top:.1f}pt;{widths}"></div>')
            img = writer.image(svg.crop(x / scale, y / scale, tw / scale, th / scale), tw, th, "left:0;top:0")
            caption = (f"tile {name} (row {r + 1} of {rows}, column {c + 1} of {cols}); the shaded edge lies under "
                       f"the next tile to the right or below, {OVERLAP_MM:g} mm wide.")
            yield caption, f'<div class="tile" style="width:{tw:.1f}pt;height:{th:.1f}pt">{img}{"".join(marks)}</div>'


class _Tiles(_Writer):
    def build(self) -> Document:
        aw, ah = self.page.area
        svg = _draw(self.m, self.timeout, legend=True)
        scale = max(svg.least_scale, min(1.0, svg.least_scale * 1.3))
        cols, rows = _grid(svg.w * scale, svg.h * scale, aw, ah)
        grid = "".join("<tr>" + "".join(f"<td>{chr(65 + r) if r < 26 else r + 1}{c + 1}<br>"
                                        f"<span class='meta'>page {2 + r * cols + c}</span></td>"
                                        for c in range(cols)) + "</tr>" for r in range(rows))
        self.section(f"{self.m.title}: poster", _esc(
            f"The whole diagram on {cols * rows} tiles, {cols} across and {rows} down, to cut along the solid corner "
            f"marks and glue so that each shaded edge lies under its neighbour ({OVERLAP_MM:g} mm overlap)."),
            f'<table class="grid">{grid}</table>', set())
        for caption, body in _tile_bodies(self, svg, aw, ah):
            self.section(f"{self.m.title}: {caption.split(' (')[0]}", _esc(caption), body, svg.statements)
        return self.document(f"poster of {cols * rows} tiles")


class _Handout(_Writer):
    def build(self, focus: str) -> Document:
        m = self.m
        aw, ah = self.page.area
        room = ah * 0.5
        by_id = {s.id: s for s in m.statements}
        chosen = None
        for depth in (2, 1):
            for rankdir in ("TB", "LR"):
                svg = _draw(m, self.timeout, focus=focus, depth=depth, rankdir=rankdir, legend=False,
                            title=_short(by_id[focus].text, 120))
                if svg.fits(aw, room):
                    chosen = svg
                    break
            if chosen:
                break
        if chosen is None:  # the nearest reasons only; past the page it is cut, and the outline has them all
            chosen = _draw(m, self.timeout, focus=focus, depth=1, legend=False, title=_short(by_id[focus].text, 120))
        scale = max(chosen.scale_in(aw, room), chosen.least_scale)
        w, h = chosen.w * scale, chosen.h * scale
        figure = f'<div class="figure" style="max-height:{room:.0f}pt;overflow:hidden">{self.image(chosen.data, w, h)}</div>'
        speakers = {s.id: s for s in m.speakers}
        outline = self._outline(focus, by_id, speakers)
        used = {by_id[sid].source for sid in chosen.statements if sid in by_id and by_id[sid].source}
        used |= {by_id[sid].date_source for sid in chosen.statements if sid in by_id and by_id[sid].date_source}
        sources = [s for s in m.sources if s.id in used][:8]
        src = "".join(f"<li>{_esc(s.title)}{_esc(' · ' + s.publisher) if s.publisher else ''}"
                      f"{_esc(' · ' + s.published) if s.published else ''}"
                      f"{'<br><span class=meta>' + _esc(_short(s.url, 110)) + '</span>' if s.url else ''}</li>"
                      for s in sources)
        body = (figure + '<div class="handout"><h2>Outline</h2>' + outline
                + (f"<h2>Sources</h2><ol>{src}</ol>" if src else "") + "</div>")
        self.section(_short(by_id[focus].text, 140), _esc(f"A handout from the map “{m.title}”."), body,
                     chosen.statements)
        return self.document("handout")

    def _outline(self, focus: str, by_id, speakers) -> str:
        lines, n = [], 0
        words = {"support": "+ supported by", "attack": "− rebutted by", "undercut": "× its step undercut by"}
        by_target: dict[str, list] = defaultdict(list)
        for a in self.m.arguments:
            by_target[a.target].append(a)

        def who(sid: str) -> str:
            s = by_id[sid]
            sp = speakers.get(s.speaker) if s.speaker else None
            bits = [x for x in ((sp.name or sp.role) if sp else None, s.said) if x]
            return f' <span class="meta">({_esc(", ".join(bits))})</span>' if bits else ""

        def walk(sid: str, depth: int) -> str:
            nonlocal n
            items = []
            for a in by_target.get(sid, []) + [u for a2 in by_target.get(sid, []) for u in by_target.get(a2.id, [])]:
                if n >= 16:  # one page: the diagram has the rest
                    break
                for p in a.premises:
                    n += 1
                    sub = walk(p, depth + 1) if depth < 2 else ""
                    items.append(f"<li>{words[a.kind]}: {_esc(_short(by_id[p].text, 220))}{who(p)}{sub}</li>")
            return f"<ul>{''.join(items)}</ul>" if items else ""

        lines.append(f"<p><strong>{_esc(by_id[focus].text)}</strong>{who(focus)}</p>{walk(focus, 1)}")
        return "".join(lines)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _esc(text: str) -> str:
    return html.escape(text)


def _esc_words(text: str) -> str:
    return html.escape(text)
