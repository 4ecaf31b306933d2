"""The scheme catalogue: argument schemes and their critical questions, shipped as data.

``catalogue.yaml`` beside this module (shape :class:`Catalogue`) is loaded once by :func:`catalogue`.
An argument's ``scheme`` stays the text its author wrote; :func:`resolve` says what it refers to:
a scheme, a name the catalogue lists as naming no scheme, or nothing known (callers report it).

>>> resolve("ExpertOpinion").scheme.id, resolve("argument from expert opinion").scheme.id
('expert-opinion', 'expert-opinion')
>>> resolve("Default Inference").status, resolve("Argument from astrology").status
('unmappable', 'unknown')
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

__all__ = ["Catalogue", "Premise", "Question", "Resolution", "Scheme", "Unmappable", "catalogue", "normalise", "resolve"]

SchemeId = Annotated[str, Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64,
                               description="A scheme's id: lower-case words joined by hyphens")]
QuestionKind = Literal["assumption", "exception"]


class Premise(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One premise of a scheme: the role a premise statement may name, and its form."""

    role: SchemeId
    text: str


class Question(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A critical question. An ``assumption`` holds until someone questions it; an
    ``exception`` counts only when someone asserts it (Gordon, Prakken & Walton 2007)."""

    id: SchemeId
    kind: QuestionKind
    text: str


class Scheme(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An argument scheme: its names, premise roles, conclusion form and critical questions."""

    id: SchemeId
    name: str
    badge: Annotated[str, Meta(max_length=16, description="A short label for diagram badges")]
    aliases: list[str] = []
    premises: list[Premise]
    conclusion: str
    source: str
    questions: list[Question]

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


class Unmappable(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A name found in interchange files that names no argument scheme, and why."""

    name: str
    reason: str


class Catalogue(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The whole catalogue file: the works cited, names that are no scheme, and the schemes."""

    sources: dict[str, str]
    unmappable: list[Unmappable]
    schemes: list[Scheme]


class Resolution(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What an argument's ``scheme`` text refers to.

    ``status`` is ``catalogued`` (``scheme`` is set), ``unmappable`` (``reason`` says why the
    name is no scheme) or ``unknown`` (the catalogue does not know the name).
    """

    name: str
    status: Literal["catalogued", "unmappable", "unknown"]
    scheme: Scheme | None = None
    reason: str | None = None


_PREFIX = re.compile(r"^(?:the)?(?:argument|argumentation|inference|appeal)s?(?:from|to|by|of)(?:an?|the)?")


def normalise(name: str) -> str:
    """The key names are matched by: lower case, letters and digits only, without a leading
    "argument from" (so ``ExpertOpinion``, ``expert opinion`` and ``Argument from Expert
    Opinion`` meet).

    >>> normalise("Argument From Cause-To-Effect")
    'causetoeffect'
    """
    key = re.sub(r"[^0-9a-z]+", "", name.casefold())
    return _PREFIX.sub("", key) or key


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue shipped with argmap (``argmap/schemes/catalogue.yaml``), loaded once."""
    data = resources.files("argmap.schemes").joinpath("catalogue.yaml").read_bytes()
    cat = msgspec.yaml.decode(data, type=Catalogue)
    _index(cat)  # refuses a catalogue whose names collide
    return cat


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, Scheme], dict[str, Scheme | Unmappable]]:
    cat = catalogue()
    return {s.id: s for s in cat.schemes}, _index(cat)


def _index(cat: Catalogue) -> dict[str, Scheme | Unmappable]:
    index: dict[str, Scheme | Unmappable] = {}
    for s in cat.schemes:
        for name in (s.id, s.name, *s.aliases):
            key = normalise(name)
            if index.get(key, s) is not s:
                raise ValueError(f"scheme catalogue: {name!r} names both {s.id} and {index[key]}")
            index[key] = s
    for u in cat.unmappable:
        key = normalise(u.name)
        if key in index:
            raise ValueError(f"scheme catalogue: unmappable name {u.name!r} is also a scheme's name")
        index[key] = u
    return index


def scheme(scheme_id: str) -> Scheme | None:
    """The catalogued scheme with this id, or None."""
    return _lookup()[0].get(scheme_id)


def resolve(name: str) -> Resolution:
    """What the scheme text ``name`` (as an argument carries it) refers to; never raises."""
    found = _lookup()[1].get(normalise(name))
    if isinstance(found, Scheme):
        return Resolution(name=name, status="catalogued", scheme=found)
    if isinstance(found, Unmappable):
        return Resolution(name=name, status="unmappable", reason=found.reason)
    return Resolution(name=name, status="unknown")
