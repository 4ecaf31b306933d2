"""argmap: argument maps of what public officials say.

>>> import argmap
>>> m = argmap.load_map_file("seeds/peace-plan.yaml")          # doctest: +SKIP
>>> with argmap.Store("argmap.duckdb") as store:               # doctest: +SKIP
...     store.load_map(m, replace=True)

The public surface is listed in ``__all__``; everything else is private by default.
"""

from argmap.errors import (
    ArgmapError,
    Conflict,
    DanglingReference,
    DuplicateId,
    FormatError,
    InUse,
    InvalidInput,
    LimitExceeded,
    NotFound,
    Problem,
)
from argmap.mapfile import decode_map, load as load_map_file
from argmap.model import (
    Argument,
    Map,
    MapInfo,
    PartialDate,
    Quote,
    Relation,
    Source,
    Speaker,
    Statement,
    check_map,
    partial_date,
)

# The store is imported on first use: importing DuckDB starts a thread, and a process that only
# reads maps or renders them (the forkserver that typesets PDFs, argmap.render._pdf) must stay
# single-threaded so that it can fork safely.
_LAZY = {"Counts": "argmap.store", "Store": "argmap.store"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'argmap' has no attribute {name!r}")

__all__ = [
    "ArgmapError",
    "Argument",
    "Conflict",
    "Counts",
    "DanglingReference",
    "DuplicateId",
    "FormatError",
    "InUse",
    "InvalidInput",
    "LimitExceeded",
    "Map",
    "MapInfo",
    "NotFound",
    "PartialDate",
    "Problem",
    "Quote",
    "Relation",
    "Source",
    "Speaker",
    "Statement",
    "Store",
    "check_map",
    "decode_map",
    "load_map_file",
    "partial_date",
]
