"""``POST /maps/import``: a new map from an AIF JSON, Argdown or map document.

The exports go the other way by extension (``GET /maps/{map}.aif.json``, ``.argdown``), served
by :class:`argmap.api.maps.MapController` from the export catalogue (argmap/exports/documents.py).
"""

# No `from __future__ import annotations`: Litestar reads the handler's annotations.

from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, post
from litestar.concurrency import sync_to_thread
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
        "The body is limited like every request body (413 above it).",
        status_code=201,
        operation_class=_ImportOperation,
    )
    async def import_map(
        self,
        request: Request,
        store: StoreDep,
        format: Literal["aif", "argdown", "native"] | None = Parameter(
            default=None, description="The document's format; default from the Content-Type and the content."
        ),
        map_id: Annotated[str | None, QueryParameter(
            name="id", description="Id of the new map (default: the document's own, else 'imported')."
        )] = None,
        replace: bool = Parameter(default=False, description="Replace a map of the same id."),
    ) -> ImportResult:
        body = await request.body()
        content_type = request.headers.get("content-type")
        return await sync_to_thread(_import, store, body, format, content_type, map_id, replace)


def _import(store: Store, body: bytes, fmt: str | None, content_type: str | None, map_id: str | None,
            replace: bool) -> ImportResult:
    fmt = fmt or formats.detect(body, content_type=content_type)
    imported = formats.read(body, fmt, map_id=map_id)
    m = imported.map
    counts = store.load_map(m, replace=replace)
    return ImportResult(id=m.id, title=m.title, format=fmt, counts=counts, document=imported.counts,
                        not_modelled=imported.skipped, notes=imported.notes)
