"""Export routes made from the catalogue (argmap.exports): ``GET /maps/{map}/{name}.{suffix}``.

One handler per export name serves each of its suffixes; its query parameters are the scope's
and the export's options, documented from their Struct fields, so OpenAPI lists them.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Request, Response, get
from litestar.params import QueryParameter

from argmap.api._openapi import by_extension
from argmap.api._params import PathId, StoreDep
from argmap.api._responses import bare
from argmap.api._typesetting import TIMEOUT as TYPESET_TIMEOUT
from argmap.api._typesetting import typeset
from argmap.exports import CATALOGUE, Export, by_name, find, make, options_from
from argmap.scope import Scope, select
from argmap.store import Store

__all__ = ["TIMEOUT", "export_routes", "media_types", "parameter_name", "respond"]

TIMEOUT = 10.0
"""Seconds Graphviz (or an evaluation) may take for one request; typesetting has its own limit."""

# An export opened on its own in a browser may run nothing and fetch nothing (it holds no script
# or reference anyway: this is the second line).
_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "X-Content-Type-Options": "nosniff"}


def export_routes() -> list:
    """One route handler per export name of the catalogue (whole-map documents excepted:
    ``GET /maps/{map}.{suffix}`` serves those, in argmap/api/maps.py)."""
    return [_handler(name, exports) for name, exports in by_name().items() if not exports[0].whole_map]


def media_types() -> dict[str, str]:
    """Path suffix → media type of every export, for the OpenAPI document."""
    return {e.path: e.media_type for e in CATALOGUE.values()}


def body_schemas() -> dict[str, dict]:
    """Path suffix → the JSON Schema of the body, for the exports whose record declares one."""
    return {e.path: dict(e.body_schema) for e in CATALOGUE.values() if e.body_schema is not None}


def parameter_name(field: msgspec.structs.FieldInfo) -> str:
    """The query parameter (and CLI flag) of a field: a list field's name in the singular,
    given once per value (``?speaker=a&speaker=b``)."""
    name = field.encode_name
    return name[:-1] if _is_list(field.type) and name.endswith("s") else name


async def respond(store: Store, map_id: str, export: Export, params: dict, request: Request | None = None) -> Response:
    """Make ``export`` of the map in a worker thread (a typesetting slot for PDFs) and answer it.

    A ``HEAD`` request for a typeset export checks the map and the options as ``GET`` would and
    answers the same headers without typesetting (a core for seconds, for a body thrown away).
    """
    scope, options = options_from(export, params)
    if export.typesets and request is not None and request.scope.get("argmap_head"):
        await anyio.to_thread.run_sync(_scope_only, store, map_id, export, scope)  # 404 / 422 as GET would
        request.scope["argmap_head_unmade"] = True
        data = b""
    elif export.typesets:
        # Typesetting has its own limit; each Graphviz layout in it has the diagrams' (TIMEOUT).
        data = await typeset(_make, store, map_id, export, scope, options, TYPESET_TIMEOUT, TIMEOUT)
    else:
        data = await anyio.to_thread.run_sync(_make, store, map_id, export, scope, options, TIMEOUT)
    disposition = f'{export.disposition}; filename="{map_id}-{export.filename}"'  # ids are [A-Za-z0-9_.:~-]
    return Response(data, media_type=bare(export.media_type), headers={**_HEADERS, "Content-Disposition": disposition})


# -- Implementation details ----------------------------------------------------------------


def _scope_only(store: Store, map_id: str, export: Export, scope: Scope) -> None:
    """What a typeset export checks before it typesets: the map exists, the scope fits it."""
    m = store.get_map(map_id)
    if export.scoped:
        select(m, scope)


def _make(store: Store, map_id: str, export: Export, scope: Scope, options, timeout: float,
          layout_timeout: float | None = None) -> bytes:
    from argmap.history import made_from, read_for_export, stamp  # every export says which map and version it is

    m, version = read_for_export(store, map_id)
    made = made_from(store, map_id, version)
    return stamp(make(export, m, scope, options, timeout=timeout, layout_timeout=layout_timeout, made=made), export,
                 map_id, version, made.at if made else None)


def _is_list(t) -> bool:
    return typing.get_origin(_bare(t)) is list


def _bare(t):
    """The type without Annotated and without None."""
    if typing.get_origin(t) is Annotated:
        t = typing.get_args(t)[0]
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        t = args[0] if len(args) == 1 else t
    if typing.get_origin(t) is Annotated:
        t = typing.get_args(t)[0]
    return t


def _description(t) -> str:
    for part in (t, *typing.get_args(t)):
        if typing.get_origin(part) is Annotated:
            for meta in typing.get_args(part)[1:]:
                if isinstance(meta, msgspec.Meta) and meta.description:
                    return meta.description
    return ""


def _query_type(t, scope_field: bool):
    """What Litestar parses: the scope's fields as plain strings (argmap.scope checks them and
    names the field in a 422), the options' own types as they are (enums in OpenAPI)."""
    base = _bare(t)
    if _is_list(t):
        return list[str]
    if base in (bool, int):
        return base
    if not scope_field and typing.get_origin(base) is Literal:
        return base
    return str


def _parameters(export: Export) -> list[tuple[str, str, Any, Any, str]]:
    """(python name, query name, type, default, description) of every parameter of ``export``."""
    out = []
    structs = ([(Scope, True)] if export.scoped else []) + [(export.options, False)]
    for struct, is_scope in structs:
        hints = typing.get_type_hints(struct, include_extras=True)
        for f in msgspec.structs.fields(struct):
            t = hints[f.name]
            default = None if is_scope or f.default in (msgspec.NODEFAULT, None) or isinstance(f.default, list) \
                else f.default
            out.append((f"p_{f.name}", parameter_name(f), _query_type(t, is_scope), default, _description(t)))
    return out


def _handler(name: str, exports: list[Export]):
    first = exports[0]
    params = _parameters(first)
    # Field name → the struct field it fills (the encode name: "from", "speakers").
    fills = {}
    for struct in ([Scope] if first.scoped else []) + [first.options]:
        for f in msgspec.structs.fields(struct):
            fills[f"p_{f.name}"] = f.encode_name

    async def handler(store: Store, map_id: str, request: Request, **query) -> Response:
        suffix = request.url.path.rsplit(f"/{name}.", 1)[1]
        given = {fills[k]: v for k, v in query.items() if v is not None}
        return await respond(store, map_id, find(name, suffix), given, request)

    signature = [
        inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, annotation=StoreDep),
        inspect.Parameter("map_id", inspect.Parameter.KEYWORD_ONLY, annotation=PathId),
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
    ]
    annotations = {"store": StoreDep, "map_id": PathId, "request": Request, "return": Response}
    for py_name, query_name, t, default, description in params:
        annotation = Annotated[t | None, QueryParameter(name=query_name, description=description or None)]
        signature.append(inspect.Parameter(py_name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                           default=default))
        annotations[py_name] = annotation
    handler.__signature__ = inspect.Signature(signature, return_annotation=Response)
    handler.__annotations__ = annotations
    handler.__name__ = handler.__qualname__ = f"export_{name}"
    suffixes = ", ".join(e.suffix.upper() for e in exports)
    return get(
        [f"/maps/{{map_id:str}}{e.path}" for e in exports], operation_id=by_extension(name), tags=["exports"],
        summary=first.summary or f"{name} as {suffixes}",
        description=f"Formats: {suffixes}. The scope parameters (focus, depth, from, to, speaker, tag, kind) "
        "select the same statements in every export. An export over a size or time limit is a 422 "
        "`limit_exceeded` that says how to narrow it.",
    )(handler)
