r"""Complete, preferred and stable semantics through a SAT solver (PySAT's Glucose 4.2).

:func:`solve` answers one ICCMA task (``se``, ``ee`` up to a limit, ``dc``, ``ds``) as a
:class:`Solution`; :class:`Reasoner` keeps its solvers between tasks on one framework. Grounded
decides first and only what it leaves undecided reaches a solver. The encodings, the preferred
loop and why Glucose: docs/ARCHITECTURE.md, "Solving".

>>> af = AF.from_names("ab", [("a", "b"), ("b", "a")])
>>> solve(af, "preferred", "ee").extensions, solve(af, "stable", "ds", arg="a").accepted
([['a'], ['b']], False)
"""

from __future__ import annotations

import threading
import time
from typing import Literal, get_args

import msgspec
import numpy as np

from argmap.errors import InvalidInput, LimitExceeded
from argmap.semantics.af import AF, IN, OUT, UNDEC
from argmap.semantics.grounded import grounded, least_complete

__all__ = ["SEMANTICS", "TASKS", "Reasoner", "Semantics", "Solution", "Task", "labelling", "solve", "solve_by"]

Semantics = Literal["grounded", "complete", "preferred", "stable"]
Task = Literal["se", "ee", "dc", "ds"]
SEMANTICS: tuple[str, ...] = get_args(Semantics)
TASKS: tuple[str, ...] = get_args(Task)
_SAT_SOLVER = "glucose42"


def solve_by(solver, assumptions: list[int], deadline: float | None, timed_out) -> bool:
    """``solver.solve(assumptions)``, interrupted at ``deadline`` (``time.monotonic()``; None: no
    limit), when ``timed_out()`` is raised. Shared by every SAT search of argmap.semantics."""
    if deadline is None:
        return solver.solve(assumptions=assumptions)
    left = deadline - time.monotonic()
    if left <= 0:
        raise timed_out()
    solver.clear_interrupt()  # a timer may have fired just after the last call ended
    timer = threading.Timer(left, solver.interrupt)
    timer.start()
    try:
        ok = solver.solve_limited(assumptions=assumptions, expect_interrupt=True)
    finally:
        timer.cancel()
    if ok is None:
        solver.clear_interrupt()
        raise timed_out()
    return ok


