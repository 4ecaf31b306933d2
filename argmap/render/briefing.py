"""Briefings: a scoped map as a document for print (tagged PDF) or readers (HTML).

:func:`build_context` computes a documented :class:`BriefingContext` (pure, no I/O); the
autoescaped Jinja2 templates in ``templates/briefing/`` only format it; WeasyPrint typesets it
in a killable child (:mod:`argmap.render._pdf`). What each section holds, the date rule and
the safety rules for untrusted text are in docs/ARCHITECTURE.md.

>>> ctx = build_context(load("seeds/peace-plan.yaml"), BriefingOptions(focus="victims-silenced"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from argmap.errors import InvalidInput, LimitExceeded, from_validation_error
from argmap.model import Argument, ArgumentKind, Map, PartialDate, Source, Statement, partial_date
from argmap.render import _pdf, diagram, timeline
from argmap.render._pdf import DEFAULT_TIMEOUT as PDF_TIMEOUT
from argmap.schemes import question_states
from argmap.scope import MAX_DEPTH
from argmap.scope import Scope as ScopeParams
from argmap.scope import date_of, scope_from, select

__all__ = [
    "BriefingContext",
    "BriefingOptions",
    "CONCLUSION_DIAGRAMS",
    "Conclusion",
    "Correction",
    "Counts",
    "Figure",
    "FigureMaker",
    "FigureRequest",
    "Fix",
    "MAX_DEPTH",
    "MAX_SHOWN",
    "MAX_STATEMENTS",
    "PDF_ADVICE",
    "PDF_TIMEOUT",
    "Reason",
    "SECTIONS",
    "Scope",
    "SectionEntry",
    "SourceEntry",
    "SpeakerGroup",
    "StatementView",
    "TEMPLATES",
    "asset_fetcher",
    "briefing",
    "build_context",
    "default_figures",
    "diagram_figures",
    "html_to_pdf",
    "parse_options",
    "render",
    "render_html",
    "render_pdf",
    "timeline_figures",
]

TEMPLATES = Path(__file__).resolve().parent / "templates" / "briefing"
"""The only folder a briefing may read files from (templates, CSS, any future asset)."""

Section = Literal["contents", "conclusions", "diagram", "timeline", "speakers", "corrections", "sources"]
SECTIONS: tuple[Section, ...] = ("contents", "conclusions", "diagram", "timeline", "speakers", "corrections", "sources")
"""Every section, in document order (the cover always comes first)."""

_TITLES: dict[str, str] = {
    "contents": "Contents",
    "conclusions": "Key conclusions",
    "diagram": "Argument diagram",
    "timeline": "Timeline",
    "speakers": "Statements by speaker",
    "corrections": "Corrections",
    "sources": "Sources",
}
_CITING = ("conclusions", "speakers", "corrections")
MAX_STATEMENTS = 1000
"""Most statements one briefing typesets (about 250 pages, a minute of WeasyPrint)."""
PDF_ADVICE = "narrow it with a focus statement (and a smaller depth), fewer sections or a date range"
"""What to do when a briefing's PDF is over its time or memory limit."""
MAX_SHOWN = 2000
"""Characters of a statement's text (or quote) a briefing prints; past it the text is cut at a
word and says how much more the map holds. WeasyPrint lays out each line of a paragraph
from the paragraph's remaining text, so time grows with the square of its length: 10,000
characters took 1–2 s, the model's 100,000 would take minutes."""


class BriefingOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """What to put in a briefing and how to print it.

    >>> BriefingOptions(sections=["conclusions", "sources"], paper="letter").paper
    'letter'
    """

    sections: list[Section] | None = None
    """Sections to include, in any order (the document keeps its own order). None: every
    section that can be drawn here (the diagram and timeline need their renderers)."""
    focus: str | None = None
    """A statement id: only what lies within ``depth`` argument steps of it is included."""
    depth: Annotated[int, Meta(ge=0, le=MAX_DEPTH)] = 2
    """Argument steps from ``focus``, as the diagram counts them (``argmap.render.diagram.select``):
    one step adds every argument that uses or targets an included statement, the undercuts of
    those arguments, and all their statements (linked premises come together)."""
    date_from: str | None = None
    """EDTF date; statements dated wholly before it are left out (undated ones stay)."""
    date_to: str | None = None
    """EDTF date; statements dated wholly after it are left out (undated ones stay)."""
    paper: Literal["a4", "letter"] = "a4"
    issued: _dt.date | None = None
    """Date of issue printed on the cover and in the PDF metadata; None: today."""
    author: Annotated[str, Meta(min_length=1, max_length=500)] = "argmap"
    """The PDF's author field (the publisher issuing the briefing)."""
    semantics: Literal["grounded", "complete", "preferred", "stable"] | None = "grounded"
    """The semantics the labels handed to :func:`build_context` come from, evaluated on the
    whole map (a focus or a range does not change what stands); None: no labels. The renderer
    does not evaluate: the export catalogue does."""


class Counts(msgspec.Struct, kw_only=True, frozen=True):
    """What the cover counts, for the part of the map in the briefing."""

    statements: int
    arguments: int
    supports: int
    attacks: int
    undercuts: int
    speakers: int
    sources: int
    dated: int
    """Statements that carry their own date (``said``)."""
    undated: int


