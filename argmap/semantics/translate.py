"""Which claims stand: a map's statements and arguments as a Dung framework, evaluated.

:func:`translate` builds the framework (the rules: docs/ARCHITECTURE.md, "From a map to an
abstract framework"); :func:`evaluate_map` labels each statement and argument, with a reason.

>>> from argmap.model import Argument, Statement
>>> m = Map(id="m", title="t", statements=[Statement(id=x, text=x) for x in "cp"],
...     arguments=[Argument(id="a", kind="attack", premises=["p"], target="c")])
>>> evaluate_map(m, "grounded").explanations["c"]
'out: attacked by argument a, whose premises all stand'
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, get_args

import msgspec
import numpy as np

from argmap.errors import InvalidInput
from argmap.model import Map
from argmap.schemes import question_states
from argmap.semantics.af import AF, IN, LABELS, OUT, UNDEC, Label
from argmap.semantics.solver import SEMANTICS, Reasoner, Semantics

__all__ = ["READINGS", "Evaluation", "MapFramework", "Reading", "evaluate_map", "translate"]

Reading = Literal["credulous", "sceptical"]
READINGS: tuple[str, ...] = get_args(Reading)

_MAX_NAMED = 4  # names listed in one explanation before "and N more"


class Evaluation(msgspec.Struct, kw_only=True):
    """The status of every statement and argument of a map under one semantics.

    ``labels`` and ``explanations`` are keyed by statement and argument id; a renderer
    colours by ``labels`` without importing this package. ``extensions`` lists the ids
    (statements and arguments) in each extension, at most ``limit`` of them; ``truncated``
    says more exist. Under stable semantics a map may have no extension at all; then every
    label is ``undec`` and the explanations say why.
    """

    map: str
    semantics: Semantics
    reading: Reading = "credulous"
    labels: dict[str, Label]
    explanations: dict[str, str]
    extensions: list[list[str]] = []
    truncated: bool = False


@dataclass
class MapFramework:
    """A map translated: the framework, and what each of its nodes stands for.

    Nodes ``0 .. len(visible)-1`` are the map's statements then arguments (``visible[i]`` is
    the id); later nodes are hidden, described by ``hidden[i - len(visible)]`` as
    ``("fails", p)`` or ``("unsupported", c)``.
    """

    af: AF
    visible: list[str]
    hidden: list[tuple[str, str]]
    node: dict[str, int]
    statement_kind: dict[str, str]
    argument_kind: dict[str, str]
    premises: dict[str, list[str]] = field(default_factory=dict)
    attacks_on: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    supports_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    undercuts_on: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    raises: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    """undercut or attack id → the (argument, question id, question text) it raises."""
    answers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """undercut id → the premises that answer the assumption it raises (and so attack it)."""
    questioned: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    """hidden "questioned" node → (argument, question id, text): sceptical reading only."""

    def owner(self, i: int) -> str:
        """The map id a node stands for (a hidden node stands for its statement)."""
        return self.visible[i] if i < len(self.visible) else self.hidden[i - len(self.visible)][1]


def translate(m: Map, *, reading: Reading = "credulous") -> MapFramework:
    """The framework of a checked map (see the module docstring for the rules)."""
    visible = [s.id for s in m.statements] + [a.id for a in m.arguments]
    node = {x: i for i, x in enumerate(visible)}
    hidden: list[tuple[str, str]] = []
    src: list[int] = []
    dst: list[int] = []

    def add_hidden(kind: str, owner: str) -> int:
        hidden.append((kind, owner))
        return len(visible) + len(hidden) - 1

    mf = MapFramework(
        af=None,  # type: ignore[arg-type]  # set below
        visible=visible,
        hidden=hidden,
        node=node,
        statement_kind={s.id: s.kind for s in m.statements},
        argument_kind={a.id: a.kind for a in m.arguments},
    )
    fails: dict[str, int] = {}
    for a in m.arguments:
        mf.premises[a.id] = list(a.premises)
        for p in a.premises:
            if p not in fails:
                fails[p] = add_hidden("fails", p)
                src.append(node[p]), dst.append(fails[p])
            src.append(fails[p]), dst.append(node[a.id])
        if a.kind == "attack":
            mf.attacks_on[a.target].append(a.id)
            src.append(node[a.id]), dst.append(node[a.target])
        elif a.kind == "undercut":
            mf.undercuts_on[a.target].append(a.id)
            src.append(node[a.id]), dst.append(node[a.target])
        else:
            mf.supports_of[a.target].append(a.id)
    for s in m.statements:
        if s.kind == "derived":
            u = add_hidden("unsupported", s.id)
            src.append(u), dst.append(node[s.id])
            for sup in mf.supports_of.get(s.id, []):
                src.append(node[sup]), dst.append(u)
    if any(a.scheme or a.question for a in m.arguments):
        for aid, aq in question_states(m).items():
            for q in aq.questions:
                for u in q.raised_by:
                    mf.raises[u].append((aid, q.id, q.text))
                    if q.kind == "assumption" and mf.argument_kind[u] == "undercut":
                        for p in q.answered_by:  # the answer meets the question
                            src.append(node[p]), dst.append(node[u])
                            mf.answers[u].append(p)
                if reading == "sceptical" and q.kind == "assumption" and q.state == "open":
                    h = add_hidden(f"questioned:{q.id}", aid)
                    mf.questioned[h] = (aid, q.id, q.text)
                    src.append(h), dst.append(node[aid])
    names = visible + [f"{owner} {kind}" for kind, owner in hidden]
    mf.af = AF.from_edges(len(names), src, dst, names)
    return mf


def evaluate_map(
    m: Map,
    semantics: Semantics = "grounded",
    *,
    limit: int = 16,
    timeout: float | None = 10.0,
    reading: Reading = "credulous",
) -> Evaluation:
    """Label every statement and argument of ``m`` and say why, in one line each.

    Parameters
    ----------
    m
        A checked map (as :func:`argmap.mapfile.load` or the store returns it).
    semantics
        ``grounded`` (sceptical, unique; the default), ``complete``, ``preferred`` or ``stable``.
    limit
        How many extensions to list.
    timeout
        Seconds for the solver (raises :class:`~argmap.errors.LimitExceeded` past it).
    reading
        ``credulous`` (open assumption questions hold) or ``sceptical`` (each open assumption
        question of a catalogued scheme counts as questioned); see the module docstring.

    Examples
    --------
    >>> from argmap.mapfile import load                          # doctest: +SKIP
    >>> ev = evaluate_map(load("seeds/peace-plan.yaml"))         # doctest: +SKIP
    >>> ev.labels["no-peace-without-ukraine-and-europe"]         # doctest: +SKIP
    'in'
    """
    if semantics not in SEMANTICS:
        raise InvalidInput("semantics", f"unknown semantics {semantics!r}; use one of {', '.join(SEMANTICS)}")
    if reading not in READINGS:
        raise InvalidInput("reading", f"unknown reading {reading!r}; use one of {', '.join(READINGS)}")
    mf = translate(m, reading=reading)
    reasoner = Reasoner(mf.af, timeout=timeout)
    agreed = reasoner.sceptical_labels(semantics)
    exts, more = reasoner.extensions(semantics, limit=limit) if agreed is not None else ([], False)
    shown = len(mf.visible)
    labels = agreed if agreed is not None else np.zeros(mf.af.n, dtype=np.int8)
    explain = _Explainer(mf, reasoner.grounded, labels)
    explanations: dict[str, str] = {}
    for i, x in enumerate(mf.visible):
        if agreed is None:
            explanations[x] = "undecided: the map has no stable extension, so stable semantics decides nothing"
        elif semantics in ("grounded", "complete") or labels[i] == reasoner.grounded[i] != UNDEC:
            explanations[x] = explain.grounded(i)
        else:
            explanations[x] = explain.beyond_grounded(i, semantics, exts, more)
    return Evaluation(
        map=m.id,
        semantics=semantics,
        reading=reading,
        labels={x: LABELS[c] for x, c in zip(mf.visible, labels[:shown].tolist())},
        explanations=explanations,
        extensions=[[mf.visible[i] for i in e.tolist() if i < shown] for e in exts],
        truncated=more,
    )


# Implementation details ----------------------------------------------------------------


class _Explainer:
    """One-line reasons, read off the map structure and the labels."""

    def __init__(self, mf: MapFramework, grounded: np.ndarray, labels: np.ndarray):
        self.mf, self.g, self.labels = mf, grounded, labels
        self._cycle: np.ndarray | None = None

    def label(self, x: str, labels: np.ndarray | None = None) -> int:
        return int((self.g if labels is None else labels)[self.mf.node[x]])

    def grounded(self, i: int) -> str:
        mf, x = self.mf, self.mf.visible[i]
        lab = int(self.g[i])
        if x in mf.statement_kind:
            return self._statement(x, lab)
        return self._argument(x, lab)

    def _statement(self, x: str, lab: int) -> str:
        mf = self.mf
        attacks = mf.attacks_on.get(x, [])
        derived = mf.statement_kind[x] == "derived"
        supports = mf.supports_of.get(x, [])
        if lab == IN:
            if derived:
                sup = next(s for s in supports if self.label(s) == IN)
                text = f"in: supported by argument {sup}, whose premises all stand"
                return text + (f"; the attacks on it ({_names(attacks)}) all fail" if attacks else "")
            if not attacks:
                return "in: nothing attacks it"
            return f"in: every attack on it fails ({_names(attacks)})"
        if lab == OUT:
            winner = next((a for a in attacks if self.label(a) == IN), None)
            if winner is not None:
                return f"out: attacked by argument {winner}, whose premises all stand" + self._raising(winner)
            if not supports:
                return "out: derived, and no argument supports it"
            return f"out: derived, and none of its supports stands ({_names(supports)})"
        if cycle := self._in_cycle(self.mf.node[x]):
            return f"undecided: in a cycle of attacks with {cycle}"
        open_attacks = [a for a in attacks if self.label(a) == UNDEC]
        reasons = [_these("attacked by", "attacked by", open_attacks, "undecided", which=True)] if open_attacks else []
        if derived and not any(self.label(s) == IN for s in supports):
            open_supports = [s for s in supports if self.label(s) == UNDEC]
            reasons.append(_these("its support", "its supports", open_supports, "undecided"))
        return "undecided: " + "; ".join(reasons)

    def _argument(self, x: str, lab: int) -> str:
        mf = self.mf
        premises = mf.premises[x]
        undercuts = mf.undercuts_on.get(x, [])
        if lab == IN:
            text = "in: its premises all stand"
            return text + (f" and every undercut of it fails ({_names(undercuts)})" if undercuts else "")
        if lab == OUT:
            if p := next((p for p in premises if self.label(p) == OUT), None):
                return f"out: its premise {p} is out"
            u = next((u for u in undercuts if self.label(u) == IN), None)
            if u is not None:
                return f"out: undercut by argument {u}, whose premises all stand" + self._raising(u)
            if p := next((p for p in mf.answers.get(x, []) if self.label(p) == IN), None):
                _, qid, text = mf.raises[x][0]
                return f"out: the critical question it raises ({qid}) is answered by {p}, which stands"
            _, qid, text = next(q for h, q in mf.questioned.items() if q[0] == x and self.g[h] == IN)
            return (f"out: critical question {qid} is open (\u201c{text}\u201d), and the sceptical reading "
                    "counts an open assumption as questioned")
        if cycle := self._in_cycle(self.mf.node[x]):
            return f"undecided: in a cycle of attacks with {cycle}"
        open_premises = [p for p in premises if self.label(p) == UNDEC]
        open_undercuts = [u for u in undercuts if self.label(u) == UNDEC]
        if open_answers := [p for p in mf.answers.get(x, []) if self.label(p) == UNDEC]:
            return f"undecided: the answer to the question it raises ({_names(open_answers)}) is undecided"
        reasons = [_these("its premise", "its premises", open_premises, "undecided")] if open_premises else []
        if open_undercuts:
            reasons.append(_these("undercut by", "undercut by", open_undercuts, "undecided", which=True))
        return "undecided: " + "; ".join(reasons)

    def _raising(self, by: str) -> str:
        """'; it raises critical question q (“…”) of argument a' for an attack or undercut that does."""
        raised = self.mf.raises.get(by)
        if not raised:
            return ""
        aid, qid, text = raised[0]
        return f"; it raises critical question {qid} of argument {aid} (\u201c{text}\u201d)"

    def beyond_grounded(self, i: int, semantics: str, exts: list[np.ndarray], more: bool) -> str:
        """For a node grounded semantics leaves undecided, under a multi-extension semantics."""
        lab = int(self.labels[i])
        why = self._in_cycle(i)
        where = f" (grounded leaves it undecided: in a cycle of attacks with {why})" if why else ""
        if lab == IN:
            return f"in: in every {semantics} extension{where}"
        if lab == OUT:
            return f"out: out in every {semantics} extension{where}"
        if exts and not more:
            k = sum(1 for e in exts if np.isin(i, e))
            text = f"undecided: in {k} of the {len(exts)} {semantics} extensions"
        else:
            text = f"undecided: the {semantics} extensions disagree on it"
        return text + (f"; in a cycle of attacks with {why}" if why else "")

    def _in_cycle(self, i: int) -> str:
        """The other map items on a cycle of attacks through node ``i`` (words), or ''."""
        if self._cycle is None:
            self._cycle = _undecided_components(self.mf.af, self.g)
        comp = self._cycle
        if comp[i] < 0:
            return ""
        me = self.mf.owner(i)
        members = np.flatnonzero(comp == comp[i]).tolist()
        owners = list(dict.fromkeys(self.mf.owner(j) for j in members))
        others = [o for o in owners if o != me and o in self.mf.statement_kind]
        others = others or [o for o in owners if o != me]
        return _names(others) if others else "itself"


def _undecided_components(af: AF, g: np.ndarray) -> np.ndarray:
    """For each node on a cycle of undecided nodes, its strongly connected component; else -1."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    src, dst = af.edges()
    keep = (g[src] == UNDEC) & (g[dst] == UNDEC)
    graph = csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (src[keep], dst[keep])), shape=(af.n, af.n))
    _, comp = connected_components(graph, directed=True, connection="strong")
    size = np.bincount(comp)
    on_cycle = (size[comp] > 1) & (g == UNDEC)
    loops = src[keep & (src == dst)]
    on_cycle[loops] = True
    return np.where(on_cycle, comp, -1)


def _these(one: str, many: str, ids: list[str], state: str, *, which: bool = False) -> str:
    """'its premise p is undecided' / 'its premises p, q are undecided' / 'attacked by a, which is …'."""
    plural = len(ids) > 1
    if which:
        return f"{one if not plural else many} {_names(ids)}, {'which are' if plural else 'which is'} {state}"
    return f"{many if plural else one} {_names(ids)} {'are' if plural else 'is'} {state}"


def _names(ids: list[str]) -> str:
    if len(ids) <= _MAX_NAMED:
        return ", ".join(ids)
    return ", ".join(ids[:_MAX_NAMED]) + f" and {len(ids) - _MAX_NAMED} more"
