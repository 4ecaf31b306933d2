"""One text rule for every field of the model, generated field by field.

The fields are found by inspecting the model's Structs (msgspec.inspect), so a field added
later is covered without editing this file:

- every pattern-checked string (ids, tags, urls) matches on the whole value: a valid value with
  a trailing newline (or other white space) is refused;
- every free-text string (statement text, names, titles, notes, descriptions, schemes, source
  text, tags, every string in extras) refuses NUL anywhere, and a value made only of white
  space, controls, zero-width characters, a BOM or bidi marks;
- dates refuse white space around them;
- map ids refuse every extension the server answers by (``/maps/x.json`` is x's document).
"""

from __future__ import annotations

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmap.errors import InvalidInput
from argmap.model import (RESERVED_MAP_SUFFIXES, Argument, Map, MapInfo, Relation, Source, Speaker,
                          Statement, visible)

# A valid instance of each Struct, as a document; each test changes one field of it.
VALID = {
    Speaker: {"id": "sp", "name": "Kaja Kallas", "role": "High Representative", "affiliation": "EU"},
    Source: {"id": "src", "title": "Reuters", "publisher": "Reuters", "url": "https://example.org/a",
             "published": "2025-11-20", "text": "Some source text."},
    Statement: {"id": "s", "text": "A claim.", "speaker": "sp", "said": "2025-11-20", "source": "src",
                "date_source": "src", "tags": ["t1", "t2"], "note": "a note", "extras": {"aif": {"k": "v"}}},
    Argument: {"id": "a", "kind": "attack", "premises": ["p"], "target": "c", "scheme": "Expert opinion",
               "roles": {"p": "major"}, "question": "expertise",
               "note": "a note", "extras": {"aif": {"k": "v"}}},
    Relation: {"id": "r", "kind": "rephrase", "sources": ["s1"], "target": "s2", "scheme": "Restating",
               "note": "a note", "extras": {"aif": {"k": "v"}}},
    MapInfo: {"id": "m", "title": "A map", "description": "About it."},
    Map: {"id": "m", "title": "A map", "description": "About it.", "extras": {"argdown": {"k": "v"}}},
}
NOT_TEXT = {"kind", "premises", "sources", "statements", "arguments", "relations", "speakers", "quote"}
DATES = {"said", "published"}


def _str_type(t):
    """The StrType inside ``t`` (Optional, Annotated or list of), else None; and whether a list."""
    if isinstance(t, mi.Metadata):
        return _str_type(t.type)
    if isinstance(t, mi.UnionType):
        inner = [x for x in t.types if not isinstance(x, mi.NoneType)]
        return _str_type(inner[0]) if len(inner) == 1 else (None, False)
    if isinstance(t, mi.ListType):
        inner, _ = _str_type(t.item_type)
        return inner, True
    return (t, False) if isinstance(t, mi.StrType) else (None, False)


def fields(kind: str):
    """(Struct, field name, StrType, is_list) for every string field; ``kind`` picks patterned or free text."""
    out = []
    for cls in VALID:
        for f in mi.type_info(cls).fields:
            if f.name in NOT_TEXT or f.name in DATES:
                continue
            t, is_list = _str_type(f.type)
            if t is None:
                continue
            if (kind == "pattern") == (t.pattern is not None):
                out.append(pytest.param(cls, f.name, t, is_list, id=f"{cls.__name__}.{f.name}"))
    return out


def refused(cls, doc) -> bool:
    try:
        msgspec.json.decode(msgspec.json.encode(doc), type=cls)
    except (msgspec.ValidationError, InvalidInput):
        return True
    return False


def test_the_valid_documents_are_valid():
    for cls, doc in VALID.items():
        assert not refused(cls, doc), cls


def with_field(cls, name, value, is_list):
    doc = {**VALID[cls], name: [value] if is_list else value}
    if name == "text_file":
        del doc["text"]  # one or the other
    return doc


PATTERNED = fields("pattern")
FREE = fields("free")


def test_every_kind_of_field_is_covered():
    names = {p.id for p in PATTERNED} | {p.id for p in FREE}
    assert {"Statement.id", "Statement.tags", "Source.url", "Map.id", "Statement.speaker"} <= names
    assert {"Statement.text", "Statement.note", "Source.text", "Speaker.role", "Argument.scheme",
            "Relation.note", "Map.description"} <= names


