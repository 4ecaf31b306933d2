"""Helpers that keep the OpenAPI document valid and true.

>>> by_extension("diagram")(None, "GET", ["maps", "diagram.svg"])
'diagramSvg'
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema

__all__ = ["by_extension", "by_extension_operation"]


def by_extension(name: str):
    """An operation id per path for a handler served under several extensions.

    One handler on ``/x.csv`` and ``/x.json`` is one operation per path in OpenAPI, and ids
    must be unique: ``by_extension("table")`` names them ``tableCsv``, ``tableJson``.
    """

    def operation_id(handler, method, path_components) -> str:
        return name + str(path_components[-1]).rsplit(".", 1)[-1].capitalize()

    return operation_id


def by_extension_operation(name: str, media_types: dict[str, str]) -> type[Operation]:
    """The operation class of a :func:`by_extension` handler: each path documents its own answer.

    Litestar documents one handler's answer once for all its paths (as JSON, when it returns a
    ``Response``); this puts each extension's media type on its own path, e.g. ``diagramSvg``
    answers ``image/svg+xml``.
    """

    @dataclass
    class ByExtension(Operation):
        def __post_init__(self) -> None:
            ext = (self.operation_id or "").removeprefix(name).lower()
            media_type = media_types[ext]
            kind = OpenAPIType.OBJECT if media_type.startswith("application/json") else OpenAPIType.STRING
            schema = Schema(type=kind) if kind is OpenAPIType.OBJECT else Schema(type=kind, format="binary")
            ok = next(r for code, r in (self.responses or {}).items() if code.startswith("2"))
            ok.content = {media_type: OpenAPIMediaType(schema=schema)}

    ByExtension.__name__ = f"{name.capitalize()}Operation"
    return ByExtension
