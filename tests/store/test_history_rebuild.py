"""A past version is rebuilt from the current rows with the later changes undone
(``_history.store_at``): it must hold exactly what the store held then, whatever came after —
edits, deletes with cascade, a restore (which renumbers every row's place), the map deleted
and created again — on both back ends."""

from __future__ import annotations

import random

import pytest

from argmap import history
from argmap.errors import NotFound
from argmap.model import Argument, Map, Source, Speaker, Statement
from argmap.store import _history

LAKE_IS_SLOW = True


def _small_map() -> Map:
    return Map(
        id="m", title="A map", description="first", extras={"k": 1},
        speakers=[Speaker(id="sp1", name="Ann")],
        sources=[Source(id="src1", title="A paper")],
        statements=[Statement(id=f"s{i}", text=f"Claim number {i}.", speaker="sp1" if i % 2 else None,
                              source="src1" if i % 3 == 0 else None, tags=["t"] if i % 4 == 0 else [])
                    for i in range(12)],
        arguments=[Argument(id=f"a{i}", kind="support" if i % 3 else "attack", premises=[f"s{i + 1}", f"s{i + 2}"],
                            target=f"s{i}") for i in range(8)],
    )


def test_every_past_version_is_rebuilt_exactly(store):
    rnd = random.Random(5)
    seen: dict[int, Map] = {}

    def keep() -> None:
        seen[history.current_version(store, "m")] = store.get_map("m")

    store.load_map(_small_map())
    keep()
    for i in range(30):
        r = rnd.random()
        ids = [s.id for s in store.list_statements("m")]
        if r < 0.35:
            s = store.get_statement("m", rnd.choice(ids))
            store.update_statement("m", Statement(**{**{f: getattr(s, f) for f in s.__struct_fields__},
                                                     "text": f"{s.text} (edit {i})", "kind": rnd.choice(
                                                         ["claim", "event"])}))
        elif r < 0.55:
            store.add_statement("m", Statement(id=f"n{i}", text=f"New claim {i}."))
            store.add_argument("m", Argument(id=f"na{i}", kind="attack", premises=[f"n{i}"], target=rnd.choice(ids)))
        elif r < 0.7:
            store.delete_statement("m", rnd.choice(ids), cascade=True)
        elif r < 0.8 and len(seen) > 3:
            history.restore(store, "m", rnd.choice(sorted(seen)[:-1]))  # every row's place renumbered
        else:
            info = store.get_map_info("m")
            store.update_map(type(info)(id="m", title=f"Title {i}", description=info.description))
        keep()
    # deleted, then a different map under the same id
    store.delete_map("m")
    gone = history.current_version(store, "m")
    store.load_map(Map(id="m", title="Again", statements=[Statement(id="s0", text="Another first claim.")]))
    keep()
    for version, expected in seen.items():
        _history._COPIES.pop(store, None)  # rebuild each, not a kept copy
        past = history.store_as_of(store, "m", version)
        assert past.get_map("m") == expected, f"version {version}"
        assert past.map_version("m") == version
    with pytest.raises(NotFound):
        history.store_as_of(store, "m", gone)


def _random_map(rnd: random.Random) -> Map:
    statements = [Statement(id=f"s{i}", text=f"Statement {i}.", kind=rnd.choice(["claim", "claim", "event", "derived"]))
                  for i in range(14)]
    arguments: list[Argument] = []
    for i in range(22):
        kind = rnd.choice(["support", "support", "attack", "undercut"]) if arguments else "support"
        target = rnd.choice(arguments).id if kind == "undercut" else f"s{rnd.randrange(14)}"
        premises = rnd.sample([s.id for s in statements if s.id != target], rnd.choice([1, 1, 2]))
        arguments.append(Argument(id=f"a{i}", kind=kind, premises=premises, target=target))
    return Map(id="m", title="Random", statements=statements, arguments=arguments)


