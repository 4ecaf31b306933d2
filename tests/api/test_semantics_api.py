"""`GET /maps/{map}/evaluation` and `POST /af/solve` through Litestar's test client."""

from __future__ import annotations


import pytest
from apitest import api, open_store, seed_map  # noqa: F401  (fixtures, found by name)



def test_evaluation_labels_and_explains_every_statement_and_argument(api):
    r = api.get("/maps/peace-plan/evaluation")
    assert r.status_code == 200
    data = r.json()
    assert data["semantics"] == "grounded"
    assert data["labels"]["no-peace-without-ukraine-and-europe"] == "in"
    assert data["labels"]["gerasimov-kupiansk-captured"] == "undec"
    assert data["explanations"]["article-100bn-euros"] == (
        "out: attacked by argument a-point14-usd, whose premises all stand"
    )
    assert set(data["labels"]) == set(data["explanations"])
    assert len(data["labels"]) == 70 + 60


def test_evaluation_under_preferred_lists_both_kupiansk_extensions(api):
    data = api.get("/maps/peace-plan/evaluation", params={"semantics": "preferred"}).json()
    assert len(data["extensions"]) == 2 and not data["truncated"]
    sides = [("gerasimov-kupiansk-captured" in e, "general-staff-denies-kupiansk" in e) for e in data["extensions"]]
    assert sorted(sides) == [(False, True), (True, False)]


def test_evaluation_of_an_unknown_map_is_404_and_bad_semantics_400(api):
    r = api.get("/maps/nope/evaluation")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = api.get("/maps/peace-plan/evaluation", params={"semantics": "sceptical"})
    assert r.status_code == 400
    assert r.json()["problems"][0]["field"].endswith("semantics")


def test_solve_a_json_framework(api):
    body = {"arguments": ["a", "b", "c"], "attacks": [["a", "b"], ["b", "a"], ["b", "c"]]}
    r = api.post("/af/solve", params={"semantics": "preferred", "task": "ee"}, json=body)
    assert r.status_code == 200
    data = r.json()
    assert data["solution"]["extensions"] == [["a", "c"], ["b"]]
    assert data["iccma"] == "[[a,c],[b]]\n"
    assert (data["arguments"], data["attacks"]) == (3, 3)


def test_solve_iccma_text_in_each_format(api):
    cases = {
        "apx": "arg(a).\narg(b).\natt(a,b).\n",
        "tgf": "a\nb\n#\na b\n",
        "i23": "p af 2\n1 2\n",
    }
    for fmt, text in cases.items():
        r = api.post("/af/solve", params={"semantics": "stable", "task": "ds", "arg": "b" if fmt != "i23" else "2",
                                             "format": fmt},
                        content=text, headers={"content-type": "text/plain"})
        assert r.status_code == 200, r.text
        assert r.json()["solution"]["accepted"] is False
    assert r.json()["iccma"] == "NO\nw 1\n"  # ICCMA 2023 style for the 2023 format


def test_solve_errors_point_at_the_place(api):
    r = api.post("/af/solve", params={"semantics": "grounded", "task": "se", "format": "i23"},
                    content="p af 2\n1 3\n", headers={"content-type": "text/plain"})
    assert r.status_code == 400
    assert r.json()["problems"] == [{"field": "line 2", "reason": "argument 3 is outside 1..2 declared by 'p af 2'"}]

    r = api.post("/af/solve", params={"semantics": "grounded", "task": "se"},
                    json={"arguments": ["a"], "attacks": [["a", "x"]]})
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "$.attacks[0][1]"

    r = api.post("/af/solve", params={"semantics": "grounded", "task": "se"},
                    json={"arguments": ["a"], "attack": []})
    assert r.status_code in (400, 422) and "attack" in r.text

    r = api.post("/af/solve", params={"semantics": "grounded", "task": "se"},
                    content="arg(a).", headers={"content-type": "text/plain"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "format"

    r = api.post("/af/solve", params={"semantics": "stable", "task": "dc"}, json={"arguments": ["a"]})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "arg"


def test_the_routes_are_documented_in_openapi():
    # Built from these controllers alone, so that this test speaks for them only.
    from litestar import Litestar
    from litestar.di import Provide

    from argmap.api.semantics import EvaluationController, SolveController

    app = Litestar([EvaluationController, SolveController],
                   dependencies={"store": Provide(lambda: None, sync_to_thread=False)})
    paths = app.openapi_schema.to_schema()["paths"]
    evaluation = paths["/maps/{map_id}/evaluation"]["get"]
    assert evaluation["operationId"] == "evaluateMap"
    assert {p["name"] for p in evaluation["parameters"]} >= {"map_id", "semantics", "limit"}
    assert paths["/af/solve"]["post"]["operationId"] == "solveFramework"


def test_the_diagram_is_coloured_by_evaluation_on_request(api):
    plain = api.get("/maps/peace-plan/diagram.dot")
    coloured = api.get("/maps/peace-plan/diagram.dot", params={"evaluate": "grounded"})
    assert plain.status_code == coloured.status_code == 200
    line = next(x for x in coloured.text.splitlines() if x.startswith('"gerasimov-kupiansk-captured" ['))
    assert "UNDECIDED" in line
    assert "UNDECIDED" not in plain.text
    bad = api.get("/maps/peace-plan/diagram.dot", params={"evaluate": "sceptical"})
    assert bad.status_code == 400