class Scope(msgspec.Struct, kw_only=True, frozen=True):
    """Which part of the map the briefing covers, in words for the cover."""

    whole_map: bool
    description: str
    """'The whole map.' or e.g. 'Statements within 2 argument steps of “…”, dated 20–21 Nov 2025.'"""
    first: str | None
    """Earliest date in the briefing, as a label ('17 Nov 2025'); None when nothing is dated."""
    last: str | None


class StatementView(msgspec.Struct, kw_only=True):
    """One statement as a reader sees it."""

    id: str
    anchor: str
    """HTML id of the statement's entry in "Statements by speaker"."""
    text: str
    short: str
    """``text`` cut at a word boundary to 160 characters (headings and bookmarks)."""
    quote: str | None
    """The verbatim words in the source, when a quote span is given and differs from ``text``."""
    kind: Literal["claim", "event", "derived"]
    speaker: str | None
    """The speaker's name or, for an unnamed speaker, role and affiliation
    ('author of the article, Kaizen News')."""
    date: str | None
    """When it was said, with its precision ('c. 26 Nov 2025'); None when undated."""
    note: int | None
    """Number of its source in the list of sources."""
    date_note: int | None
    """Number of the source that gives its date, when that is another source."""
    tags: list[str]
    label: str | None = None
    """Evaluation label (e.g. 'in', 'out', 'undec') when the briefing has an evaluation."""
    explanation: str | None = None
    """Why it has its label, in words ('attacked by argument a, whose premises all stand')."""


class Reason(msgspec.Struct, kw_only=True):
    """An argument for or against a conclusion: its premises, and what undercuts it."""

    argument: str
    kind: ArgumentKind
    premises: list[StatementView]
    scheme: str | None = None
    note: str | None = None
    undercuts: list["Reason"] = []


class Conclusion(msgspec.Struct, kw_only=True):
    """A key conclusion and its standing."""

    statement: StatementView
    supports: list[Reason]
    attacks: list[Reason]
    behind: int
    """Statements that support it through chains of support arguments."""
    against: int
    """Statements that attack it, or attack or undercut what supports it, at any depth."""
    uncertainties: list[str] = []
    """Key uncertainties, in words: the open critical questions of the arguments for and
    against it, and the smallest sets of statements whose retraction (or questions whose
    raising) would change its grounded label (argmap.semantics.flips)."""


class Fix(msgspec.Struct, kw_only=True):
    """A statement that corrects a claim, through one attack argument."""

    statement: StatementView
    argument: str
    note: str | None
    why: Literal["tagged", "later"]
    """'tagged': the map marks the pair (corrected/correction); 'later': a later statement
    from another source attacks the claim."""


class Correction(msgspec.Struct, kw_only=True):
    """A claim side by side with the statements that correct it (oldest first)."""

    claim: StatementView
    fixes: list[Fix]


class SpeakerGroup(msgspec.Struct, kw_only=True):
    """A speaker and what they said, oldest first (undated last, in map order)."""

    id: str | None
    """None for the group of statements without a speaker."""
    anchor: str
    name: str
    role: str | None
    affiliation: str | None
    statements: list[StatementView]


class SourceEntry(msgspec.Struct, kw_only=True):
    """One numbered source."""

    number: int
    anchor: str
    id: str
    title: str
    publisher: str | None
    url: str | None
    published: str | None
    cited: int
    """How many statements in the briefing cite it (as source or date source)."""


class Figure(msgspec.Struct, kw_only=True):
    """A vector figure (SVG) embedded as a data: URI, with its description in words."""

    src: str
    """``data:image/svg+xml;base64,…``: embedded, never fetched."""
    alt: str
    """What the figure shows, in words (the PDF's alternate text for screen readers)."""
    caption: str
    landscape: bool = False
    """Fills a landscape page of its own; a section that starts with one is set on landscape
    pages, where the figures that follow share pages when they fit."""


class FigureRequest(msgspec.Struct, kw_only=True, frozen=True):
    """What a figure maker is told besides the selected map."""

    conclusions: list[str]
    """Ids of the key conclusions, the main one first."""
    labels: dict[str, str]
    """Evaluation labels by statement or argument id; empty without an evaluation."""
    layout_timeout: float = diagram.DEFAULT_TIMEOUT
    """Seconds each Graphviz layout may take (10 over HTTP, as for a diagram)."""


FigureMaker = Callable[[Map, FigureRequest], list[Figure]]
"""Draws one section's figures (``"diagram"`` or ``"timeline"``) of the selected map."""


class SectionEntry(msgspec.Struct, kw_only=True, frozen=True):
    """A section of the document and its place in the contents."""

    key: Section
    anchor: str
    title: str


