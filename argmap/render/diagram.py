"""Argument diagrams: an already-scoped map drawn by Graphviz (SVG, PDF, PNG or DOT).

:func:`build_graph` makes one ``pydot.Dot``; every output is that graph plus one conversion
(:data:`CONVERSIONS`). The visual grammar (boxes, inference nodes, colours and line styles)
and the escaping rules for untrusted text are in docs/ARCHITECTURE.md; the export records
that serve these files are in ``argmap/exports/diagram.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from collections import defaultdict
from typing import Annotated, Callable, Literal, Mapping

import msgspec
import pydot
from msgspec import Meta

from argmap.errors import DanglingReference, InvalidInput, LimitExceeded, Problem, from_validation_error
from argmap.model import Argument, Id, Map, Speaker, Statement
from argmap.schemes import question_states, resolve
from argmap.scope import MAX_DEPTH, Scope
from argmap.scope import select as select_scope

__all__ = [
    "CONVERSIONS",
    "DEFAULT_TIMEOUT",
    "DiagramOptions",
    "MAX_STATEMENTS",
    "build_graph",
    "dot_string",
    "html_text",
    "options_from",
    "render",
    "select",
]

Label = Literal["in", "out", "undec"]

#: Seconds ``dot`` may take before the export is refused with LimitExceeded.
DEFAULT_TIMEOUT = 20.0
#: Views larger than this are refused before layout: past 1,000 statements ``dot``'s time grows
#: steeply (figures in benchmarks/diagram.py), and a drawing of that many boxes is past reading.
MAX_STATEMENTS = 1000


class DiagramOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What to draw and how. Every field has a default: ``DiagramOptions()`` draws the whole map.

    Parameters
    ----------
    focus
        Draw only the part of the map around this statement (it gets a heavy border).
    depth
        With ``focus``: how many arguments away from it a statement may be. Undercuts come
        with the argument they undercut; linked premises always come together.
    rankdir
        ``TB``: conclusions at the top, their reasons below. ``LR``: conclusions on the left,
        reasons to their right.
    group_by_speaker
        Draw each speaker's statements inside one labelled frame.
    labels
        Evaluation labels by statement or argument id (``in``, ``out``, ``undec``), e.g. from
        argmap.semantics; ids missing from the dict are drawn unlabelled.
    title
        Instead of the map's title.
    legend
        Draw the legend frame.
    questions
        Draw each argument's open critical questions (argmap.schemes) as one dotted pending
        undercut, its tooltip listing them.

    Examples
    --------
    >>> options_from({"focus": "c", "depth": "1", "rankdir": "LR"}).depth
    1
    """

    focus: Id | None = None
    depth: Annotated[int, Meta(ge=0, le=MAX_DEPTH)] = 2
    rankdir: Literal["LR", "TB"] = "TB"
    group_by_speaker: bool = False
    labels: Annotated[dict[Id, Label], Meta(max_length=1_000_000)] | None = None
    title: Annotated[str, Meta(min_length=1, max_length=500)] | None = None
    legend: bool = True
    questions: bool = False


def options_from(params: Mapping[str, object]) -> DiagramOptions:
    """Validate options from a query string, CLI or JSON body; strings such as ``"2"`` and
    ``"true"`` are read as numbers and booleans. Raises InvalidInput naming the field."""
    try:
        return msgspec.convert(dict(params), DiagramOptions, strict=False)
    except msgspec.ValidationError as e:
        p = from_validation_error(e).problems[0]
        # "$.depth" reads oddly for a query parameter or an option: say "depth".
        field, reason = p.field.removeprefix("$."), p.reason
        if m := re.search(r"unknown field `([^`]*)`", reason):
            field, reason = m[1], f"unknown option; the options are {', '.join(DiagramOptions.__struct_fields__)}"
        raise InvalidInput(field, reason) from None


def select(m: Map, focus: str | None = None, depth: int = 2) -> tuple[list[Statement], list[Argument]]:
    """The statements and arguments a view shows, in map order (:func:`argmap.scope.select`)."""
    sub = select_scope(m, Scope(focus=focus, depth=depth if focus is not None else None))
    return sub.statements, sub.arguments


