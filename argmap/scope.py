"""Which part of a map a view shows: one :class:`Scope` and one :func:`select`.

Every view (diagram, timeline, briefing, statements table, page, API, CLI) selects through
here, so the same parameters select the same statements everywhere. The walk rule and the
date rule are in :func:`select`'s docstring and in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated

import msgspec
from msgspec import Meta

from argmap.errors import DanglingReference, InvalidInput, Problem, from_validation_error
from argmap.model import Argument, Edtf, Id, Map, PartialDate, Source, Statement, StatementKind, Tag, partial_date

__all__ = ["DEFAULT_DEPTH", "MAX_DEPTH", "SCOPE_FIELDS", "Scope", "date_of", "scope_from", "select"]

DEFAULT_DEPTH = 2
"""Argument steps from ``focus`` when no depth is given."""
MAX_DEPTH = 20
"""Deepest focus any view takes (at 20 steps a view is, in practice, the whole component)."""


class Scope(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Which statements a view shows. Every filter narrows; ``Scope()`` is the whole map."""

    focus: Annotated[Id | None, Meta(description="Only what lies within `depth` argument steps of this statement id.")] = None
    depth: Annotated[int | None, Meta(description=f"With `focus`: argument steps from it, 0 to {MAX_DEPTH} "
                                      f"(default {DEFAULT_DEPTH}).")] = None
    date_from: Annotated[Edtf | None, Meta(description="EDTF date: leave out statements dated wholly before it "
                                           "(2025-11 is the whole month); undated ones stay.")] = msgspec.field(
        default=None, name="from")
    date_to: Annotated[Edtf | None, Meta(description="EDTF date: leave out statements dated wholly after it; "
                                         "undated ones stay.")] = msgspec.field(default=None, name="to")
    speakers: Annotated[list[Id], Meta(max_length=1000, description="Keep these speakers' statements.")] = []
    tags: Annotated[list[Tag], Meta(max_length=1000, description="Keep statements with any of these tags.")] = []
    kinds: Annotated[list[StatementKind], Meta(max_length=3, description="claim, event or derived.")] = []

    def __post_init__(self):
        if self.depth is not None:
            if self.focus is None:
                raise InvalidInput("depth", "a depth needs a focus statement")
            if not 0 <= self.depth <= MAX_DEPTH:
                raise InvalidInput("depth", f"must be from 0 to {MAX_DEPTH}")
        for field, value in (("from", self.date_from), ("to", self.date_to)):
            if value is not None:
                try:
                    partial_date(value)
                except InvalidInput as e:
                    raise InvalidInput(field, e.reason) from None
        if self.date_from and self.date_to and partial_date(self.date_to).upper < partial_date(self.date_from).lower:
            raise InvalidInput("to", f"{self.date_to!r} ends before from {self.date_from!r} starts")

    @property
    def steps(self) -> int:
        """Argument steps from the focus (the depth, or :data:`DEFAULT_DEPTH`)."""
        return DEFAULT_DEPTH if self.depth is None else self.depth

    @property
    def whole(self) -> bool:
        return self == _WHOLE

    @property
    def bounds(self) -> tuple[_dt.date | None, _dt.date | None]:
        """The first and last day the date range allows (None: open)."""
        return (partial_date(self.date_from).lower if self.date_from else None,
                partial_date(self.date_to).upper if self.date_to else None)


_WHOLE = Scope()
SCOPE_FIELDS: tuple[str, ...] = tuple(f.encode_name for f in msgspec.structs.fields(Scope))
"""The parameter names of a scope, as the API, the CLI and the pages spell them."""


def scope_from(params: Mapping[str, object], *, others: bool = True) -> Scope:
    """A scope from loose input (query parameters, CLI flags): ``"2"`` is read as 2, None and
    empty lists are left out; other keys are ignored (``others=False``: refused). Raises
    InvalidInput naming the field.

    >>> scope_from({"focus": "a", "depth": "1", "speakers": ["x"]}).steps
    1
    """
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()
            if (k in SCOPE_FIELDS or not others) and v not in (None, [], (), "")}
    try:
        return msgspec.convert(data, Scope, strict=False)
    except msgspec.ValidationError as e:
        raise from_validation_error(e) from None


def date_of(s: Statement, sources: Mapping[str, Source]) -> PartialDate | None:
    """The date rule: a statement's own date (``said``), else its source's ``published``."""
    if s.said:
        return s.date
    src = sources.get(s.source) if s.source else None
    return partial_date(src.published) if src is not None and src.published else None


