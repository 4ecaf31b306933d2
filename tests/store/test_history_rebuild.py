"""A past version is rebuilt from the current rows with the later changes undone
(``_history.store_at``): it must hold exactly what the store held then, whatever came after —
edits, deletes with cascade, a restore (which renumbers every row's place), the map deleted
and created again — on both back ends."""

from __future__ import annotations

import random

import pytest

from argmap import history
from argmap.errors import NotFound
from argmap.model import Argument, Map, Source, Speaker, Statement
from argmap.store import _history

LAKE_IS_SLOW = True


def _small_map() -> Map:
    return Map(
        id="m", title="A map", description="first", extras={"k": 1},
        speakers=[Speaker(id="sp1", name="Ann")],
        sources=[Source(id="src1", title="A paper")],
        statements=[Statement(id=f"s{i}", text=f"Claim number {i}.", speaker="sp1" if i % 2 else None,
                              source="src1" if i % 3 == 0 else None, tags=["t"] if i % 4 == 0 else [])
                    for i in range(12)],
        arguments=[Argument(id=f"a{i}", kind="support" if i % 3 else "attack", premises=[f"s{i + 1}", f"s{i + 2}"],
                            target=f"s{i}") for i in range(8)],
    )


def test_every_past_version_is_rebuilt_exactly(store):
    rnd = random.Random(5)
    seen: dict[int, Map] = {}

    def keep() -> None:
        seen[history.current_version(store, "m")] = store.get_map("m")

    store.load_map(_small_map())
    keep()
    for i in range(30):
        r = rnd.random()
        ids = [s.id for s in store.list_statements("m")]
        if r < 0.35:
            s = store.get_statement("m", rnd.choice(ids))
            store.update_statement("m", Statement(**{**{f: getattr(s, f) for f in s.__struct_fields__},
                                                     "text": f"{s.text} (edit {i})", "kind": rnd.choice(
                                                         ["claim", "event"])}))
        elif r < 0.55:
            store.add_statement("m", Statement(id=f"n{i}", text=f"New claim {i}."))
            store.add_argument("m", Argument(id=f"na{i}", kind="attack", premises=[f"n{i}"], target=rnd.choice(ids)))
        elif r < 0.7:
            store.delete_statement("m", rnd.choice(ids), cascade=True)
        elif r < 0.8 and len(seen) > 3:
            history.restore(store, "m", rnd.choice(sorted(seen)[:-1]))  # every row's place renumbered
        else:
            info = store.get_map_info("m")
            store.update_map(type(info)(id="m", title=f"Title {i}", description=info.description))
        keep()
    # deleted, then a different map under the same id
    store.delete_map("m")
    gone = history.current_version(store, "m")
    store.load_map(Map(id="m", title="Again", statements=[Statement(id="s0", text="Another first claim.")]))
    keep()
    for version, expected in seen.items():
        _history._COPIES.pop(store, None)  # rebuild each, not a kept copy
        past = history.store_as_of(store, "m", version)
        assert past.get_map("m") == expected, f"version {version}"
        assert past.map_version("m") == version
    with pytest.raises(NotFound):
        history.store_as_of(store, "m", gone)