def build_graph(m: Map, options: DiagramOptions | None = None, *, scoped: bool = False) -> pydot.Dot:
    """The one Graphviz graph every output is made from.

    With ``scoped``, ``m`` is already the part to draw (``options.focus`` is then only marked
    and named in the title); otherwise the focus and depth of ``options`` select it.
    Raises DanglingReference for an unknown focus or labelled id, InvalidInput for bad options,
    and LimitExceeded when the view has more than :data:`MAX_STATEMENTS` statements.
    """
    options = _checked(options or DiagramOptions())
    if scoped:
        statements, arguments = m.statements, m.arguments
    else:
        statements, arguments = select(m, options.focus, options.depth)
    if len(statements) > MAX_STATEMENTS:
        raise LimitExceeded(
            "focus",
            f"the diagram would have {len(statements):,} statements; the limit is {MAX_STATEMENTS:,}. "
            "Focus on one statement (focus and depth) to draw part of the map",
        )
    labels = options.labels or {}
    _check_labels(m, labels)
    return _Builder(m, options, labels).graph(statements, arguments)


def _dot_source(graph: pydot.Dot, timeout: float) -> bytes:
    return graph.to_string().encode("utf-8")


def _via_dot(fmt: str, *args: str, tidy: Callable[[bytes], bytes] | None = None):
    def convert(graph: pydot.Dot, timeout: float) -> bytes:
        out = _run_dot(_dot_source(graph, timeout), [f"-T{fmt}", *args], timeout)
        return tidy(out) if tidy else out

    return convert


def render(m: Map, fmt: str, options: DiagramOptions | None = None, *, timeout: float = DEFAULT_TIMEOUT,
           scoped: bool = False) -> bytes:
    """The diagram of ``m`` as ``svg``, ``pdf``, ``png`` or ``dot`` bytes (``scoped``: as in
    :func:`build_graph`).

    Raises InvalidInput for an unknown format, and what :func:`build_graph` and ``dot`` raise.
    """
    try:
        convert = CONVERSIONS[fmt]
    except KeyError:
        raise InvalidInput("format", f"unknown diagram format {fmt!r}; use one of {', '.join(CONVERSIONS)}") from None
    return convert(build_graph(m, options, scoped=scoped), timeout)


# -- escaping ----------------------------------------------------------------------------------

# Characters XML 1.0 forbids (so an SVG holding them would not parse), plus DEL and the C1
# controls, which draw as nothing or as boxes: each becomes U+FFFD, visibly "something was here".
_UNSHOWABLE_CLASS = "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_UNSHOWABLE = re.compile(_UNSHOWABLE_CLASS)
# Most strings need no escaping at all; one search finds those that do.
_HTML_SPECIAL = re.compile(r'[&<>"\\]|' + _UNSHOWABLE_CLASS)
_DOT_SPECIAL = re.compile(r'[&<>"\\\n\r\t]|' + _UNSHOWABLE_CLASS)


def _xml_text(text: str) -> str:
    # str.replace chains: several times faster than str.translate with a dict, and a diagram
    # escapes thousands of strings.
    return _showable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _showable(text: str) -> str:
    return _UNSHOWABLE.sub("\ufffd", text)


def html_text(text: str) -> str:
    """``text`` as character data of a Graphviz HTML-like label: markup characters escaped,
    unshowable controls replaced by U+FFFD, every other character (Cyrillic, Arabic, emoji) kept.

    >>> html_text('<B>"x" & y</B> \\\\N\\x00')
    '&lt;B&gt;&quot;x&quot; &amp; y&lt;/B&gt; &#92;&#92;N\\ufffd'
    """
    if not _HTML_SPECIAL.search(text):
        return text
    # Graphviz reads backslash escapes in label text once (\N would become the node's name,
    # \G the graph's): a backslash is written twice, as entities.
    return _xml_text(text).replace("\\", "&#92;" * 2)