def select(m: Map, scope: Scope | None = None) -> Map:
    """The part of ``m`` that ``scope`` shows, as a map of its own (map order kept).

    Walk rule: with ``focus``, breadth first from it, one argument step at a time: a step adds
    every argument that has a shown statement as premise or target, every undercut of an added
    argument (and the argument an undercut denies), and all their premises and targets. Linked
    premises always come together.

    Filters (each narrows what the walk found): ``speakers``, ``kinds``, ``tags`` (any of them),
    and the date rule: a statement's date is its own ``said``, else its source's ``published``
    (:func:`date_of`); one dated wholly outside ``from``–``to`` is left out, an undated one stays.

    The arguments kept are those walked (all, without focus) whose premises and target are all
    kept (an undercut's target is an argument). The speakers and sources kept are those the
    kept statements name; relations are kept when all their ends are.

    Raises DanglingReference for a focus, speaker or tag the map does not have.

    >>> from argmap.model import Argument, Map, Statement
    >>> m = Map(id="m", title="t", statements=[Statement(id=i, text=i) for i in "abc"],
    ...         arguments=[Argument(id="x", kind="support", premises=["a"], target="b"),
    ...                    Argument(id="y", kind="attack", premises=["c"], target="a")])
    >>> [s.id for s in select(m, Scope(focus="b", depth=1)).statements]
    ['a', 'b']
    """
    scope = scope or _WHOLE
    _check_references(m, scope)
    if scope.focus is not None:
        shown_s, shown_a = _walk(m, scope.focus, scope.steps)
        statements = [s for s in m.statements if s.id in shown_s]
        candidates = [a for a in m.arguments if a.id in shown_a]
    else:
        statements, candidates = list(m.statements), list(m.arguments)
    speakers, tags, kinds = set(scope.speakers), set(scope.tags), set(scope.kinds)
    lo, hi = scope.bounds
    if speakers or tags or kinds or lo or hi:
        sources = {s.id: s for s in m.sources}

        def keep(s: Statement) -> bool:
            if speakers and s.speaker not in speakers or kinds and s.kind not in kinds:
                return False
            if tags and not tags.intersection(s.tags):
                return False
            if lo or hi:
                when = date_of(s, sources)
                return when is None or when.overlaps(lo, hi)
            return True

        statements = [s for s in statements if keep(s)]
    kept = {s.id for s in statements}
    if scope.focus is None and len(kept) == len(m.statements):
        arguments = candidates
    else:
        arguments = _arguments_between(candidates, kept)
    if arguments is m.arguments or (len(arguments) == len(m.arguments) and len(statements) == len(m.statements)):
        relations = list(m.relations)
    else:
        ends = kept | {a.id for a in arguments}
        relations = [r for r in m.relations if r.target in ends and all(x in ends for x in r.sources)]
    used_speakers = {s.speaker for s in statements}
    used_sources = {x for s in statements for x in (s.source, s.date_source)}
    return msgspec.structs.replace(
        m, statements=statements, arguments=arguments, relations=relations,
        speakers=[sp for sp in m.speakers if sp.id in used_speakers],
        sources=[src for src in m.sources if src.id in used_sources],
    )


# -- Implementation details ----------------------------------------------------------------


def _check_references(m: Map, scope: Scope) -> None:
    problems = []
    if scope.speakers:
        known = {s.id for s in m.speakers}
        problems += [Problem(f"$.speakers[{i}]", f"map {m.id!r} has no speaker {sid!r}")
                     for i, sid in enumerate(scope.speakers) if sid not in known]
    if scope.tags:
        known = {t for s in m.statements for t in s.tags}
        problems += [Problem(f"$.tags[{i}]", f"no statement of map {m.id!r} has the tag {tag!r}")
                     for i, tag in enumerate(scope.tags) if tag not in known]
    if scope.focus is not None and not any(s.id == scope.focus for s in m.statements):
        what = "an argument, not a statement" if any(a.id == scope.focus for a in m.arguments) else "no statement"
        problems.append(Problem("$.focus", f"map {m.id!r} has {what} {scope.focus!r}"))
    if problems:
        raise DanglingReference(problems=problems)


def _walk(m: Map, focus: str, depth: int) -> tuple[set[str], set[str]]:
    touching: dict[str, list[Argument]] = defaultdict(list)
    undercuts: dict[str, list[Argument]] = defaultdict(list)
    by_id = {a.id: a for a in m.arguments}
    for a in m.arguments:
        for p in a.premises:
            touching[p].append(a)
        (undercuts if a.kind == "undercut" else touching)[a.target].append(a)
    shown_s, shown_a, frontier = {focus}, set(), [focus]
    for _ in range(depth):
        found: list[str] = []
        stack = [a for s in frontier for a in touching[s]]
        while stack:
            a = stack.pop()
            if a.id in shown_a:
                continue
            shown_a.add(a.id)
            stack.extend(undercuts[a.id])
            if a.kind == "undercut" and a.target in by_id:
                # An undercut shown without the inference it denies would point at nothing.
                stack.append(by_id[a.target])
            for sid in (a.premises if a.kind == "undercut" else [*a.premises, a.target]):
                if sid not in shown_s:
                    shown_s.add(sid)
                    found.append(sid)
        frontier = found
    return shown_s, shown_a


def _arguments_between(candidates: list[Argument], kept: set[str]) -> list[Argument]:
    ok = {a.id for a in candidates if a.kind != "undercut" and a.target in kept and all(p in kept for p in a.premises)}
    # An undercut may deny another undercut: repeat until nothing more is added.
    undercuts = [a for a in candidates if a.kind == "undercut"]
    grew = True
    while grew:
        grew = False
        for a in undercuts:
            if a.id not in ok and a.target in ok and all(p in kept for p in a.premises):
                ok.add(a.id)
                grew = True
    return [a for a in candidates if a.id in ok]