class Solution(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The answer to one task; argument names, sorted as in the framework.

    - ``se``: ``extension`` (``None`` only under stable semantics when there is none);
    - ``ee``: ``extensions``, and ``truncated`` when more exist than ``limit``;
    - ``dc`` / ``ds``: ``accepted``, with ``extension`` as the witness (dc yes) or the
      counterexample (ds no) when there is one.
    """

    semantics: Semantics
    task: Task
    arg: str | None = None
    accepted: bool | None = None
    extension: list[str] | None = None
    extensions: list[list[str]] | None = None
    truncated: bool = False


def solve(
    af: AF,
    semantics: Semantics,
    task: Task,
    *,
    arg: str | None = None,
    limit: int | None = None,
    timeout: float | None = None,
) -> Solution:
    """Answer one ICCMA task on ``af``.

    Parameters
    ----------
    semantics, task
        As in :data:`SEMANTICS` and :data:`TASKS`.
    arg
        The argument's name, required for ``dc`` and ``ds``.
    limit
        For ``ee``: stop after this many extensions (``truncated`` says if more exist).
    timeout
        Seconds for the whole task; over it, :class:`~argmap.errors.LimitExceeded`.
    """
    if semantics not in SEMANTICS:
        raise InvalidInput("semantics", f"unknown semantics {semantics!r}; use one of {', '.join(SEMANTICS)}")
    if task not in TASKS:
        raise InvalidInput("task", f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    if task in ("dc", "ds") and arg is None:
        raise InvalidInput("arg", f"task {task} needs an argument to ask about")
    if task not in ("dc", "ds") and arg is not None:
        raise InvalidInput("arg", f"task {task} takes no argument")
    if limit is not None and limit < 1:
        raise InvalidInput("limit", "must be at least 1")
    r = Reasoner(af, timeout=timeout)
    names = af.name_list
    if task == "se":
        ext = r.extension(semantics)
        return Solution(semantics=semantics, task=task, extension=None if ext is None else names(ext))
    if task == "ee":
        exts, more = r.extensions(semantics, limit=limit)
        return Solution(semantics=semantics, task=task, extensions=[names(e) for e in exts], truncated=more)
    a = af.index(arg)
    ok, ext = (r.credulous if task == "dc" else r.sceptical)(semantics, a)
    return Solution(
        semantics=semantics, task=task, arg=arg, accepted=ok,
        extension=None if ext is None else names(ext),
    )


def labelling(af: AF, extension: np.ndarray) -> np.ndarray:
    """The labelling of a conflict-free set: in, out if attacked by it, else undecided."""
    label = np.zeros(af.n, dtype=np.int8)
    if len(extension):
        src, dst = af.edges()
        member = np.zeros(af.n, dtype=bool)
        member[extension] = True
        label[dst[member[src]]] = OUT
        label[extension] = IN
    return label


class Reasoner:
    """All tasks on one framework, sharing the grounded labelling and the SAT solvers.

    Every public method takes ``timeout`` seconds at most (set at construction), raising
    :class:`~argmap.errors.LimitExceeded` past it. Extensions are ascending index arrays.
    """

    def __init__(self, af: AF, *, timeout: float | None = None):
        self.af = af
        self.timeout = timeout
        self.grounded = grounded(af)
        undecided = self.grounded == UNDEC
        self.sub, self.old = af.restrict(undecided)
        self._pos = np.full(af.n, -1, dtype=np.int64)
        self._pos[self.old] = np.arange(self.old.size)
        self._base = np.flatnonzero(self.grounded == IN)
        self._complete = self._admissible = self._stable = None
        self._next_var = 2 * self.sub.n + 1
        self._deadline: float | None = None
        self._preferred_seen: list[np.ndarray] = []  # in-sets (bool over sub) found so far
        self._stable_seen: list[np.ndarray] = []

    # Public tasks -------------------------------------------------------------------------

    def extension(self, semantics: Semantics) -> np.ndarray | None:
        """One extension (``se``); ``None`` only if there is no stable extension."""
        self._start()
        if semantics in ("grounded", "complete") or self.sub.n == 0:
            return self._base
        if semantics == "stable":
            found = self._sat(self._stable_solver(), [])
            return None if found is None else self._lift(self._record_stable(found))
        return self._lift(self._grow(np.zeros(self.sub.n, dtype=bool)))

    def extensions(self, semantics: Semantics, *, limit: int | None = None) -> tuple[list[np.ndarray], bool]:
        """All extensions (``ee``), at most ``limit``, in ascending order of their index lists;
        and whether more exist beyond the limit."""
        self._start()
        if semantics == "grounded" or self.sub.n == 0:
            return [self._base], False
        solver = {"stable": self._stable_solver, "complete": self._complete_solver,
                  "preferred": self._admissible_solver}[semantics]()
        sel = self._selector()
        found: list[np.ndarray] = []
        while True:
            ins = self._sat(solver, [sel])
            if ins is None:
                more = False
                break
            if limit is not None and len(found) >= limit:
                more = True
                break
            if semantics == "preferred":
                ins = self._grow(ins)
            found.append(self._lift(ins))
            if semantics == "complete":  # block exactly this in-set
                block = (-(np.flatnonzero(ins) + 1)).tolist() + (np.flatnonzero(~ins) + 1).tolist()
            else:  # preferred and stable extensions are incomparable: block its subsets
                block = (np.flatnonzero(~ins) + 1).tolist()
            solver.add_clause([-sel, *block])
        solver.add_clause([-sel])
        found.sort(key=lambda e: e.tolist())  # the solver's order is arbitrary; answers should not be
        return found, more

    def credulous(self, semantics: Semantics, a: int) -> tuple[bool, np.ndarray | None]:
        """Is ``a`` in some extension (``dc``)? With a witness extension when it is."""
        self._start()
        g = self.grounded[a]
        if semantics == "grounded":
            return bool(g == IN), (self._base if g == IN else None)
        if semantics == "stable":
            if g == OUT:
                return False, None
            assume = [] if g == IN else [int(self._pos[a]) + 1]
            found = self._sat(self._stable_solver(), assume)
            return found is not None, (None if found is None else self._lift(self._record_stable(found)))
        if g != UNDEC:
            return bool(g == IN), (self.extension(semantics) if g == IN else None)
        # Credulous acceptance is the same for admissible, complete and preferred sets.
        found = self._sat(self._admissible_solver(), [int(self._pos[a]) + 1])
        if found is None:
            return False, None
        return True, self._lift(self._grow(found) if semantics == "preferred" else self._close(found))

    def sceptical(self, semantics: Semantics, a: int) -> tuple[bool, np.ndarray | None]:
        """Is ``a`` in every extension (``ds``)? With a counterexample extension when not."""
        self._start()
        g = self.grounded[a]
        if semantics in ("grounded", "complete"):
            return bool(g == IN), (None if g == IN else self._base)
        if g == IN:
            return True, None
        if semantics == "stable":
            assume = [] if g == OUT else [-(int(self._pos[a]) + 1)]
            found = self._sat(self._stable_solver(), assume)
            return found is None, (None if found is None else self._lift(self._record_stable(found)))
        if g == OUT:
            return False, self.extension(semantics)
        counter = self._preferred_counterexample(int(self._pos[a]), "in")
        return counter is None, (None if counter is None else self._lift(counter))

    def sceptical_labels(self, semantics: Semantics) -> np.ndarray | None:
        """Each argument's label if all extensions agree on it, else undecided.

        ``in``: in every extension; ``out``: out in every extension. Under grounded and
        complete semantics this is the grounded labelling. ``None`` when there is no
        extension at all (stable semantics only).
        """
        self._start()
        labels = self.grounded.copy()
        if semantics in ("grounded", "complete") or self.sub.n == 0:
            return labels
        if semantics == "stable" and self.extension("stable") is None:
            return None
        for i, a in enumerate(self.old.tolist()):
            labels[a] = self._agreed(semantics, i)
        return labels

    # Implementation details ---------------------------------------------------------------

    def _agreed(self, semantics: Semantics, i: int) -> int:
        """The label that sub-argument ``i`` has in every extension, or UNDEC."""
        if semantics == "stable":  # out = not in, in every stable extension
            solver, seen = self._stable_solver(), self._stable_seen
            if not any(not s[i] for s in seen):
                lacks = self._sat(solver, [-(i + 1)])
                if lacks is None:
                    return IN
                self._record_stable(lacks)
            if not any(s[i] for s in seen):
                has = self._sat(solver, [i + 1])
                if has is None:
                    return OUT
                self._record_stable(has)
            return UNDEC
        if self._preferred_counterexample(i, "in") is None:
            return IN
        if self._preferred_counterexample(i, "out") is None:
            return OUT
        return UNDEC

    def _preferred_counterexample(self, i: int, label: Literal["in", "out"]) -> np.ndarray | None:
        """A preferred in-set (bool over sub) where sub-argument ``i`` is not ``label``, or None."""
        attackers = self.sub.attackers(i)

        def holds(ins: np.ndarray) -> bool:
            return bool(ins[i]) if label == "in" else bool(ins[attackers].any())

        for ins in self._preferred_seen:
            if not holds(ins):
                return ins
        solver = self._admissible_solver()
        lit = i + 1 if label == "in" else self.sub.n + i + 1
        sel = self._selector()
        try:
            while True:
                start = self._sat(solver, [sel, -lit])
                if start is None:
                    return None
                ins = self._grow(start)
                if not holds(ins):
                    return ins
                solver.add_clause([-sel, *(np.flatnonzero(~ins) + 1).tolist()])
        finally:
            solver.add_clause([-sel])

    def _grow(self, ins: np.ndarray) -> np.ndarray:
        """Grow an admissible in-set (bool over sub) to a preferred one containing it.

        Each round closes the set under the characteristic function (linear, no solver), then
        asks the solver for an admissible superset with one more argument; none means the set
        is ⊆-maximal admissible, i.e. preferred.
        """
        solver = self._admissible_solver()
        while True:
            ins = self._close(ins)
            outside = np.flatnonzero(~ins)
            if outside.size == 0:
                break
            sel = self._selector()
            solver.add_clause([-sel, *(outside + 1).tolist()])
            bigger = self._sat(solver, [sel, *(np.flatnonzero(ins) + 1).tolist()])
            solver.add_clause([-sel])
            if bigger is None:
                break
            ins = bigger
        if not any(np.array_equal(ins, s) for s in self._preferred_seen):
            self._preferred_seen.append(ins)
        return ins

    def _close(self, ins: np.ndarray) -> np.ndarray:
        """The least complete in-set (bool over sub) containing the admissible set ``ins``."""
        return least_complete(self.sub, np.flatnonzero(ins)) == IN

    def _record_stable(self, ins: np.ndarray) -> np.ndarray:
        if len(self._stable_seen) < 64:
            self._stable_seen.append(ins)
        return ins

    def _lift(self, ins: np.ndarray) -> np.ndarray:
        """A sub-framework in-set as an extension of the whole framework (sorted indices)."""
        return np.sort(np.concatenate((self._base, self.old[ins]))) if ins.any() else self._base

    def _start(self) -> None:
        self._deadline = None if self.timeout is None else time.monotonic() + self.timeout

    def _selector(self) -> int:
        v = self._next_var
        self._next_var += 1
        return v

    def _sat(self, solver, assumptions: list[int]) -> np.ndarray | None:
        """Solve under assumptions; the model's in-set (bool over sub), or None if UNSAT."""
        ok = solve_by(solver, assumptions, self._deadline, self._timed_out)
        if not ok:
            return None
        model = solver.get_model()
        return np.asarray(model[: self.sub.n]) > 0

    def _timed_out(self) -> LimitExceeded:
        return LimitExceeded(
            "timeout",
            f"no answer within {self.timeout:g} s ({self.sub.n} of {self.af.n} arguments left "
            "undecided by grounded semantics went to the SAT solver)",
        )

    def _complete_solver(self):
        if self._complete is None:
            self._complete = _new_solver(_labelling_cnf(self.sub, complete=True))
        return self._complete

    def _admissible_solver(self):
        if self._admissible is None:
            self._admissible = _new_solver(_labelling_cnf(self.sub, complete=False))
            # Try `in` first: preferred extensions are large, so growth needs fewer rounds.
            self._admissible.set_phases(list(range(1, self.sub.n + 1)))
        return self._admissible

    def _stable_solver(self):
        if self._stable is None:
            self._stable = _new_solver(_stable_cnf(self.sub))
        return self._stable

    def __del__(self):
        for name in ("_complete", "_admissible", "_stable"):
            s = getattr(self, name, None)
            if s is not None:
                s.delete()


def _new_solver(clauses: list[list[int]]):
    from pysat.solvers import Solver

    return Solver(name=_SAT_SOLVER, bootstrap_with=clauses)


def _labelling_cnf(af: AF, *, complete: bool) -> list[list[int]]:
    """The labelling clauses above; I_a = a + 1, O_a = n + a + 1.

    Without ``complete``, the clause "every attacker out ⇒ in" is left out: the models are
    then the admissible labellings with ``out`` = attacked by the in-set. Finding a non-empty
    one is far easier for the solver (0.2 s against > 100 s on 105,000 undecided arguments),
    and preferred = ⊆-maximal admissible, so only ``ee`` under complete needs the full set.
    """
    n = af.n
    src, dst = af.edges()
    i_src, i_dst = src.astype(np.int64) + 1, dst.astype(np.int64) + 1
    pairs = [
        np.column_stack((-np.arange(1, n + 1), -np.arange(n + 1, 2 * n + 1))),
        np.column_stack((-i_dst, i_src + n)),
        np.column_stack((-i_src, i_dst + n)),
    ]
    clauses = np.concatenate(pairs).tolist()
    for a in range(n):
        b = af.attackers(a).astype(np.int64) + 1
        if complete:
            clauses.append([a + 1, *(-(b + n)).tolist()])
        clauses.append([-(a + 1 + n), *b.tolist()])
    return clauses


def _stable_cnf(af: AF) -> list[list[int]]:
    """The stable-extension clauses above; I_a = a + 1 (O_a unused, kept for numbering)."""
    src, dst = af.edges()
    clauses = np.column_stack((-(src.astype(np.int64) + 1), -(dst.astype(np.int64) + 1))).tolist()
    for a in range(af.n):
        clauses.append([a + 1, *(af.attackers(a).astype(np.int64) + 1).tolist()])
    return clauses
