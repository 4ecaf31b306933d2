"""Critical questions as data: their states, raising one (HTTP and CLI) in one write, the
sceptical/credulous evaluation and its reasons, and flips over HTTP and the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from apitest import WRITE, assert_error, assert_refused, fresh_api, open_store, seed_map  # noqa: E402,F401

from argmap.cli import cli  # noqa: E402
from argmap.mapfile import dumps as dump_map  # noqa: E402
from argmap.model import Argument, Map, Speaker, Statement  # noqa: E402
from argmap.schemes import RaiseQuestion, question_states, raising  # noqa: E402
from argmap.semantics import evaluate_map  # noqa: E402

EXPERT = Map(
    id="expert", title="Expert",
    speakers=[Speaker(id="kallas", name="Kaja Kallas"), Speaker(id="critic", name="A critic")],
    statements=[
        Statement(id="said", text="Kallas says no plan can work without Ukraine and Europe", speaker="kallas"),
        Statement(id="no-plan", text="No plan can work without Ukraine and Europe", kind="derived"),
        Statement(id="role", text="Kallas leads the EU's foreign policy"),
    ],
    arguments=[Argument(id="a", kind="support", premises=["said"], target="no-plan", scheme="Expert Opinion")],
)


def test_states_open_answered_raised():
    assert [q.state for q in question_states(EXPERT)["a"].questions] == ["open"] * 6
    answered = Map(**{**{f: getattr(EXPERT, f) for f in EXPERT.__struct_fields__}, "arguments": [
        Argument(id="a", kind="support", premises=["said", "role"], target="no-plan", scheme="Expert Opinion",
                 roles={"role": "expertise", "said": "minor"})]})
    states = {q.id: q for q in question_states(answered)["a"].questions}
    assert states["expertise"].state == "answered" and states["expertise"].answered_by == ["role"]
    st, u = raising(EXPERT, "a", "field", RaiseQuestion(speaker="critic", said="2025-11-21"))
    raised = Map(**{**{f: getattr(EXPERT, f) for f in EXPERT.__struct_fields__},
                    "statements": [*EXPERT.statements, st], "arguments": [*EXPERT.arguments, u]})
    states = {q.id: q for q in question_states(raised)["a"].questions}
    assert states["field"].state == "raised" and states["field"].raised_by == [u.id]
    assert st.text == "Is A within the domain in which E is an expert?" and st.speaker == "critic"
    assert (u.kind, u.target, u.question, u.premises) == ("undercut", "a", "field", [st.id])


def test_sceptical_reading_questions_open_assumptions_and_says_which():
    credulous = evaluate_map(EXPERT)
    assert credulous.labels["no-plan"] == "in" and credulous.reading == "credulous"
    sceptical = evaluate_map(EXPERT, reading="sceptical")
    assert sceptical.labels["a"] == "out" and sceptical.labels["no-plan"] == "out"
    assert sceptical.explanations["a"].startswith("out: critical question expertise is open")
    assert "sceptical reading" in sceptical.explanations["a"]


def test_an_answer_that_stands_meets_a_raised_question():
    answered = Map(**{**{f: getattr(EXPERT, f) for f in EXPERT.__struct_fields__}, "arguments": [
        Argument(id="a", kind="support", premises=["said", "role"], target="no-plan", scheme="ExpertOpinion",
                 roles={"role": "expertise"}),
        Argument(id="u", kind="undercut", premises=["q"], target="a", question="expertise")],
        "statements": [*EXPERT.statements, Statement(id="q", text="Is Kallas an expert?")]})
    ev = evaluate_map(answered)
    assert ev.labels["u"] == "out" and ev.labels["a"] == "in"  # the answer (role) defeats the question
    unanswered = Map(**{**{f: getattr(answered, f) for f in answered.__struct_fields__}, "arguments": [
        Argument(id="a", kind="support", premises=["said"], target="no-plan", scheme="ExpertOpinion"),
        answered.arguments[1]]})
    ev = evaluate_map(unanswered)
    assert ev.labels["a"] == "out" and ev.labels["no-plan"] == "out"
    assert "raises critical question expertise of argument a" in ev.explanations["a"]


def test_raising_refuses_what_is_not_an_open_question():
    with pytest.raises(Exception, match="no question 'nope'"):
        raising(EXPERT, "a", "nope", RaiseQuestion())
    with pytest.raises(Exception, match="exception"):
        raising(EXPERT, "a", "trustworthiness", RaiseQuestion())  # an exception must be asserted
    with pytest.raises(Exception, match="already used"):
        raising(EXPERT, "a", "field", RaiseQuestion(statement_id="said"))


# -- over HTTP (the seed map, on both back ends) ---------------------------------------------------

ARG = "s-adviser-ukraine-first"  # 'argument from witness testimony', supporting a derived statement


def test_get_questions_of_an_argument(fresh_api):
    data = fresh_api.get(f"/maps/peace-plan/arguments/{ARG}/questions").json()
    assert data["status"] == "catalogued" and data["scheme_id"] == "witness-testimony"
    states = {q["id"]: q for q in data["questions"]}
    assert states["facts"]["state"] == "raised" and states["facts"]["raised_by"] == ["u-paper-mixes-both"]
    assert states["internal-consistency"]["state"] == "open" and states["internal-consistency"]["kind"] == "assumption"
    r = fresh_api.get("/maps/peace-plan/arguments/nope/questions")
    assert r.status_code == 404


def test_raising_a_question_over_http_adds_the_undercut_and_changes_labels(fresh_api):
    credulous = fresh_api.get("/maps/peace-plan/evaluation").json()
    schemed = {"id": "s-kallas-no-peace"}  # Kallas, in a position to know (argument from position to know)
    qs = fresh_api.get(f"/maps/peace-plan/arguments/{schemed['id']}/questions").json()
    open_assumption = next(q for q in qs["questions"] if q["state"] == "open" and q["kind"] == "assumption")
    body = {"speaker": "european-officials", "said": "2025-11-21"}
    r = fresh_api.post(f"/maps/peace-plan/arguments/{schemed['id']}/questions/{open_assumption['id']}",
                       json=body, headers=WRITE)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["undercut"]["target"] == schemed["id"] and made["undercut"]["question"] == open_assumption["id"]
    assert made["statement"]["speaker"] == "european-officials" and made["statement"]["said"] == "2025-11-21"
    assert next(q for q in made["questions"]["questions"] if q["id"] == open_assumption["id"])["state"] == "raised"
    after = fresh_api.get("/maps/peace-plan/evaluation").json()
    assert after["labels"][made["undercut"]["id"]] == "in"
    assert after["labels"][schemed["id"]] == "out" != credulous["labels"][schemed["id"]]
    # raising it again is refused, and changes nothing
    assert_refused(fresh_api, "POST", f"/maps/peace-plan/arguments/{schemed['id']}/questions/{open_assumption['id']}",
                   409, "conflict", json=body, headers=WRITE)


def test_raising_with_a_bad_speaker_writes_nothing(fresh_api):
    assert_refused(fresh_api, "POST", f"/maps/peace-plan/arguments/{ARG}/questions/internal-consistency", 422,
                   "dangling_reference", json={"speaker": "nobody"}, headers=WRITE)
    assert_refused(fresh_api, "POST", f"/maps/peace-plan/arguments/{ARG}/questions/bias", 422,
                   "invalid", json={}, headers=WRITE)  # an exception is asserted: text required
    assert_refused(fresh_api, "POST", f"/maps/peace-plan/arguments/{ARG}/questions/nope", 404,
                   "not_found", json={}, headers=WRITE)


def test_evaluation_reading_over_http(fresh_api):
    sceptical = fresh_api.get("/maps/peace-plan/evaluation", params={"reading": "sceptical"}).json()
    assert sceptical["reading"] == "sceptical"
    assert "critical question" in sceptical["explanations"][ARG] or sceptical["labels"][ARG] == "out"
    assert fresh_api.get("/maps/peace-plan/evaluation", params={"reading": "gullible"}).status_code == 400


def test_flips_over_http(fresh_api):
    r = fresh_api.get("/maps/peace-plan/statements/article-100bn-euros/flips", params={"size": 2})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["label"] == "out"
    assert {"retract": ["plan-point-14-100bn-usd"], "label": "in"} in data["statements"]
    assert_error(fresh_api.get("/maps/peace-plan/statements/nope/flips"), 404, "not_found")
    r = fresh_api.get("/maps/peace-plan/statements/article-100bn-euros/flips", params={"semantics": "preferred"})
    assert r.status_code in (400, 422) and "grounded" in r.text
    assert fresh_api.get("/maps/peace-plan/statements/article-100bn-euros/flips", params={"size": 9}).status_code == 400


# -- the CLI ---------------------------------------------------------------------------------------


def test_cli_questions_raise_and_flips(tmp_path):
    f = tmp_path / "expert.yaml"
    f.write_bytes(dump_map(EXPERT))
    db = tmp_path / "x.duckdb"
    run = lambda *a: CliRunner().invoke(cli, ["--db", str(db), *a], prog_name="argmap")  # noqa: E731
    assert run("load", str(f)).exit_code == 0
    r = run("questions", "expert", "a")
    assert r.exit_code == 0 and "open     [assumption] expertise:" in r.output
    r = run("evaluate", "expert", "--flips", "no-plan", "--size", "1")
    assert r.exit_code == 0 and "retract said -> out" in r.output and "raise expertise of a -> out" in r.output
    r = run("questions", "expert", "a", "--raise", "expertise", "--speaker", "critic", "--said", "2025-11-21")
    assert r.exit_code == 0, r.output
    assert "raised   [assumption] expertise:" in r.output
    r = run("evaluate", "expert", "--json")
    assert json.loads(r.output)["labels"]["no-plan"] == "out"
    r = run("questions", "expert", "a", "--raise", "consistency")
    assert r.exit_code == 2 and "give the claim" in r.stderr
