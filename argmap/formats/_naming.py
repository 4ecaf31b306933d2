"""The id an imported map is stored under when the caller names none.

The document's own id, else its title made into an id, else the fallback (a file name's stem,
else ``imported``); a taken id gets ``-2``, ``-3``, …, so a re-import never replaces a map by
accident (``replace`` does, under the id given). README, "Importing and exporting AIF and Argdown".

>>> from argmap.store import Store
>>> store = Store(":memory:")
>>> [store_new(store, Map(id="imported", title="Wages & prices"), fallback_id="imported")[0].id for _ in range(3)]
['wages-prices', 'wages-prices-2', 'wages-prices-3']
"""

from __future__ import annotations

import msgspec

from argmap.errors import Conflict, NotFound
from argmap.formats._common import MAX_ID, is_id, make_id
from argmap.model import RESERVED_MAP_IDS, Map

__all__ = ["MAX_TRIES", "document_id", "store_new"]

MAX_TRIES = 1000
"""Ids tried (``-2`` … ``-1000``) before an import without an id is refused as a conflict."""


def document_id(m: Map, fallback_id: str, *, has_id: bool = False) -> str:
    """The id the document asks for: its own (``has_id``: a map file, which always has one; else
    when it differs from ``fallback_id``), else its title's, else ``fallback_id``."""
    if (has_id or m.id != fallback_id) and is_id(m.id):
        wanted = m.id
    elif m.title and m.title != m.id:
        wanted = make_id(m.title.lower(), fallback=fallback_id)  # "Taxes" → "taxes", as a slug would be
    else:
        wanted = fallback_id
    return wanted if wanted not in RESERVED_MAP_IDS else f"{wanted}-map"


def store_new(store, m: Map, *, fallback_id: str, has_id: bool = False):
    """Load ``m`` as a new map under :func:`document_id`, adding ``-2``, ``-3``, … while that is
    taken (also when another import takes it meanwhile). Returns ``(map as stored, counts)``."""
    base = document_id(m, fallback_id, has_id=has_id)
    for n in range(1, MAX_TRIES + 1):
        suffix = "" if n == 1 else f"-{n}"
        candidate = base[: MAX_ID - len(suffix)] + suffix
        if _exists(store, candidate):
            continue
        named = msgspec.structs.replace(m, id=candidate) if candidate != m.id else m
        try:
            return named, store.load_map(named, replace=False)
        except Conflict:
            if not _exists(store, candidate):
                raise  # not the map's id: a conflict within the document, or of the store
            # another import took it between the check and the write: the next suffix
    raise Conflict("id", f"maps {base} to {base}-{MAX_TRIES} all exist; name the map with id")


def _exists(store, map_id: str) -> bool:
    try:
        store.get_map_info(map_id)
    except NotFound:
        return False
    return True