class BriefingContext(msgspec.Struct, kw_only=True):
    """Everything the templates show; nothing else reaches them.

    Checked against the templates by ``tests/render/test_briefing.py`` (every field used).
    """

    lang: str
    """Document language (``<html lang>``; hyphenation follows it)."""
    title: str
    subtitle: str | None
    """The map's description."""
    map_id: str
    version: int | None
    """The map's version it was made from (None: not from a store, e.g. a map file)."""
    issued: str
    """Date of issue for people ('26 Nov 2025')."""
    issued_iso: str
    """Date of issue for the PDF metadata (W3C date)."""
    author: str
    keywords: list[str]
    paper: Literal["a4", "letter"]
    scope: Scope
    counts: Counts
    sections: list[SectionEntry]
    """The sections present, in document order (the contents list them)."""
    conclusions: list[Conclusion]
    evaluation: str | None
    """What the labels mean ('grounded semantics'), or None when the briefing has none."""
    diagram: list[Figure]
    """The overview diagram, then the main conclusions at reading size; empty when left out."""
    timeline: list[Figure]
    speakers: list[SpeakerGroup]
    corrections: list[Correction]
    sources: list[SourceEntry]


def build_context(
    m: Map,
    options: BriefingOptions | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    explanations: Mapping[str, str] | None = None,
    evaluation: str | None = None,
    flips: Mapping[str, Any] | None = None,
    figures: Mapping[str, FigureMaker] | None = None,
    scoped: bool = False,
    layout_timeout: float = diagram.DEFAULT_TIMEOUT,
    version: int | None = None,
) -> BriefingContext:
    """Compute a briefing of ``m`` (pure: no I/O).

    Parameters
    ----------
    m
        A checked map (``argmap.model.check_map``), e.g. ``Store.get_map``'s answer.
    options
        Sections, focus, date range, paper; the defaults give the whole map on A4.
    labels, explanations
        Evaluation labels and their explanations by statement or argument id; ``evaluation``
        names the semantics they come from. None: the briefing shows no labels (a renderer does
        not evaluate: the export catalogue does, as ``options.semantics`` asks).
    flips
        What would change each key conclusion's label (:func:`argmap.semantics.flips.flips`'s
        answers by statement id, see :func:`key_conclusions`), for its "Key uncertainties".
    figures
        Functions that draw the ``"diagram"`` and ``"timeline"`` sections of the selected map
        (tests pass their own); by default :func:`default_figures`.
    version
        The map's version ``m`` is: the cover, the colophon and the PDF's metadata name it (the
        bytes depend on the map, the version and the options only, so the same ``as_of`` gives
        the same file).

    Raises
    ------
    InvalidInput
        A bad option, named by field: an unknown focus, a date that is not EDTF, a range that
        ends before it starts, a section that cites sources without the sources section, or
        a figure asked for whose renderer is missing.
    LimitExceeded
        More than :data:`MAX_STATEMENTS` statements selected: a focus or a range narrows it.

    Examples
    --------
    >>> from argmap.model import Map, Statement, Argument
    >>> m = Map(id="m", title="T", statements=[Statement(id="a", text="A"), Statement(id="b", text="B")],
    ...         arguments=[Argument(id="s", kind="support", premises=["a"], target="b")])
    >>> [c.statement.id for c in build_context(m).conclusions]
    ['b']
    """
    o = options or BriefingOptions()
    _check(o, m, scoped=scoped)
    figures = default_figures() if figures is None else figures
    wanted = list(SECTIONS) if o.sections is None else [s for s in SECTIONS if s in o.sections]
    sub, scope = _select(m, o, scoped=scoped)
    if len(sub.statements) > MAX_STATEMENTS:  # typesetting grows with the text: refuse before drawing
        raise LimitExceeded(
            "statements", f"a briefing takes at most {MAX_STATEMENTS} statements, this selection has "
            f"{len(sub.statements)}; narrow it with a focus statement or a date range"
        )
    draw = {key: figures[key] for key in ("diagram", "timeline") if key in figures}
    for key in ("diagram", "timeline"):
        if key in wanted and key not in draw:
            if o.sections is not None:
                raise InvalidInput("sections", f"the {key} cannot be drawn here: its renderer is not installed")
            wanted.remove(key)
    b = _Builder(sub, labels or {}, explanations or {}, flips or {})
    conclusions = b.conclusions() if "conclusions" in wanted else []
    request = FigureRequest(conclusions=b.conclusion_ids(), labels=dict(labels or {}), layout_timeout=layout_timeout)
    diagram = draw["diagram"](sub, request) if "diagram" in wanted else []
    timeline = draw["timeline"](sub, request) if "timeline" in wanted else []
    speakers = b.speaker_groups() if "speakers" in wanted else []
    corrections = b.corrections() if "corrections" in wanted else []
    if o.sections is None:  # by default, leave out what would be empty; asked for, say so
        wanted = [k for k in wanted if not (k == "corrections" and not corrections or k == "sources" and not b.notes)]
    issued = o.issued or _dt.date.today()
    return BriefingContext(
        lang="en",
        title=_plain(m.title),  # at most 500 characters (Name): no break opportunities needed
        subtitle=_printable(_clip(m.description)) if m.description else None,
        map_id=m.id,
        version=version,
        issued=f"{issued.day} {issued.strftime('%B %Y')}",
        issued_iso=issued.isoformat(),
        author=_plain(o.author),
        keywords=sorted({t for s in sub.statements for t in s.tags if ":" not in t})[:20],
        paper=o.paper,
        scope=scope,
        counts=_counts(sub),
        sections=[SectionEntry(key=k, anchor=f"sec-{k}", title=_TITLES[k]) for k in wanted],
        conclusions=conclusions,
        evaluation=_printable(evaluation) if evaluation and labels else None,
        diagram=diagram,
        timeline=timeline,
        speakers=speakers,
        corrections=corrections,
        sources=b.source_list() if "sources" in wanted else [],
    )


