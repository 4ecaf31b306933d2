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
from argmap.store import Counts, Store

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
