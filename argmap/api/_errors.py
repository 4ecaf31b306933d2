"""The HTTP status of each of argmap's errors (one table, for the app's handler and the pages)."""

from __future__ import annotations

from argmap.errors import ArgmapError, Conflict, FormatError, LimitExceeded, NotFound, PreconditionFailed, ReadOnly, TooLarge

__all__ = ["error_status"]

_STATUS = [
    (FormatError, 400),
    (NotFound, 404),
    (PreconditionFailed, 412),
    (Conflict, 409),
    (TooLarge, 413),
    (LimitExceeded, 422),
    (ReadOnly, 503),
    (ArgmapError, 422),
]


def error_status(exc: ArgmapError) -> int:
    """The HTTP status of one of our errors: 400 unparseable, 404, 412, 409, 413 too large, 503 read-only, else 422."""
    return next(code for cls, code in _STATUS if isinstance(exc, cls))