def briefing(m: Map, options: BriefingOptions | None = None, fmt: Literal["pdf", "html"] = "pdf", *,
             timeout: float = PDF_TIMEOUT, **given) -> bytes:
    """Context, then PDF or HTML (UTF-8) bytes, with what :func:`build_context` is ``given``
    (labels, flips…); the PDF may take ``timeout`` seconds of typesetting (LimitExceeded past
    them). The CLI and the HTTP API go through the export catalogue (``argmap.exports``), which
    evaluates the map first."""
    return render(build_context(m, options, **given), fmt, timeout=timeout)


def key_conclusions(m: Map) -> list[str]:
    """The ids of ``m``'s key conclusions, the main one first: the statements a briefing of
    ``m`` (already selected) discusses one by one."""
    return _Builder(m, {}, {}, {}).conclusion_ids()


def parse_options(**fields) -> BriefingOptions:
    """Options from strings as a command line or a query string gives them.

    ``sections`` may be a comma-separated string, ``semantics`` may be ``"none"``; ``None``
    values are left at their defaults.

    >>> parse_options(sections="conclusions, sources", paper="letter").sections
    ['conclusions', 'sources']
    >>> parse_options(depth=99)
    Traceback (most recent call last):
    ...
    argmap.errors.InvalidInput: depth: Expected `int` <= 20
    """
    data = {k: v for k, v in fields.items() if v is not None}
    if data.get("semantics") == "none":
        data["semantics"] = None
    if isinstance(data.get("sections"), str):
        data["sections"] = [p.strip() for p in data["sections"].split(",") if p.strip()]
    try:
        return msgspec.convert(data, BriefingOptions)
    except msgspec.ValidationError as e:
        err = from_validation_error(e)
        raise InvalidInput(err.field.removeprefix("$."), err.reason) from None


def render_html(ctx: BriefingContext) -> str:
    """The briefing as one self-contained HTML page (styles inline, figures as data: URIs)."""
    return _env().get_template("briefing.html.j2").render(c=ctx)


def render_pdf(ctx: BriefingContext, *, fetcher=None, timeout: float = PDF_TIMEOUT) -> bytes:
    """The briefing as a tagged PDF (PDF/UA-1) with bookmarks, page numbers and metadata (the
    map and version it was made from too: ``ArgmapMap``, ``ArgmapVersion``), typeset within
    ``timeout`` seconds (:class:`~argmap.errors.LimitExceeded` past them)."""
    metadata = None
    if ctx.version is not None:
        metadata = {"ArgmapMap": ctx.map_id, "ArgmapVersion": str(ctx.version)}
    return html_to_pdf(render_html(ctx), fetcher=fetcher, timeout=timeout, metadata=metadata)


def html_to_pdf(html: str, *, fetcher=None, timeout: float = PDF_TIMEOUT, metadata: dict[str, str] | None = None) -> bytes:
    """Typeset ``html`` as tagged PDF/UA-1 in a child process killed after ``timeout`` seconds
    (:mod:`argmap.render._pdf`), fetching only what :func:`asset_fetcher` allows (or ``fetcher``,
    which then records what was served and refused); relative URLs resolve in :data:`TEMPLATES`."""
    return _pdf.html_to_pdf(html, fetcher=fetcher, folder=TEMPLATES, data_uris=True, base_url=TEMPLATES.as_uri() + "/",
                            variant="pdf/ua-1", timeout=timeout, field="briefing", advice=PDF_ADVICE,
                            metadata=metadata)


def render(ctx: BriefingContext, fmt: Literal["pdf", "html"], *, timeout: float = PDF_TIMEOUT) -> bytes:
    """``render_pdf`` or ``render_html`` (UTF-8) by format name (``timeout``: the PDF's)."""
    if fmt == "pdf":
        return render_pdf(ctx, timeout=timeout)
    if fmt == "html":
        return render_html(ctx).encode("utf-8")  # no typesetting, so no time limit of its own
    raise InvalidInput("format", f"unknown briefing format {fmt!r}; use pdf or html")


def default_figures() -> dict[str, FigureMaker]:
    """The figure makers, by section: the diagram and the timeline."""
    return {"diagram": diagram_figures, "timeline": timeline_figures}


CONCLUSION_DIAGRAMS = 3
"""Key conclusions that get a diagram of their own at reading size, after the overview."""