def _assert_label_diffs(store, expected: dict, rnd: random.Random, pairs: int = 30) -> None:
    """Diffs between versions (either way round, the latest one or not) list exactly the
    statements whose grounded label the evaluations of the two versions differ on; labels kept
    from earlier diffs or not (the solve is of the part the changes between them reach)."""
    versions = sorted(expected)
    chosen = [(versions[0], versions[-1]), (versions[-1], versions[0])] + [
        tuple(rnd.sample(versions, 2)) for _ in range(pairs)]
    for a, b in chosen:
        for fresh in (True, False):
            if fresh:
                history._CHANGES.pop(store, None)
                history._LABELS.pop(store, None)
            la, lb = expected[a]["grounded"], expected[b]["grounded"]
            d = history.diff(store, "m", a, b)
            assert {(c.id, c.before, c.after) for c in d.labels} == {
                (i, la.get(i), lb.get(i)) for i in set(la) | set(lb) if la.get(i) != lb.get(i)}, (a, b)
            assert [c.id for c in d.labels] == sorted(c.id for c in d.labels)


def test_the_diff_labels_every_version_as_an_evaluation_of_it_would(store):
    """The diff labels a version from its attack graph read from the rows (_history.framework_at), not by
    evaluating the whole map: on maps with derived statements, undercuts, linked premises and
    cycles of attack, under every semantics, the labels are the evaluation's."""
    from argmap.semantics import evaluate_map

    rnd = random.Random(18)
    expected: dict[int, dict[str, dict[str, str]]] = {}

    def keep() -> None:
        m = store.get_map("m")
        expected[history.current_version(store, "m")] = {
            sem: {s.id: evaluate_map(m, sem, timeout=20).labels[s.id] for s in m.statements}
            for sem in ("grounded", "complete", "preferred", "stable")}

    store.load_map(_random_map(rnd))
    keep()
    for i in range(12):
        m = store.get_map("m")
        r = rnd.random()
        if r < 0.3:
            s = rnd.choice(m.statements)
            kind = rnd.choice([k for k in ("claim", "event", "derived") if k != s.kind])
            store.update_statement("m", Statement(**{**{f: getattr(s, f) for f in s.__struct_fields__}, "kind": kind}))
        elif r < 0.6:
            kind = rnd.choice(["attack", "support"])
            target = rnd.choice(m.statements).id
            store.add_argument("m", Argument(id=f"b{i}", kind=kind, target=target, premises=[
                rnd.choice([s.id for s in m.statements if s.id != target])]))
        elif r < 0.8 and m.arguments:
            store.delete_argument("m", rnd.choice(m.arguments).id, cascade=True)
        else:
            store.delete_statement("m", rnd.choice(m.statements).id, cascade=True)
        keep()
    for version, by_semantics in expected.items():
        for sem, labels in by_semantics.items():
            history._LABELS.pop(store, None)
            assert history._labels_at(store, "m", version, sem, 20) == labels, (version, sem)
    # A diff reports exactly the statements whose label moved.
    first, last = min(expected), max(expected)
    d = history.diff(store, "m", first, last)
    a, b = expected[first]["grounded"], expected[last]["grounded"]
    assert {(c.id, c.before, c.after) for c in d.labels} == {
        (i, a.get(i), b.get(i)) for i in set(a) | set(b) if a.get(i) != b.get(i)}
    _assert_label_diffs(store, expected, rnd)


