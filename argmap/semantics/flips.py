r"""What would flip a verdict: the ⊆-minimal sets (at most ``size``) of statements to retract and of
open questions to raise that change one statement's grounded label (how: docs/ARCHITECTURE.md,
"What would flip a verdict").

>>> from argmap.model import Argument, Statement
>>> m = Map(id="m", title="t", statements=[Statement(id=x, text=x) for x in "cpqr"], arguments=[
...     Argument(id="a1", kind="attack", premises=["p", "q"], target="c"),
...     Argument(id="a2", kind="attack", premises=["r"], target="c")])
>>> [(x.retract, x.label) for x in flips(m, "c", size=2).statements]
[(['p', 'r'], 'in'), (['q', 'r'], 'in')]
"""

from __future__ import annotations

import time
from collections import deque

import msgspec
import numpy as np

from argmap.errors import InvalidInput, LimitExceeded, NotFound
from argmap.model import Map
from argmap.schemes import question_states
from argmap.semantics.af import AF, IN, LABELS, OUT, Label
from argmap.semantics.grounded import _NARROW, _narrow_step, _wide_step, grounded
from argmap.semantics.solver import solve_by
from argmap.semantics.translate import READINGS, MapFramework, Reading, translate

__all__ = ["MAX_SETS", "MAX_SIZE", "FlipFinder", "Flips", "QuestionFlip", "QuestionRef", "StatementFlip", "flips"]

MAX_SIZE = 3
"""The largest set size asked for: the answers grow as (statements choose size)."""
MAX_SETS = 200
"""The most sets of each kind one answer lists (``truncated`` says more exist)."""
FLIP_SEMANTICS = ("grounded", "complete")


class StatementFlip(msgspec.Struct, kw_only=True):
    """Retracting these statements (and no fewer of them) gives the statement ``label``."""

    retract: list[str]
    label: Label


class QuestionRef(msgspec.Struct, kw_only=True):
    """An open critical question of an argument."""

    argument: str
    question: str
    kind: str
    text: str


class QuestionFlip(msgspec.Struct, kw_only=True):
    """Raising these open questions (and no fewer) gives the statement ``label``."""

    questions: list[QuestionRef]
    label: Label


class Flips(msgspec.Struct, kw_only=True):
    """The minimal sets (at most ``size`` items) that would change ``statement``'s ``label``.

    ``statements`` lists sets of statements whose retraction changes it, ``questions`` sets of
    open critical questions whose raising does, each with the label it would then get,
    smallest sets first. ``truncated`` says a list stopped at ``limit`` sets.
    """

    map: str
    statement: str
    semantics: str
    reading: Reading
    label: Label
    size: int
    statements: list[StatementFlip]
    questions: list[QuestionFlip]
    truncated: bool = False


def flips(
    m: Map,
    statement: str,
    *,
    semantics: str = "grounded",
    size: int = 2,
    reading: Reading = "credulous",
    limit: int = MAX_SETS,
    timeout: float | None = 10.0,
) -> Flips:
    """The minimal sets of statements and of open questions that would flip ``statement``.

    Parameters
    ----------
    m
        A checked map.
    statement
        The id of one of its statements.
    semantics
        ``grounded`` or ``complete`` (the same labels); others are refused.
    size
        The largest set to look for, 1 to :data:`MAX_SIZE`.
    reading
        How open assumption questions count (:func:`argmap.semantics.evaluate_map`).
    limit
        At most this many sets of each kind.
    timeout
        Seconds; past it, :class:`~argmap.errors.LimitExceeded`.
    """
    return FlipFinder(m, semantics=semantics, reading=reading, timeout=timeout).flips(statement, size=size, limit=limit)


