"""The fast path for plain EDTF dates must read every date exactly as the EDTF library does."""

import pytest

import argmap.model as model
from argmap.errors import InvalidInput

_VALUES = [
    f"{y}{m}{d}{q}"
    for y in ["2025", "2024", "1999", "0001", "9999"]
    for m in ["", "-01", "-02", "-11", "-12", "-13", "-00"]
    for d in (["", "-01", "-28", "-29", "-30", "-31", "-00", "-32"] if m else [""])
    for q in ["", "~", "?", "%"]
]


def _library(value):
    saved = model._PLAIN
    model._PLAIN = model.re.compile(r"(?!)")  # never matches: forces the library path
    model.partial_date.cache_clear()
    try:
        return model.partial_date(value)
    except InvalidInput as e:
        return type(e)
    finally:
        model._PLAIN = saved
        model.partial_date.cache_clear()


@pytest.mark.parametrize("value", _VALUES)
def test_fast_path_agrees_with_the_edtf_library(value):
    try:
        fast = model.partial_date(value)
    except InvalidInput as e:
        fast = type(e)
    assert fast == _library(value)


def test_fast_path_is_taken_for_plain_dates():
    assert model._plain_date("2025-11-20") is not None
    assert model._plain_date("2025-11-26~").approximate
    assert model._plain_date("2025-02-30") is None  # the library gives the reason
    assert model._plain_date("2025-11-19/2025-11-21") is None
