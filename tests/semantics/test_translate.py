"""Which claims of a map stand: the translation to a framework, labels and explanations."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from argmap.errors import InvalidInput
from argmap.mapfile import load
from argmap.model import Argument, Map, Statement
from argmap.semantics import evaluate_map, translate

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


def make_map(statements: dict[str, str], arguments: list[tuple[str, str, list[str], str]]) -> Map:
    """statements: id -> kind; arguments: (id, kind, premises, target)."""
    return Map(
        id="m", title="test map",
        statements=[Statement(id=s, text=f"statement {s}", kind=k) for s, k in statements.items()],
        arguments=[Argument(id=a, kind=k, premises=p, target=t) for a, k, p, t in arguments],
    )


def test_an_unattacked_claim_is_in():
    ev = evaluate_map(make_map({"c": "claim"}, []))
    assert ev.labels == {"c": "in"}
    assert ev.explanations["c"] == "in: nothing attacks it"


def test_a_claim_attacked_by_an_argument_whose_premises_stand_is_out():
    ev = evaluate_map(make_map({"c": "claim", "p": "claim", "q": "claim"}, [("a", "attack", ["p", "q"], "c")]))
    assert (ev.labels["c"], ev.labels["a"]) == ("out", "in")
    assert ev.explanations["c"] == "out: attacked by argument a, whose premises all stand"


def test_knocking_out_one_premise_of_the_attack_reinstates_the_claim():
    ev = evaluate_map(make_map(
        {"c": "claim", "p": "claim", "q": "claim", "r": "claim"},
        [("a", "attack", ["p", "q"], "c"), ("b", "attack", ["r"], "q")],
    ))
    assert ev.labels == {"c": "in", "p": "in", "q": "out", "r": "in", "a": "out", "b": "in"}
    assert ev.explanations["a"] == "out: its premise q is out"
    assert ev.explanations["c"] == "in: every attack on it fails (a)"


def test_an_undercut_disables_a_support_without_making_its_conclusion_out():
    ev = evaluate_map(make_map(
        {"c": "claim", "p": "claim", "r": "claim"},
        [("s", "support", ["p"], "c"), ("u", "undercut", ["r"], "s")],
    ))
    assert ev.labels["s"] == "out"
    assert ev.explanations["s"] == "out: undercut by argument u, whose premises all stand"
    assert ev.labels["c"] == "in"


def test_a_derived_statement_stands_while_one_support_stands_and_falls_with_the_last():
    statements = {"d": "derived", "p1": "claim", "p2": "claim", "x1": "claim", "x2": "claim"}
    supports = [("s1", "support", ["p1"], "d"), ("s2", "support", ["p2"], "d")]
    one_down = evaluate_map(make_map(statements, [*supports, ("a1", "attack", ["x1"], "p1")]))
    assert (one_down.labels["s1"], one_down.labels["d"]) == ("out", "in")
    assert one_down.explanations["d"] == "in: supported by argument s2, whose premises all stand"

    both_down = evaluate_map(make_map(statements, [
        *supports, ("a1", "attack", ["x1"], "p1"), ("a2", "attack", ["x2"], "p2"),
    ]))
    assert both_down.labels["d"] == "out"
    assert both_down.explanations["d"] == "out: derived, and none of its supports stands (s1, s2)"


def test_a_derived_statement_without_support_is_out():
    ev = evaluate_map(make_map({"d": "derived"}, []))
    assert ev.labels["d"] == "out"
    assert ev.explanations["d"] == "out: derived, and no argument supports it"


MUTUAL = make_map({"x": "claim", "y": "claim"}, [("a", "attack", ["x"], "y"), ("b", "attack", ["y"], "x")])


def test_mutual_rebuttal_is_undecided_under_grounded_semantics():
    ev = evaluate_map(MUTUAL, "grounded")
    assert ev.labels == {"x": "undec", "y": "undec", "a": "undec", "b": "undec"}
    assert ev.explanations["x"] == "undecided: in a cycle of attacks with y"


def test_mutual_rebuttal_splits_into_two_preferred_extensions():
    ev = evaluate_map(MUTUAL, "preferred")
    assert sorted(map(sorted, ev.extensions)) == [["a", "x"], ["b", "y"]]
    assert ev.labels["x"] == "undec"
    assert ev.explanations["x"] == "undecided: in 1 of the 2 preferred extensions; in a cycle of attacks with y"


def test_preferred_semantics_decides_what_grounded_leaves_open_when_every_extension_agrees():
    # x and y rebut each other and both rebut z; z alone rebuts w: w stands in both
    # preferred extensions (floating reinstatement), though grounded leaves it undecided.
    m = make_map(
        {"x": "claim", "y": "claim", "z": "claim", "w": "claim"},
        [("a", "attack", ["x"], "y"), ("b", "attack", ["y"], "x"), ("c", "attack", ["x"], "z"),
         ("d", "attack", ["y"], "z"), ("e", "attack", ["z"], "w")],
    )
    assert evaluate_map(m, "grounded").labels["w"] == "undec"
    ev = evaluate_map(m, "preferred")
    assert (ev.labels["z"], ev.labels["w"]) == ("out", "in")
    assert ev.explanations["w"].startswith("in: in every preferred extension")


def test_a_map_without_stable_extension_says_so():
    odd = make_map(
        {"x": "claim", "y": "claim", "z": "claim"},
        [("a", "attack", ["x"], "y"), ("b", "attack", ["y"], "z"), ("c", "attack", ["z"], "x")],
    )
    ev = evaluate_map(odd, "stable")
    assert set(ev.labels.values()) == {"undec"} and ev.extensions == []
    assert "no stable extension" in ev.explanations["x"]


def test_hidden_nodes_never_show_and_every_item_is_labelled_and_explained():
    mf = translate(MUTUAL)
    assert mf.af.n == 6  # x, y, a, b, "x fails", "y fails"
    ev = evaluate_map(MUTUAL)
    assert set(ev.labels) == set(ev.explanations) == {"x", "y", "a", "b"}
    preferred = evaluate_map(MUTUAL, "preferred").extensions
    assert preferred and not any(" " in x for ext in preferred for x in ext)


def test_unknown_semantics_is_refused():
    with pytest.raises(InvalidInput, match="unknown semantics 'skeptical'"):
        evaluate_map(MUTUAL, "skeptical")  # type: ignore[arg-type]


def test_the_evaluation_encodes_as_json_for_renderers():
    data = msgspec.json.decode(msgspec.json.encode(evaluate_map(MUTUAL)))
    assert data["semantics"] == "grounded" and data["labels"]["x"] == "undec"


@pytest.fixture(scope="module")
def seed_grounded():
    return evaluate_map(load(SEED), "grounded")


def test_seed_main_conclusions_stand_under_grounded_semantics(seed_grounded):
    labels = seed_grounded.labels
    for conclusion in (
        "no-peace-without-ukraine-and-europe", "next-crisis-not-its-end",
        "aggression-reward-principle-collapses", "principle-undermined-by-partner",
        "plan-beyond-moscow-hopes", "diplomatic-jumble", "us-negotiates-with-moscow-without-ukraine",
    ):
        assert labels[conclusion] == "in", conclusion


def test_seed_claims_the_later_reporting_corrects_are_out(seed_grounded):
    labels, why = seed_grounded.labels, seed_grounded.explanations
    assert labels["article-ternopil-26-dead"] == "out"
    assert labels["article-long-range-renunciation"] == "out"
    assert labels["article-100bn-euros"] == "out"
    assert why["article-long-range-renunciation"] == (
        "out: attacked by argument a-no-long-range-ban, whose premises all stand"
    )
    assert labels["us-official-umerov-agreed"] == "out"  # Umerov denies it


def test_seed_kupiansk_claims_are_undecided_in_a_cycle(seed_grounded):
    assert seed_grounded.labels["gerasimov-kupiansk-captured"] == "undec"
    assert seed_grounded.explanations["gerasimov-kupiansk-captured"] == (
        "undecided: in a cycle of attacks with general-staff-denies-kupiansk"
    )


def test_an_argument_on_undecided_premises_names_them_in_one_clause(seed_grounded):
    assert seed_grounded.explanations["s-kupiansk-pair-front-lines"] == (
        "undecided: its premises gerasimov-kupiansk-captured, general-staff-denies-kupiansk are undecided"
    )


def test_a_claim_downstream_of_a_cycle_says_what_it_waits_for():
    m = make_map(
        {"x": "claim", "y": "claim", "z": "claim"},
        [("a", "attack", ["x"], "y"), ("b", "attack", ["y"], "x"), ("c", "attack", ["y"], "z")],
    )
    ev = evaluate_map(m)
    assert ev.explanations["z"] == "undecided: attacked by c, which is undecided"
    assert ev.explanations["c"] == "undecided: its premise y is undecided"
