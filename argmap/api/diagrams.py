"""``/maps/{map}/diagram.svg|.pdf|.png|.dot``: the argument diagram, by extension.

The extensions are the keys of :data:`argmap.render.diagram.EXPORTERS`, the same table that
``argmap export diagram --format`` reads; the query parameters are the fields of
:class:`~argmap.render.diagram.DiagramOptions`, checked there, so a bad value is a 422 naming
the parameter. A diagram over the size limit, or one Graphviz cannot lay out within
:data:`TIMEOUT`, is a 422 ``limit_exceeded`` that says to focus, not a hung worker.
"""

from __future__ import annotations

from typing import Literal

import anyio
from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from argmap.api._openapi import by_extension
from argmap.api._params import PathId, StoreDep
from argmap.api._responses import bare
from argmap.render.diagram import EXPORTERS, MAX_STATEMENTS, options_from, render
from argmap.semantics import Semantics, evaluate_map
from argmap.store import Store

__all__ = ["DiagramController", "TIMEOUT"]

TIMEOUT = 10.0
"""Seconds Graphviz may take for one request (the CLI allows 20)."""

# A diagram opened on its own in a browser may run nothing and fetch nothing: the SVG holds no
# script or link, and this says so to the browser as well.
_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff"}


class DiagramController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["exports"]

    @get([f"/diagram.{ext}" for ext in EXPORTERS], operation_id=by_extension("diagram"),
         summary="The argument diagram as SVG, PDF, PNG or Graphviz DOT",
         description="Statements as boxes, each argument as an inference node joining its premises "
         "to its target; support, attack and undercut differ in colour and line style. The SVG "
         "keeps statement and argument ids as element ids and the full text in each `<title>`. "
         f"Over {MAX_STATEMENTS:,} statements, or {TIMEOUT:g} s of layout, the answer is 422: "
         "draw part of the map with `focus` and `depth`.")
    async def diagram(
        self,
        store: StoreDep,
        map_id: PathId,
        request: Request,
        focus: str | None = Parameter(default=None, description="Draw only the part around this statement id."),
        depth: int = Parameter(default=2, description="With `focus`: at most this many arguments away (0–50)."),
        rankdir: Literal["TB", "LR"] = Parameter(
            default="TB", description="TB: conclusions at the top; LR: conclusions on the left."),
        group_by_speaker: bool = Parameter(default=False, description="Frame each speaker's statements."),
        title: str | None = Parameter(default=None, description="Title instead of the map's."),
        legend: bool = Parameter(default=True, description="Draw the legend."),
        evaluate: Semantics | None = Parameter(
            default=None, description="Colour statements and arguments by their status under this "
            "semantics (grounded, complete, preferred, stable), as /evaluation gives it."),
    ) -> Response:
        # async + an explicit thread, as in queries.py: Litestar 2.25 mishandles `-> Response`
        # on sync_to_thread handlers.
        ext = request.url.path.rsplit(".", 1)[1]
        params = {"focus": focus, "depth": depth, "rankdir": rankdir, "group_by_speaker": group_by_speaker,
                  "title": title, "legend": legend}
        return await anyio.to_thread.run_sync(_diagram, store, map_id, ext, params, evaluate)


def _diagram(store: Store, map_id: str, ext: str, params: dict, evaluate: Semantics | None = None) -> Response:
    options = options_from(params)
    m = store.get_map(map_id)
    if evaluate is not None:
        options.labels = evaluate_map(m, evaluate, timeout=TIMEOUT).labels
    data = render(m, ext, options, timeout=TIMEOUT)
    disposition = f'inline; filename="{map_id}-diagram.{ext}"'  # map ids are [A-Za-z0-9_.:~-]
    return Response(data, media_type=bare(EXPORTERS[ext].media_type),
                    headers={**_HEADERS, "Content-Disposition": disposition})
