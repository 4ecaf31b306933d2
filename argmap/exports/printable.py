"""The argument diagram laid out on paper (argmap.render.printable): pages, poster tiles or a
one-page handout, every page the paper asked for and no text under 7 pt."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from argmap.errors import InvalidInput
from argmap.exports import Export, Job
from argmap.render import printable

__all__ = ["EXPORTS", "PrintParams"]


class PrintParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Paper and layout of the printed diagram."""

    paper: Annotated[Literal["a4", "a3", "letter", "tabloid"], Meta(description="Paper size.")] = "a4"
    orientation: Annotated[Literal["portrait", "landscape"], Meta(description="Orientation.")] = "portrait"
    tile: Annotated[bool, Meta(description="Cut the whole diagram into overlapping poster tiles with "
                                           "assembly marks.")] = False
    handout: Annotated[str | None, Meta(description="A statement id: its diagram, outline and sources on one "
                                                    "page, for a class.")] = None
    layout: Annotated[str | None, Meta(description="The same choice in one field, for an HTML form: pages, "
                                                   "tile or handout:<statement id>.")] = None


def _make(job: Job) -> bytes:
    o: PrintParams = job.options
    tile, handout = o.tile, o.handout
    if o.layout == "tile":
        tile = True
    elif o.layout and o.layout.startswith("handout:"):
        handout = o.layout.removeprefix("handout:")
    elif o.layout not in (None, "", "pages"):
        raise InvalidInput("layout", "must be pages, tile or handout:<statement id>")
    return printable.printable(job.map, paper=o.paper, orientation=o.orientation, tile=tile, handout=handout,
                               timeout=job.timeout, metadata=job.metadata())


EXPORTS = [
    Export(name="print", suffix="pdf", media_type="application/pdf", make=_make, options=PrintParams,
           scoped=False, typesets=True, timeout=120.0, group="Printable diagram", label="PDF",
           note="pages of A4 (or the paper you choose), text at least 7 pt",
           summary=f"The argument diagram on paper: every page the paper asked for, no text under "
                   f"{printable.MIN_PT:g} pt; one page, or an overview and a page per key conclusion, "
                   "or poster tiles, or a one-page handout"),
]
