"""``/maps/{map}/timeline.svg|.pdf|.json``: a map's dated timeline, filtered by query parameters.

The same :data:`argmap.render.timeline.EXPORTERS` serve ``argmap export timeline``. Filters
repeat like the CLI's flags: ``?speaker=kaja-kallas&speaker=david-van-weel&from=2025-11-20``.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from litestar import Controller, Request, Response, get
from litestar.params import PathParameter, QueryParameter

from argmap.api._params import StoreDep
from argmap.api._typesetting import MAX_CONCURRENT, TIMEOUT, typeset
from argmap.render.timeline import EXPORTERS, options_from, to_pdf

__all__ = ["TimelineController"]

# A picture opened on its own in a browser gets no power to run or fetch anything (it has no
# script or reference anyway: this is the second line).
_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "X-Content-Type-Options": "nosniff"}


def _operation_id(_handler, _method, path_components) -> str:
    """One operation per extension (one handler serves three paths): timelineSvg, timelinePdf, ..."""
    return "timeline" + str(path_components[-1]).rsplit(".", 1)[1].capitalize()


class TimelineController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["exports"]

    @get(["/timeline.svg", "/timeline.pdf", "/timeline.json"], operation_id=_operation_id,
         summary="The map's dated timeline as SVG, PDF (A3 landscape) or TimelineJS JSON",
         description="One lane per speaker, events and unattributed statements apart; undated "
         "statements are listed in a band of their own. Every filter narrows. A PDF takes one of "
         f"the {MAX_CONCURRENT} typesetting slots it shares with briefings, and one that takes "
         f"longer than {TIMEOUT:g} s is refused with 422 `limit_exceeded`: narrow it with a date "
         "range, speakers or a focus.")
    async def timeline(
        self,
        store: StoreDep,
        map_id: Annotated[str, PathParameter(description="The map's id.")],
        request: Request,
        date_from: Annotated[str | None, QueryParameter(name="from", description="EDTF date: keep dates "
                             "overlapping from here on (2025-11 is the whole month); the axis starts here.")] = None,
        date_to: Annotated[str | None, QueryParameter(name="to", description="EDTF date: keep dates overlapping up "
                           "to here; the axis ends here.")] = None,
        speaker: Annotated[list[str] | None, QueryParameter(description="Speaker id to keep (repeat for more).")] = None,
        tag: Annotated[list[str] | None, QueryParameter(description="Keep statements with any of these tags.")] = None,
        kind: Annotated[list[str] | None, QueryParameter(description="claim, event or derived (repeat for more).")] = None,
        focus: Annotated[str | None, QueryParameter(description="Keep what connects to this statement.")] = None,
        depth: Annotated[int | None, QueryParameter(description="With focus: how many arguments away (default 2).")] = None,
    ) -> Response:
        # async + an explicit thread: Litestar 2.25 mishandles `-> Response` on sync_to_thread handlers.
        fmt = request.url.path.rsplit(".", 1)[1]
        options = options_from({"from": date_from, "to": date_to, "speakers": speaker, "tags": tag,
                                "kinds": kind, "focus": focus, "depth": depth})
        exporter = EXPORTERS[fmt]
        if fmt == "pdf":
            data = await typeset(lambda: to_pdf(store.get_map(map_id), options, timeout=TIMEOUT))
        else:
            data = await anyio.to_thread.run_sync(lambda: exporter.render(store.get_map(map_id), options))
        headers = dict(_HEADERS)
        if fmt == "pdf":
            headers["Content-Disposition"] = f'inline; filename="{map_id}-timeline.pdf"'
        return Response(data, media_type=exporter.media_type, headers=headers)
