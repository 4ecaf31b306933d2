"""Reading an imported document in a child process: the whole read bounded in time and memory.

Detection, parsing, modelling and checks run in a child of :mod:`argmap._child`'s forkserver,
killed at :data:`SECONDS` and held under :data:`MEMORY`; documents under
:data:`IN_PROCESS_BYTES` are read in the caller's process (docs/ARCHITECTURE.md, "Interchange").

>>> read_bounded(b"[a]: A.", "argdown", fallback_id="x")[0].map.statements[0].text   # doctest: +SKIP
'A.'
"""

from __future__ import annotations

import gc

import msgspec

from argmap import _child
from argmap.errors import FormatError, LimitExceeded, TooLarge
from argmap.formats import detect, read
from argmap.formats._common import Imported
from argmap.mapfile import _prune
from argmap.model import Map

__all__ = ["IN_PROCESS_BYTES", "MEMORY", "SECONDS", "read_bounded"]

SECONDS = 60.0
"""Longest a whole read may take (format detection to checked map). A 2 MB Argdown document
(47,000 statements) reads in about 5 s on our 2-core machine, a 10 MB AIF export in about 10 s."""

MEMORY = 3 * 2**30
"""Bytes of address space a read may map. The child starts at about 300 MiB mapped (what its
forkserver preloaded: WeasyPrint, Lark, msgspec); reading a 10 MB AIF document peaks at
about 1 GiB."""

IN_PROCESS_BYTES = 64 * 1024
"""Documents smaller than this are read in the caller's process (bounded by the formats' own
limits: a 64 KiB document reads in well under a second)."""

_child.preload("argmap.formats._bounded", "argmap.formats._bounded_warm")


class _Job(msgspec.Struct, array_like=True):
    format: str | None
    map_id: str | None
    fallback_id: str
    title: str | None
    filename: str | None
    content_type: str | None
    max_map_bytes: int | None
    max_bytes: dict[str, int] | None


class _Read(msgspec.Struct, array_like=True):
    format: str
    map: bytes  # msgpack
    counts: dict[str, int]
    skipped: dict[str, int]
    notes: list[str]


def read_bounded(data: bytes, fmt: str | None = None, *, map_id: str | None = None, fallback_id: str = "imported",
                 title: str | None = None, filename: str | None = None, content_type: str | None = None,
                 max_map_bytes: int | None = None, max_bytes: dict[str, int] | None = None,
                 timeout: float | None = None) -> tuple[Imported, str]:
    """Detect (unless ``fmt`` is given) and read a document as :func:`argmap.formats.read` does,
    in a child process past :data:`IN_PROCESS_BYTES`; return the import and its format.

    ``max_bytes`` bounds the document's size by format (TooLarge above it, before it is read);
    ``max_map_bytes`` the map it makes, as a map document; ``timeout`` (default :data:`SECONDS`)
    the whole read.

    Raises
    ------
    TooLarge
        The document is larger than ``max_bytes`` allows for its format.
    LimitExceeded
        Past ``timeout`` seconds or :data:`MEMORY` (the child is gone), or when the map is
        larger than ``max_map_bytes`` as a map document.
    ArgmapError
        What reading raised (FormatError, InvalidInput, ...), with every problem it named.
    """
    job = _Job(fmt, map_id, fallback_id, title, filename, content_type, max_map_bytes, max_bytes)
    if max_bytes:  # refused before a child starts when the format is known without reading
        try:
            _check_size(data, fmt or detect(b"", filename=filename, content_type=content_type), max_bytes)
        except FormatError:
            pass  # told by the content: the child checks once it has sniffed it
    if len(data) < IN_PROCESS_BYTES:
        return _imported(_work(job, data))
    timeout = SECONDS if timeout is None else timeout
    try:
        done = _child.run(_work, msgspec.msgpack.encode(job), timeout=timeout, memory=MEMORY,
                          name="argmap-import", blob=data)
    except _child.TimedOut:
        raise LimitExceeded("document", f"reading this document took longer than {timeout:g} s, the limit for "
                            "one import; split it into smaller documents") from None
    except (_child.OutOfMemory, _child.Died) as e:
        how = f" ({e.how()})" if isinstance(e, _child.Died) else ""
        raise LimitExceeded("document", f"reading this document needs more than the {MEMORY // 2**20:,} MiB of "
                            f"memory one import may take{how}; split it into smaller documents") from None
    except _child.Failed as e:
        raise LimitExceeded("document", f"reading this document failed: {e}") from None
    return _imported(msgspec.msgpack.decode(done, type=_Read))


def _imported(done: _Read | bytes) -> tuple[Imported, str]:
    if isinstance(done, bytes):
        done = msgspec.msgpack.decode(done, type=_Read)
    m = msgspec.msgpack.decode(done.map, type=Map)
    return Imported(map=m, counts=done.counts, skipped=done.skipped, notes=done.notes), done.format


def _work(job: bytes | _Job, data: bytes) -> bytes:
    """The read itself: in the child (``job`` as msgpack), or here for a small document."""
    if isinstance(job, bytes):
        job = msgspec.msgpack.decode(job, type=_Job)
        gc.disable()  # the child ends after one read; collecting its cycles would only cost time
    try:
        fmt = job.format or detect(data, filename=job.filename, content_type=job.content_type)
        if job.max_bytes:
            _check_size(data, fmt, job.max_bytes)
        imported = read(data, fmt, map_id=job.map_id, fallback_id=job.fallback_id, title=job.title,
                        filename=job.filename)
    except RecursionError:  # as the HTTP API answers it for every body (400, not a failure)
        raise FormatError("$", "the document is nested too deeply") from None
    if job.max_map_bytes is not None:
        size = len(msgspec.json.encode(_prune(msgspec.to_builtins(imported.map))))
        if size > job.max_map_bytes:
            raise LimitExceeded("document", f"this document makes a map of {size:,} bytes as a map document; "
                                f"an import makes maps of up to {job.max_map_bytes:,} bytes")
    return msgspec.msgpack.encode(_Read(fmt, msgspec.msgpack.encode(imported.map), imported.counts,
                                        imported.skipped, imported.notes))


def _check_size(data: bytes, fmt: str, max_bytes: dict[str, int]) -> None:
    limit = max_bytes.get(fmt)
    if limit is not None and len(data) > limit:
        raise TooLarge("body", f"{len(data):,} bytes; {fmt} documents are imported up to {limit:,} bytes")
