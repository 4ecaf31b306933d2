"""JSON Schemas of argmap's documents, generated from the model's Structs.

>>> from argmap.schemas import generate
>>> sorted(generate())[:2]
['argument', 'map']

``argmap schema`` writes them to ``schemas/``; a test fails when the checked-in files differ
from what the code generates, so the published schemas never drift from the Structs.
"""

from __future__ import annotations

import msgspec

from argmap.model import Argument, Map, MapInfo, Relation, Source, Speaker, Statement

__all__ = ["DOCUMENTS", "generate"]

DOCUMENTS: dict[str, type] = {
    "map": Map,
    "map-info": MapInfo,
    "speaker": Speaker,
    "source": Source,
    "statement": Statement,
    "argument": Argument,
    "relation": Relation,
}


def generate() -> dict[str, bytes]:
    """``{name: schema as pretty JSON}`` for every document type."""
    out = {}
    for name, typ in DOCUMENTS.items():
        schema = msgspec.json.schema(typ)
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"argmap {name}", **schema}
        out[name] = msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"
    return out
