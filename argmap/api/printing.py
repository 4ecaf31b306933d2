"""``/maps/{map}/print.pdf``: the argument diagram on paper (:mod:`argmap.render.printable`).

::

    GET /maps/peace-plan/print.pdf?paper=a3&orientation=landscape
    GET /maps/peace-plan/print.pdf?paper=a4&tile=true
    GET /maps/peace-plan/print.pdf?handout=kallas-no-viable-plan

Typeset in the same slots as briefings (:mod:`argmap.api._typesetting`), within its time limit.
"""

from __future__ import annotations

from typing import Literal

from litestar import Controller, Response, get
from litestar.params import Parameter

from argmap.api._params import PathId, StoreDep
from argmap.api._typesetting import TIMEOUT, typeset
from argmap.render.printable import MIN_PT, OVERLAP_MM, printable
from argmap.store import Store

__all__ = ["PrintController"]


class PrintController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["exports"]

    @get("/print.pdf", operation_id="printPdf", media_type="application/pdf",
         summary="The argument diagram laid out on paper (pages, poster tiles or a handout)",
         description="Every page is the paper asked for and no text is smaller than "
         f"{MIN_PT:g} pt. The whole map on one page when it fits; otherwise an overview page and one "
         "page per key conclusion with what supports and attacks it (statements drawn on several "
         f"pages say so). `tile=true`: poster tiles overlapping by {OVERLAP_MM:g} mm with assembly "
         "marks. `handout=<statement>`: that conclusion's diagram, outline and sources on one page. "
         f"Typesetting past {TIMEOUT:g} s is a 422.")
    async def print_pdf(
        self,
        store: StoreDep,
        map_id: PathId,
        paper: Literal["a4", "a3", "letter", "tabloid"] = Parameter(default="a4", description="Paper size."),
        orientation: Literal["portrait", "landscape"] = Parameter(default="portrait", description="Orientation."),
        tile: bool = Parameter(default=False, description="Cut the whole diagram into poster tiles."),
        handout: str | None = Parameter(default=None, description="A statement id: a one-page handout of it."),
        layout: str | None = Parameter(default=None, description="The same choice in one field, for an HTML form: "
                                       "`pages`, `tile` or `handout:<statement id>`."),
    ) -> Response:
        if layout == "tile":
            tile = True
        elif layout and layout.startswith("handout:"):
            handout = layout.removeprefix("handout:")
        elif layout not in (None, "", "pages"):
            from argmap.errors import InvalidInput

            raise InvalidInput("layout", "must be pages, tile or handout:<statement id>")
        pdf = await typeset(_print, store, map_id, paper, orientation, tile, handout)
        name = f"{map_id}-{'handout' if handout else 'poster' if tile else 'print'}-{paper}-{orientation}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})


def _print(store: Store, map_id: str, paper: str, orientation: str, tile: bool, handout: str | None) -> bytes:
    return printable(store.get_map(map_id), paper=paper, orientation=orientation, tile=tile, handout=handout,
                     timeout=TIMEOUT)
