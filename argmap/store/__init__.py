"""The store: argument maps in DuckDB. See :class:`Store`."""

from argmap.store._store import Counts, MapSummary, Store, default_path

__all__ = ["Counts", "MapSummary", "Store", "default_path"]
