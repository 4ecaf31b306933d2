"""``POST /maps/import``: a new map from an AIF JSON, Argdown or map document, or many maps
from an NDJSON body of documents (bulk import, answered line by line as they commit).

The exports go the other way by extension (``GET /maps/{map}.aif.json``, ``.argdown``), served
by :class:`argmap.api.maps.MapController` from the export catalogue (argmap/exports/documents.py).
"""

# No `from __future__ import annotations`: Litestar reads the handler's annotations.

from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Literal

import anyio
import msgspec
from anyio.lowlevel import RunVar
from litestar import Controller, Request, Response, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import ResponseHeader
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from argmap import formats
from argmap._child import start_forkserver
from argmap.api._params import StoreDep
from argmap.errors import FormatError, InvalidInput, LimitExceeded, TooLarge
from argmap.formats._bounded import read_bounded
from argmap.formats._naming import store_new
from argmap.formats.aif import MAX_AIF_RATIO
from argmap.formats.argdown import MAX_ARGDOWN_RATIO
from argmap.importing import CHUNK, Document, ImportReport, import_documents
from argmap.store import Counts, Store

__all__ = ["BULK_MEDIA_TYPES", "ImportController", "ImportResult", "MAX_DOCUMENTS"]

BULK_MEDIA_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-seq")
"""A body of one of these types is a bulk import: one JSON document description per line."""

MAX_MAP_RATIO = 4
"""An import makes a map of at most this many times the request body limit, as a map document
(a 10 MiB Argdown document makes one of about 27 MiB; an AIF one of less than its size)."""

MAX_DOCUMENTS = 10_000
"""Documents in one bulk import (the body's size is bounded like every request's)."""


class BulkLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One line of a bulk import: the document (a JSON object for AIF or a map file, a string
    for Argdown or YAML) and what is known of it."""

    document: msgspec.Raw
    name: str | None = None
    format: Literal["aif", "argdown", "native"] | None = None
    id: str | None = None


_BULK_LINE = msgspec.json.Decoder(BulkLine)


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
                "application/x-ndjson": OpenAPIMediaType(schema=Schema(
                    type=OpenAPIType.STRING,
                    description="Bulk import: one JSON object per line, "
                    '{"document": <AIF or map JSON object, or Argdown/YAML text as a string>, '
                    '"name": "file name (optional)", "format": "aif|argdown|native (optional)", '
                    '"id": "map id (optional)"}. Answered 200 with application/x-ndjson: a line per '
                    'document, in order, as each group of them commits ({"index", "ok", "id", "counts", ...} '
                    'or {"index", "ok": false, "error": {error, message, problems}}), then '
                    '{"done": true, "documents", "imported", "refused"}.',
                )),
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
        "An AIF document may be up to 16 times the request body limit (`ARGMAP_MAX_BODY`), an Argdown "
        "document 3 times: argmap's own export of any map that fits the limit as a map document is at "
        "most that; a map document and a bulk body are limited like every request body (413 above it). "
        "Reading the document (detecting "
        "its format, parsing, checking) runs in a child process, 60 s at most (422 `limit_exceeded` past "
        "it), and makes a map of at most 4 times the body limit as a map document. Without `id`, the map takes "
        "the document's own id, else its title made into an id, else the file name of a "
        "`Content-Disposition` header (an AIF nodeset's `nodeset21145.json`), else `imported`; "
        "a taken id gets `-2`, `-3`, …. `Location` names the new map.\n\n"
        "**Bulk import**: with `Content-Type: application/x-ndjson`, each line describes one "
        "document (see the request body), each becomes its own map, all or nothing per document: "
        "a refused one changes nothing and the others go on. The answer (200, "
        f"`application/x-ndjson`) streams one report line per document as each group of {CHUNK} "
        f"commits, then a summary line; a line without `id` is named as above (its `name` as "
        f"the file name). At most {MAX_DOCUMENTS:,} documents.",
        status_code=201,
        operation_class=_ImportOperation,
        request_max_body_size=None,  # limited below, by format (MAX_AIF_RATIO)
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
        max_body = request.app.state.max_body
        content_type = request.headers.get("content-type")
        bulk = (content_type or "").split(";")[0].strip().lower() in BULK_MEDIA_TYPES
        body = await _body(request, max_body if bulk else max(MAX_AIF_RATIO, MAX_ARGDOWN_RATIO) * max_body)
        start_forkserver()  # from the event loop's thread, which outlives the children (argmap._child)
        if bulk:
            if map_id is not None:
                raise InvalidInput("id", "a bulk import names its maps per line (\"id\"), not in the query")
            return Stream(_bulk(store, body, format, replace), media_type="application/x-ndjson", status_code=200)
        filename = _filename(request.headers.get("content-disposition"))
        result = await anyio.to_thread.run_sync(_import, store, body, format, content_type, map_id, replace, filename,
                                                max_body, limiter=_readers())
        return Response(result, status_code=201, headers={"Location": f"/maps/{result.id}"})


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (never held whole)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge("body", f"{int(declared):,} bytes; this body may have up to {limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("body", f"more than {limit:,} bytes; this body may have up to {limit:,}")
        chunks.append(chunk)
    return b"".join(chunks)


MAX_READERS = 2
"""Documents read at once (each in a child process that takes a core); other imports wait."""

_READERS: RunVar[anyio.CapacityLimiter] = RunVar("argmap_import_readers")


def _readers() -> anyio.CapacityLimiter:
    try:
        return _READERS.get()
    except LookupError:
        _READERS.set(limiter := anyio.CapacityLimiter(MAX_READERS))
        return limiter


def _import(store: Store, body: bytes, fmt: str | None, content_type: str | None, map_id: str | None,
            replace: bool, filename: str | None = None, max_body: int | None = None) -> ImportResult:
    fallback = formats.id_from_filename(filename) if filename else "imported"
    limits = {} if max_body is None else {
        "max_bytes": {"aif": MAX_AIF_RATIO * max_body, "argdown": MAX_ARGDOWN_RATIO * max_body,
                      "native": max_body},
        "max_map_bytes": MAX_MAP_RATIO * max_body}
    imported, fmt = read_bounded(body, fmt, map_id=map_id, fallback_id=fallback, filename=filename,
                                 content_type=content_type, **limits)
    m = imported.map
    if map_id is None and not replace:
        m, counts = store_new(store, m, fallback_id=fallback, has_id=fmt == "native")
    else:
        counts = store.load_map(m, replace=replace)
    return ImportResult(id=m.id, title=m.title, format=fmt, counts=counts, document=imported.counts,
                        not_modelled=imported.skipped, notes=imported.notes)


async def _bulk(store: Store, body: bytes, fmt: str | None, replace: bool):
    """Report lines, a chunk of documents at a time as each commits, then the summary."""
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    if len(lines) > MAX_DOCUMENTS:
        error = LimitExceeded("documents", f"{len(lines):,} documents; at most {MAX_DOCUMENTS:,} in one import")
        yield msgspec.json.encode({"done": True, "documents": len(lines), "imported": 0, "refused": len(lines),
                                   "error": error.to_dict()}) + b"\n"
        return
    imported = refused = 0
    for start in range(0, len(lines), CHUNK):
        reports = await sync_to_thread(_bulk_chunk, store, lines[start:start + CHUNK], start, fmt, replace)
        for report in reports:
            imported += report.ok
            refused += not report.ok
            yield msgspec.json.encode(msgspec.structs.replace(report, exception=None)) + b"\n"
    yield msgspec.json.encode({"done": True, "documents": len(lines), "imported": imported,
                               "refused": refused}) + b"\n"


def _bulk_chunk(store: Store, lines: list[bytes], start: int, fmt: str | None, replace: bool) -> list[ImportReport]:
    documents, unreadable = [], {}
    for i, line in enumerate(lines):
        try:
            doc = _BULK_LINE.decode(line)
            data = bytes(doc.document)
            if data.lstrip()[:1] == b'"':  # Argdown or YAML text, as a JSON string
                data = msgspec.json.decode(data, type=str).encode("utf-8")
            documents.append(Document(data=data, name=doc.name, format=doc.format or fmt, id=doc.id))
        except msgspec.DecodeError as e:  # ValidationError too
            unreadable[i] = FormatError(f"$[{start + i}]", f"not a bulk import line: {e}")
            documents.append(None)
    readable = [d for d in documents if d is not None]
    reports = iter(import_documents(store, readable, replace=replace, chunk=len(readable) or 1))
    out = []
    for i, doc in enumerate(documents):
        if doc is None:
            e = unreadable[i]
            out.append(ImportReport(index=start + i, ok=False, error=e.to_dict()))
        else:
            out.append(msgspec.structs.replace(next(reports), index=start + i))
    return out


def _filename(disposition: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header (``attachment; filename="x.json"``)."""
    if not disposition:
        return None
    from email.message import Message

    msg = Message()
    msg["content-disposition"] = disposition
    name = msg.get_filename()
    return PurePath(name.replace("\\", "/")).name if name else None
