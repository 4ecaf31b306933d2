"""The seed map's schemes (issue 19, item 7): every support argument names a catalogued scheme
or says in its note why none fits, and the questions it raises or answers are the article's
own, each through a statement quoted from the article."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap.mapfile import load
from argmap.schemes import map_schemes, question_states
from argmap.semantics import evaluate_map

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


@pytest.fixture(scope="module")
def seed():
    return load(SEED)


def test_every_scheme_the_seed_names_is_catalogued(seed):
    assert {a: r.status for a, r in map_schemes(seed).items() if r.status != "catalogued"} == {}


def test_every_support_has_a_scheme_or_says_why_not(seed):
    for a in seed.arguments:
        if a.kind == "support":
            assert a.scheme or (a.note and "No scheme:" in a.note), a.id


def test_the_questions_the_seed_raises_and_answers_are_quoted_from_the_article(seed):
    statements = {s.id: s for s in seed.statements}
    arguments = {a.id: a for a in seed.arguments}
    settled = {(aid, q.id): q for aid, aq in question_states(seed).items() for q in aq.questions if q.state != "open"}
    assert {k: q.state for k, q in settled.items()} == {
        ("s-dmitriev-heard", "position"): "answered",
        ("s-100bn-usd-rebuild", "opposite"): "raised",
        ("s-100bn-eur-rebuild", "opposite"): "raised",
        ("s-adviser-ukraine-first", "facts"): "raised",
        ("s-point21-workable", "possible"): "raised",
    }
    for q in settled.values():
        carriers = q.answered_by or [p for u in q.raised_by for p in arguments[u].premises]
        for sid in carriers:
            s = statements[sid]
            assert s.source == "article" and s.quote is not None and s.quote.text, sid


def test_the_credulous_reading_keeps_the_seeds_verdicts_and_the_sceptical_one_names_questions(seed):
    credulous, sceptical = evaluate_map(seed), evaluate_map(seed, reading="sceptical")
    assert credulous.labels["no-peace-without-ukraine-and-europe"] == "in"
    assert credulous.labels["next-crisis-not-its-end"] == "in"
    assert sceptical.labels["next-crisis-not-its-end"] == "out"
    assert "critical question" in sceptical.explanations["s-division-next-crisis"]
