"""Helpers that keep the OpenAPI document valid and true.

>>> by_extension("diagram")(None, "GET", ["maps", "diagram.svg"])
'diagramSvg'
"""

from __future__ import annotations

from argmap.model import RESERVED_MAP_IDS

__all__ = ["by_extension", "document_errors"]


def by_extension(name: str):
    """An operation id per path for a handler served under several extensions.

    One handler on ``/x.csv`` and ``/x.json`` is one operation per path in OpenAPI, and ids
    must be unique: ``by_extension("table")`` names them ``tableCsv``, ``tableJson``.
    """

    def operation_id(handler, method, path_components) -> str:
        return name + str(path_components[-1]).rsplit(".", 1)[-1].capitalize()

    return operation_id


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message", "problems"],
    "properties": {
        "error": {"type": "string", "description": "A machine code: invalid, format, not_found, conflict, …"},
        "message": {"type": "string"},
        "problems": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}
_ERRORS = {
    "400": "A malformed body or parameter (the field and the reason).",
    "401": "A token is required (ARGMAP_TOKEN for writes, ARGMAP_READ_TOKEN for reads) and was missing or wrong.",
    "403": "A write sent by a page of another site (its Origin), or by a signed-in browser without its CSRF token.",
    "404": "No such map, or no such item in it.",
    "409": "A duplicate id, or a delete that would leave references dangling (retry with cascade=true).",
    "405": "The map id is reserved (`import`): /maps/import is the import route, which takes POST only.",
    "412": "If-Match named an ETag the item no longer has: someone changed it; nothing was written.",
    "413": "The body is larger than the server takes (ARGMAP_MAX_BODY).",
    "415": "The body is not sent as JSON (Content-Type: application/json): this route takes JSON only.",
    "422": "A rule of the model broken, or a limit exceeded (the field and the reason).",
}
_WRITES = {"post", "put", "patch", "delete"}


def document_errors(schema: dict, media_types: dict[str, str], body_schemas: dict[str, dict] | None = None) -> dict:
    """Make the served OpenAPI document say what the API really answers.

    Litestar documents a handler's success and its own validation error only. Every operation
    here can also answer our error shape (:func:`argmap.api.app.create_app` registers one
    handler for it) with 400, 401, 404 (with a path parameter), 409 (writes), 412 (with
    If-Match), 413 (with a body) and 422; and an export answers the media type of its extension, from
    ``media_types`` (path suffix → media type). Found by schemathesis (tests/reliability).

    >>> doc = {"paths": {"/maps/{map_id}/diagram.svg": {"get": {"responses": {"200": {}}}}}}
    >>> sorted(document_errors(doc, {"/diagram.svg": "image/svg+xml"})["paths"]["/maps/{map_id}/diagram.svg"]["get"]["responses"])
    ['200', '400', '401', '404', '422']
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = _ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}

    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for param in op.get("parameters", []):
                if param.get("in") == "path" and param.get("name") in ("map_id", "map_ref"):
                    # /maps/import is a route of its own, so no map may be called that.
                    param.setdefault("schema", {})["not"] = {"enum": sorted(RESERVED_MAP_IDS)}
            if path in ("/maps/{map_id}", "/maps/{map_ref}"):  # the reserved id meets its route
                op["responses"]["405"] = {"description": _ERRORS["405"],
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for response in op["responses"].values():
                # OpenAPI 3.1 wants a schema (or content) in every header object; Litestar's
                # ResponseHeader has neither. Every header we send is text (ETag, Location, …).
                for header in response.get("headers", {}).values():
                    if "schema" not in header and "content" not in header:
                        header["schema"] = {"type": "string"}
            codes = {"400", "401", "422"}
            codes |= {"404"} if "{" in path else set()
            codes |= {"403", "409"} if method in _WRITES else set()
            codes |= {"413"} if "requestBody" in op else set()
            codes |= {"415"} if "application/json" in op.get("requestBody", {}).get("content", {}) else set()
            codes |= {"412"} if any(p.get("name") == "If-Match" for p in op.get("parameters", [])) else set()
            for code in sorted(codes):
                op["responses"][code] = {"description": _ERRORS[code], "content": {"application/json": {"schema": ref}}}
            # The longest suffix the path ends with: /statements.json, not the map document's .json.
            suffix = max((x for x in media_types if path.endswith(x)), key=len, default=None)
            if suffix is not None:
                media_type = media_types[suffix]
                ok = next((c for c in ("200", "201") if c in op["responses"]), "200")
                body = {"type": "string"} if media_type.startswith(("text/", "image/svg")) else \
                    {"type": "string", "format": "binary"}
                if media_type == "application/json":
                    # What the export's record declares (the statements table is a list of
                    # rows); other JSON exports are documents of other tools: objects.
                    body = (body_schemas or {}).get(suffix) or {"type": "object"}
                op["responses"][ok] = {"description": op["responses"].get(ok, {}).get("description", "OK"),
                                       "content": {media_type: {"schema": body}}}
    return schema
