"""One scope: the same parameters select the same statements in every export of the catalogue."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from argmap.errors import DanglingReference, InvalidInput
from argmap.exports import find, make, options_from
from argmap.mapfile import load
from argmap.model import Argument, Map, Source, Statement
from argmap.scope import Scope, scope_from, select

SEED = load(Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml")
STATEMENT_IDS = {s.id for s in SEED.statements}

VIEWS = [
    {},
    {"focus": "victims-silenced", "depth": 1},
    {"focus": "victims-silenced", "depth": 3},
    {"focus": "gerasimov-kupiansk-captured", "depth": 2},
    {"from": "2025-11-20", "to": "2025-11-21"},
    {"focus": "no-peace-without-ukraine-and-europe", "depth": 2, "from": "2025-11-21"},
    {"to": "2025-11-19"},
    {"kind": ["event"]},
]


def _export(name: str, suffix: str, params: dict) -> bytes:
    export = find(name, suffix)
    params = {("kinds" if k == "kind" else k): v for k, v in params.items()}
    scope, options = options_from(export, params)
    return make(export, SEED, scope, options)


def diagram_ids(params: dict) -> set[str]:
    svg = ET.fromstring(_export("diagram", "svg", params))
    return {g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g")} & STATEMENT_IDS


def timeline_ids(params: dict) -> set[str]:
    doc = json.loads(_export("timeline", "json", params))
    return {e["unique_id"] for e in doc["events"]} | {u["unique_id"] for u in doc.get("undated", [])}


def briefing_ids(params: dict) -> set[str]:
    html = _export("briefing", "html", {**params, "sections": "speakers,sources", "semantics": "none"}).decode()
    return set(re.findall(r'id="st-([^"]+)"', html))


def csv_ids(params: dict) -> set[str]:
    rows = csv.DictReader(io.StringIO(_export("statements", "csv", params).decode()))
    return {r["id"] for r in rows}


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "whole")
def test_every_export_selects_the_same_statements(params):
    scope = scope_from({("kinds" if k == "kind" else k): v for k, v in params.items()})
    expected = {s.id for s in select(SEED, scope).statements}
    assert expected, "a view that selects nothing proves little"
    assert diagram_ids(params) == expected
    assert timeline_ids(params) == expected
    assert briefing_ids(params) == expected
    assert csv_ids(params) == expected


def test_the_views_differ():
    # Otherwise the test above could pass with a scope that ignores its parameters.
    sets = {frozenset(s.id for s in select(SEED, scope_from(
        {("kinds" if k == "kind" else k): v for k, v in p.items()})).statements) for p in VIEWS}
    assert len(sets) == len(VIEWS)


def _map() -> Map:
    return Map(id="m", title="T", sources=[Source(id="art", title="Article", published="2025-11-22")], statements=[
        Statement(id="a", text="A", said="2025-11-20"),
        Statement(id="b", text="B", said="2025-11-25"),
        Statement(id="c", text="C", source="art"),          # dated by its source: 22 Nov
        Statement(id="d", text="D"),                         # no date at all
        Statement(id="e", text="E", said="2025-11-21"),
    ], arguments=[
        Argument(id="ab", kind="support", premises=["a"], target="b"),
        Argument(id="cb", kind="attack", premises=["c", "d"], target="b"),
        Argument(id="u", kind="undercut", premises=["e"], target="ab"),
    ])


def test_the_date_rule_is_own_date_else_the_sources_and_undated_stay():
    ids = [s.id for s in select(_map(), Scope(date_from="2025-11-21", date_to="2025-11-23")).statements]
    assert ids == ["c", "d", "e"]


def test_arguments_are_kept_only_with_all_their_ends_and_undercuts_with_their_target():
    sub = select(_map(), Scope(date_to="2025-11-24"))  # b (25 Nov) goes: so do ab and cb, and u with ab
    assert [s.id for s in sub.statements] == ["a", "c", "d", "e"] and sub.arguments == []
    sub = select(_map(), Scope(focus="e", depth=1))
    assert {s.id for s in sub.statements} == {"a", "b", "e"} and {a.id for a in sub.arguments} == {"ab", "u"}


def test_one_set_of_bounds_and_names_everywhere():
    with pytest.raises(InvalidInput) as e:
        scope_from({"focus": "a", "depth": "21"})
    assert e.value.field == "$.depth"
    with pytest.raises(InvalidInput) as e:
        scope_from({"depth": "1"})
    assert e.value.field == "$.depth" and "needs a focus" in e.value.reason
    with pytest.raises(InvalidInput) as e:
        scope_from({"from": "2025-11-22", "to": "2025-11-21"})
    assert e.value.field == "$.to"
    with pytest.raises(DanglingReference) as e:
        select(_map(), Scope(focus="ab"))
    assert e.value.field == "$.focus" and "an argument, not a statement" in e.value.reason
    with pytest.raises(DanglingReference) as e:
        select(_map(), Scope(speakers=["nobody"]))
    assert e.value.field == "$.speakers[0]"