@pytest.mark.parametrize(("cls", "name", "t", "is_list"), PATTERNED)
@settings(max_examples=30, deadline=None)
@given(data=st.data(), tail=st.sampled_from(["\n", "\r\n", " ", "\t", "\x00", "\n\n", "\u2028"]))
def test_patterns_match_the_whole_value(cls, name, t, is_list, data, tail):
    value = data.draw(st.from_regex(t.pattern, fullmatch=True).filter(
        lambda v: (t.min_length or 0) <= len(v) < (t.max_length or 10**9)))
    doc = with_field(cls, name, value, is_list)
    if refused(cls, doc):
        return  # refused for another reason (a reserved map id): nothing to compare
    assert refused(cls, with_field(cls, name, value + tail, is_list)), f"{value + tail!r} accepted as {name}"


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u2060", "\u00ad", "\x01",
             "\x1f", "\x7f", "\x85", " ", "\t", "\n", "\u3000", "\u2028", "\u2029", "\u00a0", "\u202e"]


@pytest.mark.parametrize(("cls", "name", "t", "is_list"), FREE + PATTERNED)
@settings(max_examples=30, deadline=None)
@given(value=st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=30).map("".join))
def test_invisible_text_is_refused(cls, name, t, is_list, value):
    if name.endswith("id") or name in ("speaker", "source", "target", "url"):
        return  # ids and urls refuse white space by pattern: the test above
    assert not visible(value)
    assert refused(cls, with_field(cls, name, value, is_list)), f"{value!r} accepted as {cls.__name__}.{name}"


@pytest.mark.parametrize(("cls", "name", "t", "is_list"), FREE + PATTERNED)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_nul_is_refused_everywhere(cls, name, t, is_list, data):
    valid = VALID[cls].get(name, "source.txt")
    valid = valid[0] if is_list else valid
    at = data.draw(st.integers(0, len(valid)))
    value = valid[:at] + "\x00" + valid[at:]
    assert refused(cls, with_field(cls, name, value, is_list))


@pytest.mark.parametrize("cls", [Statement, Argument, Relation, Map])
@settings(max_examples=50, deadline=None)
@given(path=st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=4),
       bad=st.sampled_from(["\x00", "a\x00b", "\x00\x00"]), as_key=st.booleans())
def test_nul_is_refused_in_extras_keys_and_values(cls, path, bad, as_key):
    inner: object = {bad: 1} if as_key else bad
    for key in reversed(path):
        inner = {key: [inner]}
    assert refused(cls, {**VALID[cls], "extras": {"aif": inner}})


@settings(max_examples=100, deadline=None)
@given(date=st.sampled_from(["2025", "2025-11", "2025-11-20", "2025-11-26~", "2025-11-20T21:00:00Z",
                             "2025-11-19/2025-11-21"]),
       tail=st.sampled_from(["\n", " ", "\t", "\r\n", "\x00"]), before=st.booleans())
def test_dates_refuse_white_space_around_them(date, tail, before):
    value = tail + date if before else date + tail
    assert refused(Statement, {**VALID[Statement], "said": value})
    assert not refused(Statement, {**VALID[Statement], "said": date})


@pytest.mark.parametrize("cls", [Map, MapInfo])
@settings(max_examples=100, deadline=None)
@given(stem=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
       suffix=st.sampled_from(sorted(RESERVED_MAP_SUFFIXES)), upper=st.booleans())
def test_map_ids_refuse_every_export_suffix(cls, stem, suffix, upper):
    assert refused(cls, {**VALID[cls], "id": f"{stem}.{suffix.upper() if upper else suffix}"})
    assert not refused(cls, {**VALID[cls], "id": f"{stem}.v2"})


def test_the_reserved_suffixes_cover_every_extension_the_server_answers_by():
    from argmap.exports import CATALOGUE
    from argmap.formats import _SUFFIXES

    answered = {e.suffix.rsplit(".", 1)[-1] for e in CATALOGUE.values()}  # whole-map documents and the rest
    answered |= {e.lstrip(".") for e in _SUFFIXES}
    assert {"json", "yaml", "argdown"} <= answered
    assert answered <= RESERVED_MAP_SUFFIXES
