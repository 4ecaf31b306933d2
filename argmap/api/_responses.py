"""The error body every route answers with, as OpenAPI response specs.

>>> sorted(WRITE_ERRORS)
[400, 401, 404, 409, 413, 422]

Litestar documents a 400 with its own body shape for every handler that validates input;
these specs replace it with ours (validation failures answer 422 here, see ``app.py``), so
that the OpenAPI document says what the API does.
"""

from __future__ import annotations

import msgspec
from litestar.openapi.datastructures import ResponseSpec

__all__ = ["DELETE_ERRORS", "ErrorBody", "ProblemBody", "READ_ERRORS", "WRITE_ERRORS", "bare", "error_responses"]


class ProblemBody(msgspec.Struct, kw_only=True):
    field: str
    """Where: a JSON path into the body (``$.premises[0]``), or a parameter's name."""
    reason: str


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error: a machine code, one line for people, and each problem with its field."""

    error: str
    """invalid, format, dangling_reference, not_found, duplicate_id, in_use, limit_exceeded,
    unauthorized, too_large, internal, …"""
    message: str
    problems: list[ProblemBody]


_WHEN = {
    400: "The request cannot be read: a body that is not valid JSON, a malformed header.",
    401: "A token is required (ARGMAP_TOKEN for writes, ARGMAP_READ_TOKEN for reads) and was missing or wrong.",
    404: "No such map, or no such item in it.",
    409: "The id is taken, or the item is still referred to (delete with cascade=true).",
    413: "The body is over the size limit (ARGMAP_MAX_BODY).",
    422: "The input breaks a rule or a limit; each problem names its field.",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    return {c: ResponseSpec(data_container=ErrorBody, description=_WHEN[c], generate_examples=False) for c in codes}


def bare(media_type: str) -> str:
    """The media type without parameters, for a ``Response``.

    Litestar appends ``; charset=utf-8`` to every ``text/*`` type, so ``text/csv; charset=utf-8``
    would go out with the charset twice.

    >>> bare("text/vnd.graphviz; charset=utf-8")
    'text/vnd.graphviz'
    """
    return media_type.split(";", 1)[0].strip()


READ_ERRORS = error_responses(400, 401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 404, 409, 413, 422)
DELETE_ERRORS = error_responses(400, 401, 404, 409, 422)
