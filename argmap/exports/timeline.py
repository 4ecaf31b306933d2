"""The dated timeline as SVG, PDF (A3 landscape pages) or TimelineJS JSON."""

from __future__ import annotations

from argmap.exports import Export, Job
from argmap.render import timeline, timelinejs

__all__ = ["EXPORTS"]

_COMMON = dict(name="timeline", group="Timeline", timeout=timeline.PDF_TIMEOUT,
               summary="The map's dated timeline as SVG, PDF (A3 landscape) or TimelineJS JSON")

EXPORTS = [
    Export(suffix="svg", media_type="image/svg+xml", label="SVG", note="vector picture",
           make=lambda job: timeline.to_svg(job.map, job.scope, scoped=True), **_COMMON),
    Export(suffix="pdf", media_type="application/pdf", label="PDF", note="A3, to print", typesets=True,
           make=lambda job: timeline.to_pdf(job.map, job.scope, scoped=True, timeout=job.timeout,
                                            metadata=job.metadata()), **_COMMON),
    Export(suffix="json", media_type="application/json", label="TimelineJS", note="JSON for TimelineJS",
           make=lambda job: timelinejs.dumps(job.map, job.scope, scoped=True), **_COMMON),
]