class FlipFinder:
    """Flips of many statements of one map, sharing one framework and one SAT solver."""

    def __init__(self, m: Map, *, semantics: str = "grounded", reading: Reading = "credulous",
                 timeout: float | None = 10.0):
        if semantics not in FLIP_SEMANTICS:
            raise InvalidInput("semantics", f"flips are computed under grounded semantics (or complete, the same "
                               f"labels), not {semantics!r}")
        if reading not in READINGS:
            raise InvalidInput("reading", f"unknown reading {reading!r}; use one of {', '.join(READINGS)}")
        self.m, self.semantics, self.reading, self.timeout = m, semantics, reading, timeout
        self.mf: MapFramework = translate(m, reading=reading)
        af = self.mf.af
        self.af = af
        self.labels = grounded(af)
        node = self.mf.node
        self.statement_ids = [s.id for s in m.statements]
        self.statement_nodes = np.array([node[s] for s in self.statement_ids], dtype=np.int64)
        # Open questions that raising would change: credulous, every open one; sceptical, the
        # open exceptions (an open assumption is already counted as questioned).
        self.questions: list[QuestionRef] = []
        for aid, aq in question_states(m).items():
            for q in aq.questions:
                if q.state == "open" and (reading == "credulous" or q.kind == "exception"):
                    self.questions.append(QuestionRef(argument=aid, question=q.id, kind=q.kind, text=q.text))
        self.question_nodes = np.array([node[q.argument] for q in self.questions], dtype=np.int64)

    # -- public ---------------------------------------------------------------------------

    def flips(self, statement: str, *, size: int = 2, limit: int = MAX_SETS) -> Flips:
        if statement not in self.mf.statement_kind:
            raise NotFound("statement", f"no statement {statement!r} in map {self.m.id!r}")
        if not 1 <= size <= MAX_SIZE:
            raise InvalidInput("size", f"must be 1 to {MAX_SIZE}")
        if limit < 1:
            raise InvalidInput("limit", "must be at least 1")
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        t = self.mf.node[statement]
        ancestors = self._ancestors(t)
        s_cands = [i for i, v in enumerate(self.statement_nodes.tolist()) if ancestors[v] and v != t]
        q_cands = [i for i, v in enumerate(self.question_nodes.tolist()) if ancestors[v]]
        current = int(self.labels[t])
        truncated = False
        found_s, more = self._enumerate(t, current, ancestors, "s", s_cands, size, limit, deadline)
        truncated |= more
        found_q, more = self._enumerate(t, current, ancestors, "q", q_cands, size, limit, deadline)
        truncated |= more
        found_s.sort(key=lambda f: (len(f[0]), f[0]))
        found_q.sort(key=lambda f: (len(f[0]), f[0]))
        return Flips(
            map=self.m.id, statement=statement, semantics=self.semantics, reading=self.reading,
            label=LABELS[current], size=size, truncated=truncated,
            statements=[StatementFlip(retract=[self.statement_ids[i] for i in r], label=LABELS[lab])
                        for r, lab in found_s],
            questions=[QuestionFlip(questions=[self.questions[i] for i in r], label=LABELS[lab]) for r, lab in found_q],
        )

    # -- implementation -------------------------------------------------------------------

    def _ancestors(self, t: int) -> np.ndarray:
        """Nodes with a path of attacks to ``t`` (``t`` included): all that its label depends on."""
        seen = np.zeros(self.af.n, dtype=bool)
        seen[t] = True
        todo = deque([t])
        in_ptr, in_idx = self.af.in_ptr, self.af.in_idx
        while todo:
            x = todo.popleft()
            for y in in_idx[in_ptr[x]:in_ptr[x + 1]].tolist():
                if not seen[y]:
                    seen[y] = True
                    todo.append(y)
        return seen

    def _enumerate(self, t, current, ancestors, pool, cands, size, limit, deadline):
        """Minimal flipping sets from ``cands`` (indices into the pool), smallest first.

        The solver holds the complete-labelling clauses of ``t``'s ancestors only, with one
        selector per candidate switch (an unattacked attacker that exists when it is true).
        """
        if not cands:
            return [], False
        from pysat.card import ITotalizer
        from pysat.solvers import Solver

        sub, old = self.af.restrict(ancestors)
        where = np.full(self.af.n, -1, dtype=np.int64)
        where[old] = np.arange(old.size)
        n = sub.n
        nodes = self.statement_nodes if pool == "s" else self.question_nodes
        targets = [int(where[nodes[i]]) for i in cands]
        sel = [2 * n + k + 1 for k in range(len(cands))]  # I_a = a+1, O_a = n+a+1, then selectors
        switches: dict[int, list[int]] = {}
        for v, r in zip(targets, sel):
            switches.setdefault(v, []).append(r)
        src, dst = sub.edges()
        i_src, i_dst = src.astype(np.int64) + 1, dst.astype(np.int64) + 1
        clauses = np.concatenate((
            np.column_stack((-np.arange(1, n + 1), -np.arange(n + 1, 2 * n + 1))),
            np.column_stack((-i_dst, i_src + n)),
            np.column_stack((-i_src, i_dst + n)),
        )).tolist()
        in_ptr, in_idx = sub.in_ptr.tolist(), (sub.in_idx.astype(np.int64) + 1).tolist()
        for a in range(n):
            b = in_idx[in_ptr[a]:in_ptr[a + 1]]
            sw = switches.get(a, ())
            for r in sw:
                clauses.append([-(a + 1), -r])   # a switch on: a is not in ...
                clauses.append([-r, a + 1 + n])  # ... but out
            clauses.append([-(a + 1 + n), *b, *sw])                   # out => some attacker in
            clauses.append([a + 1, *[-(x + n) for x in b], *sw])      # every attacker out => in
        t_sub = int(where[t])
        goal = {IN: [[-(t_sub + 1)]], OUT: [[-(t_sub + 1 + n)]]}.get(current, [[t_sub + 1, t_sub + 1 + n]])
        clauses += goal  # not in / not out / (undecided now) decided: see the module docstring
        top = 2 * n + len(cands)
        tot = ITotalizer(lits=sel, ubound=min(size, len(sel)), top_id=top)
        found: list[tuple[list[int], int]] = []
        base = self._base_state(sub)
        with Solver(name="glucose42", bootstrap_with=clauses + tot.cnf.clauses) as solver:
            for k in range(1, size + 1):
                bound = [-tot.rhs[k]] if k < len(tot.rhs) else []
                while True:
                    if len(found) >= limit:
                        return found, True
                    model = self._solve(solver, bound, deadline)
                    if model is None:
                        break
                    chosen = [j for j in range(len(cands)) if model[sel[j] - 1] > 0]
                    lab = self._label_with(sub, base, t_sub, [targets[j] for j in chosen])
                    if lab != current:
                        found.append(([cands[j] for j in chosen], lab))
                        solver.add_clause([-sel[j] for j in chosen])  # no superset again
                    else:  # only possible when t is undecided now: block exactly this set
                        picked = set(chosen)
                        solver.add_clause([*(-sel[j] for j in chosen), *(sel[j] for j in range(len(sel)) if j not in picked)])
                if not bound:
                    break  # no bound: every subset of the candidates was open to the solver
        return found, False

    def _target(self, pool: str, i: int) -> int:
        return self.statement_nodes[i] if pool == "s" else self.question_nodes[i]

    def _solve(self, s, assumptions: list[int], deadline: float | None):
        ok = solve_by(s, assumptions, deadline, self._timed_out)
        return s.get_model() if ok else None

    def _timed_out(self) -> LimitExceeded:
        return LimitExceeded("timeout", f"no answer within {self.timeout:g} s; ask for a smaller size")

    @staticmethod
    def _base_state(sub: AF):
        return np.diff(sub.in_ptr).astype(np.int32)

    @staticmethod
    def _label_with(sub: AF, indegree: np.ndarray, t: int, switched: list[int]) -> int:
        """``t``'s grounded label in ``sub`` with an unattacked attacker on each of ``switched``:
        the propagation of :func:`~argmap.semantics.grounded.least_complete`, started with the
        switched nodes out (one more live attacker each, so none of them ever turns in)."""
        label = np.zeros(sub.n, dtype=np.int8)
        alive = indegree.copy()
        out_ptr, out_idx = sub.out_ptr, sub.out_idx
        for f in set(switched):
            alive[f] += 1
            label[f] = OUT
        for f in set(switched):
            for c in out_idx[out_ptr[f]:out_ptr[f + 1]].tolist():
                alive[c] -= 1
        wave = np.flatnonzero((alive == 0) & (label == 0))
        while len(wave):
            if len(wave) >= _NARROW:
                wave = _wide_step(wave, label, alive, out_ptr, out_idx)
            else:
                wave = _narrow_step(wave, label, alive, out_ptr, out_idx)
        return int(label[t])
