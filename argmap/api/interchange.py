"""``POST /maps/import``: a new map from an AIF JSON, Argdown or map document.

The exports go the other way by extension (``GET /maps/{map}.aif.json``, ``.argdown``), served
by :class:`argmap.api.maps.MapController` from the export catalogue (argmap/exports/documents.py).
"""

# No `from __future__ import annotations`: Litestar reads the handler's annotations.

from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import ResponseHeader
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Parameter, QueryParameter

from argmap import formats
from argmap.api._params import StoreDep
from argmap.store import Counts, Store

__all__ = ["ImportController", "ImportResult"]


class ImportResult(msgspec.Struct, kw_only=True):
    """The map an import created, and how the document was read."""

    id: str
    title: str
    format: Literal["aif", "argdown", "native"]
    counts: Counts
    document: dict[str, int] = {}
    """What the document holds in its own terms (AIF node types; Argdown's statements,
    arguments and relations by type)."""
    not_modelled: dict[str, int] = {}
    """What was read and left out (AIF TA nodes, locutions that speak no statement, …)."""
    notes: list[str] = []
    """Where the translation had to choose, with how often."""


@dataclass
class _ImportOperation(Operation):
    # The body is read raw (its format is chosen at run time), so its schema is stated here.
    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The document: AIF JSON (an AIFdb nodeset or xAIF), Argdown text, or an argmap map "
            "file (JSON or YAML).",
            content={
                "application/json": OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT)),
                "text/x-argdown": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/yaml": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


class ImportController(Controller):
    path = "/maps"
    tags = ["maps"]

    @post(
        "/import",
        operation_id="importMap",
        summary="Import an AIF, Argdown or map document as a new map",
        description="The format comes from `format`, else the Content-Type (`text/x-argdown`, "
        "`application/yaml`; JSON is AIF when it has `nodes` or `AIF`, else a map file). All or "
        "nothing: a broken document is refused with every problem named by node, edge or line. "
        "The body is limited like every request body (413 above it). Without `id`, the map takes "
        "the document's own id, else its title made into an id, else the file name of a "
        "`Content-Disposition` header (an AIF nodeset's `nodeset21145.json`), else `imported`; "
        "a taken id gets `-2`, `-3`, …. `Location` names the new map.",
        status_code=201,
        operation_class=_ImportOperation,
        response_headers=[ResponseHeader(name="Location", documentation_only=True,
                                         description="The new map: /maps/{id}.")],
    )
    async def import_map(
        self,
        request: Request,
        store: StoreDep,
        format: Literal["aif", "argdown", "native"] | None = Parameter(
            default=None, description="The document's format; default from the Content-Type and the content."
        ),
        map_id: Annotated[str | None, QueryParameter(
            name="id", description="Id of the new map; if a map has it, 409 (unless `replace`). Default: "
            "the document's own id, else its title's, else 'imported', with -2, -3, … while taken."
        )] = None,
        replace: bool = Parameter(default=False, description="Replace a map of the same id."),
    ) -> Response[ImportResult]:
        body = await request.body()
        content_type = request.headers.get("content-type")
        filename = _filename(request.headers.get("content-disposition"))
        result = await sync_to_thread(_import, store, body, format, content_type, map_id, replace, filename)
        return Response(result, status_code=201, headers={"Location": f"/maps/{result.id}"})


def _import(store: Store, body: bytes, fmt: str | None, content_type: str | None, map_id: str | None,
            replace: bool, filename: str | None = None) -> ImportResult:
    from argmap.formats._naming import store_new

    fmt = fmt or formats.detect(body, content_type=content_type, filename=filename)
    fallback = formats.id_from_filename(filename) if filename else "imported"
    imported = formats.read(body, fmt, map_id=map_id, fallback_id=fallback, filename=filename)
    m = imported.map
    if map_id is None and not replace:
        m, counts = store_new(store, m, fallback_id=fallback, has_id=fmt == "native")
    else:
        counts = store.load_map(m, replace=replace)
    return ImportResult(id=m.id, title=m.title, format=fmt, counts=counts, document=imported.counts,
                        not_modelled=imported.skipped, notes=imported.notes)


def _filename(disposition: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header (``attachment; filename="x.json"``)."""
    if not disposition:
        return None
    from email.message import Message

    msg = Message()
    msg["content-disposition"] = disposition
    name = msg.get_filename()
    return PurePath(name.replace("\\", "/")).name if name else None
