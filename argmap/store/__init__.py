"""The store: argument maps in DuckDB, one file or a DuckLake catalog. See :class:`Store`."""

from argmap.store._store import Change, Counts, MapSummary, Store, WriteRecord, default_path
from argmap.store import _file, _lake  # noqa: E402,F401  (the back ends register with Store)

__all__ = ["Change", "Counts", "MapSummary", "Store", "WriteRecord", "default_path"]
