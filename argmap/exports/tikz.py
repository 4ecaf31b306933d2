"""The diagram as a LaTeX document drawn with TikZ, for handouts: Graphviz's layout, LaTeX's type.

Positions come from Graphviz (the Graphviz diagram's own graph, laid out by ``dot -Tjson``),
so the TikZ picture is the SVG's layout; text is typeset by LaTeX. Every piece of text is
escaped for LaTeX (``\\ { } $ & # ^ _ % ~`` and controls); characters beyond ASCII and the
Latin-1 letters, which pdfLaTeX's basic fonts lack, are written as their code point
(``[U+0416]``) rather than breaking the build. The document needs only ``tikz``; compile it with ``pdflatex``.
"""

from __future__ import annotations

import json
import re

from argmap.exports import Export, Job
from argmap.exports.diagram import DiagramParams
from argmap.render import diagram

__all__ = ["EXPORTS", "escape", "picture"]

_KINDS = {"support": ("argsupport", "support", "+"), "attack": ("argattack", "attack", "$-$"),
          "undercut": ("argundercut", "undercut", "$\\times$")}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
            "|": r"\textbar{}", "-": "-{}", '"': r"{\ttfamily\char34}", "[": "{[}", "]": "{]}",
            # Typography the article and speakers use, which pdfLaTeX sets with its own ligatures:
            "\u201c": "``", "\u201d": "''", "\u2018": "`", "\u2019": "'", "\u2013": "--", "\u2014": "---",
            "\u2026": r"\ldots{}", "\u2212": "$-$", "\u00d7": r"$\times$", "\u00b7": r"$\cdot$", "\u00a0": " ", "\u20ac": "EUR"}
# Kept as they are: printable ASCII and the Latin-1 letters (pdfLaTeX's OT1 fonts compose their
# accents); other Latin-1 signs (½ ° ©) need text-companion fonts the basic install lacks.
_NEEDS = re.compile(r'[\\{}$&#^_%~<>|"\[\]-]|[^\x20-\x7e\xc0-\xd6\xd8-\xf6\xf8-\xff]')


def escape(text: str) -> str:
    """``text`` as LaTeX text: specials escaped, whitespace runs as one space, anything pdfLaTeX
    cannot set shown as its code point.

    >>> print(escape("50% of {x} & $y_1 \\\\ #2 ~ Ж"))
    50\\% of \\{x\\} \\& \\$y\\_1 \\textbackslash{} \\#2 \\~{} {[}U+0416{]}
    """
    text = " ".join(text.split())

    def one(c: re.Match) -> str:
        ch = c[0]
        return _SPECIAL.get(ch) or f"{{[}}U+{ord(ch):04X}{{]}}"

    return _NEEDS.sub(one, text)


def picture(job: Job) -> str:
    """The ``tikzpicture`` of the scoped map, placed where Graphviz puts each node."""
    return _picture(job)[0]


