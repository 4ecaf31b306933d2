"""The model's validation: every refusal names the field (a JSON path) and says why.

A map document is decoded with :func:`argmap.mapfile.decode_map`; single entities (what an HTTP
body carries) with msgspec plus :func:`argmap.errors.from_validation_error`. Both paths must
give a caller the exact place to fix, e.g. ``$.arguments[2].target``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import msgspec
import pytest

from argmap.errors import DanglingReference, FormatError, InvalidInput, from_validation_error
from argmap.mapfile import decode_map
from argmap.model import Argument, Map, Quote, Speaker, Statement, check_map, partial_date

ARTICLE = "Peace needs Ukraine at the table. Europe must be heard."

BASE = {
    "id": "m",
    "title": "A small map",
    "speakers": [
        {"id": "kallas", "name": "Kaja Kallas", "role": "EU High Representative"},
        {"id": "adviser", "role": "close adviser to Zelensky"},
    ],
    "sources": [
        {"id": "art", "title": "The article", "published": "2025-11-21", "text": ARTICLE},
        {"id": "rep", "title": "A later report"},
    ],
    "statements": [
        {
            "id": "s1",
            "text": "Peace needs Ukraine at the table.",
            "speaker": "kallas",
            "said": "2025-11-20",
            "source": "art",
            "quote": {"start": 0, "end": 33, "text": "Peace needs Ukraine at the table."},
        },
        {"id": "s2", "text": "A plan without Ukraine is no peace.", "kind": "derived", "source": "art"},
        {"id": "s3", "text": "Ukraine was consulted.", "speaker": "adviser", "said": "2025-11"},
    ],
    "arguments": [
        {"id": "a1", "kind": "support", "premises": ["s1"], "target": "s2"},
        {"id": "a2", "kind": "attack", "premises": ["s3"], "target": "s2"},
        {"id": "a3", "kind": "undercut", "premises": ["s3"], "target": "a1"},
    ],
}


def doc(**changes) -> dict:
    """A copy of BASE with ``changes`` applied: keys are dotted paths, e.g. ``statements.0.text``."""
    d = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return d


def refusal(d: dict) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        decode_map(json.dumps(d))
    return info.value


def test_the_base_document_is_valid():
    m = decode_map(json.dumps(BASE))
    assert [s.id for s in m.statements] == ["s1", "s2", "s3"]
    assert m.statements[0].date == partial_date("2025-11-20")


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        pytest.param({"statements.0.text": ""}, "$.statements[0].text", "length >= 1", id="empty-text"),
        pytest.param({"statements.1.text": " \t\n"}, "$.statements[1].text", "white space", id="blank-text"),
        pytest.param({"statements.2.text": "a\x00b"}, "$.statements[2].text", "NUL", id="nul-in-text"),
        pytest.param({"title": "   "}, "$.title", "white space", id="blank-map-title"),
        pytest.param({"sources.1.title": " "}, "$.sources[1].title", "white space", id="blank-source-title"),
        pytest.param({"speakers.0.name": " "}, "$.speakers[0].name", "white space", id="blank-speaker-name"),
        pytest.param({"speakers.0.affiliation": "  "}, "$.speakers[0].affiliation", "white space",
                     id="blank-affiliation"),
        pytest.param({"sources.1.publisher": "\t"}, "$.sources[1].publisher", "white space", id="blank-publisher"),
        pytest.param({"arguments.0.scheme": " "}, "$.arguments[0].scheme", "white space", id="blank-scheme"),
        pytest.param({"speakers.1": {"id": "nobody"}}, "$.speakers[1].name", "name or, if unnamed, a role",
                     id="speaker-without-name-or-role"),
        pytest.param({"arguments.0.premises": []}, "$.arguments[0].premises", "length >= 1", id="no-premises"),
        pytest.param({"arguments.0.premises": ["s1", "s3", "s1"]}, "$.arguments[0].premises",
                     "'s1' is listed twice", id="repeated-premise"),
        pytest.param({"arguments.0.premises": ["s1", "s2"]}, "$.arguments[0].target",
                     "'s2' cannot be one of its own premises", id="target-among-premises"),
        pytest.param({"arguments.2.target": "a3"}, "$.arguments[2].target", "cannot target itself",
                     id="undercut-of-itself"),
        pytest.param({"arguments.0.kind": "rebut"}, "$.arguments[0].kind", "Invalid enum value 'rebut'",
                     id="unknown-argument-kind"),
        pytest.param({"statements.0.kind": "opinion"}, "$.statements[0].kind", "Invalid enum value 'opinion'",
                     id="unknown-statement-kind"),
        pytest.param({"statements.0.quote": {"start": 5, "end": 5}}, "$.statements[0].quote.end",
                     "greater than start", id="empty-quote-span"),
        pytest.param({"statements.0.quote": {"start": -1, "end": 5}}, "$.statements[0].quote.start",
                     ">= 0", id="negative-quote-start"),
        pytest.param({"statements.2.quote": {"start": 0, "end": 5}}, "$.statements[2].quote",
                     "needs a source", id="quote-without-source"),
        pytest.param({"statements.0.said": "2025-02-30"}, "$.statements[0].said", "'2025-02-30'",
                     id="impossible-day"),
        pytest.param({"statements.0.said": "2025-13"}, "$.statements[0].said", "'2025-13'", id="impossible-month"),
        pytest.param({"statements.0.said": "2025-02-29"}, "$.statements[0].said", "not a date that exists",
                     id="no-leap-day-in-2025"),
        pytest.param({"statements.0.said": "20 Nov 2025"}, "$.statements[0].said", "not a valid EDTF date",
                     id="not-edtf"),
        pytest.param({"statements.0.said": "2025-11-21/2025-11-19"}, "$.statements[0].said",
                     "ends before it starts", id="reversed-interval"),
        pytest.param({"sources.0.published": "2025-11-31"}, "$.sources[0].published", "'2025-11-31'",
                     id="impossible-published-date"),
        pytest.param({"statements.0.tags": ["plan", "plan"]}, "$.statements[0].tags", "repeated",
                     id="repeated-tag"),
        pytest.param({"statements.0.tags": ["two words"]}, "$.statements[0].tags[0]", "regex",
                     id="tag-with-space"),
        pytest.param({"statements.0.id": "s 1"}, "$.statements[0].id", "regex", id="id-with-space"),
        pytest.param({"sources.1.url": "javascript:alert(1)"}, "$.sources[1].url", "regex", id="non-http-url"),
        pytest.param({"sources.0.text_file": "a.txt"}, "$.sources[0].text_file", "either text or text_file",
                     id="text-and-text-file"),
    ],
)
def test_a_broken_field_is_named(changes, field, reason):
    err = refusal(doc(**changes))
    assert [p.field for p in err.problems] == [field]
    assert reason in err.problems[0].reason
    assert str(err).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        pytest.param({"statements.0.speaker": "putin"}, "$.statements[0].speaker", "unknown speaker 'putin'",
                     id="unknown-speaker"),
        pytest.param({"statements.1.source": "tass"}, "$.statements[1].source", "unknown source 'tass'",
                     id="unknown-source"),
        pytest.param({"statements.2.date_source": "tass"}, "$.statements[2].date_source",
                     "unknown source 'tass'", id="unknown-date-source"),
        pytest.param({"arguments.1.premises": ["s3", "s9"]}, "$.arguments[1].premises[1]",
                     "unknown statement 's9'", id="unknown-premise"),
        pytest.param({"arguments.1.premises": ["a1"]}, "$.arguments[1].premises[0]",
                     "an argument, not a statement 'a1'", id="argument-as-premise"),
        pytest.param({"arguments.0.target": "s9"}, "$.arguments[0].target", "unknown statement 's9'",
                     id="unknown-target"),
        pytest.param({"arguments.2.target": "s1"}, "$.arguments[2].target",
                     "an undercut targets an argument, but 's1' is a statement", id="undercut-of-a-statement"),
        pytest.param({"arguments.2.target": "a9"}, "$.arguments[2].target", "unknown argument 'a9'",
                     id="undercut-of-nothing"),
        pytest.param({"arguments.0.target": "a2"}, "$.arguments[0].target",
                     "a support targets a statement, but 'a2' is an argument", id="support-of-an-argument"),
        pytest.param({"arguments.1.target": "a1"}, "$.arguments[1].target",
                     "an attack targets a statement", id="attack-of-an-argument"),
    ],
)
def test_a_dangling_reference_is_named(changes, field, reason):
    err = refusal(doc(**changes))
    assert isinstance(err, DanglingReference)
    assert [(p.field, reason in p.reason) for p in err.problems] == [(field, True)]


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ({"start": 40, "end": 400}, "span 40..400 is outside the text of source 'art' (55 characters)"),
        ({"start": 0, "end": 33, "text": "Peace needs Europe at the table."}, "text does not match source 'art'"),
    ],
    ids=["outside", "mismatch"],
)
def test_a_quote_that_does_not_fit_its_source_is_named(quote, reason):
    err = refusal(doc(**{"statements.0.quote": quote}))
    assert not isinstance(err, DanglingReference)
    assert [(p.field, p.reason.startswith(reason)) for p in err.problems] == [("$.statements[0].quote", True)]


def test_a_quote_into_a_source_without_text_is_refused():
    err = refusal(doc(**{"statements.0.source": "rep"}))
    assert [(p.field, p.reason) for p in err.problems] == [
        ("$.statements[0].quote", "source 'rep' has no text to quote from")
    ]


@pytest.mark.parametrize(
    ("section", "item"),
    [
        ("speakers", {"id": "kallas", "name": "Someone else"}),
        ("sources", {"id": "art", "title": "Another"}),
        ("statements", {"id": "s1", "text": "Again."}),
        ("arguments", {"id": "a1", "kind": "support", "premises": ["s3"], "target": "s2"}),
    ],
)
def test_a_duplicate_id_points_at_the_second_use(section, item):
    d = doc()
    d[section].append(item)
    index = len(d[section]) - 1
    err = refusal(d)
    assert not isinstance(err, DanglingReference)
    assert [p.field for p in err.problems] == [f"$.{section}[{index}].id"]
    assert err.problems[0].reason == f"duplicate id {item['id']!r} (first at $.{section}[0])"


def test_a_statement_and_an_argument_may_not_share_an_id():
    d = doc()
    d["arguments"].append({"id": "s2", "kind": "support", "premises": ["s3"], "target": "s1"})
    err = refusal(d)
    assert [(p.field, p.reason) for p in err.problems] == [
        ("$.arguments[3].id", "id 's2' is already used by a statement (at $.statements[1])")
    ]


def test_unknown_fields_are_refused_at_their_own_path():
    err = refusal(doc(**{"statements.1.speeker": "kallas"}))
    assert [(p.field, p.reason) for p in err.problems] == [
        ("$.statements[1].speeker", "Object contains unknown field `speeker`")
    ]
    err = refusal(doc(colour="red"))
    assert [p.field for p in err.problems] == ["$.colour"]


def test_a_missing_required_field_is_named_in_the_path():
    d = doc()
    del d["arguments"][1]["target"]
    err = refusal(d)
    assert [(p.field, p.reason) for p in err.problems] == [
        ("$.arguments[1].target", "Object missing required field `target`")
    ]


def test_a_json_syntax_error_is_a_format_error():
    with pytest.raises(FormatError) as info:
        decode_map(b'{"id": "m", "title": }')
    assert info.value.reason == "JSON is malformed: invalid character (byte 21)"


@pytest.mark.parametrize(
    ("fmt", "text", "field", "reason"),
    [
        ("yaml", b"id: m\ntitle: [\n", "line 3, column 1", "while parsing a flow node: did not find expected"),
        ("yaml", b"id: m\ntitle: x\n  bad: 1\n", "line 3, column 6", "mapping values are not allowed"),
        ("toml", b'id = "m"\ntitle = \n', "line 2, column 9", "Invalid value"),
    ],
)
def test_a_syntax_error_names_its_line_in_one_line(fmt, text, field, reason):
    with pytest.raises(FormatError) as info:
        decode_map(text, format=fmt)
    (problem,) = info.value.problems
    assert problem.field == field
    assert problem.reason.startswith(reason), problem.reason
    assert "\n" not in str(info.value) and "<byte string>" not in str(info.value)


def test_every_problem_is_collected_with_its_path():
    d = doc(**{
        "statements.0.speaker": "putin",
        "statements.1.quote": {"start": 0, "end": 999},
        "arguments.0.premises": ["s9"],
        "arguments.2.target": "s1",
    })
    d["speakers"].append({"id": "kallas", "name": "Kallas again"})
    err = refusal(d)
    assert type(err) is InvalidInput, "a map with more than dangling references is not only dangling"
    assert sorted(p.field for p in err.problems) == [
        "$.arguments[0].premises[0]",
        "$.arguments[2].target",
        "$.speakers[2].id",
        "$.statements[0].speaker",
        "$.statements[1].quote",
    ]
    assert str(err).count("; ") == 4
    body = err.to_dict()
    assert body["error"] == "invalid" and len(body["problems"]) == 5


def test_only_references_make_a_dangling_reference_error():
    err = refusal(doc(**{"statements.0.speaker": "putin", "arguments.0.target": "s9"}))
    assert type(err) is DanglingReference
    assert [p.field for p in err.problems] == ["$.statements[0].speaker", "$.arguments[0].target"]


def test_check_map_passes_a_sound_map_built_in_python():
    m = Map(
        id="m", title="t",
        statements=[Statement(id="p", text="P."), Statement(id="c", text="C.")],
        arguments=[Argument(id="a", kind="support", premises=["p"], target="c")],
    )
    assert check_map(m) is None


# -- single entities (an HTTP body) ---------------------------------------------------------


def entity_problems(typ, body: dict):
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.json.decode(json.dumps(body), type=typ)
    err = from_validation_error(info.value)
    assert isinstance(err, InvalidInput)
    return [(p.field, p.reason) for p in err.problems]


def test_a_single_entity_names_its_field():
    assert entity_problems(Statement, {"id": "s", "text": "  "}) == [("$.text", "must not be empty or only white space")]
    assert entity_problems(Argument, {"id": "a", "kind": "support", "premises": ["p", "p"], "target": "c"}) == [
        ("$.premises", "'p' is listed twice")
    ]
    assert entity_problems(Quote, {"start": 3, "end": 2}) == [("$.end", "must be greater than start")]
    assert entity_problems(Speaker, {"id": "x", "name": "a\x00"}) == [("$.name", "must not contain NUL characters")]


@pytest.mark.parametrize(
    ("build", "field", "reason"),
    [
        (lambda: Statement(id="s", text=" "), "text", "must not be empty or only white space"),
        (lambda: Statement(id="s", text="t", said="2025-02-30"), "said", "'2025-02-30' is not a valid EDTF date"),
        (lambda: Argument(id="a", kind="undercut", premises=["p"], target="a"), "target",
         "an argument cannot target itself"),
        (lambda: Speaker(id="x"), "name", "a speaker needs a name or, if unnamed, a role"),
        (lambda: Quote(start=4, end=1), "end", "must be greater than start"),
    ],
)
def test_a_struct_built_in_python_raises_a_typed_error(build, field, reason):
    """Python callers get the same typed error as a decoder, not a bare ValueError."""
    with pytest.raises(InvalidInput) as info:
        build()
    assert (info.value.field, info.value.reason[: len(reason)]) == (field, reason)


def test_speaker_label_names_the_unnamed_by_role():
    assert Speaker(id="k", name="Kaja Kallas").label == "Kaja Kallas"
    assert Speaker(id="a", role="close adviser to Zelensky").label == "(unnamed) close adviser to Zelensky"


# -- partial dates --------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("edtf", "lower", "upper", "precision", "approximate", "uncertain", "label"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31), "year", False, False, "2025"),
        ("2025-11", D(2025, 11, 1), D(2025, 11, 30), "month", False, False, "Nov 2025"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", False, False, "Feb 2024"),
        ("2025-11-20", D(2025, 11, 20), D(2025, 11, 20), "day", False, False, "20 Nov 2025"),
        ("2025-11-26~", D(2025, 11, 26), D(2025, 11, 26), "day", True, False, "c. 26 Nov 2025"),
        ("2025-11-20?", D(2025, 11, 20), D(2025, 11, 20), "day", False, True, "20 Nov 2025 (?)"),
        ("2025-11-20%", D(2025, 11, 20), D(2025, 11, 20), "day", True, True, "c. 20 Nov 2025 (?)"),
        ("2025-11~", D(2025, 11, 1), D(2025, 11, 30), "month", True, False, "c. Nov 2025"),
        ("2025-11-20T21:00:00Z", D(2025, 11, 20), D(2025, 11, 20), "time", False, False,
         "20 Nov 2025, 21:00:00Z"),
        ("2025-11-19/2025-11-21", D(2025, 11, 19), D(2025, 11, 21), "interval", False, False,
         "19 Nov 2025 – 21 Nov 2025"),
        ("2025-11/2025-12", D(2025, 11, 1), D(2025, 12, 31), "interval", False, False, "Nov 2025 – Dec 2025"),
        ("2025-11-20/2025-12", D(2025, 11, 20), D(2025, 12, 31), "interval", False, False,
         "20 Nov 2025 – Dec 2025"),
    ],
)
def test_partial_date_meaning(edtf, lower, upper, precision, approximate, uncertain, label):
    d = partial_date(edtf)
    assert (d.edtf, d.lower, d.upper, d.precision) == (edtf, lower, upper, precision)
    assert (d.approximate, d.uncertain) == (approximate, uncertain)
    assert d.label() == label


@pytest.mark.parametrize(
    ("edtf", "reason"),
    [
        ("2025-02-30", "not a valid EDTF date"),
        ("2025-02-29", "not a date that exists"),
        ("2025-13", "not a valid EDTF date"),
        ("2025-00", "not a valid EDTF date"),
        ("2025-11-20T25:00:00Z", "not a valid EDTF date"),
        ("2025-11-21/2025-11-19", "ends before it starts"),
        ("2025-11-19/..", "not supported"),
        ("2025-11-XX", "not supported"),
        ("yesterday", "not a valid EDTF date"),
    ],
)
def test_partial_date_refuses_what_it_cannot_place(edtf, reason):
    with pytest.raises(InvalidInput, match=reason) as info:
        partial_date(edtf)
    assert isinstance(info.value, ValueError), "callers that catch ValueError keep working"
    assert repr(edtf) in str(info.value), "the message quotes the value the user wrote"


def test_partial_date_overlap_treats_a_month_as_all_its_days():
    nov = partial_date("2025-11")
    assert nov.overlaps(D(2025, 11, 30), None)
    assert nov.overlaps(None, D(2025, 11, 1))
    assert not nov.overlaps(D(2025, 12, 1), None)
    assert not nov.overlaps(None, D(2025, 10, 31))
    assert partial_date("2025-11-20").overlaps(D(2025, 11, 20), D(2025, 11, 20))
    assert not partial_date("2025-11-20").overlaps(D(2025, 11, 21), D(2025, 11, 30))