def test_the_diff_labels_a_version_whose_arguments_were_rewritten_since(store):
    """A version's attack graph is the current one with the entities changed since put back:
    arguments whose kind, target and premises were rewritten (and undercuts still pointing at
    them), statements added and removed on the way, the map deleted and loaded again; each
    version labelled as an evaluation of it would."""
    from argmap.semantics import evaluate_map

    rnd = random.Random(7)
    expected: dict[int, dict[str, dict[str, str]]] = {}

    def keep() -> None:
        m = store.get_map("m")
        expected[history.current_version(store, "m")] = {
            sem: {s.id: evaluate_map(m, sem, timeout=20).labels[s.id] for s in m.statements}
            for sem in ("grounded", "preferred")}

    store.load_map(_random_map(rnd))
    keep()
    for i in range(16):
        m = store.get_map("m")
        ids = [s.id for s in m.statements]
        r = rnd.random()
        if r < 0.45 and m.arguments:
            a = rnd.choice([a for a in m.arguments if a.kind != "undercut"] or m.arguments)
            kind = rnd.choice(["support", "attack"]) if a.kind != "undercut" else "undercut"
            target = a.target if kind == "undercut" else rnd.choice(ids)
            premises = rnd.sample([x for x in ids if x != target], min(len(ids) - 1, rnd.choice([1, 2, 3])))
            store.update_argument("m", Argument(id=a.id, kind=kind, target=target, premises=premises))
        elif r < 0.6:
            store.add_statement("m", Statement(id=f"n{i}", text=f"New {i}.", kind=rnd.choice(["claim", "derived"])))
            store.add_argument("m", Argument(id=f"na{i}", kind="support", target=f"n{i}", premises=[rnd.choice(ids)]))
        elif r < 0.7 and m.arguments:
            store.add_argument("m", Argument(id=f"u{i}", kind="undercut", target=rnd.choice(m.arguments).id,
                                             premises=[rnd.choice(ids)]))
        elif r < 0.85:
            store.delete_statement("m", rnd.choice(ids), cascade=True)
        else:
            s = rnd.choice(m.statements)
            store.update_statement("m", Statement(id=s.id, text=s.text, kind="derived" if s.kind != "derived" else "claim"))
        keep()
    store.delete_map("m")
    store.load_map(_random_map(rnd))
    keep()
    for version, by_semantics in expected.items():
        for sem, labels in by_semantics.items():
            history._LABELS.pop(store, None)
            assert history._labels_at(store, "m", version, sem, 20) == labels, (version, sem)
    _assert_label_diffs(store, expected, rnd)


def test_the_kept_attack_graph_finds_every_id_whatever_its_letters(store):
    """The graph numbers statements and arguments in the order DuckDB sorts their ids and finds
    an id by bisection in Python's order: ids of every character an id may have (letters of
    either case, digits, ``_ . : ~ -``) are found, and a diff across a change labels them as
    an evaluation would."""
    ids = ["Zeta", "alpha", "A", "a-b", "a_b", "a.b", "a:b", "a~b", "aB", "ab", "a", "10", "9", "Z", "z", "0a"]
    store.load_map(Map(id="m", title="Ids", statements=[Statement(id=i, text=f"Claim {i}.") for i in ids],
                       arguments=[Argument(id=f"x{i}", kind="attack", premises=[ids[k - 1]], target=i)
                                  for k, i in enumerate(ids) if k]))
    graph = store._read(lambda cur: _history._Graph.read(cur, "m"))
    assert sorted(graph.names) == graph.names and sorted(graph.ar_names) == graph.ar_names
    assert sorted(graph.node(i) for i in ids) == list(range(len(ids)))
    assert [graph.node(f"x{i}") - graph.S for i in sorted(ids[1:])] == list(range(len(ids) - 1))
    assert graph.node("absent") == -1 and graph.node("x" + ids[0]) == -1
    v = history.current_version(store, "m")
    store.delete_argument("m", "x" + ids[1])  # "alpha" no longer attacked: the chain's labels flip past it
    d = history.diff(store, "m", v, history.current_version(store, "m"))
    from argmap.semantics import evaluate_map

    before, after = (evaluate_map(history.map_as_of(store, "m", x), "grounded").labels
                     for x in (v, history.current_version(store, "m")))
    assert d.labels and {(c.id, c.before, c.after) for c in d.labels} == {
        (i, before[i], after[i]) for i in ids if before[i] != after[i]}