def diagram_figures(m: Map, request: FigureRequest) -> list[Figure]:
    """The overview diagram of ``m`` (left to right, on a landscape page), then one diagram
    of each of the first :data:`CONCLUSION_DIAGRAMS` key conclusions with what bears on it
    directly, drawn by :mod:`argmap.render.diagram`."""
    ids = {s.id for s in m.statements} | {a.id for a in m.arguments}
    labels = {k: v for k, v in request.labels.items() if k in ids} or None
    overview = diagram.render(m, "svg", diagram.DiagramOptions(rankdir="LR", labels=labels),
                              timeout=request.layout_timeout)
    n, k = len(m.statements), len(m.arguments)
    figures = [_figure(
        overview, wide=None, alt=_diagram_alt(m, request),
        caption=f"All {n} statements and {k} arguments of this briefing. Each argument is a small "
        "node joining its premises to its target: support solid green, attack dashed orange, "
        "undercut dotted purple. Vector art: zoom in on screen to read it"
        + ("; the diagrams that follow show the main conclusions at reading size." if request.conclusions else "."),
    )]
    by_id = {s.id: s for s in m.statements}
    for i, cid in enumerate(request.conclusions[:CONCLUSION_DIAGRAMS], 1):
        svg = diagram.render(m, "svg", diagram.DiagramOptions(
            focus=cid, depth=1, labels=labels, legend=False, title=f"Key conclusion {i}"),
            timeout=request.layout_timeout)
        short = _short(_printable(by_id[cid].text), 100)
        figures.append(_figure(
            svg, wide=False, alt=_focus_alt(m, cid, short),
            caption=f"Key conclusion {i}, “{short}”, with the statements one argument away from it.",
        ))
    return figures


def asset_fetcher(root: Path = TEMPLATES):
    """WeasyPrint's fetcher for briefings: ``data:`` URIs and files under ``root`` only.

    Every other URL (http, https, ftp, a file elsewhere, a path that climbs out with ``..``
    or through a symlink) is refused before anything is opened, and recorded in ``refused``;
    WeasyPrint then leaves the resource out and goes on.

    >>> f = asset_fetcher()
    >>> f.fetch("http://example.com/x.png")
    Traceback (most recent call last):
    ...
    ValueError: argmap refuses to fetch 'http://example.com/x.png': documents are self-contained
    >>> f.refused
    ['http://example.com/x.png']
    """
    return _pdf.own_only_fetcher(folder=root, data_uris=True)


# -- Implementation details ------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_LONG_RUN = re.compile(r"\S{%d,}" % (2 * 30 + 1))
_JOINERS = "\u200d\ufe0e\ufe0f"


def _plain(text: str) -> str:
    """Control characters shown as U+FFFD: they cannot be printed, and XML (the PDF's
    metadata) does not allow them."""
    return _CONTROL.sub("\ufffd", text)


def _printable(text: str) -> str:
    """:func:`_plain`, and a zero-width space every 30 characters of a run longer than 60
    without a space: WeasyPrint breaks such a run letter by letter in quadratic time (a
    10,000-letter word took 10 s); with break opportunities it takes milliseconds."""
    return _LONG_RUN.sub(_breakable, _plain(text))


def _breakable(run: re.Match) -> str:
    text, pieces, start = run[0], [], 0
    while start < len(text):
        end = start + 30
        while end < len(text) and (unicodedata.combining(text[end]) or text[end] in _JOINERS):
            end += 1  # never part a letter from its accents, or an emoji sequence
        pieces.append(text[start:end])
        start = end
    return "\u200b".join(pieces)


def _byline_name(sp) -> str:
    if sp.name:
        return _printable(sp.name)
    return _printable(f"{sp.role}, {sp.affiliation}" if sp.affiliation else sp.role)


def _why(explanation: str) -> str:
    # argmap.semantics says "out: attacked by …"; the label is shown on its own beside it.
    head, sep, rest = explanation.partition(": ")
    return rest if sep and head in ("in", "out", "undec", "undecided") else explanation


