"""Interchange formats: AIF JSON and Argdown in and out (and argmap's own map files).

Every format module offers the same pair, plus ``read`` for the import report::

    read(data, *, map_id=..., title=None) -> Imported   # the map, and what was left out
    loads(data, **kw) -> Map
    dumps(map) -> bytes | str

>>> from argmap.formats import FORMATS
>>> sorted(FORMATS)
['aif', 'argdown', 'native']
"""

from argmap.formats._common import Imported

__all__ = ["FORMATS", "Imported"]

FORMATS = ("aif", "argdown", "native")
