"""What each page shows, as documented Structs built by pure functions from a map.

The templates in ``argmap/web/templates`` only format these: nothing here touches HTTP or the
store, so a test can check what a reader will see from a seed map. :class:`View` holds the
reader's choices as the query string a page and its drawings share (docs/ARCHITECTURE.md, "Pages").

>>> from argmap.mapfile import load
>>> p = statement_panel(load("seeds/peace-plan.yaml"), "kallas-no-viable-plan", supporters=[], attackers=[])  # doctest: +SKIP
>>> p.date, p.precision                                                   # doctest: +SKIP
('20 Nov 2025', 'known to the day')
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlencode

import msgspec

from argmap.errors import InvalidInput
from argmap.exports import CATALOGUE
from argmap.model import Map, MapInfo, Source, Speaker, Statement, partial_date
from argmap.web.outline import Outline, outline

__all__ = [
    "BRANCH_WORDS",
    "DEFAULT_SEMANTICS",
    "DownloadGroup",
    "Link",
    "MapPage",
    "Relation",
    "SEMANTICS",
    "STANDING",
    "SourceRef",
    "Standing",
    "StatementPanel",
    "StatementRef",
    "UI",
    "View",
    "api_path",
    "downloads",
    "map_page",
    "page_path",
    "quote_in_context",
    "statement_panel",
    "statement_refs",
]

UI = "/ui"
"""Where the pages live; the JSON API keeps ``/maps``."""

SEMANTICS = ("grounded", "complete", "preferred", "stable")
"""The semantics a reader may label the map by (those of ``/maps/{map}/evaluation``)."""
DEFAULT_SEMANTICS = "grounded"
"""Labels by default: one sceptical answer, computed in linear time."""

QUOTE_CONTEXT = 240
"""Characters of the source shown on each side of a quote."""

_PRECISION = {"day": "known to the day", "time": "known to the minute", "month": "known to the month",
              "year": "known to the year", "interval": "a span of dates"}
_KIND = {"claim": "claim", "event": "reported event", "derived": "derived conclusion (nobody asserts it alone)"}
STANDING = {  # words and a symbol, so colour is never the only carrier
    "in": ("✓", "stands (in)"),
    "out": ("✗", "defeated (out)"),
    "undec": ("?", "undecided (undec)"),
}
BRANCH_WORDS = {  # an argument under the statement it supports or attacks, in the outline
    "support": ("+", "Supported by"),
    "attack": ("−", "Rebutted by"),
    "undercut": ("×", "This step is undercut by"),
}
_RELATION = {  # (symbol, words) for what a premise does to the statement asked about
    "support": ("+", "supports this"),
    "rebuttal": ("−", "rebuts this"),
    "undercut": ("×", "undercuts a reason for this"),
}
_OUTGOING = {
    "support": ("+", "supports"),
    "attack": ("−", "rebuts"),
    "undercut": ("×", "undercuts the step to"),
}


class StatementRef(msgspec.Struct, kw_only=True, frozen=True):
    """A statement as a line in a list: its text and who said it when."""

    id: str
    text: str
    kind: str
    speaker: str | None
    """The speaker's name (or '(unnamed) role')."""
    date: str | None
    """The date at its precision: '20 Nov 2025', 'Nov 2025', 'c. 26 Nov 2025'."""
    label: str | None = None
    """Its evaluation label (in, out, undec) when the map has been evaluated."""