def _clip(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    cut = text[:MAX_SHOWN].rsplit(" ", 1)[0] if " " in text[MAX_SHOWN - 200 : MAX_SHOWN] else text[:MAX_SHOWN]
    return f"{cut} […{len(text) - len(cut):,} more characters in the map]"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.– ") + "…"


def _check(o: BriefingOptions, m: Map, *, scoped: bool = False) -> None:
    # Options built in Python skip msgspec's constraints: check them here, by field.
    try:
        o = msgspec.convert(msgspec.to_builtins(o), BriefingOptions)
    except msgspec.ValidationError as e:
        raise from_validation_error(e) from None
    dates = {}
    for field in ("date_from", "date_to"):
        value = getattr(o, field)
        if value is not None:
            try:
                dates[field] = partial_date(value)
            except ValueError as e:
                raise InvalidInput(field, str(e)) from None
    if len(dates) == 2 and dates["date_to"].upper < dates["date_from"].lower:
        raise InvalidInput("date_to", "the range ends before it starts")
    if not scoped and o.focus is not None and o.focus not in {s.id for s in m.statements}:
        raise InvalidInput("focus", f"no statement {o.focus!r} in map {m.id!r}")
    if o.sections is not None:
        if not o.sections:
            raise InvalidInput("sections", "name at least one section")
        if "sources" not in o.sections and (citing := [s for s in o.sections if s in _CITING]):
            raise InvalidInput(
                "sections", f"{', '.join(citing)} cite sources by number; include 'sources' too"
            )


def _scope(o: BriefingOptions) -> ScopeParams:
    return scope_from({"focus": o.focus, "depth": o.depth if o.focus is not None else None,
                       "from": o.date_from, "to": o.date_to})


def _select(m: Map, o: BriefingOptions, *, scoped: bool = False) -> tuple[Map, Scope]:
    """The part of ``m`` the options ask for (:func:`argmap.scope.select`; ``scoped``: ``m``
    is it already), and its description in words."""
    sub = m if scoped else select(m, _scope(o))
    words = []
    if o.focus is not None:
        focus = next(s for s in sub.statements if s.id == o.focus) if any(
            s.id == o.focus for s in sub.statements) else None
        if focus is None:
            raise InvalidInput("focus", f"statement {o.focus!r} is dated outside the date range")
        steps = "argument step" if o.depth == 1 else "argument steps"
        words.append(f"Statements within {o.depth} {steps} of “{_short(_printable(focus.text), 80)}”")
    lo = partial_date(o.date_from).lower if o.date_from else None
    hi = partial_date(o.date_to).upper if o.date_to else None
    if lo or hi:
        span = " – ".join(d.strftime("%-d %b %Y") if d else "…" for d in (lo, hi))
        words.append(f"{'dated' if words else 'Statements dated'} {span} (undated statements kept)")
    dates = [s.date for s in sub.statements if s.said]
    first = min(dates, key=lambda d: d.lower) if dates else None
    last = max(dates, key=lambda d: d.upper) if dates else None
    return sub, Scope(
        whole_map=not words,
        description=(", ".join(words) + ".") if words else "The whole map.",
        first=_day(first.lower) if first else None,
        last=_day(last.upper) if last else None,
    )


def _day(d: _dt.date) -> str:
    return f"{d.day} {d.strftime('%b %Y')}"


def _counts(m: Map) -> Counts:
    kinds = defaultdict(int)
    for a in m.arguments:
        kinds[a.kind] += 1
    dated = sum(1 for s in m.statements if s.said)
    return Counts(
        statements=len(m.statements), arguments=len(m.arguments), supports=kinds["support"],
        attacks=kinds["attack"], undercuts=kinds["undercut"], speakers=len(m.speakers),
        sources=len(m.sources), dated=dated, undated=len(m.statements) - dated,
    )


class _Builder:
    """Builds the sections of one selected map; numbers sources as the document cites them."""

    def __init__(self, m: Map, labels: Mapping[str, str], explanations: Mapping[str, str], flips: Mapping[str, Any]):
        self.m = m
        self.labels, self.explanations, self.flips = labels, explanations, flips
        self.statements = {s.id: s for s in m.statements}
        self.speakers = {sp.id: sp for sp in m.speakers}
        self.sources = {src.id: src for src in m.sources}
        self.notes: dict[str, int] = {}
        self.cited: dict[str, int] = defaultdict(int)
        self.views: dict[str, StatementView] = {}
        self.by_target: dict[str, list[Argument]] = defaultdict(list)
        self.premise_of: dict[str, list[Argument]] = defaultdict(list)
        for a in m.arguments:
            self.by_target[a.target].append(a)
            for p in a.premises:
                self.premise_of[p].append(a)

    def _note(self, source_id: str | None) -> int | None:
        if source_id is None or source_id not in self.sources:
            return None
        return self.notes.setdefault(source_id, len(self.notes) + 1)

    def view(self, sid: str) -> StatementView:
        if (v := self.views.get(sid)) is not None:
            return v
        s = self.statements[sid]
        speaker = self.speakers.get(s.speaker) if s.speaker else None
        note = self._note(s.source)
        date_note = self._note(s.date_source) if s.date_source not in (None, s.source) else None
        for src in {s.source, s.date_source} - {None}:
            self.cited[src] += 1
        quote = None
        if s.quote is not None:
            src = self.sources.get(s.source)
            words = s.quote.text or (src.text[s.quote.start : s.quote.end] if src and src.text else None)
            if words and " ".join(words.split()) != " ".join(s.text.split()):
                quote = _printable(_clip(words))
        text = _printable(_clip(s.text))
        v = self.views[sid] = StatementView(
            id=s.id, anchor=f"st-{s.id}", text=text, short=_short(text), quote=quote, kind=s.kind,
            speaker=_byline_name(speaker) if speaker else None,
            date=s.date.label() if s.said else None, note=note, date_note=date_note, tags=list(s.tags),
            label=self.labels.get(s.id), explanation=_printable(_clip(_why(e))) if (e := self.explanations.get(s.id)) else None,
        )
        return v

    def _reason(self, a: Argument) -> Reason:
        return Reason(
            argument=a.id, kind=a.kind, premises=[self.view(p) for p in a.premises],
            scheme=_printable(a.scheme) if a.scheme else None, note=_printable(_clip(a.note)) if a.note else None,
            undercuts=[self._reason(u) for u in self.by_target.get(a.id, []) if u.kind == "undercut"],
        )

    def _reach(self, sid: str, kinds: set[str]) -> set[str]:
        """Statements that reach ``sid`` through chains of arguments of ``kinds``."""
        seen: set[str] = set()
        frontier = [sid]
        while frontier:
            nxt = []
            for t in frontier:
                for a in self.by_target.get(t, []):
                    if a.kind in kinds:
                        for p in a.premises:
                            if p not in seen and p != sid:
                                seen.add(p)
                                nxt.append(p)
            frontier = nxt
        return seen

    def _against(self, sid: str) -> int:
        behind = self._reach(sid, {"support"}) | {sid}
        hostile: set[str] = set()
        for t in behind:
            for a in self.by_target.get(t, []):
                if a.kind == "attack":
                    hostile.update(a.premises)
                elif a.kind == "support":
                    for u in self.by_target.get(a.id, []):
                        hostile.update(u.premises)
        return len(hostile - behind)

    @functools.cached_property
    def _behind(self) -> dict[str, int]:
        """Key conclusions, the main one first, with how many statements stand behind each."""
        supported = {a.target for a in self.m.arguments if a.kind == "support"}
        order = {s.id: i for i, s in enumerate(self.m.statements)}
        picked = [
            s.id for s in self.m.statements
            if (s.id in supported and not self.premise_of.get(s.id)) or "conclusion" in s.tags
        ]
        behind = {sid: len(self._reach(sid, {"support"})) for sid in picked}
        return {sid: behind[sid] for sid in sorted(picked, key=lambda sid: (-behind[sid], order[sid]))}

    def conclusion_ids(self) -> list[str]:
        return list(self._behind)

    def conclusions(self) -> list[Conclusion]:
        behind = self._behind
        out = []
        for sid in behind:
            targeting = self.by_target.get(sid, [])
            out.append(Conclusion(
                statement=self.view(sid),
                supports=[self._reason(a) for a in targeting if a.kind == "support"],
                attacks=[self._reason(a) for a in targeting if a.kind == "attack"],
                behind=behind[sid], against=self._against(sid), uncertainties=self._uncertainties(sid),
            ))
        return out

    def _uncertainties(self, sid: str, *, most: int = 6) -> list[str]:
        """Open questions and the smallest flips of conclusion ``sid``, in words (at most ``most``)."""
        if not hasattr(self, "_questions"):
            self._questions = question_states(self.m)
        out: list[str] = []
        f = self.flips.get(sid)
        words = {"in": "stand", "out": "fall", "undec": "be undecided"}
        if f is not None:
            for x in f.statements[:3]:
                out.append(f"It would {words[x.label]} if {' and '.join(x.retract)} "
                           f"{'were' if len(x.retract) > 1 else 'was'} retracted.")
        for a in self.by_target.get(sid, []):
            aq = self._questions.get(a.id)
            if aq is None or aq.status != "catalogued":
                continue
            for q in aq.questions:
                if q.state == "open" and q.kind == "assumption" and len(out) < most:
                    out.append(f"Open question of {a.id} ({aq.scheme_id}): {q.text}")
        if f is not None:
            for x in f.questions[:2]:
                if len(out) < most:
                    asked = " and ".join(f"{q.question} of {q.argument}" for q in x.questions)
                    out.append(f"Raising {asked} would make it {words[x.label]}.")
        return [_printable(u) for u in out]

    def speaker_groups(self) -> list[SpeakerGroup]:
        by_speaker: dict[str | None, list[Statement]] = defaultdict(list)
        for s in self.m.statements:
            by_speaker[s.speaker if s.speaker in self.speakers else None].append(s)

        def when(s: Statement):
            d = s.date
            return (0, d.lower, d.upper) if d else (1, _dt.date.min, _dt.date.min)

        groups = []
        for sp in [*self.m.speakers, None]:
            items = sorted(by_speaker.get(sp.id if sp else None, []), key=when)  # stable: map order
            if not items:
                continue
            if sp is None:
                name, role = "No speaker", "reported events, reports without a speaker, derived conclusions"
            elif sp.name:
                name, role = _printable(sp.name), _printable(sp.role) if sp.role else None
            else:  # an unnamed speaker is known by role
                name, role = _printable(sp.role[:1].upper() + sp.role[1:]), "name not given"
            groups.append(SpeakerGroup(
                id=sp.id if sp else None, anchor=f"sp-{sp.id}" if sp else "sp--none", name=name, role=role,
                affiliation=_printable(sp.affiliation) if sp and sp.affiliation else None,
                statements=[self.view(s.id) for s in items],
            ))
        return groups

    def corrections(self) -> list[Correction]:
        fixes: dict[str, list[tuple[Statement, Fix]]] = defaultdict(list)
        for a in self.m.arguments:
            if a.kind != "attack":
                continue
            claim = self.statements[a.target]
            for p in a.premises:
                fix = self.statements[p]
                if "corrected" in claim.tags and "correction" in fix.tags:
                    why = "tagged"
                elif self._later(fix, claim) and fix.source != claim.source:
                    why = "later"
                else:
                    continue
                fixes[claim.id].append((fix, Fix(
                    statement=self.view(fix.id), argument=a.id, note=_printable(_clip(a.note)) if a.note else None, why=why,
                )))
        oldest = lambda pair: d.lower if (d := date_of(pair[0], self.sources)) else _dt.date.max  # noqa: E731
        return [
            Correction(claim=self.view(cid), fixes=[f for _, f in sorted(pairs, key=oldest)])
            for cid, pairs in fixes.items()
        ]

    def _later(self, fix: Statement, claim: Statement) -> bool:
        f, c = date_of(fix, self.sources), date_of(claim, self.sources)
        return f is not None and c is not None and f.lower > c.upper

    def source_list(self) -> list[SourceEntry]:
        out = []
        for sid, n in sorted(self.notes.items(), key=lambda kv: kv[1]):
            src = self.sources[sid]
            out.append(SourceEntry(
                number=n, anchor=f"src-{n}", id=src.id, title=_printable(src.title),
                publisher=_printable(src.publisher) if src.publisher else None, url=src.url,
                published=partial_date(src.published).label() if src.published else None,
                cited=self.cited[sid],
            ))
        return out


@functools.cache
def _env():
    import jinja2  # lazily: start-up time (only a briefing needs the templates)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template here is HTML; statement text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def timeline_figures(m: Map, request: FigureRequest) -> list[Figure]:
    """The timeline of ``m`` as the timeline's own A3 pages (:func:`argmap.render.timeline.page_svgs`),
    each set on a landscape page of the briefing: 8.3 pt text prints at about 6 pt on A4, and
    the seed's ten days fit one page instead of being cut into windows of time."""
    # The undated statements are listed in "Statements by speaker": no need for a page of them here.
    pages = timeline.page_svgs(m, page="A3", undated=False)
    first = _timeline_alt(m)
    return [
        _figure(
            svg, wide=True,
            alt=first if i == 1 else f"Timeline, page {i} of {len(pages)}: the rest of the timeline described on its first page.",
            caption=(
                "Who said what when: a lane per speaker; a day is a point, a month or an interval a bar, an "
                "approximate date hollow; support, attack and undercut join dated statements. Statements "
                "without a date are listed under “Statements by speaker”."
            ) if i == 1 else f"Timeline, page {i} of {len(pages)}.",
        )
        for i, svg in enumerate(pages, 1)
    ]


def _timeline_alt(m: Map) -> str:
    dated = [s for s in m.statements if s.said]
    if not dated:
        return f"Timeline: none of the {len(m.statements)} statements has a date; all are listed apart."
    first = min(dated, key=lambda s: s.date.lower).date
    last = max(dated, key=lambda s: s.date.upper).date
    on_axis = {s.id for s in dated}
    links = [a for a in m.arguments if a.target in on_axis and any(p in on_axis for p in a.premises)]
    lanes = len({s.speaker for s in dated})
    undated = len(m.statements) - len(dated)
    return (
        f"Timeline of {len(dated)} dated statements in {lanes} lanes (one per speaker, events and "
        f"unattributed statements apart), from {_day(first.lower)} to {_day(last.upper)}, with "
        f"{len(links)} links between them ({_kinds_in_words(links) or 'none'}). "
        f"{undated} undated statement{'' if undated == 1 else 's'} listed under Statements by speaker."
    )


_SVG_SIZE = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)(?:pt|px)?"[^>]*?\sheight="([\d.]+)(?:pt|px)?"')


