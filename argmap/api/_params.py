"""Parameter types the controllers share, in Litestar's explicit style (2.23+; 3.0 requires it).

>>> def get_one(store: StoreDep, map_id: PathId): ...   # doctest: +SKIP
"""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import FromPath

from argmap.store import Store

__all__ = ["PathId", "StoreDep"]

StoreDep = NamedDependency[Store]
"""The app's one Store, opened in its lifespan (``create_app``'s ``store`` dependency)."""
PathId = FromPath[str]
"""A map or item id taken from the path."""
