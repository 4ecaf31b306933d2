"""Frameworks over integer arrays: construction, the set semantics of attacks, sub-frameworks."""

from __future__ import annotations

import numpy as np
import pytest

from argmap.errors import InvalidInput
from argmap.semantics import AF


def test_duplicate_attacks_are_one_attack_and_self_attacks_stay():
    af = AF.from_names("abc", [("a", "b"), ("a", "b"), ("c", "c")])
    assert af.m == 2
    assert af.attackers(af.index("b")).tolist() == [0]
    assert af.attackers(af.index("c")).tolist() == [2]
    assert af.attacks(af.index("a")).tolist() == [1]


def test_unknown_argument_in_an_attack_is_refused_with_its_position():
    with pytest.raises(InvalidInput) as e:
        AF.from_names(["a", "b"], [("a", "b"), ("b", "x")])
    assert e.value.field == "$.attacks[1][1]" and "'x'" in e.value.reason


def test_a_name_given_twice_is_refused():
    with pytest.raises(InvalidInput, match="'a' is named twice") as e:
        AF.from_names(["a", "b", "a"], [])
    assert e.value.field == "$.arguments[2]"


def test_edges_outside_the_range_are_refused():
    with pytest.raises(InvalidInput, match="outside 0..2"):
        AF.from_edges(3, [0], [3])


def test_unnamed_arguments_are_called_1_to_n_as_in_iccma_2023():
    af = AF.from_edges(3, [0, 1], [1, 2])
    assert af.name_list(range(3)) == ["1", "2", "3"]
    assert af.index("3") == 2
    with pytest.raises(InvalidInput, match="no argument is called '4'"):
        af.index("4")


def test_restrict_keeps_the_attacks_among_kept_arguments_and_maps_back():
    af = AF.from_names("abcd", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")])
    sub, old = af.restrict(np.array([False, True, True, True]))
    assert sub.name_list(range(sub.n)) == ["b", "c", "d"]
    assert old.tolist() == [1, 2, 3]
    assert sorted(zip(*[x.tolist() for x in sub.edges()])) == [(0, 1), (1, 2), (2, 0)]


def test_both_csr_directions_describe_the_same_attacks():
    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 500, 3000), rng.integers(0, 500, 3000)
    af = AF.from_edges(500, src, dst)
    forward = {(a, int(b)) for a in range(500) for b in af.attacks(a)}
    backward = {(int(b), a) for a in range(500) for b in af.attackers(a)}
    assert forward == backward == set(zip(src.tolist(), dst.tolist()))
