"""The outline: the map as nested lists, the diagram's text alternative."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap.mapfile import load
from argmap.model import Argument, Map, Statement
from argmap.render.diagram import select
from argmap.web.outline import MAX_NEST, Entry, Outline, outline

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


def entries(o: Outline) -> list[Entry]:
    """Every entry, in reading order."""
    out: list[Entry] = []

    def walk(e: Entry):
        out.append(e)
        for b in e.branches:
            walk_branch(b)

    def walk_branch(b):
        for p in b.premises:
            walk(p)
        for u in b.undercuts:
            walk_branch(u)

    for e in [*o.roots, *o.continued]:
        walk(e)
    return out


def firsts(o: Outline) -> list[str]:
    """Ids of every expanded entry, in reading order, then the unlinked statements."""
    return [e.statement for e in entries(o) if e.first] + o.unlinked


def depth(e: Entry) -> int:
    return 1 + max((depth(p) for b in e.branches for p in b.premises), default=0)


def chain(n: int) -> Map:
    """s0 <- s1 <- ... <- s(n-1): each supports the one before."""
    return Map(id="m", title="chain", statements=[Statement(id=f"s{i}", text=f"step {i}") for i in range(n)],
               arguments=[Argument(id=f"a{i}", kind="support", premises=[f"s{i + 1}"], target=f"s{i}")
                          for i in range(n - 1)])


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(SEED)


def test_every_seed_statement_is_expanded_exactly_once(seed):
    ids = firsts(outline(seed.statements, seed.arguments))
    assert sorted(ids) == sorted(s.id for s in seed.statements)
    assert len(ids) == len(set(ids))


def test_the_seed_starts_from_its_conclusion(seed):
    o = outline(seed.statements, seed.arguments)
    assert o.roots[0].statement == "no-peace-without-ukraine-and-europe"
    premises = {s for a in seed.arguments for s in a.premises}
    assert not {e.statement for e in o.roots} & premises


def test_linked_premises_stay_together_and_undercuts_hang_under_the_step_they_deny():
    m = Map(id="m", title="t", statements=[Statement(id=i, text=i) for i in ("c", "p1", "p2", "u", "r")],
            arguments=[Argument(id="s", kind="support", premises=["p1", "p2"], target="c", scheme="expert opinion"),
                       Argument(id="x", kind="undercut", premises=["u"], target="s"),
                       Argument(id="a", kind="attack", premises=["r"], target="p1")])
    (root,) = outline(m.statements, m.arguments).roots
    (support,) = root.branches
    assert (support.kind, support.scheme) == ("support", "expert opinion")
    assert [p.statement for p in support.premises] == ["p1", "p2"]
    assert [(u.kind, [p.statement for p in u.premises]) for u in support.undercuts] == [("undercut", ["u"])]
    assert support.premises[0].branches[0].kind == "attack"


def test_a_cycle_ends_as_a_leaf_and_a_shared_premise_is_expanded_once():
    m = Map(id="m", title="t", statements=[Statement(id=i, text=i) for i in ("a", "b", "c", "d")],
            arguments=[Argument(id="ab", kind="support", premises=["a"], target="b"),
                       Argument(id="ba", kind="support", premises=["b"], target="a"),
                       Argument(id="dc", kind="support", premises=["d"], target="c"),
                       Argument(id="dc2", kind="attack", premises=["d"], target="b")])
    o = outline(m.statements, m.arguments)
    assert sorted(firsts(o)) == ["a", "b", "c", "d"]
    leaves = sorted(e.statement for e in entries(o) if not e.first)
    # c <- d first; then the a <-> b cycle, which no conclusion reaches, starts at a:
    # a <- b <- (a again: a leaf) and b is rebutted by d (already shown: a leaf).
    assert [e.statement for e in o.roots] == ["c", "a"]
    assert leaves == ["a", "d"]
    assert all(not e.branches for e in entries(o) if not e.first)


def test_a_long_chain_is_cut_into_lists_no_deeper_than_max_nest():
    m = chain(500)
    o = outline(m.statements, m.arguments)
    assert sorted(firsts(o), key=lambda s: int(s[1:])) == [s.id for s in m.statements]
    assert max(depth(e) for e in [*o.roots, *o.continued]) <= MAX_NEST + 1
    assert o.roots[0].statement == "s0" and o.continued


def test_statements_in_no_argument_are_listed_apart_and_a_focused_view_outlines_only_itself(seed):
    m = Map(id="m", title="t", statements=[Statement(id="alone", text="alone"), *chain(3).statements],
            arguments=chain(3).arguments)
    assert outline(m.statements, m.arguments).unlinked == ["alone"]
    statements, arguments = select(seed, "kallas-no-viable-plan", 1)
    ids = firsts(outline(statements, arguments))
    assert sorted(ids) == sorted(s.id for s in statements)
    assert len(ids) < len(seed.statements)
