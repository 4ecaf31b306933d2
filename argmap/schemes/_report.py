"""Which catalogued scheme each argument of a map uses, and the names nobody knows.

>>> from argmap.model import Map, Statement, Argument
>>> m = Map(id="m", title="t", statements=[Statement(id="p", text="p"), Statement(id="c", text="c")],
...         arguments=[Argument(id="a", kind="support", premises=["p"], target="c", scheme="Astrology")])
>>> scheme_notes(m)
["scheme 'Astrology' is not in argmap's catalogue (kept as written; GET /schemes lists the catalogue) (1×)"]
"""

from __future__ import annotations

from collections import Counter

from argmap.model import Map
from argmap.schemes._catalogue import Resolution, resolve

__all__ = ["map_schemes", "scheme_notes"]


def map_schemes(m: Map) -> dict[str, Resolution]:
    """``{argument id: what its scheme text refers to}`` for every argument that names a scheme."""
    return {a.id: resolve(a.scheme) for a in m.arguments if a.scheme}


def scheme_notes(m: Map) -> list[str]:
    """One note per scheme name a map's arguments and relations use that the catalogue does not
    know, with how often: what an import reports (the names stay on the arguments as written)."""
    unknown = Counter(
        item.scheme for item in (*m.arguments, *m.relations)
        if item.scheme and resolve(item.scheme).status == "unknown"
    )
    return [
        f"scheme {name!r} is not in argmap's catalogue (kept as written; GET /schemes lists the catalogue) ({n}×)"
        for name, n in sorted(unknown.items())
    ]
