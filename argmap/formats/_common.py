"""What the format modules share: the import result and the way ids are made.

>>> make_id("Absolute Freedom of Speech")
'absolute-freedom-of-speech'
>>> make_id("kallas-no-viable-plan")
'kallas-no-viable-plan'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import msgspec

from argmap.errors import DanglingReference, InvalidInput, Problem
from argmap.model import Map

__all__ = ["Imported", "IdAllocator", "is_id", "make_id", "raise_problems"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:~-]*$")
MAX_ID = 128


class Imported(msgspec.Struct, kw_only=True):
    """A map read from an interchange document, and what the reader could not model.

    ``counts`` is what the document holds in its own terms (AIF node types; Argdown's
    statements, arguments and relations by type), ``skipped`` what was read and deliberately
    left out, by kind (``"TA nodes": 71``), and ``notes`` where the translation had to choose
    (each once, with how often).
    """

    map: Map
    counts: dict[str, int] = {}
    skipped: dict[str, int] = {}
    notes: list[str] = []


def is_id(text: str) -> bool:
    """Whether ``text`` can be an argmap id as it is."""
    return len(text) <= MAX_ID and _ID.match(text) is not None


def make_id(text: str, *, fallback: str = "x") -> str:
    """A deterministic id for a title or foreign id: itself when it is a valid id, else a
    lower-case slug (accents folded), else ``fallback`` plus a short hash of the text."""
    if is_id(text):
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:96].rstrip("-")
    if slug:
        return slug
    return f"{fallback}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


class IdAllocator:
    """Hands out unique ids in one id space; a taken id gets ``-2``, ``-3``, … appended.

    >>> ids = IdAllocator()
    >>> ids.take("a"), ids.take("a"), ids.take("a")
    ('a', 'a-2', 'a-3')
    """

    def __init__(self, taken: set[str] | None = None):
        self.taken: set[str] = set(taken or ())

    def take(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.taken:
            n += 1
            suffix = f"-{n}"
            candidate = wanted[: MAX_ID - len(suffix)] + suffix
        self.taken.add(candidate)
        return candidate


def raise_problems(problems: list[tuple[Problem, bool]]) -> None:
    """Raise every problem at once: DanglingReference when all are references, else InvalidInput."""
    if problems:
        cls = DanglingReference if all(ref for _, ref in problems) else InvalidInput
        raise cls(problems=[p for p, _ in problems])
