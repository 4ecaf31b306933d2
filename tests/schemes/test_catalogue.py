"""The scheme catalogue (argmap/schemes/catalogue.yaml): its published schema, its contents,
and how the names real AIF corpora use map onto it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from litestar.testing import TestClient

from argmap.api import create_app
from argmap.cli import cli
from argmap.formats import aif
from argmap.formats import read as read_document
from argmap.schemes import catalogue, normalise, resolve
from argmap.store import Store

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "argmap" / "schemes" / "catalogue.yaml"
SCHEMA = REPO / "schemas" / "scheme-catalogue.schema.json"
# The corpora sit beside the repository (../shared) or beside the worktree folder (../../shared).
EXTERNAL = next((p / "shared" / "external" for p in REPO.parents if (p / "shared" / "external" / "aif").is_dir()), None)

# Walton, Reed & Macagno (2008)'s common schemes the issue names, by catalogue id.
WRM_COMMON = [
    "expert-opinion", "position-to-know", "witness-testimony", "popular-opinion", "positive-consequences",
    "negative-consequences", "practical-reasoning", "cause-to-effect", "correlation-to-cause", "sign",
    "example", "analogy", "verbal-classification", "established-rule", "precedent", "commitment",
    "inconsistent-commitment", "ad-hominem", "slippery-slope", "ignorance", "fear-appeal",
]


@pytest.fixture(scope="module")
def corpus_schemes() -> Counter:
    """Every scheme name the AIF corpora give a node, with how often (any node type)."""
    if EXTERNAL is None:
        pytest.skip("the AIF corpora (shared/external/aif) are not beside the repository")
    names: Counter = Counter()
    for f in sorted((EXTERNAL / "aif").rglob("*.json")):
        for n in json.loads(f.read_bytes())["nodes"]:
            if n.get("scheme"):
                names[n["scheme"]] += 1
    return names


def test_the_catalogue_file_validates_against_its_published_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = yaml.safe_load(DATA.read_text(encoding="utf-8"))  # as another tool would read it
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
    assert errors == []


def test_a_malformed_catalogue_is_refused_by_the_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    document["schemes"][0]["questions"][0]["kind"] = "maybe"
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)


def test_every_scheme_has_roles_a_conclusion_a_source_and_both_kinds_of_question():
    cat = catalogue()
    ids = [s.id for s in cat.schemes]
    assert len(ids) == len(set(ids))
    for s in cat.schemes:
        assert s.premises and s.conclusion and s.questions, s.id
        assert len({p.role for p in s.premises}) == len(s.premises), s.id
        assert len({q.id for q in s.questions}) == len(s.questions), s.id
        # every source a scheme cites is listed in the file's sources
        cited = {part.strip().split()[0] for part in s.source.split(";")}
        assert cited <= set(cat.sources), (s.id, cited - set(cat.sources))
        assert {q.kind for q in s.questions} <= {"assumption", "exception"}
        assert any(q.kind == "assumption" for q in s.questions), s.id


def test_walton_reed_macagnos_common_schemes_are_all_there():
    ids = {s.id for s in catalogue().schemes}
    assert set(WRM_COMMON) <= ids


def test_names_match_whatever_the_spelling():
    for spelling in ("ExpertOpinion", "expert opinion", "Argument from Expert Opinion", "EXPERT-OPINION",
                     "Argument From Expert Opinion"):
        assert resolve(spelling).scheme.id == "expert-opinion", spelling
    assert resolve("CauseToEffect").scheme.id == "cause-to-effect"
    assert normalise("Cause to Effect") == normalise("CauseToEffect")
    assert resolve("Default Inference").status == "unmappable"
    assert resolve("Default Inference").reason
    unknown = resolve("Argument from the stars")
    assert unknown.status == "unknown" and unknown.scheme is None and unknown.name == "Argument from the stars"


def test_every_scheme_name_in_the_aif_corpora_is_catalogued_or_listed_as_no_scheme(corpus_schemes):
    by_status: dict[str, Counter] = {"catalogued": Counter(), "unmappable": Counter(), "unknown": Counter()}
    for name, n in corpus_schemes.items():
        by_status[resolve(name).status][name] = n
    assert dict(by_status["unknown"]) == {}
    # the inference schemes the issue counts, by their exact corpus spellings
    assert by_status["catalogued"]["Example"] == 259
    assert by_status["catalogued"]["CauseToEffect"] == 156
    assert by_status["catalogued"]["PracticalReasoning"] == 83
    assert sum(by_status["catalogued"].values()) == 729
    assert len(by_status["catalogued"]) == 17
    # the rest are AIFdb's placeholders and dialogue (YA/TA) schemes, each with a reason
    assert {"Default Inference", "Default Conflict", "Default Rephrase", "Default Transition",
            "Asserting"} <= set(by_status["unmappable"])


def test_importing_the_whole_corpus_leaves_no_argument_with_an_unknown_scheme(corpus_schemes):
    unknown, mapped, texts = Counter(), Counter(), 0
    for f in sorted((EXTERNAL / "aif").rglob("*.json")):
        raw = f.read_bytes()
        imported = read_document(raw, "aif", map_id="m")
        assert not [n for n in imported.notes if "not in argmap's catalogue" in n], f.name
        for a in imported.map.arguments:
            if a.scheme:
                r = resolve(a.scheme)
                (mapped if r.scheme else unknown)[r.scheme.id if r.scheme else a.scheme] += 1
                texts += 1
        # the scheme text is written back exactly: the round trip is the identity
        again = aif.loads(aif.dumps(imported.map), map_id="m")
        assert [a.scheme for a in again.arguments] == [a.scheme for a in imported.map.arguments], f.name
    assert set(unknown) <= {"Default Inference", "Default Conflict"}
    assert mapped["example"] == 259 and mapped["expert-opinion"] == 30
    assert sum(mapped.values()) == 729 and texts == 729 + sum(unknown.values())


def test_an_import_reports_scheme_names_it_does_not_know_and_keeps_them():
    doc = json.dumps({
        "nodes": [{"nodeID": 1, "text": "p", "type": "I"}, {"nodeID": 2, "text": "c", "type": "I"},
                  {"nodeID": 3, "text": "RA", "type": "RA", "scheme": "Argument from Horoscope"}],
        "edges": [{"edgeID": 1, "fromID": 1, "toID": 3}, {"edgeID": 2, "fromID": 3, "toID": 2}],
    }).encode()
    imported = read_document(doc, "aif", map_id="m")
    assert imported.map.arguments[0].scheme == "Argument from Horoscope"
    assert any("'Argument from Horoscope' is not in argmap's catalogue" in n for n in imported.notes)
    assert json.loads(aif.dumps(imported.map))["nodes"][2]["scheme"] == "Argument from Horoscope"


def test_get_schemes_and_one_scheme_over_http():
    with TestClient(create_app(store=Store(":memory:"))) as client:
        data = client.get("/schemes").json()
        assert {s["id"] for s in data["schemes"]} >= set(WRM_COMMON)
        expert = next(s for s in data["schemes"] if s["id"] == "expert-opinion")
        assert "ExpertOpinion" in expert["aliases"] and expert["assumptions"] + expert["exceptions"] == expert["questions"]
        assert any(u["name"] == "Default Inference" for u in data["unmappable"])
        one = client.get("/schemes/expert-opinion").json()
        assert [p["role"] for p in one["premises"]] == ["major", "minor"]
        assert {q["kind"] for q in one["questions"]} == {"assumption", "exception"}
        r = client.get("/schemes/astrology")
        assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_argmap_schemes_lists_and_shows():
    r = CliRunner().invoke(cli, ["schemes"], prog_name="argmap")
    assert r.exit_code == 0 and "expert-opinion" in r.output and "Default Inference" in r.output
    r = CliRunner().invoke(cli, ["schemes", "CauseToEffect"], prog_name="argmap")
    assert r.exit_code == 0 and "[exception] interference:" in r.output
    r = CliRunner().invoke(cli, ["schemes", "Default Conflict"], prog_name="argmap")
    assert r.exit_code == 2 and "chose no conflict scheme" in r.stderr
