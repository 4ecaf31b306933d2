"""What the handlers hand to Litestar's ``Response``.

The error body every route answers with is documented once, for all routes, by
:func:`argmap.api._openapi.document_errors`.
"""

from __future__ import annotations

__all__ = ["bare"]


def bare(media_type: str) -> str:
    """The media type without parameters, for a ``Response``.

    Litestar appends ``; charset=utf-8`` to every ``text/*`` type, so ``text/csv; charset=utf-8``
    would go out with the charset twice.

    >>> bare("text/vnd.graphviz; charset=utf-8")
    'text/vnd.graphviz'
    """
    return media_type.split(";", 1)[0].strip()
