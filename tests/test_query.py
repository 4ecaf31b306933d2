"""argmap.query: the cached graph and statements follow writes, build once under load, agree
with a plain walk over the arguments, and stay out of the garbage collector's full walks."""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap import query
from argmap.errors import NotFound
from argmap.mapfile import load
from argmap.model import Argument, Map, Statement
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"
MAIN = "no-peace-without-ukraine-and-europe"


@pytest.fixture
def store():
    with Store(":memory:") as s:
        s.load_map(load(SEED))
        yield s


def test_concurrent_requests_build_the_graph_once(store, monkeypatch):
    builds = []
    real = query._build_graph

    def counting(*args):
        builds.append(1)
        return real(*args)

    monkeypatch.setattr(query, "_build_graph", counting)
    start = threading.Barrier(8)
    answers = []

    def ask():
        start.wait()
        answers.append(len(query.supporters(store, "peace-plan", MAIN, depth=None).items))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [23] * 8
    assert len(builds) == 1
    store.add_argument("peace-plan", Argument(id="s-new", kind="support", premises=["kremlin-silent"], target=MAIN))
    assert len(query.supporters(store, "peace-plan", MAIN).items) == 6  # a write: a new graph
    assert len(builds) == 2


def test_cached_statements_follow_writes(store):
    before = query.supporters(store, "peace-plan", MAIN).items[0].statement
    store.update_statement("peace-plan", type(before)(**{**{f: getattr(before, f) for f in before.__struct_fields__},
                                                         "text": "Changed."}))
    assert query.supporters(store, "peace-plan", MAIN).items[0].statement.text == "Changed."


def test_a_statement_read_follows_writes(store):
    assert query.statement(store, "peace-plan", "kremlin-silent").text.startswith("The Kremlin remains silent")
    current = store.get_statement("peace-plan", "kremlin-silent")
    store.update_statement("peace-plan", msgspec.structs.replace(current, text="Moscow says nothing."))
    assert query.statement(store, "peace-plan", "kremlin-silent").text == "Moscow says nothing."
    store.delete_statement("peace-plan", "kremlin-silent", cascade=True)
    with pytest.raises(NotFound):
        query.statement(store, "peace-plan", "kremlin-silent")
    with pytest.raises(NotFound) as e:
        query.statement(store, "no-map", "kremlin-silent")
    assert e.value.field == "map"


def test_writes_change_the_answers(store):
    """Each kind of write reaches the next answer: the graph is filed under the map's version."""
    sid = "kremlin-silent"
    assert [x.argument for x in query.supporters(store, "peace-plan", sid).items] == []
    store.add_statement("peace-plan", Statement(id="new-premise", text="A new premise."))
    store.add_argument("peace-plan", Argument(id="new-support", kind="support", premises=["new-premise"], target=sid))
    (link,) = query.supporters(store, "peace-plan", sid).items
    assert (link.statement.id, link.argument, link.target, link.path) == ("new-premise", "new-support", sid, ["new-support"])
    store.add_argument("peace-plan", Argument(id="new-undercut", kind="undercut", premises=["new-premise"],
                                              target="new-support"))
    undercuts = [x for x in query.attackers(store, "peace-plan", sid).items if x.relation == "undercut"]
    assert [(x.argument, x.target, x.path) for x in undercuts] == [("new-undercut", "new-support",
                                                                     ["new-undercut", "new-support"])]
    store.delete_argument("peace-plan", "new-undercut")
    store.delete_argument("peace-plan", "new-support")
    assert query.supporters(store, "peace-plan", sid).items == []
    assert not [x for x in query.attackers(store, "peace-plan", sid).items if x.argument == "new-undercut"]
    store.delete_statement("peace-plan", "new-premise")
    with pytest.raises(NotFound):
        query.supporters(store, "peace-plan", "new-premise")


def test_a_recreated_map_gets_a_new_graph(store):
    """Same map id, other content: the version is random, so the old graph is never reused."""
    assert len(query.supporters(store, "peace-plan", MAIN, depth=None).items) == 23
    store.delete_map("peace-plan")
    store.load_map(Map(id="peace-plan", title="Again", statements=[
        Statement(id=MAIN, text="The conclusion."), Statement(id="only", text="The only premise."),
    ], arguments=[Argument(id="a1", kind="support", premises=["only"], target=MAIN)]))
    assert [x.statement.id for x in query.supporters(store, "peace-plan", MAIN, depth=None).items] == ["only"]


