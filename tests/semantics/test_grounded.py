"""The grounded labelling by counting propagation: its two code paths and long chains."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from argmap.semantics import AF, IN, OUT, UNDEC, grounded, label_names

# The package exports the function `grounded`, which hides the module of the same name.
grounded_module = importlib.import_module("argmap.semantics.grounded")


def test_a_chain_alternates_in_and_out_from_its_unattacked_end():
    n = 100_001
    af = AF.from_edges(n, np.arange(n - 1), np.arange(1, n))
    labels = grounded(af)
    assert labels[0::2].tolist() == [IN] * (n // 2 + 1)
    assert labels[1::2].tolist() == [OUT] * (n // 2)


def test_a_chain_hanging_off_a_cycle_stays_undecided():
    af = AF.from_names("abcd", [("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")])
    assert label_names(grounded(af)) == ["undec", "undec", "undec", "undec"]


@pytest.mark.parametrize("seed", range(5))
def test_wide_and_narrow_propagation_give_the_same_labelling(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n = 3000
    af = AF.from_edges(n, rng.integers(0, n, 2 * n), rng.integers(0, n, 2 * n))
    monkeypatch.setattr(grounded_module, "_NARROW", 0)  # numpy waves only
    wide = grounded(af)
    monkeypatch.setattr(grounded_module, "_NARROW", 10**9)  # scalar loop only
    narrow = grounded(af)
    assert np.array_equal(wide, narrow)
    assert {IN, OUT, UNDEC} <= set(np.unique(wide).tolist())  # the case is not trivial


def test_least_complete_climbs_from_an_admissible_set_to_the_complete_extension_it_implies():
    # a <-> b, b -> c, c -> d: choosing a makes b out, so c in, so d out.
    af = AF.from_names("abcd", [("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")])
    least_complete = grounded_module.least_complete
    assert label_names(least_complete(af)) == ["undec"] * 4
    assert label_names(least_complete(af, np.array([0]))) == ["in", "out", "in", "out"]
    assert label_names(least_complete(af, np.array([1]))) == ["out", "in", "out", "in"]
