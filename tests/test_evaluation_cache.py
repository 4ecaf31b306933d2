"""Evaluations are cached per map version: generated sequences of writes and evaluations
always answer what a fresh evaluation of the current map answers, and repeat no work."""

from __future__ import annotations

import threading
import time

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

import argmap.semantics as semantics
from argmap import query
from argmap.model import Argument, Map, Statement
from argmap.store import Store

BASE = Map(id="m", title="M", statements=[Statement(id=f"s{i}", text=f"S{i}") for i in range(6)],
           arguments=[Argument(id="a0", kind="attack", premises=["s1"], target="s0")])

steps = st.lists(st.one_of(
    st.tuples(st.just("attack"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("eval"), st.sampled_from(["grounded", "preferred", "stable", "complete"]),
              st.sampled_from(["credulous", "sceptical"])),
), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(steps=steps)
def test_cached_answers_are_the_current_maps(steps):
    with Store(":memory:") as s:
        s.load_map(BASE)
        n = 0
        for step in steps:
            if step[0] == "attack":
                _, a, b = step
                if a != b:
                    n += 1
                    s.add_argument("m", Argument(id=f"x{n}", kind="attack", premises=[f"s{a}"], target=f"s{b}"))
            else:
                _, sem, reading = step
                got = query.evaluation(s, "m", sem, reading=reading)
                fresh = semantics.evaluate_map(s.get_map("m"), sem, reading=reading)
                assert msgspec.json.encode(got) == msgspec.json.encode(fresh)


def test_an_evaluation_is_computed_once_per_version_even_when_asked_at_once(monkeypatch):
    calls = []
    real = semantics.evaluate_map

    def slow(*a, **k):
        calls.append(1)
        time.sleep(0.3)
        return real(*a, **k)

    monkeypatch.setattr(semantics, "evaluate_map", slow)
    with Store(":memory:") as s:
        s.load_map(BASE)
        threads = [threading.Thread(target=query.evaluation, args=(s, "m", "preferred")) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(calls) == 1
        query.evaluation(s, "m", "preferred")
        assert len(calls) == 1
        s.add_argument("m", Argument(id="new", kind="attack", premises=["s2"], target="s1"))
        assert query.evaluation(s, "m", "preferred").labels["s1"] == "out"
        assert len(calls) == 2