def _picture(job: Job) -> tuple[str, tuple[float, float]]:
    """The picture and its size in points (Graphviz's bounding box)."""
    m, o = job.map, job.options
    shown = {s.id for s in m.statements} | {a.id for a in m.arguments}
    labels = {k: v for k, v in (job.labels or {}).items() if k in shown}
    options = diagram.DiagramOptions(focus=job.scope.focus, depth=job.scope.steps, rankdir=o.rankdir,
                                     group_by_speaker=False, title=o.title, legend=False, labels=labels or None)
    graph = diagram.build_graph(m, options, scoped=True)
    layout = json.loads(_layout(graph, job.timeout))
    _, _, w, h = (float(v) for v in layout.get("bb", "0,0,100,100").split(","))
    at = {}
    for obj in layout.get("objects", []):
        if "pos" in obj and obj.get("name", "").strip('"') in shown:
            x, y = (float(v) for v in obj["pos"].split(","))
            at[obj["name"].strip('"')] = (x, y, float(obj.get("width", 1)) * 72)
    speakers = {s.id: s for s in m.speakers}
    out = [r"\begin{tikzpicture}[x=1pt, y=1pt, font=\sffamily\small,",
           r"  statement/.style={draw=black!80, rounded corners=3pt, align=left, inner sep=3pt, fill=white},",
           r"  event/.style={statement, sharp corners, fill=blue!6, draw=blue!60!black},",
           r"  derived/.style={statement, dashed},",
           r"  focus/.style={line width=1.6pt},",
           r"  status in/.style={fill=green!12}, status out/.style={fill=black!8, text=black!60},",
           r"  status undec/.style={fill=yellow!20},",
           r"  inference/.style={circle, inner sep=0pt, minimum size=9pt, text=white, font=\sffamily\bfseries\tiny},",
           r"  argsupport/.style={inference, fill=support}, argattack/.style={inference, fill=attack},",
           r"  argundercut/.style={inference, fill=undercut},",
           r"  support/.style={draw=support, line width=0.8pt},",
           r"  attack/.style={draw=attack, line width=0.8pt, dashed},",
           r"  undercut/.style={draw=undercut, line width=1.2pt, dotted}]"]
    out.append(f"% {escape(o.title or m.title)}")
    for s in m.statements:
        x, y, width = at[s.id]
        who = speakers[s.speaker].label if s.speaker in speakers else s.speaker
        foot = " · ".join(x for x in (who, s.date.label() if s.said else None) if x)
        text = s.text if len(s.text) <= diagram.MAX_SHOWN else s.text[: diagram.MAX_SHOWN - 1] + "…"
        head = escape(s.id) + ("" if s.kind == "claim" else f" ({s.kind.upper()})")
        if s.id in labels:
            head += f" [{labels[s.id].upper()}]"
        body = rf"\textbf{{{head}}}\\ {escape(text)}" + (rf"\\ \textit{{{escape(foot)}}}" if foot else "")
        style = {"claim": "statement", "event": "event", "derived": "derived"}[s.kind]
        extra = "".join([", focus" if s.id == job.scope.focus else "",
                         f", status {labels[s.id]}" if s.id in labels else ""])
        out.append(rf"\node[{style}{extra}, text width={max(width - 8, 30):.1f}pt] ({_name(s.id)}) "
                   rf"at ({x:.1f},{y:.1f}) {{{body}}};")
    for a in m.arguments:
        x, y, _ = at[a.id]
        node_style, line, glyph = _KINDS[a.kind]
        out.append(rf"\node[{node_style}] ({_name(a.id)}) at ({x:.1f},{y:.1f}) {{{glyph}}};")
        for p in a.premises:
            out.append(rf"\draw[{line}] ({_name(p)}) -- ({_name(a.id)});")
        tip = "-{Stealth[length=5pt]}" if a.kind == "support" else "-{Bar[width=6pt]}"
        out.append(rf"\draw[{line}, {tip}] ({_name(a.id)}) -- ({_name(a.target)});")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out) + "\n", (w, h)


def document(job: Job) -> str:
    """A whole LaTeX document around :func:`picture`, on a page the size of the picture."""
    title = escape(job.options.title or job.map.title)
    body, (w, h) = _picture(job)
    return "\n".join([
        r"\documentclass{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{tikz}",
        r"\usetikzlibrary{arrows.meta}",
        rf"\usepackage[margin=24pt,paperwidth={max(w, 200) + 60:.0f}pt,paperheight={max(h, 100) + 100:.0f}pt]{{geometry}}",
        r"\definecolor{support}{HTML}{1B7837}",
        r"\definecolor{attack}{HTML}{D55E00}",
        r"\definecolor{undercut}{HTML}{7B3294}",
        r"\pagestyle{empty}",
        rf"\title{{{title}}}",
        r"\begin{document}",
        rf"\noindent\textbf{{\large {title}}}\par\medskip",
        body.rstrip("\n"),
        r"\end{document}",
    ]) + "\n"


# -- Implementation details ----------------------------------------------------------------


def _layout(graph, timeout: float) -> bytes:
    # Graphviz's JSON output: every node's position; _run_dot carries the diagram's time limit.
    return diagram._run_dot(graph.to_string().encode("utf-8"), ["-Tjson"], timeout)


def _name(id_: str) -> str:
    # TikZ node names may not hold . or : (anchors and coordinates): one safe name per id.
    return "n" + "".join(c if c.isalnum() else f"-{ord(c):x}-" for c in id_)


EXPORTS = [
    Export(name="diagram", suffix="tex", media_type="application/x-tex; charset=utf-8", options=DiagramParams,
           make=lambda job: document(job).encode("utf-8"), evaluate=lambda o: o.evaluate, label="TikZ",
           note="LaTeX, for handouts", group="Diagram",
           summary="The argument diagram as SVG, PDF, PNG, Graphviz DOT, Mermaid or TikZ"),
]
