"""Interchange formats read into maps: AIF JSON, Argdown and argmap's own map files.

Each format module offers ``read(data, ...) -> Imported`` (the map, and what was left out),
``loads`` and ``dumps``; ``table.py`` makes the statements table. This module picks the reader:
:func:`detect` from a file name, a content type or the content, :func:`read` by format name.
Writing is the export catalogue's (argmap/exports/documents.py).

>>> detect(b'{"nodes": [], "edges": []}')
'aif'
"""

from __future__ import annotations

from pathlib import PurePath

import msgspec

from argmap.errors import FormatError
from argmap.formats import aif, argdown
from argmap.formats._common import Imported, make_id
from argmap.mapfile import FORMATS as MAPFILE_FORMATS
from argmap.mapfile import loads

__all__ = ["FORMATS", "Imported", "detect", "id_from_filename", "read"]

FORMATS = ("aif", "argdown", "native")
"""What ``argmap import --format`` and ``POST /maps/import?format=`` accept."""


_SUFFIXES = {
    ".argdown": "argdown", ".ad": "argdown", ".aif": "aif",
    ".yaml": "native", ".yml": "native", ".toml": "native",
}
_MEDIA = {
    "text/x-argdown": "argdown", "text/argdown": "argdown", "application/x-argdown": "argdown",
    "application/x-aif+json": "aif", "application/aif+json": "aif",
    "application/yaml": "native", "application/x-yaml": "native", "text/yaml": "native",
}


def detect(data: bytes, *, filename: str | None = None, content_type: str | None = None) -> str:
    """The format of a document: from its file extension, else its content type, else its
    content (JSON with ``nodes`` or ``AIF`` is AIF, other JSON a map file). Argdown and YAML
    cannot be told apart by content: name one, or say which."""
    if filename:
        suffix = PurePath(filename.lower()).suffix
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _MEDIA:
        return _MEDIA[media]
    if data.lstrip()[:1] == b"{":  # Argdown may start with "[": only an object is sniffed
        try:
            top = msgspec.json.decode(data, type=dict)
        except msgspec.DecodeError as e:
            raise FormatError("$", f"looks like JSON but is not: {e}") from None
        return "aif" if "nodes" in top or "AIF" in top else "native"
    raise FormatError(
        "format", "cannot tell the format from the content: name it (aif, argdown or native), "
        "or use a file extension (.argdown, .json, .yaml)"
    )


def read(data: bytes, format: str, *, map_id: str | None = None, fallback_id: str = "imported",
         title: str | None = None, filename: str | None = None) -> Imported:
    """Read a document of ``format`` into a checked map.

    The map's id is ``map_id``, else the document's own (a map file's ``id``, Argdown front
    matter ``argmap: {id}``), else ``fallback_id``.
    """
    try:
        reader = _READERS[format]
    except KeyError:
        raise FormatError("format", f"unknown format {format!r}; use one of {', '.join(FORMATS)}") from None
    imported = reader(data, map_id=map_id, fallback_id=fallback_id, title=title, filename=filename)
    from argmap.schemes import scheme_notes  # scheme names the catalogue does not know, reported

    if notes := scheme_notes(imported.map):
        imported.notes = [*imported.notes, *notes]
    return imported


def id_from_filename(filename: str) -> str:
    """A map id from a file name: ``nodeset21145.json`` → ``nodeset21145``."""
    name = PurePath(filename).name.split(".")[0]
    return make_id(name, fallback="imported") if name else "imported"


# -- Implementation details ----------------------------------------------------------------


def _aif(data: bytes, *, map_id, fallback_id, title, filename) -> Imported:
    return aif.read(data, map_id=map_id, fallback_id=fallback_id, title=title)


def _argdown(data: bytes, *, map_id, fallback_id, title, filename) -> Imported:
    return argdown.read(data, map_id=map_id, fallback_id=fallback_id, title=title)


def _native(data: bytes, *, map_id, fallback_id, title, filename) -> Imported:
    suffix = PurePath(filename.lower()).suffix if filename else ""
    kind = MAPFILE_FORMATS.get(suffix) or ("json" if data.lstrip()[:1] == b"{" else "yaml")
    m = loads(data, format=kind)
    changes = {k: v for k, v in (("id", map_id), ("title", title)) if v}
    return Imported(map=msgspec.structs.replace(m, **changes) if changes else m)


_READERS = {"aif": _aif, "argdown": _argdown, "native": _native}