def test_full_collections_do_not_walk_the_cached_graph():
    """A full collection stops every thread while it walks every tracked object. The cached
    graph of a big map as dicts of lists of tuples made those walks take 200-400 ms at 200,000
    arguments: the 1 % of slow requests. As arrays, the collector does not see it."""
    n = 3_000
    m = Map(id="big", title="Big", statements=[Statement(id=f"s{i}", text=f"Statement {i}.") for i in range(n)],
            # A binary tree of supports under s0, and an attack on each statement by the next.
            arguments=[Argument(id=f"a{i}", kind="support", premises=[f"s{i}"], target=f"s{(i - 1) // 2}")
                       for i in range(1, n)]
            + [Argument(id=f"b{i}", kind="attack", premises=[f"s{(i + 1) % n}"], target=f"s{i}") for i in range(n)])
    with Store(":memory:") as s:
        s.load_map(m)
        del m
        gc.collect()
        before = len(gc.get_objects())
        assert query.supporters(s, "big", f"s{n - 1}").items == []  # a leaf: the graph, no statements
        gc.collect()
        # Dicts of lists of tuples were ~3 objects per argument and 1 per statement: ~20,000 here.
        assert len(gc.get_objects()) - before < 100
        # Cached statements are leaves the collector skips; each keeps one list (its tags) tracked.
        assert len(query.supporters(s, "big", "s0", depth=None).items) == n - 1
        gc.collect()
        assert len(gc.get_objects()) - before < n + 100
        assert not gc.is_tracked(query.statement(s, "big", "s1"))


# -- The array walks against a plain walk over the map's arguments --------------------------


def _plain(m: Map, start: str, depth: int | None, direction: str) -> list[tuple]:
    """What the answers must be, by the definition: breadth first over dicts of arguments."""
    incoming = {"support": defaultdict(list), "attack": defaultdict(list), "undercut": defaultdict(list)}
    for a in m.arguments:
        incoming[a.kind][a.target].append(a)

    def supports(limit):
        out, paths, frontier, d = [], {start: []}, [start], 0
        while frontier and (limit is None or d < limit):
            d, nxt = d + 1, []
            for t in frontier:
                for a in incoming["support"][t]:
                    for p in a.premises:
                        if p not in paths:
                            paths[p] = [a.id, *paths[t]]
                            out.append((p, "support", d, a.id, t, paths[p]))
                            nxt.append(p)
            frontier = nxt
        return out

    if direction == "supporters":
        return supports(depth)
    out, seen = [], set()
    for t, d, path in [(start, 0, [])] + [(x[0], x[2], x[5]) for x in supports(None if depth is None else depth - 1)]:
        for a in incoming["attack"][t]:
            out += [(p, "rebuttal", d + 1, a.id, t, [a.id, *path]) for p in a.premises if (p, a.id) not in seen]
            seen.update((p, a.id) for p in a.premises)
        for s in incoming["support"][t]:
            for u in incoming["undercut"][s.id]:
                out += [(p, "undercut", d + 1, u.id, s.id, [u.id, s.id, *path]) for p in u.premises
                        if (p, u.id) not in seen]
                seen.update((p, u.id) for p in u.premises)
    return out


@st.composite
def maps(draw):
    n = draw(st.integers(2, 9))
    ids = [f"s{i}" for i in range(n)]
    arguments = []
    for j in range(draw(st.integers(0, 16))):
        kind = draw(st.sampled_from(["support", "support", "attack", "undercut"]))
        if kind == "undercut" and not arguments:
            continue
        target = draw(st.sampled_from([a.id for a in arguments] if kind == "undercut" else ids))
        pool = [i for i in ids if i != target]
        premises = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        arguments.append(Argument(id=f"a{j}", kind=kind, premises=premises, target=target))
    return Map(id="m", title="Drawn", statements=[Statement(id=i, text=f"Statement {i}.") for i in ids],
               arguments=arguments)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=maps(), depth=st.sampled_from([1, 2, 3, None]))
def test_walks_agree_with_a_plain_walk_over_the_arguments(m, depth):
    with Store(":memory:") as s:
        s.load_map(m)
        for st_ in m.statements:
            for direction, fn in (("supporters", query.supporters), ("attackers", query.attackers)):
                got = [(x.statement.id, x.relation, x.depth, x.argument, x.target, x.path)
                       for x in fn(s, "m", st_.id, depth=depth).items]
                assert got == _plain(m, st_.id, depth, direction), (direction, st_.id)
