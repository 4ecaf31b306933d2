"""Conditional requests (RFC 9110 §13): ``ETag`` on reads, ``If-Match`` on writes back and
``If-None-Match`` for a bodiless 304, so that two editors cannot silently overwrite each other.
An ETag is a digest of the item's JSON (docs/ARCHITECTURE.md, "The HTTP layer").

>>> from argmap.model import Statement
>>> tag = etag(Statement(id="s1", text="Peace needs Ukraine at the table."))
>>> matches(tag, tag), matches("*", tag), matches('"other", ' + tag, tag), matches(f"W/{tag}", tag)
(True, True, True, False)
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from litestar.datastructures import ResponseHeader
from litestar.params import HeaderParameter

from argmap.errors import PreconditionFailed

__all__ = ["ETAG_HEADER", "IfMatch", "IfNoneMatch", "etag", "matches", "require_match", "require_tag"]

IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", description="Only if the current ETag is one of these (as a GET gave it), or `*`; "
    "else 412 and nothing is written.")]
IfNoneMatch = Annotated[str | None, HeaderParameter(
    name="If-None-Match", description="An ETag from an earlier GET: 304 with no body while it is still current.")]
ETAG_HEADER = ResponseHeader(name="ETag", documentation_only=True,
                             description="The entity tag: send it back in If-Match to write only if nothing changed.")


def etag(item: msgspec.Struct) -> str:
    """A strong entity tag of ``item``: a quoted digest of its JSON encoding."""
    return '"' + hashlib.blake2b(msgspec.json.encode(item), digest_size=12).hexdigest() + '"'


def matches(header: str | None, tag: str, *, weak: bool = False) -> bool:
    """Whether an ``If-Match`` (strong comparison: a ``W/"…"`` tag never matches) or, with
    ``weak``, an ``If-None-Match`` value (``W/`` ignored) names ``tag`` or is ``*``."""
    if header is None:
        return False
    tags = (t.strip() for t in header.split(","))
    return any((t[2:] if weak and t.startswith("W/") else t) in ("*", tag) for t in tags)


def require_match(if_match: str | None, item: msgspec.Struct, kind: str) -> msgspec.Struct:
    """Return ``item`` if ``if_match`` is absent or names its ETag; else raise PreconditionFailed."""
    if if_match is not None:
        require_tag(if_match, etag(item), kind)
    return item


def require_tag(if_match: str | None, tag: str, kind: str) -> None:
    """Raise PreconditionFailed unless ``if_match`` is absent or names ``tag``, the current
    ETag of the ``kind`` about to be written (read inside that write's transaction)."""
    if if_match is not None and not matches(if_match, tag):
        raise PreconditionFailed("If-Match", f"the {kind} changed since it was read: its ETag is now {tag}; "
                                             "read it again and reapply the change")
