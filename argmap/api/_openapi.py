"""Helpers that keep the OpenAPI document valid."""

from __future__ import annotations

__all__ = ["by_extension"]


def by_extension(name: str):
    """An operation id per path for a handler served under several extensions.

    One handler on ``/x.csv`` and ``/x.json`` is one operation per path in OpenAPI, and ids
    must be unique: ``by_extension("table")`` names them ``tableCsv``, ``tableJson``.

    >>> by_extension("diagram")(None, "GET", ["maps", "diagram.svg"])
    'diagramSvg'
    """

    def operation_id(handler, method, path_components) -> str:
        return name + str(path_components[-1]).rsplit(".", 1)[-1].capitalize()

    return operation_id
