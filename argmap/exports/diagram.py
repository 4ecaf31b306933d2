"""The argument diagram as SVG, PDF, PNG or Graphviz DOT (drawn by argmap.render.diagram)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from argmap.exports import Export, Job
from argmap.render import diagram

__all__ = ["DiagramParams", "EXPORTS"]

Semantics = Literal["grounded", "complete", "preferred", "stable"]


class DiagramParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """How to draw the diagram (what to draw is the scope's)."""

    rankdir: Annotated[Literal["TB", "LR"], Meta(
        description="TB: conclusions at the top, reasons below; LR: conclusions on the left.")] = "TB"
    group_by_speaker: Annotated[bool, Meta(description="Frame each speaker's statements together.")] = False
    title: Annotated[str | None, Meta(description="Title to draw instead of the map's.")] = None
    legend: Annotated[bool, Meta(description="Draw the legend.")] = True
    questions: Annotated[bool, Meta(description="Draw each argument's open critical questions as a dotted "
                                    "pending undercut (argument schemes).")] = False
    evaluate: Annotated[Semantics | None, Meta(
        description="Colour statements and arguments by their status under this semantics "
        "(grounded, complete, preferred, stable), evaluated on the whole map.")] = None


def _make(fmt: str):
    def make(job: Job) -> bytes:
        o: DiagramParams = job.options
        shown = {s.id for s in job.map.statements} | {a.id for a in job.map.arguments}
        labels = {k: v for k, v in job.labels.items() if k in shown} if job.labels is not None else None
        options = diagram.DiagramOptions(
            focus=job.scope.focus, depth=job.scope.steps, rankdir=o.rankdir, group_by_speaker=o.group_by_speaker,
            title=o.title, legend=o.legend, labels=labels, questions=o.questions)
        return diagram.render(job.map, fmt, options, timeout=job.timeout, scoped=True)

    return make


_COMMON = dict(name="diagram", options=DiagramParams, group="Diagram", evaluate=lambda o: o.evaluate,
               summary="The argument diagram as SVG, PDF, PNG or Graphviz DOT", timeout=diagram.DEFAULT_TIMEOUT)

EXPORTS = [
    Export(suffix="svg", media_type="image/svg+xml", make=_make("svg"), label="SVG", note="vector picture", **_COMMON),
    Export(suffix="pdf", media_type="application/pdf", make=_make("pdf"), label="PDF", note="to print", **_COMMON),
    Export(suffix="png", media_type="image/png", make=_make("png"), label="PNG", note="for slides", **_COMMON),
    Export(suffix="dot", media_type="text/vnd.graphviz; charset=utf-8", make=_make("dot"), label="DOT",
           note="Graphviz source", **_COMMON),
]
