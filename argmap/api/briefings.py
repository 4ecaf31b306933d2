"""``/maps/{map}/briefing.pdf`` and ``.html``: the briefing of a map, for print or for the web.

Both answer the same content (``argmap.render.briefing``); the options are query parameters::

    GET /maps/peace-plan/briefing.pdf?paper=letter&focus=victims-silenced&depth=1
    GET /maps/peace-plan/briefing.html?sections=conclusions,corrections,sources&from=2025-11-20
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get
from litestar.params import Parameter, QueryParameter

from argmap.api._openapi import by_extension
from argmap.api._params import PathId, StoreDep
from argmap.api._responses import bare
from argmap.api._typesetting import MAX_CONCURRENT, TIMEOUT, typeset
from argmap.store import Store

__all__ = ["BriefingController"]

_Sections = Parameter(
    default=None, description="Comma-separated sections (default: every one that can be drawn): "
    "contents, conclusions, diagram, timeline, speakers, corrections, sources.",
)
_Focus = Parameter(default=None, description="Only what lies within `depth` argument steps of this statement.")
_Depth = Parameter(default=2, description="Argument steps from `focus` (0 to 20).")
_From = Annotated[str | None, QueryParameter(
    name="from", description="EDTF date: leave out statements dated wholly before it.")]
_To = Annotated[str | None, QueryParameter(name="to", description="EDTF date: leave out statements dated wholly after it.")]
_Paper = Parameter(default="a4", description="Paper size.")
_Semantics = Parameter(default="grounded", description="Label statements stands / falls / undecided under this "
                       "semantics, evaluated on the whole map; `none`: no labels.")
_DESCRIPTION = (
    "Cover, key conclusions with their standing, diagram and timeline (when their renderers are "
    "installed), statements by speaker with dates and numbered sources, corrections, and the list "
    "of sources. The PDF and the HTML page hold the same content. At most "
    f"{MAX_CONCURRENT} briefings and timeline PDFs are made at once (others wait), and a PDF "
    f"that takes longer than {TIMEOUT:g} s to typeset is refused with 422 `limit_exceeded`: "
    "narrow it with `focus`, fewer `sections` or a date range."
)


class BriefingController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["exports"]

    # async + an explicit thread: Litestar 2.25 mishandles `-> Response` on sync_to_thread handlers.
    @get(["/briefing.pdf", "/briefing.html"], operation_id=by_extension("briefing"),
         summary="A briefing of the map: a tagged PDF for print, or one HTML page", description=_DESCRIPTION)
    async def briefing(
        self, store: StoreDep, map_id: PathId, request: Request, sections: str | None = _Sections,
        focus: str | None = _Focus, depth: int = _Depth, date_from: _From = None, date_to: _To = None,
        paper: Literal["a4", "letter"] = _Paper,
        semantics: Literal["grounded", "complete", "preferred", "stable", "none"] = _Semantics,
    ) -> Response:
        return await _answer(store, map_id, request.url.path.rsplit(".", 1)[1], sections=sections, focus=focus,
                             depth=depth, date_from=date_from, date_to=date_to, paper=paper, semantics=semantics)


async def _answer(store: Store, map_id: str, fmt: str, **options) -> Response:
    from argmap.render.briefing import parse_options

    options = parse_options(**options)
    # The HTML takes a slot too: its diagrams and timeline are most of a briefing's drawing.
    return await typeset(_briefing, store, map_id, fmt, options)


def _briefing(store: Store, map_id: str, fmt: str, options) -> Response:
    from argmap.render.briefing import EXPORTERS, briefing

    data = briefing(store.get_map(map_id), options, fmt, timeout=TIMEOUT)
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