class SourceRef(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    title: str
    publisher: str | None
    published: str | None
    url: str | None
    """Only ever an http(s) URL."""


class Relation(msgspec.Struct, kw_only=True, frozen=True):
    """A statement linked to the one in the panel, and how, in words and a symbol."""

    statement: StatementRef
    kind: str
    """support, rebuttal, undercut (incoming); support, attack, undercut (outgoing)."""
    symbol: str
    words: str
    argument: str
    together_with: int = 0
    """How many other premises the argument needs with this one (a linked argument)."""


class Standing(msgspec.Struct, kw_only=True, frozen=True):
    label: str
    symbol: str
    words: str
    explanation: str | None
    semantics: str


class StatementPanel(msgspec.Struct, kw_only=True):
    """Everything the page says about one statement."""

    map_id: str
    view: View
    statement: StatementRef
    kind: str
    """The kind in words."""
    speaker: Speaker | None
    precision: str | None
    """How precisely the date is known, in words."""
    date_source: SourceRef | None
    """The source that gives the date, when it is not ``source``."""
    source: SourceRef | None
    quote: tuple[str, str, str] | None
    """(text before, the quote, text after) from the source's text."""
    supporters: list[Relation]
    attackers: list[Relation]
    uses: list[Relation]
    """What this statement is itself a reason for or against."""
    standing: Standing | None
    tags: list[str]
    note: str | None
    focus_href: str
    json_href: str
    critical: object | None = None
    """Critical questions and flips (:func:`argmap.web.questions.critical_panel`), when known."""


class Link(msgspec.Struct, kw_only=True, frozen=True):
    label: str
    href: str
    note: str = ""


class DownloadGroup(msgspec.Struct, kw_only=True, frozen=True):
    title: str
    links: list[Link]


class View(msgspec.Struct, kw_only=True, frozen=True):
    """The reader's view of a map: what the drawings centre on and how they are laid out.

    >>> View(focus="c", depth=1).query()
    'focus=c&depth=1'
    >>> View().query(statement="c")
    'statement=c'
    >>> View(as_of="3").query(statement="c")
    'as_of=3&statement=c'
    """

    focus: str | None = None
    depth: int = 2
    rankdir: Literal["TB", "LR"] = "TB"
    group: bool = False
    semantics: str | None = DEFAULT_SEMANTICS
    """Whose labels the page shows (grounded, complete, preferred, stable); None: none."""
    evaluates: bool = True
    """Whether the server can evaluate maps at all (not part of the URL)."""
    as_of: str | None = None
    """The past version the page reads (``as_of``), which every link and form of it keeps;
    None: the map as it is now."""

    def query(self, **extra: str | None) -> str:
        """This view's query string (defaults left out), plus ``extra`` (None values dropped)."""
        pairs: list[tuple[str, str]] = []
        if self.focus is not None:
            pairs += [("focus", self.focus), ("depth", str(self.depth))]
        if self.rankdir != "TB":
            pairs.append(("rankdir", self.rankdir))
        if self.group:
            pairs.append(("group", "1"))
        if self.evaluates and self.semantics != DEFAULT_SEMANTICS:
            pairs.append(("semantics", self.semantics or "none"))
        pairs += self.past()
        pairs += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(pairs)

    def past(self) -> list[tuple[str, str]]:
        """``[("as_of", version)]`` for a page of a past version, else ``[]``: what an API link adds."""
        return [("as_of", self.as_of)] if self.as_of is not None else []

    def unpast(self) -> View:
        """This view of the map as it is now."""
        return msgspec.structs.replace(self, as_of=None)

    def unfocused(self) -> View:
        """This view of the whole map."""
        return msgspec.structs.replace(self, focus=None)

    def href(self, map_id: str, statement: str | None = None) -> str:
        """The page of ``map_id`` in this view, with ``statement`` open."""
        return page_path(map_id, self.query(statement=statement))

    def drawing_query(self, drawing: Literal["diagram", "timeline"]) -> str:
        """The query string of ``/maps/{map}/diagram.svg`` or ``timeline.svg`` for this view."""
        pairs: list[tuple[str, str]] = []
        if self.focus is not None:
            pairs += [("focus", self.focus), ("depth", str(self.depth))]
        if drawing == "diagram":
            if self.rankdir != "TB":
                pairs.append(("rankdir", self.rankdir))
            if self.group:
                pairs.append(("group_by_speaker", "true"))
            if self.evaluates and self.semantics is not None:
                pairs.append(("evaluate", self.semantics))
        return urlencode(pairs + self.past())


class MapPage(msgspec.Struct, kw_only=True):
    """The page of one map: drawings, outline, search, the open statement and the downloads."""

    map: MapInfo
    view: View
    total: int
    """Statements in the map."""
    shown: int
    """Statements in this view (all of them unless focused)."""
    statements: dict[str, StatementRef]
    """Every statement of the view, by id, for the outline."""
    choices: list[tuple[str, str]]
    """(id, short text) of every statement of the map, for the focus picker."""
    outline: Outline
    diagram_src: str
    timeline_src: str
    panel: StatementPanel | None
    problem: str | None
    """What was wrong with the request (an unknown statement), shown instead of a panel."""
    q: str | None
    hits: list[StatementRef] | None
    """Search results when the page was asked with ``q`` (the script asks the API instead)."""
    downloads: list[DownloadGroup]
    standing_semantics: str | None
    """The semantics of the labels shown, or None when the map is not evaluated."""
    past_at: str | None = None
    """When the past version the page reads (``view.as_of``) was written, for people."""


def page_path(map_id: str, query: str = "") -> str:
    """``/ui/maps/{map}`` with a query string."""
    return f"{UI}/maps/{quote(map_id, safe='')}" + (f"?{query}" if query else "")


def api_path(map_id: str, rest: str = "", query: str = "") -> str:
    """``/maps/{map}{rest}`` with a query string: the JSON API and the exports."""
    return f"/maps/{quote(map_id, safe='')}{rest}" + (f"?{query}" if query else "")


def statement_refs(m: Map, labels: dict[str, str] | None = None) -> dict[str, StatementRef]:
    """A :class:`StatementRef` for every statement of ``m``, by id."""
    speakers = {s.id: s for s in m.speakers}
    labels = labels or {}
    return {
        s.id: StatementRef(
            id=s.id, text=s.text, kind=s.kind,
            speaker=speakers[s.speaker].label if s.speaker in speakers else None,
            date=s.date.label() if s.said else None, label=labels.get(s.id),
        )
        for s in m.statements
    }


def statement_panel(
    m: Map,
    statement_id: str,
    *,
    supporters: list,
    attackers: list,
    view: View = View(),
    labels: dict[str, str] | None = None,
    explanations: dict[str, str] | None = None,
) -> StatementPanel:
    """The panel of one statement.

    ``supporters`` and ``attackers`` are the direct links of :func:`argmap.query.supporters`
    and :func:`~argmap.query.attackers` (``Link`` items: statement, relation, argument);
    ``labels`` and ``explanations`` come from an evaluation of the map under ``view.semantics``,
    when there is one.
    Raises InvalidInput (field ``statement``) for an id the map does not have.
    """
    refs = statement_refs(m, labels)
    if statement_id not in refs:
        raise InvalidInput("statement", f"map {m.id!r} has no statement {statement_id!r}")
    st = next(s for s in m.statements if s.id == statement_id)
    speakers = {s.id: s for s in m.speakers}
    sources = {s.id: s for s in m.sources}
    arguments = {a.id: a for a in m.arguments}

    def incoming(link) -> Relation:
        symbol, words = _RELATION[link.relation]
        arg = arguments.get(link.argument)
        return Relation(statement=refs[link.statement.id], kind=link.relation, symbol=symbol, words=words,
                        argument=link.argument, together_with=len(arg.premises) - 1 if arg else 0)

    uses = []
    for a in m.arguments:
        if statement_id in a.premises:
            target = arguments[a.target].target if a.kind == "undercut" and a.target in arguments else a.target
            if target in refs:
                symbol, words = _OUTGOING[a.kind]
                uses.append(Relation(statement=refs[target], kind=a.kind, symbol=symbol, words=words,
                                     argument=a.id, together_with=len(a.premises) - 1))
    label = (labels or {}).get(statement_id)
    standing = None
    if label in STANDING and view.evaluates and view.semantics:
        symbol, words = STANDING[label]
        why = (explanations or {}).get(statement_id)
        if why and why.startswith(f"{label}: "):  # the label is said in words already
            why = why[len(label) + 2:]
        standing = Standing(label=label, symbol=symbol, words=words, semantics=view.semantics,
                            explanation=why and why[:1].upper() + why[1:] + ("" if why.endswith(".") else "."))
    source = sources.get(st.source) if st.source else None
    date = st.date
    precision = None
    if date is not None:
        precision = _PRECISION[date.precision] + ("; approximate" if date.approximate else "") + (
            "; uncertain" if date.uncertain else "")
    return StatementPanel(
        map_id=m.id,
        view=view,
        statement=refs[statement_id],
        kind=_KIND[st.kind],
        speaker=speakers.get(st.speaker) if st.speaker else None,
        precision=precision,
        date_source=_source_ref(sources[st.date_source]) if st.date_source in sources else None,
        source=_source_ref(source) if source else None,
        quote=quote_in_context(st, source) if source else None,
        supporters=[incoming(x) for x in supporters],
        attackers=[incoming(x) for x in attackers],
        uses=uses,
        standing=standing,
        tags=list(st.tags),
        note=st.note,
        focus_href=page_path(m.id, msgspec.structs.replace(view, focus=statement_id).query(statement=statement_id)),
        json_href=api_path(m.id, f"/statements/{quote(statement_id, safe='')}", urlencode(view.past())),
    )


def quote_in_context(st: Statement, source: Source, width: int = QUOTE_CONTEXT) -> tuple[str, str, str] | None:
    """The statement's quote with up to ``width`` characters of its source on each side,
    cut at a space and marked with an ellipsis where the source goes on.

    >>> from argmap.model import Quote
    >>> src = Source(id="a", title="A", text="One two three. Four five six. Seven.")
    >>> st = Statement(id="s", text="x", source="a", quote=Quote(start=15, end=29))
    >>> quote_in_context(st, src, width=8)
    ('…three. ', 'Four five six.', ' Seven.')
    """
    if st.quote is None or source.text is None or st.quote.end > len(source.text):
        return None
    text, start, end = source.text, st.quote.start, st.quote.end
    lo, hi = max(0, start - width), min(len(text), end + width)
    if lo > 0 and (cut := text.find(" ", lo, start)) != -1:
        lo = cut + 1
    if hi < len(text) and (cut := text.rfind(" ", end, hi)) != -1:
        hi = cut
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return before, text[start:end], after


def map_page(
    m: Map,
    view: View,
    *,
    shown: tuple[list, list],
    panel: StatementPanel | None = None,
    problem: str | None = None,
    q: str | None = None,
    hits: list[str] | None = None,
    downloads: list[DownloadGroup] | None = None,
    labels: dict[str, str] | None = None,
    past_at: str | None = None,
) -> MapPage:
    """The page of ``m`` in ``view``; ``shown`` is the (statements, arguments) the view draws
    (:func:`argmap.render.diagram.select`), ``hits`` the ids a search found."""
    refs = statement_refs(m, labels)
    statements, arguments = shown
    return MapPage(
        map=m.info,
        view=view,
        total=len(m.statements),
        shown=len(statements),
        statements={s.id: refs[s.id] for s in statements},
        choices=[(s.id, _short(s.text)) for s in m.statements],
        outline=outline(statements, arguments),
        diagram_src=api_path(m.id, "/diagram.svg", view.drawing_query("diagram")),
        timeline_src=api_path(m.id, "/timeline.svg", view.drawing_query("timeline")),
        panel=panel,
        problem=problem,
        q=q,
        hits=None if hits is None else [refs[h] for h in hits if h in refs],
        downloads=downloads or [],
        standing_semantics=view.semantics if labels and view.evaluates else None,
        past_at=past_at,
    )


def downloads(map_id: str, view: View, available: set[str]) -> list[DownloadGroup]:
    """Links to every export the server has (``available`` holds paths after ``/maps/{map}``,
    e.g. ``/diagram.pdf`` or ``.argdown``); drawings follow the view, so a focused page
    downloads what it shows.

    >>> [g.title for g in downloads("m", View(), {"/diagram.svg", ".argdown"})]
    ['Diagram', 'The whole map']
    """
    groups: dict[str, list[Link]] = {}
    for e in CATALOGUE.values():  # the export catalogue's records that have a link label
        if e.label and e.path in available:
            if e.name in ("diagram", "timeline"):
                query = view.drawing_query(e.name)
            elif e.scoped and view.focus is not None:
                query = urlencode([("focus", view.focus), ("depth", str(view.depth)), *view.past()])
            else:
                query = urlencode(view.past())
            group = e.group or e.name.capitalize()
            groups.setdefault(group, []).append(Link(label=e.label, href=api_path(map_id, e.path, query), note=e.note))
    return [DownloadGroup(title=t, links=links) for t, links in groups.items()]


# -- Implementation details ----------------------------------------------------------------


def _source_ref(src: Source) -> SourceRef:
    url = src.url if src.url and src.url.lower().startswith(("http://", "https://")) else None
    return SourceRef(id=src.id, title=src.title, publisher=src.publisher,
                     published=_date_label(src.published), url=url)


def _date_label(edtf: str | None) -> str | None:
    return partial_date(edtf).label() if edtf else None


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
