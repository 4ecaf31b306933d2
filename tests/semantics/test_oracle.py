"""Our extensions and acceptance answers against PyArg (PyPI ``python-argumentation``).

PyArg enumerates by backtracking (Nofal, Atkinson & Dunne 2014), exponential in the number of
arguments, so it is asked about small frameworks only: the textbook classics, and frameworks
drawn by hypothesis with up to 13 arguments for every semantics (up to 25 for grounded, which
PyArg computes as a fixed point). Every semantics and task is compared: the set of extensions
(ee), that se returns one of them, credulous (dc) and sceptical (ds) acceptance of every
argument, and the labels every extension agrees on.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap.semantics import AF, IN, OUT, UNDEC, Reasoner, labelling, solve

pyarg = pytest.importorskip("py_arg")
from py_arg.abstract_argumentation_classes.abstract_argumentation_framework import (  # noqa: E402
    AbstractArgumentationFramework,
)
from py_arg.abstract_argumentation_classes.argument import Argument  # noqa: E402
from py_arg.abstract_argumentation_classes.defeat import Defeat  # noqa: E402
from py_arg.algorithms.semantics.get_complete_extensions import get_complete_extensions  # noqa: E402
from py_arg.algorithms.semantics.get_grounded_extension import get_grounded_extension  # noqa: E402
from py_arg.algorithms.semantics.get_preferred_extensions import get_preferred_extensions  # noqa: E402
from py_arg.algorithms.semantics.get_stable_extensions import get_stable_extensions  # noqa: E402

SEMANTICS = ("grounded", "complete", "preferred", "stable")


def oracle(af: AF, semantics: str) -> set[frozenset[str]]:
    """PyArg's extensions of ``af`` as sets of names."""
    args = {af.name(i): Argument(af.name(i)) for i in range(af.n)}
    src, dst = af.edges()
    defeats = [Defeat(args[af.name(a)], args[af.name(b)]) for a, b in zip(src.tolist(), dst.tolist())]
    framework = AbstractArgumentationFramework("af", list(args.values()), defeats)
    if semantics == "grounded":
        return {frozenset(a.name for a in get_grounded_extension(framework))}
    fn = {"complete": get_complete_extensions, "preferred": get_preferred_extensions,
          "stable": get_stable_extensions}[semantics]
    return {frozenset(a.name for a in ext) for ext in fn(framework)}


def check_against_oracle(af: AF, semantics: str) -> None:
    expected = oracle(af, semantics)
    ours = solve(af, semantics, "ee")
    assert {frozenset(e) for e in ours.extensions} == expected
    assert len(ours.extensions) == len(expected), "an extension was listed twice"
    assert not ours.truncated

    one = solve(af, semantics, "se").extension
    assert (one is None) == (not expected)
    assert one is None or frozenset(one) in expected

    reasoner = Reasoner(af)
    for i in range(af.n):
        name = af.name(i)
        dc = solve(af, semantics, "dc", arg=name)
        ds = solve(af, semantics, "ds", arg=name)
        assert dc.accepted == any(name in e for e in expected), (semantics, "dc", name)
        assert ds.accepted == all(name in e for e in expected), (semantics, "ds", name)
        # A witness contains the argument; a counterexample is an extension without it.
        if dc.accepted:
            assert name in dc.extension and frozenset(dc.extension) in expected
        if not ds.accepted:
            assert name not in ds.extension and frozenset(ds.extension) in expected

    agreed = reasoner.sceptical_labels(semantics)
    if not expected:
        assert agreed is None
        return
    labellings = [labelling(af, np.array(sorted(af.index(x) for x in e), dtype=np.int64)) for e in expected]
    for i in range(af.n):
        seen = {int(lab[i]) for lab in labellings}
        assert agreed[i] == (seen.pop() if len(seen) == 1 else UNDEC), (semantics, af.name(i))


def framework(n: int, attacks: list[tuple[int, int]]) -> AF:
    names = [f"a{i}" for i in range(n)]
    return AF.from_names(names, [(names[a], names[b]) for a, b in attacks])


CLASSICS = {
    "empty": (0, []),
    "one unattacked": (1, []),
    "reinstatement": (3, [(0, 1), (1, 2)]),
    "even cycle": (2, [(0, 1), (1, 0)]),
    "odd cycle": (3, [(0, 1), (1, 2), (2, 0)]),
    "self-attack": (2, [(0, 0), (0, 1)]),
    "floating defeat": (4, [(0, 1), (1, 0), (0, 2), (1, 2), (2, 3)]),
    "odd cycle attacking a chain": (5, [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)]),
    "even cycle defended": (4, [(0, 1), (1, 0), (2, 0), (3, 2)]),
}


@pytest.mark.parametrize("semantics", SEMANTICS)
@pytest.mark.parametrize("name", CLASSICS)
def test_classics_agree_with_pyarg(name, semantics):
    check_against_oracle(framework(*CLASSICS[name]), semantics)


def ext(af: AF, semantics: str) -> set[frozenset[str]]:
    return {frozenset(e) for e in solve(af, semantics, "ee").extensions}


def test_classics_give_the_textbook_answers():
    reinstatement = framework(*CLASSICS["reinstatement"])
    assert ext(reinstatement, "grounded") == {frozenset({"a0", "a2"})}

    even = framework(*CLASSICS["even cycle"])
    assert ext(even, "grounded") == {frozenset()}
    assert ext(even, "preferred") == {frozenset({"a0"}), frozenset({"a1"})}
    assert ext(even, "complete") == {frozenset(), frozenset({"a0"}), frozenset({"a1"})}

    odd = framework(*CLASSICS["odd cycle"])
    assert ext(odd, "preferred") == {frozenset()}
    assert solve(odd, "stable", "se").extension is None
    assert solve(odd, "stable", "ds", arg="a0").accepted  # vacuously: there is no stable extension

    floating = framework(*CLASSICS["floating defeat"])
    # a3 is in every preferred extension although grounded semantics leaves it undecided.
    assert solve(floating, "preferred", "ds", arg="a3").accepted
    assert not solve(floating, "grounded", "ds", arg="a3").accepted
    assert Reasoner(floating).sceptical_labels("preferred").tolist() == [UNDEC, UNDEC, OUT, IN]

    self_attack = framework(*CLASSICS["self-attack"])
    assert ext(self_attack, "grounded") == {frozenset()}
    assert ext(self_attack, "stable") == set()


@st.composite
def frameworks(draw, max_n: int):
    n = draw(st.integers(min_value=0, max_value=max_n))
    if n == 0:
        return framework(0, [])
    density = draw(st.sampled_from([0.5, 1.0, 1.5, 2.5]))
    attacks = draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=int(density * n) + 1,
    ))
    return framework(n, attacks)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(frameworks(max_n=13))
def test_random_frameworks_agree_with_pyarg_on_every_semantics_and_task(af):
    for semantics in SEMANTICS:
        check_against_oracle(af, semantics)


@settings(max_examples=200, deadline=None)
@given(frameworks(max_n=25))
def test_grounded_agrees_with_pyarg_up_to_25_arguments(af):
    check_against_oracle(af, "grounded")