# Room for a figure (mm) on an A4 page under the briefing's margins, heading and caption.
_PORTRAIT_BOX, _LANDSCAPE_BOX = (176, 195), (263, 150)


def _figure(svg: bytes, *, wide: bool | None, alt: str, caption: str) -> Figure:
    """``wide=None``: a landscape page of its own when the drawing prints larger there."""
    if wide is None:
        size = _SVG_SIZE.search(svg[:2000])
        w, h = (float(size[1]), float(size[2])) if size else (1.0, 1.0)
        wide = min(_LANDSCAPE_BOX[0] / w, _LANDSCAPE_BOX[1] / h) > min(_PORTRAIT_BOX[0] / w, _PORTRAIT_BOX[1] / h)
    return Figure(src=_svg_data_uri(svg), alt=alt, caption=caption, landscape=wide)


def _kinds_in_words(arguments: list[Argument]) -> str:
    kinds = defaultdict(int)
    for a in arguments:
        kinds[a.kind] += 1
    return ", ".join(f"{kinds[k]} {k}" for k in ("support", "attack", "undercut") if kinds[k])


def _diagram_alt(m: Map, request: FigureRequest) -> str:
    words = [
        f"Argument diagram of {len(m.statements)} statements by {len(m.speakers)} speakers and "
        f"{len(m.arguments)} arguments ({_kinds_in_words(m.arguments) or 'none'})."
    ]
    if request.conclusions:
        main = request.conclusions[0]
        text = next(s.text for s in m.statements if s.id == main)
        words.append(f"The main conclusion is “{_short(_printable(text), 120)}”.")
        words.append(_bearing(m, main))
    return " ".join(words)


def _focus_alt(m: Map, cid: str, short: str) -> str:
    return f"Diagram of the conclusion “{short}”. {_bearing(m, cid)}"


def _bearing(m: Map, sid: str) -> str:
    on = [a for a in m.arguments if a.target == sid]
    n_for = sum(a.kind == "support" for a in on)
    n_against = sum(a.kind == "attack" for a in on)
    return f"{n_for} argument{'' if n_for == 1 else 's'} support it and {n_against} attack it directly."


def _svg_data_uri(svg: bytes | str) -> str:
    """An SVG as a data: URI: embedded in the page, so WeasyPrint never fetches a figure."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
