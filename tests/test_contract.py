"""The published contract, checked by independent validators: the served OpenAPI document by
``openapi-spec-validator`` and every JSON Schema we ship by jsonschema's meta-schema for the
draft it declares. A new route or schema that breaks either fails here, before a client
generator refuses it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from litestar.testing import TestClient
from openapi_spec_validator import validate

from argmap.api import create_app
from argmap.store import Store

REPO = Path(__file__).resolve().parents[1]
SHIPPED_SCHEMAS = sorted([*REPO.glob("schemas/*.json"), *REPO.glob("argmap/**/*.schema.json")])


def test_served_openapi_document_passes_openapi_spec_validator():
    with Store(":memory:") as store, TestClient(create_app(store=store)) as client:
        doc = client.get("/schema/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises with the first error's path; 17 errors before header schemas


@pytest.mark.parametrize("path", SHIPPED_SCHEMAS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_json_schema_passes_its_drafts_meta_schema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert "$schema" in schema, f"{path.name} declares no draft"
    validator = jsonschema.validators.validator_for(schema, default=None)
    assert validator is not None, f"{path.name}: unknown draft {schema['$schema']}"
    validator.check_schema(schema)


def test_the_meta_schema_check_catches_a_broken_schema():
    broken = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "properties": {"id": {"type": "text"}}}
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.validators.validator_for(broken).check_schema(broken)
