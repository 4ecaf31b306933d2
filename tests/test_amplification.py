"""Answers and allocations grow with the request and the map, within documented limits.

Generated shapes of support graphs (chains, trees, ladders with undercuts and rebuttals on the
way) ask supporters and attackers with ``depth=all``: the answer is at most a small multiple of
the map's own document (each statement once, each path cut at ``MAX_PATH``), and the walk's
peak memory is too. ``POST /af/solve`` with a framework declared by a few bytes is refused
over ``MAX_ARGUMENTS`` and, under it, answers within ``MAX_LISTED`` names however many
extensions are asked for.
"""

from __future__ import annotations

import tracemalloc

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from argmap import query
from argmap.api import create_app
from argmap.api.semantics import MAX_ARGUMENTS, MAX_LISTED
from argmap.model import Argument, Map, Statement
from argmap.store import Store


@st.composite
def shapes(draw):
    """A support graph over n statements: each statement i > 0 supports one of the ones before
    it (``jump`` 1 is a chain, larger jumps make bushier trees), plus rebuttals and undercuts."""
    n = draw(st.integers(2, 1500))
    jump = draw(st.sampled_from([1, 1, 2, 3, 10, 1000]))
    text = draw(st.sampled_from(["x", "A statement of ordinary length, as a quote would be.", "y" * 2000]))
    statements = [Statement(id=f"s{i}", text=f"{text} {i}") for i in range(n)]
    arguments = [Argument(id=f"a{i}", kind="support", premises=[f"s{i}"], target=f"s{max(0, i - jump)}")
                 for i in range(1, n)]
    every = draw(st.integers(3, 50))
    arguments += [Argument(id=f"r{i}", kind="attack", premises=[f"s{i}"], target=f"s{i - 2}")
                  for i in range(2, n, every)]
    arguments += [Argument(id=f"u{i}", kind="undercut", premises=[f"s{i}"], target=f"a{i - 1}")
                  for i in range(3, n, every) if i - 1 != i]
    arguments = [a for a in arguments if a.premises[0] != a.target]
    return Map(id="m", title="Shape", statements=statements, arguments=arguments)


SEEN: list[tuple[int, int, int]] = []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(m=shapes(), direction=st.sampled_from(["supporters", "attackers"]))
def test_transitive_answers_grow_with_the_map_not_with_its_paths(m, direction):
    document = len(msgspec.json.encode(m))
    with Store(":memory:") as s:
        s.load_map(m)
        fn = getattr(query, direction)
        fn(s, "m", "s0", depth=1)  # the graph and its cache, which the map's size bounds
        tracemalloc.start()
        try:
            answer = msgspec.json.encode(fn(s, "m", "s0", depth=None))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    SEEN.append((len(m.statements), document, len(answer)))
    # Each link: its statement once (as in the map) plus at most MAX_PATH ids and a few fields.
    per_link = 250 + query.MAX_PATH * (len("a1500") + 3)
    assert len(answer) <= 2 * document + len(m.statements) * per_link, (len(answer), document)
    assert peak <= 8 * document + 20 * 2**20, (peak, document)


def test_a_ten_thousand_statement_chain_answers_in_proportion():
    n = 10_001
    m = Map(id="chain", title="Chain", statements=[Statement(id=f"s{i}", text=f"Statement {i}.") for i in range(n)],
            arguments=[Argument(id=f"a{i}", kind="support", premises=[f"s{i + 1}"], target=f"s{i}")
                       for i in range(n - 1)])
    document = len(msgspec.json.encode(m))
    with Store(":memory:") as s:
        s.load_map(m)
        answer = query.supporters(s, "chain", "s0", depth=None)
    assert len(answer.items) == n - 1 == query.MAX_RESULTS
    last = answer.items[-1]
    assert last.path_length == last.depth == query.MAX_RESULTS and len(last.path) == query.MAX_PATH
    assert last.path[0] == last.argument
    # The rest of the chain is in the answer: follow each link's target.
    by_statement = {x.statement.id: x for x in answer.items}
    hops, at = 0, last
    while at.target != "s0":
        at, hops = by_statement[at.target], hops + 1
    assert hops == last.path_length - 1
    assert len(msgspec.json.encode(answer)) < 2 * document  # was 392 MB for a 1.16 MB map


@pytest.fixture(scope="module")
def api():
    with TestClient(create_app(store=Store(":memory:"))) as c:
        yield c


def _solve(api, body: str, **params):
    return api.post("/af/solve", params={"format": "i23", **params}, content=body,
                    headers={"content-type": "text/plain"})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(MAX_ARGUMENTS + 1, 2**31 - 2), task=st.sampled_from(["se", "ee", "dc"]),
       semantics=st.sampled_from(["grounded", "preferred", "stable", "complete"]))
def test_a_framework_declared_over_the_limit_is_refused_before_it_is_built(api, n, task, semantics):
    r = _solve(api, f"p af {n}\n", task=task, semantics=semantics, **({"arg": "1"} if task == "dc" else {}))
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "limit_exceeded"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.sampled_from([10, 1000, MAX_ARGUMENTS // 2, MAX_ARGUMENTS]), pairs=st.integers(0, 12),
       limit=st.sampled_from([1, 16, 1000]))
def test_every_extension_listing_is_bounded_by_the_names_it_may_list(api, n, pairs, limit):
    # `pairs` mutual attacks give 2**pairs preferred extensions, each holding every other argument.
    pairs = min(pairs, n // 2)
    body = f"p af {n}\n" + "".join(f"{2 * i + 1} {2 * i + 2}\n{2 * i + 2} {2 * i + 1}\n" for i in range(pairs))
    r = _solve(api, body, task="ee", semantics="preferred", limit=limit)
    assert r.status_code == 200, r.text[:300]
    answer = r.json()
    listed = sum(len(e) for e in answer["solution"]["extensions"])
    assert listed <= max(MAX_LISTED, n)
    assert len(r.content) <= 2 * 8 * max(MAX_LISTED, n) + 10_000  # names twice (JSON and ICCMA text)
    assert answer["solution"].get("truncated", False) == (len(answer["solution"]["extensions"]) < min(2**pairs, limit) or
                                                          answer["solution"].get("truncated", False))