def dot_string(text: str) -> str:
    """``text`` as a quoted DOT string for an escString attribute (``tooltip``, ``id``), which
    Graphviz writes into SVG attributes and ``<title>`` as exactly ``text``.

    >>> dot_string('say "hi" \\\\ & <go>')
    '"say &quot;hi&quot; &#92;&#92;&#92;&#92; &amp; &lt;go&gt;"'
    """
    if not _DOT_SPECIAL.search(text):
        return '"' + text + '"'
    # Graphviz decodes entities in escString attributes, then reads backslash escapes twice
    # (\N becomes the node's name, \L its label, \\ a backslash), and a DOT string cannot end
    # in a backslash at all. So quote and backslash are written as entities, the backslash
    # four times over to survive both passes: no raw quote or backslash remains.
    text = _xml_text(text).replace("\\", "&#92;" * 4).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\n", "&#10;").replace("\t", "&#9;")
    if len(text) <= _DOT_CHUNK:
        return '"' + text + '"'
    return " + ".join(f'"{piece}"' for piece in _dot_pieces(text))


# Graphviz's lexer refuses a quoted string longer than 16,384 bytes ("longer than 16384?"), and
# escaping makes one character up to 20 (a backslash is "&#92;" four times). DOT joins quoted
# strings with "+", so a long value (a 100,000-character statement in a tooltip) is written as
# pieces of at most _DOT_CHUNK characters, each at most 4 bytes in UTF-8, never cut inside an
# entity: the SVG <title> still carries the whole text.
_DOT_CHUNK = 4000


def _dot_pieces(text: str) -> list[str]:
    pieces, start = [], 0
    while len(text) - start > _DOT_CHUNK:
        cut = start + _DOT_CHUNK
        amp = text.rfind("&", cut - 8, cut)  # entities here are at most 6 characters long
        if amp != -1 and text.find(";", amp, cut) == -1:
            cut = amp
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


# -- the graph ---------------------------------------------------------------------------------


class _Verbatim:
    """An attribute value that is DOT already (quoted by :func:`dot_string`, or an HTML-like
    label). pydot writes a value that is not a ``str`` as it is; a ``str`` it re-examines
    character by character in Python to decide on quoting, which took half the export time."""

    __slots__ = ("dot",)

    def __init__(self, dot: str):
        self.dot = dot

    def __str__(self) -> str:
        return self.dot


def _attrs(**attrs: str | _Verbatim) -> dict[str, _Verbatim]:
    """Attribute values as DOT: every ``str`` through :func:`dot_string`, labels as they are."""
    return {k: v if isinstance(v, _Verbatim) else _Verbatim(dot_string(v)) for k, v in attrs.items()}


def _html(markup: str) -> _Verbatim:
    """An HTML-like label; ``markup`` is our tags around pieces escaped by :func:`html_text`."""
    return _Verbatim(f"<{markup}>")


FONT = "DejaVu Sans"
KINDS = {  # colour, line style, arrowhead at the target, glyph in the inference node
    "support": ("#1b7837", "solid", "normal", "+"),
    "attack": ("#d55e00", "dashed", "tee", "\u2212"),
    "undercut": ("#7b3294", "dotted", "tee", "\u00d7"),
}
VERBS = {"support": "supports", "attack": "attacks", "undercut": "undercuts"}
STATEMENT_STYLE = {  # shape style, fill, border colour, words in the id line
    "claim": ("rounded,filled", "#ffffff", "#333333", ""),
    "event": ("filled", "#e8f0fa", "#2b5d8a", "EVENT"),
    "derived": ("rounded,dashed,filled", "#ffffff", "#333333", "DERIVED"),
}
LABEL_STYLE = {  # fill, text colour, words
    "in": ("#d5efdc", "#000000", "IN"),
    "out": ("#ececec", "#6b6b6b", "OUT"),
    "undec": ("#fdf0c4", "#000000", "UNDECIDED"),
}
WRAP = 38  # characters a line: boxes about as wide as a printed column
MAX_SHOWN = 320  # characters of text in a box; the tooltip has the rest
_WRAPPER = textwrap.TextWrapper(WRAP, break_on_hyphens=False)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:~-]*$")


def _checked(options: DiagramOptions) -> DiagramOptions:
    # Struct constructors do not check constraints; a round trip through convert does.
    return options_from(msgspec.structs.asdict(options))


def _check_labels(m: Map, labels: dict[str, str]) -> None:
    known = {s.id for s in m.statements} | {a.id for a in m.arguments}
    unknown = [k for k in labels if k not in known]
    if unknown:
        raise DanglingReference(
            problems=[Problem(f"labels.{k}", f"no statement or argument {k!r} in map {m.id!r}") for k in unknown]
        )


