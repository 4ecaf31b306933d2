"""The diagram as a Mermaid flowchart, for Markdown in GitHub, GitLab, Obsidian and Notion.

The same grammar as the Graphviz diagram: statements as boxes, each argument a small round
inference node joining its premises to its target; support solid, attack dotted, undercut
thick, each with its own colour and glyph (+ − ×). Node ids are generated (``s0``, ``a0``):
Mermaid's grammar reserves words and characters our ids may hold. Text goes inside quoted
labels with every character that Mermaid or its HTML could read as syntax written as a
Mermaid entity (``#35;``), so no statement text can end a label or start markup.
"""

from __future__ import annotations

import re

from argmap.exports import Export, Job
from argmap.exports.diagram import DiagramParams

__all__ = ["EXPORTS", "escape", "flowchart"]

# Kind → (arrow, colour, glyph); the colours are the Graphviz diagram's.
_KINDS = {"support": ("---", "-->", "#1b7837", "+"), "attack": ("-.-", "-.->", "#d55e00", "\u2212"),
          "undercut": ("===", "==>", "#7b3294", "\u00d7")}
_STATUS = {"in": "fill:#d5efdc", "out": "fill:#ececec,color:#6b6b6b", "undec": "fill:#fdf0c4"}
# Letters, digits, spaces and plain punctuation stay as they are; anything else is an entity.
_SAFE = re.compile(r"[^\w ,.:!?'()/@+=*-]")
MAX_SHOWN = 320  # characters of text in a box, as in the Graphviz diagram


def escape(text: str) -> str:
    """``text`` for inside a quoted Mermaid label: ``"``, ``#``, ``<``, ``;``, backslashes,
    braces and controls become ``#NNN;`` entities; lines are joined with spaces.

    >>> escape('say "hi" <b>#1;')
    'say #34;hi#34; #60;b#62;#35;1#59;'
    """
    text = " ".join(text.split())
    return _SAFE.sub(lambda c: f"#{ord(c[0])};", text)


def flowchart(job: Job) -> str:
    """The Mermaid source of the scoped map."""
    m, o = job.map, job.options
    labels = job.labels or {}
    speakers = {s.id: s for s in m.speakers}
    ids = {s.id: f"s{i}" for i, s in enumerate(m.statements)} | {a.id: f"a{i}" for i, a in enumerate(m.arguments)}
    lines = ["---", f"title: \"{escape(o.title or m.title)}\"", "---",
             f"flowchart {'BT' if o.rankdir == 'TB' else 'RL'}"]
    for s in m.statements:
        text = s.text if len(s.text) <= MAX_SHOWN else s.text[: MAX_SHOWN - 1] + "…"
        who = speakers[s.speaker].label if s.speaker in speakers else s.speaker
        foot = " · ".join(x for x in (who, s.date.label() if s.said else None) if x)
        head = s.id + ("" if s.kind == "claim" else f" ({s.kind})") + (f" [{labels[s.id]}]" if s.id in labels else "")
        label = f"<b>{escape(head)}</b><br/>{escape(text)}" + (f"<br/><i>{escape(foot)}</i>" if foot else "")
        shape = ('["', '"]') if s.kind == "event" else ('("', '")')
        lines.append(f"  {ids[s.id]}{shape[0]}{label}{shape[1]}")
    links: dict[str, list[int]] = {k: [] for k in _KINDS}
    n = 0
    for a in m.arguments:
        line, arrow, _, glyph = _KINDS[a.kind]
        lines.append(f'  {ids[a.id]}(("{escape(glyph)}"))')
        lines.append(f"  class {ids[a.id]} {a.kind}")
        for p in a.premises:
            lines.append(f"  {ids[p]} {line} {ids[a.id]}")
            links[a.kind].append(n)
            n += 1
        lines.append(f"  {ids[a.id]} {arrow} {ids[a.target]}")
        links[a.kind].append(n)
        n += 1
    for kind, (_, _, colour, _) in _KINDS.items():
        lines.append(f"  classDef {kind} fill:{colour},stroke:{colour},color:#ffffff")
        if links[kind]:
            lines.append(f"  linkStyle {','.join(map(str, links[kind]))} stroke:{colour}")
    for status, style in _STATUS.items():
        shown = [ids[s.id] for s in m.statements if labels.get(s.id) == status]
        if shown:
            lines.append(f"  classDef {status} {style}")
            lines.append(f"  class {','.join(shown)} {status}")
    if job.scope.focus in ids:
        lines.append(f"  style {ids[job.scope.focus]} stroke-width:3px")
    return "\n".join(lines) + "\n"


EXPORTS = [
    Export(name="diagram", suffix="mmd", media_type="text/vnd.mermaid; charset=utf-8", options=DiagramParams,
           make=lambda job: flowchart(job).encode("utf-8"), evaluate=lambda o: o.evaluate, label="Mermaid",
           note="flowchart for Markdown", group="Diagram",
           summary="The argument diagram as SVG, PDF, PNG, Graphviz DOT, Mermaid or TikZ"),
]
