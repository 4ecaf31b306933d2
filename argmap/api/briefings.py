"""``/maps/{map}/briefing.pdf`` and ``.html``: the briefing of a map, for print or for the web.

Both answer the same content (``argmap.render.briefing``); the options are query parameters::

    GET /maps/peace-plan/briefing.pdf?paper=letter&focus=victims-silenced&depth=1
    GET /maps/peace-plan/briefing.html?sections=conclusions,corrections,sources&from=2025-11-20
"""

from __future__ import annotations

from typing import Literal

import anyio
from anyio.lowlevel import RunVar
from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from argmap.api._openapi import by_extension
from argmap.api._responses import bare
from argmap.store import Store

__all__ = ["BriefingController"]

MAX_CONCURRENT = 2
"""Briefings typeset at once; each takes a core for about a second, the rest wait."""


_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("argmap_briefing_limiter")


def _limiter() -> anyio.CapacityLimiter:
    # One per event loop (a RunVar): a limiter made in one loop must not be awaited in another.
    try:
        return _LIMITER.get()
    except LookupError:
        _LIMITER.set(limiter := anyio.CapacityLimiter(MAX_CONCURRENT))
        return limiter


_Sections = Parameter(
    default=None, description="Comma-separated sections (default: every one that can be drawn): "
    "contents, conclusions, diagram, timeline, speakers, corrections, sources.",
)
_Focus = Parameter(default=None, description="Only what lies within `depth` argument steps of this statement.")
_Depth = Parameter(default=2, description="Argument steps from `focus` (0 to 20).")
_From = Parameter(query="from", default=None, description="EDTF date: leave out statements dated wholly before it.")
_To = Parameter(query="to", default=None, description="EDTF date: leave out statements dated wholly after it.")
_Paper = Parameter(default="a4", description="Paper size.")
_Semantics = Parameter(default="grounded", description="Label statements stands / falls / undecided under this "
                       "semantics, evaluated on the whole map; `none`: no labels.")
_DESCRIPTION = (
    "Cover, key conclusions with their standing, diagram and timeline (when their renderers are "
    "installed), statements by speaker with dates and numbered sources, corrections, and the list "
    "of sources. The PDF and the HTML page hold the same content."
)


class BriefingController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["exports"]

    # async + an explicit thread: Litestar 2.25 mishandles `-> Response` on sync_to_thread handlers.
    @get(["/briefing.pdf", "/briefing.html"], operation_id=by_extension("briefing"),
         summary="A briefing of the map: a tagged PDF for print, or one HTML page", description=_DESCRIPTION)
    async def briefing(
        self, store: Store, map_id: str, request: Request, sections: str | None = _Sections,
        focus: str | None = _Focus, depth: int = _Depth, date_from: str | None = _From, date_to: str | None = _To,
        paper: Literal["a4", "letter"] = _Paper,
        semantics: Literal["grounded", "complete", "preferred", "stable", "none"] = _Semantics,
    ) -> Response:
        return await _answer(store, map_id, request.url.path.rsplit(".", 1)[1], sections=sections, focus=focus,
                             depth=depth, date_from=date_from, date_to=date_to, paper=paper, semantics=semantics)


async def _answer(store: Store, map_id: str, fmt: str, **options) -> Response:
    from argmap.render.briefing import parse_options

    options = parse_options(**options)
    return await anyio.to_thread.run_sync(_briefing, store, map_id, fmt, options, limiter=_limiter())


def _briefing(store: Store, map_id: str, fmt: str, options) -> Response:
    from argmap.render.briefing import EXPORTERS, briefing

    data = briefing(store.get_map(map_id), options, fmt)
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(
        data, media_type=bare(EXPORTERS[fmt][0]),
        headers={
            "Content-Disposition": f'{disposition}; filename="{map_id}-briefing.{fmt}"',
            # The HTML embeds its figures and styles: it needs nothing from anywhere.
            "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
        },
    )