def _name(id_: str) -> str:
    # Node names are ids, which the model restricts to characters that need no escaping; a
    # Struct built in Python skips that check, so it is repeated before an id reaches DOT.
    if not _ID.match(id_):
        raise InvalidInput("id", f"{id_[:80]!r} is not a valid id (letters, digits and _ . : ~ -)")
    return f'"{id_}"'


def _badge(scheme: str | None) -> str | None:
    """The short badge drawn beside an argument: its catalogued scheme's, or its scheme text
    shortened (ending in "?") when the catalogue does not know it; none for a placeholder
    such as AIF's "Default Inference"."""
    if not scheme:
        return None

    r = resolve(scheme)
    if r.scheme is not None:
        return r.scheme.badge
    if r.status == "unmappable":
        return None
    text = " ".join(scheme.split())
    return (text[:13] + "…" if len(text) > 14 else text) + "?"


class _Builder:
    def __init__(self, m: Map, options: DiagramOptions, labels: dict[str, str]):
        self.m, self.options, self.labels = m, options, labels
        self.speakers = {s.id: s for s in m.speakers}
        self.sources = {s.id: s for s in m.sources}
        # Graphviz places a cluster's label by rank direction: "b" is the top when ranks run up.
        self._cluster_labelloc = "b" if options.rankdir == "TB" else "t"

    def graph(self, statements: list[Statement], arguments: list[Argument]) -> pydot.Dot:
        o = self.options
        g = pydot.Dot("argmap", graph_type="digraph", **_attrs(
            id=f"map/{self.m.id}",
            # Conclusions first in reading order: Graphviz ranks along the arrows, which run
            # from reasons to conclusions, so "conclusions at the top" is its bottom-to-top.
            rankdir={"TB": "BT", "LR": "RL"}[o.rankdir],
            label=_html(self._title(statements, arguments)),
            tooltip=o.title or self.m.title,
            labelloc="t", fontname=FONT, nodesep="0.25", ranksep="0.35", newrank="true",
            bgcolor="white", pad="0.2",
        ))
        # Defaults carry the common look (a claim's box, an edge without arrowhead), so each
        # element states only how it differs: a shorter DOT file, and less to write.
        style, fill, border, _ = STATEMENT_STYLE["claim"]
        g.set_node_defaults(**_attrs(fontname=FONT, fontsize="10", margin="0.1,0.06", shape="box",
                                     style=style, fillcolor=fill, color=border, penwidth="1.2"))
        g.set_edge_defaults(**_attrs(fontname=FONT, fontsize="9", penwidth="1.4", arrowhead="none"))
        by_speaker: dict[str | None, list[Statement]] = defaultdict(list)
        for st in statements:
            by_speaker[st.speaker if o.group_by_speaker else None].append(st)
        for speaker_id, group in by_speaker.items():
            parent = g if speaker_id is None else self._speaker_cluster(g, speaker_id)
            for st in group:
                parent.add_node(self._statement(st))
        shown = {s.id for s in statements} | {a.id for a in arguments}
        by_kind: dict[str, list[Argument]] = defaultdict(list)
        for a in arguments:
            by_kind[a.kind].append(a)
        # One subgraph per kind holds that kind's look. Undercuts come last: their arrows end on
        # the other inference nodes, and a node first named in an edge would take the defaults
        # of the subgraph it is named in.
        for kind in KINDS:
            if by_kind[kind]:
                g.add_subgraph(self._arguments(kind, by_kind[kind], shown))
        if o.questions:
            self._pending_questions(g, arguments)
        if o.legend:
            self._legend(g)
        return g

    def _title(self, statements: list[Statement], arguments: list[Argument]) -> str:
        o = self.options
        view = f"{len(statements)} statements, {len(arguments)} arguments"
        if o.focus is not None:
            view += f" around {o.focus}, at most {o.depth} step{'' if o.depth == 1 else 's'} away"
        return (f'<FONT POINT-SIZE="16"><B>{html_text(o.title or self.m.title)}</B></FONT><BR/>'
                f'<FONT POINT-SIZE="10" COLOR="#555555">{html_text(view)}</FONT>')

    def _speaker_cluster(self, g: pydot.Dot, speaker_id: str) -> pydot.Cluster:
        sp = self.speakers.get(speaker_id)
        c = pydot.Cluster(f"speaker/{_name(speaker_id)[1:-1]}", **_attrs(  # pydot prefixes cluster_
            id=f"speaker/{speaker_id}",
            label=_html(f"<B>{html_text(sp.label if sp else speaker_id)}</B>"),
            tooltip=_speaker_line(sp) if sp else speaker_id,
            style="rounded,filled", fillcolor="#f6f6f6", color="#bbbbbb", fontsize="11",
            labeljust="l", labelloc=self._cluster_labelloc,
        ))
        g.add_subgraph(c)
        return c

    def _statement(self, st: Statement) -> pydot.Node:
        style, fill, border, kind_word = STATEMENT_STYLE[st.kind]
        look = {} if st.kind == "claim" else {"style": style, "fillcolor": fill, "color": border}
        marks = [kind_word] if kind_word else []
        if (lab := self.labels.get(st.id)) is not None:
            look["fillcolor"], look["fontcolor"], word = LABEL_STYLE[lab]
            marks.append(word)
        if st.id == self.options.focus:
            look["penwidth"] = "3"
        sp = self.speakers.get(st.speaker) if st.speaker else None
        head = f"<B>{html_text(_clip(st.id, WRAP))}</B>"
        if marks:
            head += f'  <FONT POINT-SIZE="8">{" · ".join(marks)}</FONT>'
        # Whitespace is normalised before wrapping, so a newline can only be a line break here.
        rows = [head, html_text("\n".join(_wrap(st.text))).replace("\n", "<BR/>")]
        # In a speaker's frame the frame names the speaker; each box then needs only the date.
        who = None if self.options.group_by_speaker else (sp.label if sp else st.speaker)
        foot = [x for x in (who, st.date.label() if st.said else None) if x]
        if foot:
            rows.append(f'<FONT POINT-SIZE="9" COLOR="#444444">{html_text(" · ".join(foot))}</FONT>')
        table = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{r}</TD></TR>' for r in rows)
        return pydot.Node(_name(st.id), **_attrs(
            id=st.id,
            label=_html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{table}</TABLE>'),
            tooltip=self._statement_tooltip(st, sp),
            **look,
        ))

    def _statement_tooltip(self, st: Statement, sp: Speaker | None) -> str:
        lines = [st.text]
        who = _speaker_line(sp) if sp else st.speaker
        when = f"{st.date.label()} ({st.said})" if st.said else None
        if who or when:
            lines.append("— " + ", ".join(x for x in (who, when) if x))
        for field, prefix in ((st.source, "Source"), (st.date_source, "Date from")):
            if field and (src := self.sources.get(field)):
                extra = ", ".join(x for x in (src.publisher, src.published) if x)
                lines.append(f"{prefix}: {src.title}" + (f" ({extra})" if extra else ""))
        if st.note:
            lines.append(f"Note: {st.note}")
        lines.append(f"[{st.kind} {st.id}]")
        return "\n".join(lines)

    def _arguments(self, kind: str, arguments: list[Argument], shown: set[str]) -> pydot.Subgraph:
        colour, line, arrowhead, glyph = KINDS[kind]
        sub = pydot.Subgraph(f"kind/{kind}")
        sub.set_node_defaults(**_attrs(shape="circle", fixedsize="true", width="0.24", fontsize="11",
                                       style="filled", label=glyph, fillcolor=colour, fontcolor="#ffffff",
                                       color=colour))
        sub.set_edge_defaults(**_attrs(color=colour, style=line))
        edges = []
        for a in arguments:
            for ref in (*a.premises, a.target):
                if ref not in shown:  # only a Map built in Python, unchecked, gets here
                    raise DanglingReference(f"arguments.{a.id}", f"{ref!r} is not in the map")
            look = {}
            what = f"{a.kind} {a.id}" + (f" ({a.scheme})" if a.scheme else "")
            if (lab := self.labels.get(a.id)) is not None:
                what += f", {LABEL_STYLE[lab][2].lower()}"
                if lab != "in":  # hollow or pale: this inference does not (surely) go through
                    look = {"fillcolor": "#ffffff" if lab == "out" else "#fdf0c4", "fontcolor": colour}
            tip = f"{what}: {' + '.join(a.premises)} {VERBS[a.kind]} {a.target}"
            # The scheme's badge sits at the inference end of the arrow to the target: an edge's
            # tail label keeps its own size and colour (an xlabel would take the node's white).
            badge = _badge(a.scheme)
            tail = {"taillabel": badge, "labelfontsize": "8", "labelfontcolor": "#444444", "labeldistance": "2.2",
                    "labelangle": "-35"} if badge else {}
            sub.add_node(pydot.Node(_name(a.id), **_attrs(
                id=a.id, tooltip=tip + (f"\nNote: {a.note}" if a.note else ""), **look)))
            for i, p in enumerate(a.premises):
                edges.append(pydot.Edge(_name(p), _name(a.id), **_attrs(
                    id=f"{a.id}/premise/{p}", tooltip=f"{p}: premise {i + 1} of {len(a.premises)} of {what}")))
            edges.append(pydot.Edge(_name(a.id), _name(a.target), **_attrs(
                id=f"{a.id}/target", arrowhead=arrowhead, arrowsize="1",
                # weight keeps the inference node near its target, shortening the long arrows
                weight="2", tooltip=f"{what} {VERBS[a.kind]} {a.target}",
                **({"penwidth": "2"} if kind == "undercut" else {}), **tail,
            )))
        for e in edges:  # after every node of the subgraph, for the reason given in graph()
            sub.add_edge(e)
        return sub

    def _pending_questions(self, g: pydot.Dot, arguments: list[Argument]) -> None:
        """One dotted node per argument with open critical questions, undercutting it."""
        states = question_states(self.m)
        colour = KINDS["undercut"][0]
        sub = pydot.Subgraph("questions/")
        sub.set_node_defaults(**_attrs(shape="box", style="rounded,dotted", color=colour, fontcolor=colour,
                                       fontsize="8", margin="0.04,0.02"))
        sub.set_edge_defaults(**_attrs(color=colour, style="dotted", arrowhead="tee"))
        for a in arguments:
            pending = [q for q in states[a.id].questions if q.state == "open"] if a.id in states else []
            if not pending:
                continue
            key = f'"{a.id}/questions"'
            tip = f"open critical questions of {a.id} ({states[a.id].scheme_id}):\n" + "\n".join(
                f"[{q.kind}] {q.id}: {q.text}" for q in pending)
            sub.add_node(pydot.Node(key, **_attrs(id=f"{a.id}/questions", label=f"? {len(pending)} open",
                                                  tooltip=tip)))
            sub.add_edge(pydot.Edge(key, _name(a.id), **_attrs(id=f"{a.id}/questions/target", tooltip=tip)))
        g.add_subgraph(sub)

    def _legend(self, g: pydot.Dot) -> None:
        c = pydot.Cluster("legend/", **_attrs(
            id="legend/", label=_html("<B>Legend</B>"), labelloc=self._cluster_labelloc,
            tooltip="Legend", style="rounded", color="#999999", fontsize="10",
        ))
        g.add_subgraph(c)
        top_down = self.options.rankdir == "TB"
        # Top-down, every sample shares one rank: a row, which dot fills right to left, hence
        # the reversal. Left to right, the samples stack, and `group` keeps each one straight.
        row = pydot.Subgraph("legend/row", rank="same") if top_down else c
        if top_down:
            c.add_subgraph(row)
        samples: list[list[pydot.Node | pydot.Edge]] = []
        for kind, (colour, line, arrowhead, glyph) in KINDS.items():
            # A relation drawn as the real thing: inference node, line, and the verb at its end.
            key = f"legend/{kind}"
            samples.append([
                pydot.Node(f'"{key}"', **_attrs(
                    id=key, shape="circle", fixedsize="true", width="0.24", label=glyph, fontsize="11",
                    style="filled", fillcolor=colour, fontcolor="#ffffff", color=colour, group=key,
                    tooltip=f"an inference node: {kind}")),
                pydot.Node(f'"{key}/to"', **_attrs(
                    id=f"{key}/to", shape="plaintext", height="0.2", label=VERBS[kind], fontcolor=colour,
                    fontsize="9", group=key, tooltip=VERBS[kind])),
                pydot.Edge(f'"{key}"', f'"{key}/to"', **_attrs(
                    id=f"{key}/edge", color=colour, style=line, arrowhead=arrowhead, arrowsize="1",
                    penwidth="2" if kind == "undercut" else "1.4", minlen="2" if top_down else "1",
                    tooltip=VERBS[kind])),
            ])
        boxes = [(kind, words, *STATEMENT_STYLE[kind][:3], "#000000")
                 for kind, words in (("claim", "claim"), ("event", "event"), ("derived", "derived conclusion"))]
        if self.labels:
            boxes += [(lab, f"evaluated {word.lower()}", "rounded,filled", fill, "#333333", fontcolor)
                      for lab, (fill, fontcolor, word) in LABEL_STYLE.items()]
        for key, words, style, fill, border, fontcolor in boxes:
            samples.append([pydot.Node(f'"legend/{key}"', **_attrs(
                id=f"legend/{key}", style=style, fillcolor=fill, color=border, fontcolor=fontcolor,
                label=words, fontsize="9", tooltip=words,
            ))])
        for sample in reversed(samples) if top_down else samples:
            for item in sample:
                (row.add_edge if isinstance(item, pydot.Edge) else row.add_node)(item)


