"""The published JSON Schemas (``schemas/``) are what the Structs say, and the seed obeys them.

When a Struct changes, regenerate with ``argmap schema`` and commit the result; this test is
what fails until then.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from argmap.schemas import DOCUMENTS, generate

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
SEED = REPO / "seeds" / "peace-plan.yaml"


@pytest.fixture(scope="module")
def map_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "map.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def seed_document() -> dict:
    # The raw document, as another tool reading the YAML would see it (no argmap code).
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def test_every_document_type_has_a_checked_in_schema():
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == sorted(f"{n}.schema.json" for n in DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_checked_in_schema_matches_the_code(name):
    checked_in = (SCHEMAS / f"{name}.schema.json").read_bytes()
    assert checked_in == generate()[name], f"schemas/{name}.schema.json is stale: run `argmap schema`"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    schema = json.loads(generate()[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_seed_map_validates_against_the_map_schema(map_validator, seed_document):
    errors = sorted(map_validator.iter_errors(seed_document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["statements"][0].update(speeker="x"), ["statements", 0]),
        (lambda d: d["arguments"][0].update(premises=[]), ["arguments", 0, "premises"]),
        (lambda d: d["arguments"][0].update(kind="rebut"), ["arguments", 0, "kind"]),
        (lambda d: d["statements"][1].update(id="has space"), ["statements", 1, "id"]),
        (lambda d: d["statements"][2].pop("text"), ["statements", 2]),
    ],
    ids=["unknown-field", "no-premises", "unknown-kind", "bad-id", "missing-text"],
)
def test_the_schema_refuses_what_the_model_refuses(map_validator, seed_document, change, path):
    """The schema has teeth: an editor using it flags the same mistakes argmap refuses."""
    doc = copy.deepcopy(seed_document)
    change(doc)
    assert [list(e.path) for e in map_validator.iter_errors(doc)] == [path]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_definition_is_described_for_readers_of_the_schema(name):
    """Each object type carries a written description: no Python docstring markup, no doctest."""
    schema = json.loads(generate()[name])
    for def_name, definition in schema["$defs"].items():
        text = definition.get("description", "")
        assert len(text) > 20, f"{name}: $defs.{def_name} has no description"
        assert "``" not in text and ">>>" not in text and "\n" not in text, f"{name}: $defs.{def_name}: {text!r}"
