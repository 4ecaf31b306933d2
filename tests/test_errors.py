"""Validation messages become problems that name the exact field."""

from __future__ import annotations

import msgspec
import pytest

from argmap.errors import FormatError, InvalidInput, from_validation_error, problem_from_message
from argmap.model import Map, Statement


@pytest.mark.parametrize(
    ("message", "path", "field", "reason"),
    [
        ("Object contains unknown field `colour` - at `$.statements[2]`", "$", "$.statements[2].colour",
         "Object contains unknown field `colour`"),
        ("Object missing required field `id`", "$.speakers[0]", "$.speakers[0].id", "Object missing required field `id`"),
        ("text: must not be empty", "$.statements[0]", "$.statements[0].text", "must not be empty"),
        ("Expected `str`, got `int` - at `$.title`", "$", "$.title", "Expected `str`, got `int`"),
        ("Expected `object`, got `array`", "$", "$", "Expected `object`, got `array`"),
    ],
)
def test_problem_from_message(message, path, field, reason):
    p = problem_from_message(message, path)
    assert (p.field, p.reason) == (field, reason)


def test_decoding_errors_name_the_unknown_field():
    with pytest.raises(msgspec.ValidationError) as e:
        msgspec.json.decode(b'{"id": "m", "title": "T", "statements": [{"id": "s", "text": "t", "colour": 1}]}', type=Map)
    err = from_validation_error(e.value)
    assert isinstance(err, InvalidInput) and err.field == "$.statements[0].colour"
    with pytest.raises(msgspec.DecodeError) as e:
        msgspec.json.decode(b'{"id": ', type=Statement)
    assert isinstance(from_validation_error(e.value), FormatError)