def _speaker_line(sp: Speaker) -> str:
    extra = ", ".join(x for x in (sp.role if sp.name else None, sp.affiliation) if x)
    return sp.label + (f" ({extra})" if extra else "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: str) -> list[str]:
    # Controls first, as everywhere: str.split() would take some (\x1c-\x1f, \x85) for spaces.
    return _WRAPPER.wrap(_clip(" ".join(_showable(text).split()), MAX_SHOWN)) or [""]


# -- running Graphviz --------------------------------------------------------------------------


def _run_dot(source: bytes, args: list[str], timeout: float) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("Graphviz is not installed (no `dot` program); install it with `apt-get install graphviz`")
    try:
        done = subprocess.run([exe, *args], input=source, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LimitExceeded(
            "timeout",
            f"Graphviz took longer than {timeout:g} s to lay out this diagram; "
            "focus on one statement (focus and depth) to draw part of the map",
        ) from None
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz dot failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout


# Graphviz wraps each element that has a tooltip as
#   <title>name</title>\n<g id="a_ID"><a xlink:title="TOOLTIP">\nSHAPES</a>\n</g>
# Its output escapes every "<" and '"' inside text and attribute values, so these patterns
# cannot be fooled by the text they skip over.
_ANCHORED = re.compile(
    rb'<title>[^<]*</title>\n<g id="[^"]*"><a xlink:title="([^"]*)">\n(.*?)</a>\n</g>\n', re.S
)
_DOCTYPE_AND_COMMENTS = re.compile(rb"<!DOCTYPE[^>]*>\n?|<!--.*?-->\n?", re.S)


def _tidy_svg(data: bytes) -> bytes:
    """Move each tooltip into its element's own ``<title>`` (what browsers and screen readers
    show) and drop Graphviz's ``<a>`` wrappers, so that no link element is left and no id is
    duplicated (Graphviz names the wrapper ``a_`` + id, which may be another statement's id);
    drop the DOCTYPE, which names a remote DTD, and the comments, which repeat node names.

    Text substitution rather than an XML parser: this output's layout is fixed by Graphviz,
    and parsing and re-serialising took a quarter of ``dot``'s own time on the seed map. The
    tests parse every output and check that no ``<a>`` is left.
    """
    data = _ANCHORED.sub(rb"<title>\1</title>\n\2", data)
    return _DOCTYPE_AND_COMMENTS.sub(b"", data)


CONVERSIONS: dict[str, Callable[[pydot.Dot, float], bytes]] = {
    "svg": _via_dot("svg", tidy=_tidy_svg),
    "pdf": _via_dot("pdf"),
    # At most 100 inches (9,600 px) a side: a 1,000-statement map otherwise makes cairo draw a
    # 40,000 px bitmap (9 s, 770 MB); scaled to fit, it takes 0.7 s and 100 MB.
    "png": _via_dot("png", "-Gsize=100,100"),
    "dot": _dot_source,
}
"""Format → how the graph becomes bytes ``(graph, timeout)``; argmap/exports/diagram.py serves them."""
