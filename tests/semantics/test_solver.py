"""The solver's limits: time, and what it says when it runs out."""

from __future__ import annotations

import time

import numpy as np
import pytest

from argmap.errors import LimitExceeded
from argmap.semantics import AF, Reasoner, solve


def test_a_solver_call_over_its_time_is_interrupted_and_says_how_big_the_problem_was():
    # 200,000 arguments, 600,000 random attacks: grounded leaves ~105,000 undecided, and
    # growing a preferred extension there takes the solver minutes.
    n = 200_000
    rng = np.random.default_rng(2025)
    af = AF.from_edges(n, rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n))
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as e:
        Reasoner(af, timeout=1.0).extension("preferred")
    assert time.monotonic() - started < 10  # CNF building is not under the limit, solving is
    assert e.value.field == "timeout"
    assert "of 200000 arguments left undecided by grounded semantics" in e.value.reason


def test_grounded_answers_need_no_solver_and_ignore_the_limit():
    af = AF.from_names("ab", [("a", "b"), ("b", "a")])
    assert solve(af, "complete", "se", timeout=1e-9).extension == []


def test_limit_stops_enumeration_and_says_more_exist():
    # Three independent even cycles: 8 preferred extensions.
    names = [f"{x}{i}" for i in range(3) for x in "ab"]
    af = AF.from_names(names, [p for i in range(3) for p in ((f"a{i}", f"b{i}"), (f"b{i}", f"a{i}"))])
    some = solve(af, "preferred", "ee", limit=3)
    assert len(some.extensions) == 3 and some.truncated
    every = solve(af, "preferred", "ee", limit=8)
    assert len(every.extensions) == 8 and not every.truncated
