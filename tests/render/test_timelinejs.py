"""TimelineJS JSON: the fields Knight Lab's format requires, partial dates, and inert text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from argmap.render.timelinejs import dumps
from argmap.mapfile import load
from argmap.model import Map, Source, Speaker, Statement
from argmap.render.timeline import TimelineOptions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(REPO / "seeds" / "peace-plan.yaml")


@pytest.fixture(scope="module")
def seed_doc(seed) -> dict:
    return json.loads(dumps(seed))


def one(said: str, **kw) -> dict:
    m = Map(id="m", title="T", speakers=[Speaker(id="k", name="Kaja Kallas")],
            statements=[Statement(id="s", text="Text", speaker="k", said=said, **kw)])
    (event,) = json.loads(dumps(m))["events"]
    return event


def test_every_event_has_what_timelinejs_requires(seed, seed_doc):
    events = seed_doc["events"]
    assert len(events) == len([s for s in seed.statements if s.said])
    assert len({e["unique_id"] for e in events}) == len(events)
    for e in events:
        assert isinstance(e["start_date"]["year"], int)
        assert set(e["start_date"]) <= {"year", "month", "day", "hour", "minute", "second"}
        assert e["text"]["headline"] and e["text"]["text"]
        assert e["group"] and e["display_date"] and e["autolink"] is False
    assert seed_doc["title"]["text"]["headline"].startswith("A peace without Ukraine")
    assert seed_doc["scale"] == "human"


def test_groups_are_speakers_with_events_apart(seed_doc):
    by_id = {e["unique_id"]: e for e in seed_doc["events"]}
    assert by_id["kallas-no-viable-plan"]["group"] == "Kaja Kallas"
    assert by_id["ternopil-strike"]["group"] == "Events"
    assert by_id["gerasimov-kupiansk-captured"]["group"] == "Valery Gerasimov"


@pytest.mark.parametrize(("said", "start", "end", "shown"), [
    ("2025", {"year": 2025}, {"year": 2025, "month": 12, "day": 31}, "2025"),
    ("2025-11", {"year": 2025, "month": 11}, {"year": 2025, "month": 11, "day": 30}, "Nov 2025"),
    ("2025-11-20", {"year": 2025, "month": 11, "day": 20}, None, "20 Nov 2025"),
    ("2025-11-20T21:05:00Z", {"year": 2025, "month": 11, "day": 20, "hour": 21, "minute": 5}, None, "20 Nov 2025, 21:05:00Z"),
    ("2025-11-21T01:30:15+03:00", {"year": 2025, "month": 11, "day": 20, "hour": 22, "minute": 30, "second": 15}, None,
     "21 Nov 2025, 01:30:15+03:00"),
    ("2025-11-19/2025-11-21", {"year": 2025, "month": 11, "day": 19}, {"year": 2025, "month": 11, "day": 21},
     "19 Nov 2025 – 21 Nov 2025"),
    ("2025-11-26~", {"year": 2025, "month": 11, "day": 26}, None, "c. 26 Nov 2025"),
    ("2025-11-20?", {"year": 2025, "month": 11, "day": 20}, None, "20 Nov 2025 (?)"),
    ("2025-11~", {"year": 2025, "month": 11}, {"year": 2025, "month": 11, "day": 30}, "c. Nov 2025"),
])
def test_partial_dates_keep_only_the_fields_they_have(said, start, end, shown):
    event = one(said)
    assert event["start_date"] == start
    assert event.get("end_date") == end
    assert event["display_date"] == shown


def test_undated_statements_are_listed_not_dropped(seed, seed_doc):
    undated = {s.id for s in seed.statements if not s.said}
    assert {u["unique_id"] for u in seed_doc["undated"]} == undated
    assert not undated & {e["unique_id"] for e in seed_doc["events"]}
    intro = html.unescape(seed_doc["title"]["text"]["text"])
    assert "Undated (39):" in intro and "Maria Malmer Stenergard: Moscow has not shown" in intro


def test_options_filter_as_in_the_picture(seed):
    doc = json.loads(dumps(seed, TimelineOptions(speakers=["kaja-kallas"], date_from="2025-11-20", date_to="2025-11-20")))
    assert {e["group"] for e in doc["events"]} == {"Kaja Kallas"}
    assert all(e["start_date"]["day"] == 20 for e in doc["events"])


def test_hostile_text_stays_text(hostile):
    m = Map(id="h", title=hostile, speakers=[Speaker(id="k", name=hostile)],
            sources=[Source(id="src", title=hostile)],
            statements=[Statement(id="s", text=hostile, speaker="k", said="2025-11-20", source="src"),
                        Statement(id="u", text=hostile, speaker="k")])
    data = dumps(m)
    assert not re.search(rb"[<>&]", data)  # safe to inline in a <script> element
    doc = json.loads(data)  # valid JSON
    (event,) = doc["events"]
    shown = re.sub("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "\ufffd", hostile)
    first_paragraph = re.match(r"<p>(.*?)</p>", event["text"]["text"], re.S)[1]
    assert "<" not in first_paragraph and html.unescape(first_paragraph) == shown
    assert html.unescape(event["group"]) == shown
    assert " ".join(shown.split()).startswith(html.unescape(event["text"]["headline"]).removesuffix("…"))
    for field in (event["text"]["headline"], event["group"], doc["title"]["text"]["headline"]):
        assert "<" not in field and ">" not in field
    assert doc["undated"][0]["text"] == hostile  # the machine-readable list keeps the exact text
