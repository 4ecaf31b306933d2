"""The briefing: a tagged PDF for print, or one self-contained HTML page."""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from argmap.errors import ArgmapError
from argmap.exports import Export, Job
from argmap.render import briefing, diagram

__all__ = ["BriefingParams", "EXPORTS"]


class BriefingParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """What to put in the briefing and how to print it (what part of the map is the scope's)."""

    sections: Annotated[str | None, Meta(description="Comma-separated sections, in any order (default: every one): "
                                         "contents, conclusions, diagram, timeline, speakers, corrections, sources.")] = None
    paper: Annotated[Literal["a4", "letter"], Meta(description="Paper size.")] = "a4"
    issued: Annotated[_dt.date | None, Meta(description="Date of issue on the cover and in the PDF metadata, "
                                            "YYYY-MM-DD (default: today; with `as_of`, the date of that version, "
                                            "so the same `as_of` and options give the same file).")] = None
    author: Annotated[str | None, Meta(description="Who issues the briefing (the PDF's author; default: argmap).")] = None
    semantics: Annotated[Literal["grounded", "complete", "preferred", "stable", "none"], Meta(
        description="Label statements stands / falls / undecided under this semantics, evaluated on the "
        "whole map; none: no labels.")] = "grounded"


def _options(job: Job) -> briefing.BriefingOptions:
    o: BriefingParams = job.options
    s = job.scope
    issued = o.issued.isoformat() if o.issued else None
    if issued is None and job.made is not None and job.made.pinned and job.made.at:
        issued = job.made.at[:10]  # a past version is issued on its own date: the same bytes any day
    return briefing.parse_options(
        sections=o.sections, paper=o.paper, issued=issued, author=o.author,
        semantics="none", focus=s.focus, depth=s.steps, date_from=s.date_from, date_to=s.date_to)


def _flips(job: Job, options: briefing.BriefingOptions) -> dict:
    """What would change each key conclusion's grounded label (the briefing's "Key
    uncertainties"): the smallest retractions and questions, at most 2 s a conclusion."""
    if options.sections is not None and "conclusions" not in options.sections:
        return {}
    from argmap.semantics.flips import flips  # the SAT solver loads only for a briefing (0.36 s)

    out = {}
    for sid in briefing.key_conclusions(job.map):
        try:
            out[sid] = flips(job.map, sid, size=2, limit=3, timeout=2.0)
        except ArgmapError:
            pass  # too large or too slow to search: the section says only what is certain
    return out


def _make(fmt: str):
    def make(job: Job) -> bytes:
        made = job.made
        options = _options(job)
        ctx = briefing.build_context(job.map, options, labels=job.labels or {}, explanations=job.explanations,
                                     evaluation=job.evaluation, flips=_flips(job, options), scoped=True,
                                     layout_timeout=min(job.layout_timeout or job.timeout, diagram.DEFAULT_TIMEOUT),
                                     version=made.version if made else None)
        return briefing.render(ctx, fmt, timeout=job.timeout)

    return make


_COMMON = dict(name="briefing", options=BriefingParams, group="Briefing", typesets=True, timeout=briefing.PDF_TIMEOUT,
               evaluate=lambda o: None if o.semantics == "none" else o.semantics,
               summary="A briefing of the map: a tagged PDF for print, or one HTML page")

EXPORTS = [
    Export(suffix="pdf", media_type="application/pdf", make=_make("pdf"), label="PDF", note="to print",
           disposition="attachment", **_COMMON),
    Export(suffix="html", media_type="text/html; charset=utf-8", make=_make("html"), label="HTML", note="to read",
           **_COMMON),
]
