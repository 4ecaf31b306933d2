"""The store on both back ends: round trips, filters, integrity, atomic writes, files and threads.

The promise under test: a refused write raises a typed error (field + reason) and leaves the
database as it was; a successful one is whole. "As it was" is checked with the whole map
(:meth:`Store.get_map`) and :meth:`Store.check_integrity`, never with a row count alone.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from argmap.errors import ArgmapError, DanglingReference, DuplicateId, InUse, InvalidInput, NotFound
from argmap.mapfile import load as load_map_file
from argmap.model import Argument, Map, MapInfo, Quote, Source, Speaker, Statement, check_map
from argmap.store import Counts, Store
from argmap.store._store import SCHEMA_VERSION

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
TEXT = "Peace needs Ukraine at the table. Europe must be heard. The plan rewards aggression."


@pytest.fixture(scope="module")
def seed() -> Map:
    return load_map_file(SEED)


# ``store`` comes from tests/store/conftest.py: each test taking it runs on a file and on a lake.
LAKE_IS_SLOW = True


def small_map(map_id: str = "m") -> Map:
    """Two speakers, two sources (one with text), five statements, four arguments of all kinds."""
    return Map(
        id=map_id,
        title="Small map",
        description="For tests",
        speakers=[
            Speaker(id="kallas", name="Kaja Kallas", role="EU High Representative", affiliation="EU"),
            Speaker(id="adviser", role="close adviser to Zelensky"),
        ],
        sources=[
            Source(id="art", title="The article", publisher="Kaizen", url="https://example.org/a",
                   published="2025-11-21", text=TEXT),
            Source(id="rep", title="A report", published="2025-11"),
        ],
        statements=[
            Statement(id="s1", text="Peace needs Ukraine at the table.", speaker="kallas", said="2025-11-20",
                      source="art", quote=Quote(start=0, end=33, text=TEXT[:33]), tags=["eu", "table"]),
            Statement(id="s2", text="The plan rewards aggression.", kind="derived", source="art",
                      quote=Quote(start=56, end=84)),
            Statement(id="s3", text="Ukraine was consulted.", speaker="adviser", said="2025-11",
                      source="rep", tags=["ukraine"]),
            Statement(id="s4", text="Talks in Geneva.", kind="event", said="2025-11-23~", source="rep",
                      date_source="art", note="weekend"),
            Statement(id="s5", text="Undated claim.", speaker="kallas"),
        ],
        arguments=[
            Argument(id="a1", kind="support", premises=["s1", "s5"], target="s2", scheme="argument from principle"),
            Argument(id="a2", kind="attack", premises=["s3"], target="s2", note="rebuttal"),
            Argument(id="a3", kind="undercut", premises=["s4"], target="a1"),
            Argument(id="a4", kind="undercut", premises=["s3"], target="a3"),
        ],
    )


@pytest.fixture
def loaded(store):
    store.load_map(small_map())
    return store


def unchanged(store: Store, before: Map) -> None:
    assert store.get_map(before.id) == before
    assert store.check_integrity() == []


# -- round trips ----------------------------------------------------------------------------


def test_the_seed_map_round_trips(store, seed):
    counts = store.load_map(seed)
    assert counts == Counts(speakers=17, sources=15, statements=70, arguments=60, supports=47, attacks=8, undercuts=5)
    assert store.get_map(seed.id) == seed
    assert store.check_integrity() == []


def test_maps_create_get_list_update_delete(store):
    info = MapInfo(id="m", title="First", description="d")
    assert store.create_map(info) == info
    store.create_map(MapInfo(id="b", title="Second"))
    assert store.get_map_info("m") == info
    assert [s.id for s in store.list_maps()] == ["b", "m"]
    store.update_map(MapInfo(id="m", title="Renamed"))
    assert store.get_map_info("m") == MapInfo(id="m", title="Renamed")
    store.load_map(small_map("c"))
    assert store.delete_map("c") == Counts(speakers=2, sources=2, statements=5, arguments=4, supports=1,
                                           attacks=1, undercuts=2)
    with pytest.raises(NotFound):
        store.get_map("c")
    assert [s.id for s in store.list_maps()] == ["b", "m"]
    assert store.counts() == Counts(), "deleting a map deletes everything in it"
    with pytest.raises(DuplicateId):
        store.create_map(MapInfo(id="m", title="Again"))
    with pytest.raises(NotFound):
        store.update_map(MapInfo(id="zz", title="Nope"))


def test_every_entity_is_added_read_updated_and_deleted_one_by_one(store):
    m = small_map()
    store.create_map(m.info)
    for sp in m.speakers:
        assert store.add_speaker("m", sp) == sp
    for src in m.sources:
        store.add_source("m", src)
    for st in m.statements:
        store.add_statement("m", st)
    for a in m.arguments:
        store.add_argument("m", a)
    assert store.get_map("m") == m
    assert store.get_speaker("m", "adviser") == m.speakers[1]
    assert store.get_source("m", "art") == m.sources[0]
    assert store.get_statement("m", "s4") == m.statements[3]
    assert store.get_argument("m", "a1") == m.arguments[0]

    new_speaker = Speaker(id="adviser", name="Andriy Yermak", role="head of the office")
    new_source = Source(id="rep", title="A corrected report", published="2025-11-24")
    new_statement = Statement(id="s3", text="Ukraine was consulted late.", kind="event", speaker="kallas",
                              said="2025-11-22", source="art", quote=Quote(start=34, end=55), tags=["late"])
    new_argument = Argument(id="a1", kind="attack", premises=["s5", "s4"], target="s3")
    assert store.update_speaker("m", new_speaker) == new_speaker
    assert store.update_source("m", new_source) == new_source
    assert store.update_statement("m", new_statement) == new_statement
    assert store.update_argument("m", new_argument) == new_argument
    assert store.get_speaker("m", "adviser") == new_speaker
    assert store.get_source("m", "rep") == new_source
    assert store.get_statement("m", "s3") == new_statement
    assert store.get_argument("m", "a1") == new_argument
    assert [s.id for s in store.list_statements("m")] == ["s1", "s2", "s3", "s4", "s5"], "updates keep order"

    for a in ("a4", "a3", "a2", "a1"):
        assert store.delete_argument("m", a) == [f"argument:{a}"]
    for st in m.statements:
        assert store.delete_statement("m", st.id) == [f"statement:{st.id}"]
    for sp in m.speakers:
        store.delete_speaker("m", sp.id)
    for src in m.sources:
        store.delete_source("m", src.id)
    assert store.get_map("m") == Map(id="m", title="Small map", description="For tests")
    assert store.check_integrity() == []


def test_deletes_remove_exactly_the_item(loaded):
    assert loaded.delete_argument("m", "a4") == ["argument:a4"]
    with pytest.raises(NotFound):
        loaded.get_argument("m", "a4")
    loaded.delete_argument("m", "a2")
    assert loaded.delete_statement("m", "s3") == ["statement:s3"]
    loaded.add_speaker("m", Speaker(id="nobody", name="Nobody"))
    assert loaded.delete_speaker("m", "nobody") == ["speaker:nobody"]
    loaded.add_source("m", Source(id="unused", title="Unused"))
    assert loaded.delete_source("m", "unused") == ["source:unused"]
    assert [s.id for s in loaded.list_speakers("m")] == ["kallas", "adviser"]
    assert [s.id for s in loaded.list_sources("m")] == ["art", "rep"]
    assert loaded.check_integrity() == []


def test_maps_are_separate_even_with_the_same_ids(store):
    store.load_map(small_map("a"))
    store.load_map(small_map("b"))
    store.delete_speaker("a", "adviser", cascade=True)
    store.update_statement("a", Statement(id="s1", text="Changed in a only.", speaker="kallas"))
    assert store.get_map("b") == small_map("b")
    assert [s.id for s in store.list_statements("a")] == ["s1", "s2", "s4", "s5"]
    assert [s.id for s in store.list_statements("b", speaker="adviser")] == ["s3"]
    store.delete_map("a")
    assert store.get_map("b") == small_map("b")
    assert store.check_integrity() == []


def test_unknown_ids_are_not_found(loaded):
    for call in (
        lambda: loaded.get_speaker("m", "x"),
        lambda: loaded.get_source("m", "x"),
        lambda: loaded.get_statement("m", "x"),
        lambda: loaded.get_argument("m", "x"),
        lambda: loaded.get_map_info("x"),
        lambda: loaded.counts("x"),
        lambda: loaded.update_statement("m", Statement(id="x", text="t")),
        lambda: loaded.delete_statement("m", "x"),
        lambda: loaded.add_statement("x", Statement(id="s9", text="t")),
    ):
        with pytest.raises(NotFound) as info:
            call()
        assert info.value.field and "'x'" in info.value.reason


# -- filters and pages ----------------------------------------------------------------------


def dated_map() -> Map:
    said = {
        "oct31": "2025-10-31", "nov1": "2025-11-01", "nov19": "2025-11-19", "nov19-late": "2025-11-19T23:30:00Z",
        "nov20": "2025-11-20", "nov20c": "2025-11-20~", "nov": "2025-11", "y2025": "2025",
        "span": "2025-11-18/2025-11-22", "dec1": "2025-12-01", "undated": None,
    }
    return Map(id="d", title="Dates", statements=[Statement(id=k, text=k, said=v) for k, v in said.items()])


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2025-11", None, ["nov1", "nov19", "nov19-late", "nov20", "nov20c", "nov", "y2025", "span", "dec1"]),
        (None, "2025-11", ["oct31", "nov1", "nov19", "nov19-late", "nov20", "nov20c", "nov", "y2025", "span"]),
        ("2025-11", "2025-11", ["nov1", "nov19", "nov19-late", "nov20", "nov20c", "nov", "y2025", "span"]),
        (None, "2025-11-19", ["oct31", "nov1", "nov19", "nov19-late", "nov", "y2025", "span"]),
        ("2025-11-20", "2025-11-20", ["nov20", "nov20c", "nov", "y2025", "span"]),
        ("2025-11-21", None, ["nov", "y2025", "span", "dec1"]),
        ("2025-12-02", None, ["y2025"]),
    ],
)
def test_date_filters_treat_a_partial_date_as_all_its_days(store, date_from, date_to, expected):
    """A statement is in a range when any day it may denote is: '2025-11' overlaps every November day."""
    store.load_map(dated_map())
    got = [s.id for s in store.list_statements("d", date_from=date_from, date_to=date_to)]
    assert got == expected


def test_filters_by_speaker_kind_and_tag(loaded):
    ids = lambda **kw: [s.id for s in loaded.list_statements("m", **kw)]  # noqa: E731
    assert ids(speaker="kallas") == ["s1", "s5"]
    assert ids(kind="event") == ["s4"]
    assert ids(kind="derived") == ["s2"]
    assert ids(tag="ukraine") == ["s3"]
    assert ids(tag="table", speaker="kallas", date_from="2025-11-20") == ["s1"]
    assert ids(tag="table", speaker="adviser") == []
    assert ids(speaker="nobody") == []
    assert [a.id for a in loaded.list_arguments("m", kind="undercut")] == ["a3", "a4"]
    assert [a.id for a in loaded.list_arguments("m", target="s2")] == ["a1", "a2"]
    assert [a.id for a in loaded.list_arguments("m", premise="s3")] == ["a2", "a4"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"date_from": "2025-02-30"}, "from"),
        ({"date_to": "soon"}, "to"),
        ({"kind": "opinion"}, "kind"),
        ({"limit": -1}, "limit"),
        ({"limit": 10, "offset": -5}, "offset"),
    ],
)
def test_a_bad_filter_is_a_typed_error_naming_it(loaded, kwargs, field):
    with pytest.raises(InvalidInput) as info:
        loaded.list_statements("m", **kwargs)
    assert info.value.field == field


def test_a_bad_argument_filter_is_a_typed_error(loaded):
    with pytest.raises(InvalidInput) as info:
        loaded.list_arguments("m", kind="rebut")
    assert info.value.field == "kind"


def test_an_offset_counts_without_a_limit(loaded):
    assert [s.id for s in loaded.list_statements("m", offset=3)] == ["s4", "s5"]
    assert [a.id for a in loaded.list_arguments("m", offset=3)] == ["a4"]


def test_pages_are_stable_and_cover_everything_once(store, seed):
    store.load_map(seed)
    # Interleave later additions so that insertion order, not id order, decides.
    store.add_statement(seed.id, Statement(id="aaa-added-later", text="Added later."))
    store.delete_statement(seed.id, "aaa-added-later")
    store.add_statement(seed.id, Statement(id="000-added-last", text="Added last."))
    everything = [s.id for s in store.list_statements(seed.id)]
    assert everything[:70] == [s.id for s in seed.statements] and everything[70] == "000-added-last"
    pages = [store.list_statements(seed.id, limit=8, offset=o) for o in range(0, 80, 8)]
    assert [s.id for page in pages for s in page] == everything
    assert store.list_statements(seed.id, limit=8, offset=8) == pages[1], "the same page twice is the same"
    arg_pages = [a.id for o in range(0, 64, 16) for a in store.list_arguments(seed.id, limit=16, offset=o)]
    assert arg_pages == [a.id for a in seed.arguments]


# -- integrity: refused, typed, and nothing changed ----------------------------------------


@pytest.mark.parametrize(
    ("write", "error", "field", "reason"),
    [
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", speaker="putin")),
                     DanglingReference, "$.speaker", "unknown speaker 'putin'", id="unknown-speaker"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", source="tass")),
                     DanglingReference, "$.source", "unknown source 'tass'", id="unknown-source"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", date_source="tass")),
                     DanglingReference, "$.date_source", "unknown source 'tass'", id="unknown-date-source"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="a9", kind="support", premises=["s1", "s9"],
                                                            target="s2")),
                     DanglingReference, "$.premises[1]", "unknown statement 's9'", id="unknown-premise"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="a9", kind="support", premises=["a1"], target="s2")),
                     DanglingReference, "$.premises[0]", "an argument, not a statement 'a1'", id="argument-as-premise"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="a9", kind="attack", premises=["s1"], target="s9")),
                     DanglingReference, "$.target", "unknown statement 's9'", id="unknown-target"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="a9", kind="undercut", premises=["s1"], target="s2")),
                     DanglingReference, "$.target", "an undercut targets an argument, but 's2' is a statement",
                     id="undercut-on-a-statement"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="a9", kind="support", premises=["s1"], target="a2")),
                     DanglingReference, "$.target", "a support targets a statement, but 'a2' is an argument",
                     id="support-on-an-argument"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s1", text="again")),
                     DuplicateId, "$.id", "'s1'", id="duplicate-statement"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="a1", text="an argument's id")),
                     DuplicateId, "$.id", "'a1' is already taken by a argument" , id="statement-with-argument-id"),
        pytest.param(lambda s: s.add_argument("m", Argument(id="s1", kind="support", premises=["s3"], target="s2")),
                     DuplicateId, "$.id", "'s1' is already taken by a statement", id="argument-with-statement-id"),
        pytest.param(lambda s: s.add_speaker("m", Speaker(id="kallas", name="Other")),
                     DuplicateId, "$.id", "speaker 'kallas' already exists", id="duplicate-speaker"),
        pytest.param(lambda s: s.add_source("m", Source(id="art", title="Other")),
                     DuplicateId, "$.id", "source 'art' already exists", id="duplicate-source"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", source="art",
                                                              quote=Quote(start=80, end=120))),
                     InvalidInput, "$.quote", "outside the text of source 'art'", id="quote-outside-source"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", source="art",
                                                              quote=Quote(start=0, end=5, text="War"))),
                     InvalidInput, "$.quote", "text does not match", id="quote-text-mismatch"),
        pytest.param(lambda s: s.add_statement("m", Statement(id="s9", text="t", source="rep",
                                                              quote=Quote(start=0, end=5))),
                     InvalidInput, "$.quote", "has no text to quote from", id="quote-into-textless-source"),
        pytest.param(lambda s: s.update_source("m", Source(id="art", title="Shortened", text=TEXT[:40])),
                     InvalidInput, "$.text", "statement 's2' quotes this source", id="source-text-shortened"),
        pytest.param(lambda s: s.update_source("m", Source(id="art", title="Rewritten", text="x" * len(TEXT))),
                     InvalidInput, "$.text", "statement 's1' quotes this source", id="source-text-rewritten"),
        pytest.param(lambda s: s.update_source("m", Source(id="art", title="Textless")),
                     InvalidInput, "$.text", "has no text to quote from", id="source-text-removed"),
        pytest.param(lambda s: s.update_statement("m", Statement(id="s1", text="t", speaker="putin")),
                     DanglingReference, "$.speaker", "unknown speaker 'putin'", id="update-unknown-speaker"),
        pytest.param(lambda s: s.update_argument("m", Argument(id="a1", kind="undercut", premises=["s1"],
                                                               target="s2")),
                     DanglingReference, "$.target", "is a statement", id="update-into-undercut-on-statement"),
        pytest.param(lambda s: s.add_source("m", Source(id="f", title="File", text_file="/etc/passwd")),
                     InvalidInput, "$.text_file", "not file names", id="source-naming-a-file"),
    ],
)
def test_a_refused_write_is_typed_and_changes_nothing(loaded, write, error, field, reason):
    before = loaded.get_map("m")
    with pytest.raises(error) as info:
        write(loaded)
    assert type(info.value) is error
    assert any(p.field == field and reason in p.reason for p in info.value.problems), info.value.problems
    unchanged(loaded, before)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Argument(id="a9", kind="support", premises=[], target="s2"), id="no-premises"),
        pytest.param(lambda: Statement(id="bad id", text="t"), id="id-with-space"),
        pytest.param(lambda: Statement(id="s9", text="t", kind="opinion"), id="unknown-kind"),
        pytest.param(lambda: Statement(id="s9", text="t", said=None, tags=["two words"]), id="bad-tag"),
        pytest.param(lambda: Speaker(id="x" * 200, name="Long"), id="id-too-long"),
    ],
)
def test_a_struct_built_in_python_is_checked_like_a_decoded_one(loaded, build):
    """msgspec checks Meta constraints only when decoding; the store must not take them on trust."""
    before = loaded.get_map("m")
    item = build()
    add = {Argument: loaded.add_argument, Statement: loaded.add_statement, Speaker: loaded.add_speaker}[type(item)]
    with pytest.raises(InvalidInput) as info:
        add("m", item)
    assert info.value.field.startswith("$.")
    unchanged(loaded, before)


def test_load_map_checks_structs_built_in_python(store):
    m = small_map()
    m.arguments.append(Argument(id="a9", kind="support", premises=[], target="s2"))
    with pytest.raises(InvalidInput) as info:
        store.load_map(m)
    assert info.value.field == "$.arguments[4].premises"
    assert store.list_maps() == []


def test_load_map_refuses_a_dangling_map_before_touching_the_database(loaded):
    before = loaded.get_map("m")
    broken = small_map("other")
    broken.arguments[2] = Argument(id="a3", kind="undercut", premises=["s4"], target="s1")
    with pytest.raises(DanglingReference) as info:
        loaded.load_map(broken)
    assert [p.field for p in info.value.problems] == ["$.arguments[2].target"]
    assert [s.id for s in loaded.list_maps()] == ["m"]
    unchanged(loaded, before)


def test_load_map_without_replace_refuses_an_existing_map(loaded):
    before = loaded.get_map("m")
    other = small_map()
    other.title = "Different"
    with pytest.raises(DuplicateId):
        loaded.load_map(other)
    unchanged(loaded, before)


def test_load_map_replace_swaps_the_whole_map(loaded):
    other = Map(id="m", title="Replaced", statements=[Statement(id="only", text="Only one.")])
    assert loaded.load_map(other, replace=True) == Counts(statements=1)
    assert loaded.get_map("m") == other
    assert loaded.check_integrity() == []


def test_load_map_replace_is_atomic(loaded, monkeypatch):
    """If inserting the new map fails half-way, the old map is still there, whole."""
    import argmap.store._store as impl

    before = loaded.get_map("m")
    real = impl._insert_many

    def failing(cur, table, rows):
        if table == "arguments":
            raise RuntimeError("disk full")
        return real(cur, table, rows)

    monkeypatch.setattr(impl, "_insert_many", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        loaded.load_map(small_map(), replace=True)
    monkeypatch.undo()
    unchanged(loaded, before)


# -- deletes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delete", "used_by"),
    [
        (lambda s, c: s.delete_speaker("m", "adviser", cascade=c), "statement 's3'"),
        (lambda s, c: s.delete_source("m", "art", cascade=c), "statement 's1'"),
        (lambda s, c: s.delete_statement("m", "s1", cascade=c), "argument 'a1'"),
        (lambda s, c: s.delete_argument("m", "a1", cascade=c), "argument 'a3'"),
    ],
    ids=["speaker", "source", "statement", "argument"],
)
def test_a_delete_is_refused_while_referenced(loaded, delete, used_by):
    before = loaded.get_map("m")
    with pytest.raises(InUse) as info:
        delete(loaded, False)
    assert used_by in info.value.reason and "cascade" in info.value.reason
    unchanged(loaded, before)


def test_cascade_removes_dependents_transitively(loaded):
    # adviser -> s3 -> a2 (premise), a4 (premise); a4 also undercuts a3 but a3 stays.
    gone = loaded.delete_speaker("m", "adviser", cascade=True)
    assert sorted(gone) == ["argument:a2", "argument:a4", "speaker:adviser", "statement:s3"]
    m = loaded.get_map("m")
    assert [s.id for s in m.statements] == ["s1", "s2", "s4", "s5"]
    assert [a.id for a in m.arguments] == ["a1", "a3"]
    assert loaded.check_integrity() == []
    check_map(m)


def test_cascade_through_an_undercut_chain(loaded):
    # s1 -> a1 (premise) -> a3 (undercuts a1) -> a4 (undercuts a3).
    gone = loaded.delete_statement("m", "s1", cascade=True)
    assert sorted(gone) == ["argument:a1", "argument:a3", "argument:a4", "statement:s1"]
    assert [a.id for a in loaded.list_arguments("m")] == ["a2"]
    assert loaded.check_integrity() == []


def test_cascade_from_a_source_follows_date_sources_too(loaded):
    gone = loaded.delete_source("m", "art", cascade=True)
    # art is the source of s1, s2 and the date source of s4; everything built on them goes.
    assert sorted(gone) == ["argument:a1", "argument:a2", "argument:a3", "argument:a4",
                            "source:art", "statement:s1", "statement:s2", "statement:s4"]
    assert [s.id for s in loaded.list_statements("m")] == ["s3", "s5"]
    assert loaded.check_integrity() == []


# -- write(fn): one transaction ---------------------------------------------------------------


def test_a_failure_inside_write_rolls_back_everything(loaded):
    before = loaded.get_map("m")

    def several_steps(cur):
        loaded.add_statement("m", Statement(id="n1", text="First new."))
        loaded.add_argument("m", Argument(id="n2", kind="support", premises=["n1"], target="s2"))
        loaded.delete_statement("m", "s5", cascade=True)
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        loaded.write(several_steps)
    unchanged(loaded, before)


def test_writes_inside_write_commit_together(loaded):
    def both(cur):
        loaded.add_statement("m", Statement(id="n1", text="New premise."))
        return loaded.add_argument("m", Argument(id="n2", kind="support", premises=["n1"], target="s2"))

    assert loaded.write(both).id == "n2"
    assert loaded.get_argument("m", "n2").premises == ["n1"]
    assert loaded.check_integrity() == []


def test_a_typed_error_inside_write_reaches_the_caller_unchanged(loaded):
    before = loaded.get_map("m")

    def fn(cur):
        loaded.add_statement("m", Statement(id="n1", text="New."))
        loaded.add_statement("m", Statement(id="n2", text="New.", speaker="putin"))

    with pytest.raises(DanglingReference) as info:
        loaded.write(fn)
    assert info.value.field == "$.speaker"
    unchanged(loaded, before)


# -- files ------------------------------------------------------------------------------------


def test_a_reopened_file_keeps_its_data_and_schema_version(tmp_path, seed):
    path = tmp_path / "argmap.duckdb"
    with Store(path) as s:
        s.load_map(seed)
        assert s.schema_version == SCHEMA_VERSION  # schema.sql and every migration
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.get_map(seed.id) == seed
    with Store(path, read_only=True) as s:
        assert s.get_map(seed.id) == seed
        with pytest.raises(InvalidInput, match="read-only"):
            s.create_map(MapInfo(id="x", title="x"))


def test_a_file_from_a_newer_argmap_is_refused(tmp_path):
    path = tmp_path / "argmap.duckdb"
    with Store(path) as s:
        s.write(lambda cur: cur.execute("INSERT INTO schema_version (version, name) VALUES (99, '0099_future')"))
    with pytest.raises(InvalidInput) as info:
        Store(path)
    assert info.value.field == "db" and "schema version 99" in info.value.reason


def test_a_file_that_is_not_a_database_is_a_typed_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    with pytest.raises(ArgmapError) as info:
        Store(path)
    assert info.value.field == "db"


def test_a_refused_write_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "argmap.duckdb"
    with Store(path) as s:
        s.load_map(small_map())
    data = path.read_bytes()
    with Store(path) as s:
        before = s.get_map("m")
        with pytest.raises(DanglingReference):
            s.add_statement("m", Statement(id="s9", text="t", speaker="putin"))
        with pytest.raises(InUse):
            s.delete_statement("m", "s1")
    with Store(path) as s:
        unchanged(s, before)
    assert path.read_bytes() == data, "a refused write does not even touch the file"


# -- threads ----------------------------------------------------------------------------------

THREADS, PER_THREAD = 8, 30  # 480 transactions: ~3 s on a busy 2-core machine


def test_concurrent_writers_lose_nothing_and_readers_see_whole_arguments(tmp_path):
    store = Store(tmp_path / "argmap.duckdb")
    store.create_map(MapInfo(id="m", title="Threads"))
    store.add_statement("m", Statement(id="root", text="The conclusion."))
    store.add_statement("m", Statement(id="base", text="A shared premise."))
    errors: list[BaseException] = []
    done = threading.Event()
    reads = [0]

    def writer(t: int) -> None:
        try:
            for i in range(PER_THREAD):
                store.add_statement("m", Statement(id=f"t{t}-s{i}", text=f"Premise {i} of thread {t}."))
                store.add_argument("m", Argument(id=f"t{t}-a{i}", kind="support",
                                                 premises=[f"t{t}-s{i}", "base"], target="root"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader() -> None:
        try:
            while not done.is_set():
                for a in store.list_arguments("m"):
                    assert a.premises == [a.id.replace("-a", "-s"), "base"], f"half an argument: {a}"
                m = store.get_map("m")
                check_map(m)  # every argument's premises are in the same snapshot
                reads[0] += 1
                done.wait(0.03)  # leave the two cores to the writers
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    readers = [threading.Thread(target=reader)]
    writers = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in readers + writers:
        th.start()
    for th in writers:
        th.join()
    done.set()
    for th in readers:
        th.join()
    assert errors == []
    assert reads[0] > 0
    statements = [s.id for s in store.list_statements("m")]
    arguments = [a.id for a in store.list_arguments("m")]
    assert len(statements) == len(set(statements)) == THREADS * PER_THREAD + 2
    assert len(arguments) == len(set(arguments)) == THREADS * PER_THREAD
    assert set(arguments) == {f"t{t}-a{i}" for t in range(THREADS) for i in range(PER_THREAD)}
    pages = [s.id for o in range(0, len(statements), 50) for s in store.list_statements("m", limit=50, offset=o)]
    assert pages == statements, "concurrent inserts still page in one stable order"
    assert store.check_integrity() == []
    store.close()
    with Store(tmp_path / "argmap.duckdb") as again:
        assert again.counts("m").arguments == THREADS * PER_THREAD


def test_get_map_reads_one_snapshot(loaded, monkeypatch):
    """A write that commits while get_map is reading must not give a map with half of it."""
    real = Store.list_statements

    def slow_list_statements(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        # Another thread commits a statement and an argument on it between the two reads.
        def write():
            self.add_statement("m", Statement(id="late", text="Late."))
            self.add_argument("m", Argument(id="late-arg", kind="support", premises=["late"], target="s2"))

        th = threading.Thread(target=write)
        th.start()
        th.join()
        return result

    monkeypatch.setattr(Store, "list_statements", slow_list_statements)
    m = loaded.get_map("m")
    monkeypatch.undo()
    check_map(m)
    assert "late-arg" not in [a.id for a in m.arguments]
    assert loaded.get_argument("m", "late-arg").premises == ["late"], "the write itself went through"


def run_threads(n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def test_racing_writers_of_the_same_id_get_one_success_and_typed_refusals(tmp_path):
    store = Store(tmp_path / "argmap.duckdb")
    store.create_map(MapInfo(id="m", title="Race"))
    wins: list[tuple[int, str]] = []
    refusals: list[str] = []

    def writer(t: int) -> None:
        for i in range(20):
            try:
                store.add_statement("m", Statement(id=f"s{i}", text=f"Thread {t} says {i}."))
                wins.append((t, f"s{i}"))
            except DuplicateId as e:
                refusals.append(e.reason)

    assert run_threads(6, writer) == [], "every loser gets DuplicateId, never a DuckDB error"
    assert sorted(sid for _, sid in wins) == sorted(f"s{i}" for i in range(20))
    assert len(refusals) == 5 * 20
    statements = store.list_statements("m")
    assert [s.id for s in statements] == [f"s{i}" for i in range(20)], "one row per id, in the order they won"
    assert {s.text for s in statements} == {f"Thread {t} says {sid[1:]}." for t, sid in wins}
    store.close()


@pytest.mark.parametrize("stores", [1, 2], ids=["one-store", "two-stores-on-one-file"])
def test_a_delete_racing_a_new_reference_never_leaves_it_dangling(tmp_path, stores):
    """Check-then-write is atomic: an argument is never stored on a premise deleted meanwhile.

    With two Stores on one file in one process, they share its writer lock (DuckDB gives both
    the same database), so the race is the same.
    """
    path = tmp_path / "argmap.duckdb"
    deleting = Store(path)
    adding = Store(path) if stores == 2 else deleting
    deleting.load_map(Map(id="m", title="Race", statements=[Statement(id="goal", text="Goal.")]
                          + [Statement(id=f"p{i}", text=f"Premise {i}.") for i in range(40)]))

    def worker(t: int) -> None:
        for i in range(40):
            try:
                if t == 0:
                    deleting.delete_statement("m", f"p{i}")
                else:
                    adding.add_argument("m", Argument(id=f"a{t}-{i}", kind="support", premises=[f"p{i}"],
                                                      target="goal"))
            except (InUse, NotFound, DanglingReference):
                pass  # the other side won this one, and said so

    assert run_threads(3, worker) == []
    assert deleting.check_integrity() == []
    check_map(deleting.get_map("m"))
    for store in {id(deleting): deleting, id(adding): adding}.values():
        store.close()


class FailingCommit:
    """A cursor whose commit fails as a full disk would make it: DuckDB ends the transaction."""

    def __init__(self, cur):
        self._cur = cur

    def __getattr__(self, name):
        return getattr(self._cur, name)

    def commit(self):
        self._cur.rollback()
        raise duckdb.IOException("could not write to the WAL: No space left on device")

    def execute(self, sql, *args):
        # The group commit sends its last statements and the COMMIT in one call.
        if isinstance(sql, str) and sql.rstrip().endswith("COMMIT"):
            self._cur.execute(sql.rstrip()[: -len("COMMIT")].rstrip().rstrip(";") or "SELECT 1")
            self.commit()
        return self._cur.execute(sql, *args)


class FailingCommits:
    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def cursor(self):
        return FailingCommit(self._conn.cursor())


def test_a_failed_commit_reaches_the_caller_as_itself(loaded, monkeypatch):
    before = loaded.get_map("m")
    monkeypatch.setattr(loaded, "_conn", FailingCommits(loaded._conn))
    monkeypatch.setattr(loaded, "_write_raw", None)  # the writer's kept cursor: made anew, failing
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        loaded.add_statement("m", Statement(id="s9", text="Never stored."))
    monkeypatch.undo()
    unchanged(loaded, before)


# -- Map versions kept in memory for a file (every cached answer checks one) --------------------


def test_a_write_through_one_store_moves_the_version_another_store_on_the_file_reads(tmp_path):
    path = tmp_path / "argmap.duckdb"
    with Store(path) as a, Store(path) as b:
        a.create_map(MapInfo(id="m", title="M"))
        before = b.map_version("m")
        assert b.map_version("m") == before  # now known to b's process without a query
        a.add_statement("m", Statement(id="s1", text="A new statement."))
        assert b.map_version("m") != before
        assert b.map_version("m") == a.map_version("m")


def test_a_version_read_before_a_commit_is_not_kept_after_it():
    # The race: a reader queries the version, a writer commits and forgets every version, and
    # only then does the reader store what it read. Kept, it would hide the commit until the
    # next write; every answer cached on it would be stale.
    from argmap.store._file import _Versions

    versions, reads = _Versions(), []

    def read_then_a_commit_lands():
        reads.append("query")
        versions.forget()  # the commit, between this reader's query and its store
        return 1

    assert versions.get("m", read_then_a_commit_lands) == 1
    assert versions.get("m", lambda: reads.append("query") or 2) == 2  # asked again, not the stale 1
    assert reads == ["query", "query"]
    assert versions.get("m", lambda: pytest.fail("a known version is not queried again")) == 2


def test_a_refused_write_leaves_the_version_as_the_database_has_it(tmp_path):
    with Store(tmp_path / "argmap.duckdb") as s:
        s.create_map(MapInfo(id="m", title="M"))
        before = s.map_version("m")
        with pytest.raises(DanglingReference):
            s.add_argument("m", Argument(id="a", kind="support", premises=["nope"], target="nope2"))
        assert s.map_version("m") == before
        with pytest.raises(NotFound):
            s.map_version("gone")
