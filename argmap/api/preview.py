"""``POST /preview/diagram.svg``: draw a map that is not stored (the editor's live diagram).

The body is an Argdown document (``text/x-argdown`` or ``text/plain``) or a map document
(``application/json``, as ``POST /maps`` takes). It is read and checked exactly as an import
would be (every problem named, Argdown's by line) and drawn as ``GET /maps/{map}/diagram.svg``
draws a stored map. Nothing is written, so it is open to whoever may read: the guard treats
it as a read. Bounded like an import: at most :data:`MAX_BODY` bytes, the reader's own time
limit, :data:`TIMEOUT` seconds of layout and the diagram's statement limit.

The answer's ``Server-Timing`` header says where the time went (``read``, ``draw``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import anyio
from litestar import Controller, Request, Response, post
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import Parameter

from argmap.errors import LimitExceeded
from argmap.formats import argdown
from argmap.mapfile import decode_map
from argmap.model import check_map
from argmap.render.diagram import options_from, render

__all__ = ["MAX_BODY", "PreviewController", "TIMEOUT", "preview_svg"]

MAX_BODY = 2 * 1024 * 1024
"""Largest document a preview draws (bytes); larger ones are a 422 limit_exceeded."""
TIMEOUT = 5.0
"""Seconds Graphviz may take for one preview."""

_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def preview_svg(body: bytes, content_type: str | None = None, *, rankdir: str = "TB") -> tuple[bytes, dict[str, float]]:
    """The SVG diagram of a document, and the seconds spent reading and drawing it."""
    if len(body) > MAX_BODY:
        raise LimitExceeded("body", f"a preview draws documents up to {MAX_BODY:,} bytes; this one has {len(body):,}")
    t0 = time.perf_counter()
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json" or (not kind and body.lstrip()[:1] == b"{"):
        m = decode_map(body, format="json")
        check_map(m)
    else:
        m = argdown.read(body, fallback_id="preview").map
    t1 = time.perf_counter()
    svg = render(m, "svg", options_from({"rankdir": rankdir, "legend": False}), timeout=TIMEOUT)
    return svg, {"read": t1 - t0, "draw": time.perf_counter() - t1}


@dataclass
class _PreviewOperation(Operation):
    # The body is read raw (Argdown or a map document), so its schema is stated here.
    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True, description="An Argdown document, or a map document as `POST /maps` takes.",
            content={"text/x-argdown": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                     "application/json": OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))})
        if self.responses and "200" in self.responses:
            self.responses["200"] = OpenAPIResponse(
                description="The diagram.",
                content={"image/svg+xml": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))})


class PreviewController(Controller):
    path = "/preview"
    tags = ["exports"]

    @post("/diagram.svg", operation_id="previewDiagram", status_code=200, opt={"read_only": True},
          operation_class=_PreviewOperation, media_type="image/svg+xml",
          summary="Draw a map document without storing it",
          description="The body is Argdown (`text/x-argdown`, `text/plain`) or a map document "
          "(`application/json`); the answer is the SVG diagram `GET /maps/{map}/diagram.svg` would "
          f"draw of it. Writes nothing, so it needs only read access. Documents over {MAX_BODY:,} bytes, "
          f"or over {TIMEOUT:g} s of layout, are a 422; a document that does not parse is a 400 "
          "naming each problem (Argdown's by line).")
    async def diagram(
        self,
        request: Request,
        rankdir: Literal["TB", "LR"] = Parameter(
            default="TB", description="TB: conclusions at the top; LR: conclusions on the left."),
    ) -> Response:
        body = await request.body()
        svg, took = await anyio.to_thread.run_sync(
            lambda: preview_svg(body, request.headers.get("content-type"), rankdir=rankdir))
        timing = ", ".join(f"{k};dur={v * 1000:.1f}" for k, v in took.items())
        return Response(svg, media_type="image/svg+xml", headers={**_HEADERS, "Server-Timing": timing})
