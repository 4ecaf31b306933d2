"""Bulk import: many documents (AIF, Argdown, map files), one map each, all-or-nothing each.

``argmap import FILES…`` and ``POST /maps/import`` with an NDJSON body both go through
:func:`import_documents`: documents are read and checked one by one (a large one in a child
process with a deadline: :mod:`argmap.formats._bounded`), then stored in chunks,
each chunk one group commit (:meth:`argmap.store.Store.load_maps`) in which a refused document
changes nothing and refuses none of the others. A report per document comes back in order as
each chunk commits, so callers can show progress.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import msgspec

from argmap import formats
from argmap.errors import ArgmapError, Conflict
from argmap.formats._common import MAX_ID
from argmap.formats._naming import MAX_TRIES, document_id, store_new
from argmap.model import Map
from argmap.store import Counts, Store

__all__ = ["CHUNK", "Document", "ImportReport", "import_documents"]

CHUNK = 64
"""Documents stored per commit (and between two progress reports)."""


class Document(msgspec.Struct, kw_only=True):
    """One document to import: its bytes, and what is known of it."""

    data: bytes
    name: str | None = None
    """A file name: gives the format by extension and the map id when the document has none."""
    format: str | None = None
    id: str | None = None
    """The new map's id (default: the document's own, else from ``name``, else 'imported')."""
    content_type: str | None = None
    map: Map | None = None
    """The document already read (a map file whose sources name text files beside it)."""


class ImportReport(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What became of one document: ``ok`` with the map it made, or ``error`` (the API's error
    shape: code, message, problems naming node, edge, line or field)."""

    index: int
    """The document's position in the import, from 0."""
    ok: bool
    name: str | None = None
    id: str | None = None
    format: str | None = None
    counts: Counts | None = None
    document: dict[str, int] = {}
    not_modelled: dict[str, int] = {}
    notes: list[str] = []
    error: dict | None = None
    exception: ArgmapError | None = None
    """The error itself (not encoded: the HTTP layer maps it to a status)."""


def import_documents(store: Store, documents: Iterable[Document], *, replace: bool = False,
                     chunk: int = CHUNK) -> Iterator[ImportReport]:
    """Import each document as one map; yield a report per document, in order, as they commit.

    A document that cannot be read, breaks the model, or names a map that exists (without
    ``replace``) is refused alone, with every problem named; the others go on.
    """
    pending: list[tuple[int, Document, formats.Imported | ArgmapError, str | None]] = []
    for i, doc in enumerate(documents):
        pending.append((i, doc, *_read(doc)))
        if len(pending) >= chunk:
            yield from _store(store, pending, replace)
            pending = []
    if pending:
        yield from _store(store, pending, replace)


def _named(store: Store, pending: list, replace: bool) -> dict[int, tuple[str, bool]]:
    """Give each document that names no map an id (:mod:`argmap.formats._naming`: its own, its
    title's, its file name's; -2, -3, … while taken by a map or an earlier document here).
    Returns index -> (fallback id, whether the document carries its own id)."""
    auto: dict[int, tuple[str, bool]] = {}
    taken: set[str] | None = None
    for k, (i, doc, imported, fmt) in enumerate(pending):
        if isinstance(imported, ArgmapError) or doc.id is not None or replace:
            continue
        if taken is None:
            taken = set(store.map_ids())
        fallback = formats.id_from_filename(doc.name) if doc.name else "imported"
        has_id = fmt == "native"
        base = document_id(imported.map, fallback, has_id=has_id)
        for n in range(1, MAX_TRIES + 1):
            suffix = "" if n == 1 else f"-{n}"
            candidate = base[: MAX_ID - len(suffix)] + suffix
            if candidate not in taken:
                break
        taken.add(candidate)
        if candidate != imported.map.id:
            imported.map = msgspec.structs.replace(imported.map, id=candidate)
        auto[i] = (fallback, has_id)
    return auto


def _read(doc: Document) -> tuple[formats.Imported | ArgmapError, str | None]:
    if doc.map is not None:
        return formats.Imported(map=doc.map), doc.format or "native"
    from argmap.formats._bounded import read_bounded  # a child process past 64 KiB: see there

    fmt = doc.format
    try:
        fmt = fmt or formats.detect(doc.data, filename=doc.name, content_type=doc.content_type)
        fallback = formats.id_from_filename(doc.name) if doc.name else "imported"
        return read_bounded(doc.data, fmt, map_id=doc.id, fallback_id=fallback, filename=doc.name)
    except ArgmapError as e:
        return e, fmt


def _store(store: Store, pending: list, replace: bool) -> Iterator[ImportReport]:
    auto = _named(store, pending, replace)
    readable = [(i, doc, imported, fmt) for i, doc, imported, fmt in pending if not isinstance(imported, ArgmapError)]
    results = dict(zip((i for i, *_ in readable),
                       store.load_maps([imported.map for _, _, imported, _ in readable], replace=replace)))
    for i, _, imported, _ in readable:
        if i in auto and isinstance(results[i], Conflict):  # another writer took the id meanwhile

            fallback, has_id = auto[i]
            try:
                imported.map, results[i] = store_new(store, imported.map, fallback_id=fallback, has_id=has_id)
            except ArgmapError as e:
                results[i] = e
    for i, doc, imported, fmt in pending:
        outcome = imported if isinstance(imported, ArgmapError) else results[i]
        if isinstance(outcome, ArgmapError):
            yield ImportReport(index=i, ok=False, name=doc.name, format=fmt, error=outcome.to_dict(),
                               exception=outcome)
        else:
            m = imported.map
            yield ImportReport(index=i, ok=True, name=doc.name, id=m.id, format=fmt, counts=outcome,
                               document=imported.counts, not_modelled=imported.skipped, notes=imported.notes)
