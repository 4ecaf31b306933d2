"""What would flip a verdict (argmap.semantics.flips), checked against brute force.

The oracle changes the map itself (a retracted statement gets an attack from a fresh,
unattacked statement; a raised question gets an undercut naming it) and evaluates it with
evaluate_map, trying every set of at most ``size`` candidates: an independent path from the
SAT encoding under test.
"""

from __future__ import annotations

from itertools import combinations

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap.errors import InvalidInput, NotFound
from argmap.model import Argument, Map, Statement, check_map
from argmap.schemes import question_states
from argmap.semantics import evaluate_map
from argmap.semantics.flips import FlipFinder, flips

SCHEMES = [None, None, "ExpertOpinion", "CauseToEffect", "Analogy", "Default Inference"]


def retracted(m: Map, ids) -> Map:
    extra_s = [Statement(id=f"retract-{x}", text=f"{x} is withdrawn") for x in ids]
    extra_a = [Argument(id=f"withdraw-{x}", kind="attack", premises=[f"retract-{x}"], target=x) for x in ids]
    return msgspec.structs.replace(m, statements=[*m.statements, *extra_s], arguments=[*m.arguments, *extra_a])


def raised(m: Map, qs) -> Map:
    extra_s = [Statement(id=f"ask-{a}-{q}", text=f"asks {q} of {a}") for a, q in qs]
    extra_a = [Argument(id=f"raise-{a}-{q}", kind="undercut", premises=[f"ask-{a}-{q}"], target=a, question=q)
               for a, q in qs]
    return msgspec.structs.replace(m, statements=[*m.statements, *extra_s], arguments=[*m.arguments, *extra_a])


def brute(m: Map, t: str, candidates, change, size: int, reading: str):
    base = evaluate_map(m, reading=reading).labels[t]
    flipping = {}
    for k in range(1, size + 1):
        for combo in combinations(candidates, k):
            if any(set(f) < set(combo) for f in flipping):
                continue  # a proper subset flips: not minimal
            label = evaluate_map(change(m, combo), reading=reading).labels[t]
            if label != base:
                flipping[combo] = label
    return base, flipping


def open_questions(m: Map, reading: str):
    return [(aid, q.id) for aid, aq in question_states(m).items() for q in aq.questions
            if q.state == "open" and (reading == "credulous" or q.kind == "exception")]


@st.composite
def small_maps(draw):
    n = draw(st.integers(2, 12))
    sids = [f"s{i}" for i in range(n)]
    statements = [Statement(id=x, text=x, kind=draw(st.sampled_from(["claim", "claim", "derived"]))) for x in sids]
    arguments: list[Argument] = []
    for j in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["support", "support", "attack", "undercut"]))
        if kind == "undercut" and not arguments:
            kind = "attack"
        premises = draw(st.lists(st.sampled_from(sids), min_size=1, max_size=3, unique=True))
        if kind == "undercut":
            target = draw(st.sampled_from([a.id for a in arguments]))
        else:
            choices = [x for x in sids if x not in premises]
            if not choices:
                continue
            target = draw(st.sampled_from(choices))
        scheme = draw(st.sampled_from(SCHEMES))
        roles, question = {}, None
        if scheme == "ExpertOpinion" and draw(st.booleans()):
            roles = {premises[0]: draw(st.sampled_from(["major", "expertise", "field"]))}
        if kind == "undercut" and draw(st.booleans()):
            question = draw(st.sampled_from(["expertise", "field", "consistency", "interference", "similar"]))
        arguments.append(Argument(id=f"a{j}", kind=kind, premises=premises, target=target, scheme=scheme,
                                  roles=roles, question=question))
    m = Map(id="m", title="t", statements=statements, arguments=arguments)
    check_map(m)
    return m


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=small_maps(), data=st.data(), reading=st.sampled_from(["credulous", "sceptical"]))
def test_flips_are_exactly_the_minimal_flipping_sets_brute_force_finds(m, data, reading):
    t = data.draw(st.sampled_from([s.id for s in m.statements]))
    size = 2
    got = flips(m, t, size=size, reading=reading)
    others = [s.id for s in m.statements if s.id != t]
    base, want = brute(m, t, others, retracted, size, reading)
    assert got.label == base
    assert {tuple(f.retract): f.label for f in got.statements} == want
    qs = open_questions(m, reading)
    _, want_q = brute(m, t, qs, raised, size, reading)
    assert {tuple((q.argument, q.question) for q in f.questions): f.label for f in got.questions} == want_q
    assert not got.truncated


def test_one_finder_answers_every_statement_of_a_map_as_fresh_ones_do():
    m = Map(id="m", title="t", statements=[Statement(id=x, text=x) for x in ("c", "d", "p", "q", "r")],
            arguments=[Argument(id="a1", kind="attack", premises=["p", "q"], target="c"),
                       Argument(id="a2", kind="attack", premises=["r"], target="c"),
                       Argument(id="a3", kind="support", premises=["c"], target="d", scheme="CauseToEffect")])
    finder = FlipFinder(m)
    for s in m.statements:
        assert finder.flips(s.id) == flips(m, s.id)
    d = flips(m, "d")
    assert d.label == "in" and d.statements == [] and d.questions == []  # support adds nothing to a claim


def test_raising_an_open_assumption_flips_a_derived_conclusion():
    m = Map(id="m", title="t", statements=[Statement(id="e", text="Kallas says no plan is viable"),
                                           Statement(id="c", text="No plan is viable", kind="derived")],
            arguments=[Argument(id="a", kind="support", premises=["e"], target="c", scheme="ExpertOpinion")])
    f = flips(m, "c", size=1)
    assert f.label == "in"
    assert [s.retract for s in f.statements] == [["e"]]
    flipped = {q.questions[0].question for q in f.questions}
    assert flipped == {"expertise", "field", "opinion", "backup-evidence", "trustworthiness", "consistency"}
    assert all(q.label == "out" for q in f.questions)
    sceptical = flips(m, "c", size=1, reading="sceptical")
    assert sceptical.label == "out"  # four open assumptions count as questioned
    assert sceptical.questions == []  # raising an exception cannot make it worse
    assert [s.retract for s in sceptical.statements] == []


def test_bad_requests_are_refused():
    m = Map(id="m", title="t", statements=[Statement(id="c", text="c")])
    with pytest.raises(NotFound):
        flips(m, "nope")
    with pytest.raises(InvalidInput, match="grounded"):
        flips(m, "c", semantics="preferred")
    with pytest.raises(InvalidInput):
        flips(m, "c", size=0)
    with pytest.raises(InvalidInput):
        flips(m, "c", size=4)
