"""The outline: a map as nested lists, conclusions first, each with what supports and attacks it.

The diagram's text alternative and a class's reading order. Each statement is expanded once
(later mentions are leaves, ``first=False``); nesting stops at :data:`MAX_NEST` levels.

>>> o = outline([Statement(id=i, text=i) for i in "cpq"], [
...     Argument(id="s1", kind="support", premises=["p"], target="c"),
...     Argument(id="r1", kind="attack", premises=["q"], target="p")])
>>> [e.statement for e in o.roots], o.roots[0].branches[0].premises[0].branches[0].kind
(['c'], 'attack')
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Literal

import msgspec

from argmap.model import Argument, Statement

__all__ = ["Branch", "Entry", "MAX_NEST", "Outline", "outline"]

MAX_NEST = 12
"""Statements nested deeper than this many levels start a list of their own."""


class Entry(msgspec.Struct, kw_only=True):
    """One mention of a statement: expanded (``first``) or a leaf that points back to it."""

    statement: str
    first: bool = True
    branches: list[Branch] = []
    elsewhere: bool = False
    """A later mention of a statement whose reasons are listed at its first."""


class Branch(msgspec.Struct, kw_only=True):
    """One argument for or against the entry above: its premises (jointly, when several) and
    the undercuts that deny that they lead there."""

    argument: str
    kind: Literal["support", "attack", "undercut"]
    premises: list[Entry]
    undercuts: list[Branch] = []
    scheme: str | None = None


class Outline(msgspec.Struct, kw_only=True):
    """``roots``: conclusions (statements that are no argument's premise), with their reasons;
    ``continued``: statements cut off at :data:`MAX_NEST`; ``unlinked``: statements in no
    argument at all. Every statement given appears in one of them exactly once as ``first``."""

    roots: list[Entry]
    continued: list[Entry] = []
    unlinked: list[str] = []


def outline(statements: Iterable[Statement], arguments: Iterable[Argument]) -> Outline:
    """The outline of these statements and arguments (a whole map, or a focused view of one).

    Arguments whose target is not among ``statements`` (or, for an undercut, not among
    ``arguments``) are left out; every statement given appears.
    """
    order = [s.id for s in statements]
    known = set(order)
    args = [a for a in arguments if all(p in known for p in a.premises)]
    arg_ids = {a.id for a in args}
    into: dict[str, list[Argument]] = defaultdict(list)  # statement -> support/attack arguments
    undercuts: dict[str, list[Argument]] = defaultdict(list)  # argument -> its undercuts
    linked: set[str] = set()
    premise_of: set[str] = set()
    for a in args:
        if a.kind == "undercut":
            if a.target not in arg_ids:
                continue
            undercuts[a.target].append(a)
        elif a.target in known:
            into[a.target].append(a)
            linked.add(a.target)
        else:
            continue
        premise_of.update(a.premises)
        linked.update(a.premises)

    expanded: set[str] = set()
    deferred: list[str] = []

    def entry(sid: str, level: int) -> Entry:
        if sid in expanded:
            return Entry(statement=sid, first=False, elsewhere=bool(into[sid]))
        if level >= MAX_NEST:
            deferred.append(sid)  # expanded later, at the top of a list of its own
            return Entry(statement=sid, first=False, elsewhere=bool(into[sid]))
        expanded.add(sid)  # before the children: a cycle back here ends as a leaf
        return Entry(statement=sid, branches=[branch(a, level) for a in into[sid]])

    def branch(a: Argument, level: int) -> Branch:
        return Branch(
            argument=a.id,
            kind=a.kind,
            premises=[entry(p, level + 1) for p in a.premises],
            undercuts=[branch(u, level + 1) for u in undercuts[a.id]],
            scheme=a.scheme,
        )

    roots = [entry(sid, 0) for sid in order if sid in linked and sid not in premise_of]
    # What no conclusion reaches (a cycle of mutual support) starts at its first statement.
    roots += [entry(sid, 0) for sid in order if sid in linked and sid not in expanded and sid not in deferred]
    continued: list[Entry] = []
    while deferred:
        sid = deferred.pop(0)
        if sid not in expanded:
            continued.append(entry(sid, 0))
    return Outline(roots=roots, continued=continued, unlinked=[sid for sid in order if sid not in linked])
