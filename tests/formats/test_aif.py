"""AIF JSON in and out (argmap.formats.aif), on the real AraucariaDB and AIFdb corpora and on
small documents made for one edge case each."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from argmap.errors import DanglingReference, FormatError, InvalidInput
from argmap.formats import aif
from argmap.mapfile import load
from argmap.model import Argument, Map, Speaker, Statement

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external"
ARAUCARIA = EXTERNAL / "aif" / "araucaria"
AIFDB = EXTERNAL / "aif" / "aifdb"
MODELLED = {"I", "RA", "CA", "MA", "PA"}


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, bytes]]:
    files = sorted(ARAUCARIA.glob("*.json")) + sorted(AIFDB.glob("*.json"))
    if not files:
        pytest.skip(f"{EXTERNAL} not found: the AIF corpora sit beside the repository, not in it")
    return [(f.name, f.read_bytes()) for f in files]


def core(doc: dict) -> tuple[set, set]:
    """I, RA, CA, MA and PA nodes (every field) and the edges between them, ids as text."""
    nodes = {str(n["nodeID"]): n for n in doc["nodes"] if n["type"] in MODELLED}
    node_set = {
        (k, n["type"], n["text"], n.get("timestamp"), n.get("scheme"), str(n.get("schemeID"))) for k, n in nodes.items()
    }
    edges = {
        (str(e["edgeID"]), str(e["fromID"]), str(e["toID"]))
        for e in doc["edges"] if str(e["fromID"]) in nodes and str(e["toID"]) in nodes
    }
    return node_set, edges


def doc(nodes, edges, **extra) -> bytes:
    return json.dumps({"nodes": nodes, "edges": edges, **extra}).encode()


def node(i, type_, text=None, **kw):
    return {"nodeID": i, "type": type_, "text": text if text is not None else f"text of {i}", **kw}


def edge(i, a, b):
    return {"edgeID": i, "fromID": a, "toID": b}


# -- the corpora -----------------------------------------------------------------------------


def test_corpus_counts(corpus):
    assert len(corpus) == 664  # 661 AraucariaDB + 3 AIFdb nodesets


def test_every_corpus_file_imports_and_round_trips(corpus):
    for name, raw in corpus:
        m = aif.loads(raw, map_id="m")
        out = aif.dumps(m)
        assert core(json.loads(out)) == core(json.loads(raw)), name
        assert aif.loads(out, map_id="m") == m, name


def test_corpus_translation_matches_the_node_counts(corpus):
    for name, raw in corpus:
        d = json.loads(raw)
        types = Counter(n["type"] for n in d["nodes"])
        m = aif.loads(raw, map_id="m")
        kinds = Counter(a.kind for a in m.arguments)
        assert len(m.statements) == types["I"], name
        assert kinds["support"] == types["RA"], name
        assert kinds["attack"] + kinds["undercut"] == types["CA"], name
        assert len(m.relations) == types["MA"] + types["PA"], name
        ca_targets = {str(e["toID"]) for e in d["edges"] for n in d["nodes"]
                      if n["type"] == "CA" and str(n["nodeID"]) == str(e["fromID"])}
        ra_ids = {str(n["nodeID"]) for n in d["nodes"] if n["type"] == "RA"}
        assert kinds["undercut"] == len(ca_targets & ra_ids), name


def test_aifdb_locutions_give_speaker_and_time_said_not_annotation_time():
    path = AIFDB / "nodeset21145.json"
    if not path.exists():
        pytest.skip(f"{path} not found")
    imported = aif.read(path.read_bytes(), map_id="debate")
    m = imported.map
    s = next(s for s in m.statements if s.id == "697878")
    speakers = {sp.id: sp for sp in m.speakers}
    assert speakers[s.speaker].name == "Paul Dean"
    assert s.said == "2020-10-15T22:50:02"  # locutions[].start, to the second
    assert s.extras["aif"]["timestamp"] == "2021-05-17 10:21:10"  # annotation time, kept apart
    dated = [s for s in m.statements if s.said]
    assert dated and all(s.said[:4] == "2020" for s in dated)  # never the 2021 annotation time
    assert {sp.name for sp in m.speakers} == {"Paul Dean", "Lynda Chalker", "Unknown Buchan"}
    assert imported.skipped["TA nodes"] > 0


def test_aifdb_rephrase_nodes_are_kept():
    path = AIFDB / "nodeset21148.json"
    if not path.exists():
        pytest.skip(f"{path} not found")
    raw = json.loads(path.read_bytes())
    m = aif.loads(path.read_bytes(), map_id="debate")
    ma = sum(n["type"] == "MA" for n in raw["nodes"])
    assert ma > 0 and len(m.relations) == ma
    assert {r.kind for r in m.relations} == {"rephrase"}
    out = json.loads(aif.dumps(m))
    assert sum(n["type"] == "MA" for n in out["nodes"]) == ma


# -- the mapping, one case at a time ----------------------------------------------------------


def test_ra_ca_undercut_ma_pa():
    raw = doc(
        [node(1, "I"), node(2, "I"), node(3, "I"), node(4, "I"), node(5, "I"),
         node(10, "RA", "Default Inference"), node(11, "CA", "Default Conflict"), node(12, "CA"),
         node(13, "MA"), node(14, "PA")],
        [edge(1, 1, 10), edge(2, 2, 10), edge(3, 10, 3), edge(4, 4, 11), edge(5, 11, 3),
         edge(6, 5, 12), edge(7, 12, 10), edge(8, 3, 13), edge(9, 13, 4), edge(10, 11, 14), edge(11, 14, 12)],
    )
    m = aif.loads(raw, map_id="m")
    args = {a.id: (a.kind, a.premises, a.target) for a in m.arguments}
    assert args == {
        "10": ("support", ["1", "2"], "3"),
        "11": ("attack", ["4"], "3"),
        "12": ("undercut", ["5"], "10"),
    }
    rels = {r.id: (r.kind, r.sources, r.target) for r in m.relations}
    assert rels == {"13": ("rephrase", ["3"], "4"), "14": ("preference", ["11"], "12")}
    again = aif.loads(aif.dumps(m), map_id="m")
    assert again == m


def test_integer_ids_come_back_as_integers():
    raw = doc([node(1, "I"), node(2, "I"), node(3, "RA")], [edge(7, 1, 3), edge(8, 3, 2)])
    m = aif.loads(raw, map_id="m")
    assert [s.id for s in m.statements] == ["1", "2"]
    out = json.loads(aif.dumps(m))
    assert {n["nodeID"] for n in out["nodes"]} == {1, 2, 3}
    assert {(e["edgeID"], e["fromID"], e["toID"]) for e in out["edges"]} == {(7, 1, 3), (8, 3, 2)}


def test_ids_argmap_cannot_use_get_an_id_and_keep_the_original():
    raw = doc([node("a b", "I"), node("c/d", "I"), node("r 1", "RA")], [edge(1, "a b", "r 1"), edge(2, "r 1", "c/d")])
    m = aif.loads(raw, map_id="m")
    ids = [s.id for s in m.statements]
    assert ids == ["a-b", "c-d"]
    out = json.loads(aif.dumps(m))
    assert {n["nodeID"] for n in out["nodes"]} == {"a b", "c/d", "r 1"}


def test_xaif_wrapper_in_and_out():
    nodeset = {"nodes": [node("1", "I"), node("2", "I"), node("3", "RA")],
               "edges": [edge("1", "1", "3"), edge("2", "3", "2")]}
    raw = json.dumps({"AIF": nodeset, "text": "the dialogue text"}).encode()
    m = aif.loads(raw, map_id="x")
    assert m.extras == {"aif": {"xaif_text": "the dialogue text"}}
    assert [(a.premises, a.target) for a in m.arguments] == [(["1"], "2")]
    out = json.loads(aif.dumps(m, xaif=True))
    assert out["text"] == "the dialogue text" and core(out["AIF"]) == core(nodeset)


def test_locution_start_keeps_its_precision_and_zero_dates_are_no_date():
    assert aif.said_from_start("2020-10-15 22:50:02") == "2020-10-15T22:50:02"
    assert aif.said_from_start("2020-10-15 22:50") == "2020-10-15T22:50:00"
    assert aif.said_from_start("2025-11") == "2025-11"
    assert aif.said_from_start("0000-00-00 00:00:00") is None
    with pytest.raises(ValueError):
        aif.said_from_start("yesterday")
    assert aif.start_from_said("2020-10-15T22:50:02") == "2020-10-15 22:50:02"
    assert aif.start_from_said("2025-11-26~") == "2025-11-26~"


def test_l_node_text_names_the_speaker_without_locutions():
    raw = doc(
        [node(1, "L", "Kaja Kallas : There is no viable plan"), node(2, "YA", "Asserting"), node(3, "I", "No plan is viable.")],
        [edge(1, 1, 2), edge(2, 2, 3)],
    )
    m = aif.loads(raw, map_id="m")
    assert [(sp.id, sp.name) for sp in m.speakers] == [("kaja-kallas", "Kaja Kallas")]
    assert m.statements[0].speaker == "kaja-kallas" and m.statements[0].said is None


def test_the_earliest_locution_speaks_a_statement():
    raw = doc(
        [node(1, "L", "A : x"), node(2, "YA", "Agreeing"), node(3, "L", "B : y"), node(4, "YA", "Asserting"),
         node(5, "I", "x")],
        [edge(1, 1, 2), edge(2, 2, 5), edge(3, 3, 4), edge(4, 4, 5)],
        locutions=[{"nodeID": 1, "personID": 7, "start": "2021-01-01 10:00:05"},
                   {"nodeID": 3, "personID": 8, "start": "2021-01-01 10:00:01"}],
        participants=[{"participantID": 7, "firstname": "Ann", "surname": "A"},
                      {"participantID": 8, "firstname": "Bob", "surname": "B"}],
    )
    imported = aif.read(raw, map_id="m")
    s = imported.map.statements[0]
    assert s.speaker == "8" and s.said == "2021-01-01T10:00:01"
    assert {sp.name for sp in imported.map.speakers} == {"Ann A", "Bob B"}
    assert imported.skipped == {"L nodes": 1, "YA nodes": 1, "edges": 2}
    assert imported.counts == {"L nodes": 2, "YA nodes": 2, "I nodes": 1, "edges": 4}
    assert any("earliest" in n for n in imported.notes)


def test_export_of_the_seed_has_aifdbs_shape():
    m = load(REPO / "seeds" / "peace-plan.yaml")
    out = json.loads(aif.dumps(m))
    # AIFdb's members, and argmap's own (what AIF has no field for: aif.KEPT) beside them
    assert set(out) == {"nodes", "edges", "locutions", "participants", "argmapModel"}
    assert all(set(n) >= {"nodeID", "text", "type", "timestamp"} for n in out["nodes"])
    assert all(set(e) == {"edgeID", "fromID", "toID", "formEdgeID"} for e in out["edges"])
    assert all(set(loc) == {"nodeID", "personID", "timestamp", "start", "end", "source"} for loc in out["locutions"])
    assert all(set(p) - {"argmap"} == {"participantID", "firstname", "surname"} for p in out["participants"])
    types = Counter(n["type"] for n in out["nodes"])
    kinds = Counter(a.kind for a in m.arguments)
    assert types["I"] == len(m.statements)
    assert types["RA"] == kinds["support"] and types["CA"] == kinds["attack"] + kinds["undercut"]
    ids = [str(n["nodeID"]) for n in out["nodes"]]
    assert len(ids) == len(set(ids))
    known = set(ids)
    assert all(str(e["fromID"]) in known and str(e["toID"]) in known for e in out["edges"])
    back = aif.loads(json.dumps(out), map_id=m.id, title=m.title)
    assert [(a.id, a.kind, a.premises, a.target) for a in back.arguments] == [
        (a.id, a.kind, a.premises, a.target) for a in m.arguments
    ]
    assert [(s.id, s.text, s.speaker, s.said) for s in back.statements] == [
        (s.id, s.text, s.speaker, s.said) for s in m.statements
    ]
    unnamed = next(sp for sp in back.speakers if sp.id == "zelensky-adviser")
    assert (unnamed.name, unnamed.role) == (None, "close adviser to Volodymyr Zelensky")


def test_export_timestamp_is_reproducible(monkeypatch):
    m = Map(id="m", title="M", statements=[Statement(id="s", text="A claim.", speaker="p")],
            speakers=[Speaker(id="p", name="Ann")])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert aif.dumps(m) == aif.dumps(m)
    assert json.loads(aif.dumps(m))["nodes"][0]["timestamp"] == "2023-11-14 22:13:20"


# -- bad input: one error naming every problem, nothing imported ------------------------------


@pytest.mark.parametrize(
    ("raw", "cls", "field", "reason"),
    [
        (b'{"nodes": [', FormatError, "$", "not AIF JSON"),
        (b'[1, 2]', FormatError, "$", "Expected `object`"),
        (doc([node(1, "XX")], []), FormatError, "$.nodes[0].type", "'XX' is not an AIF node type"),
        (doc([node(1, "I")], [edge(1, 1, 9)]), DanglingReference, "$.edges[0].toID", "no node has nodeID '9'"),
        (doc([node(1, "I"), node(2, "CA")], [edge(1, 1, 2)]), InvalidInput, "$.nodes[1]", "has no target"),
        (doc([node(1, "I"), node(2, "RA")], [edge(1, 1, 2)]), InvalidInput, "$.nodes[1]", "has no conclusion"),
        (doc([node(1, "I"), node(2, "RA")], [edge(1, 2, 1)]), InvalidInput, "$.nodes[1]", "has no premise"),
        (doc([node(1, "I"), node(1, "I")], []), InvalidInput, "$.nodes[1].nodeID", "duplicate nodeID '1'"),
        (doc([node(1, "I", " ")], []), InvalidInput, "$.nodes[0].text", "must not be empty"),
        (doc([node(1, "I"), node(2, "I")], [edge(1, 1, 2)]), InvalidInput, "$.edges[0]", "means nothing in AIF"),
        (doc([node(1, "I"), node(2, "I"), node(3, "RA")], [edge(1, 1, 3), edge(2, 3, 2), edge(3, 1, 3)]),
         InvalidInput, "$.edges[2]", "repeats edges[0]"),
        (json.dumps({"AIF": {"nodes": [node(1, "I"), node(2, "RA")], "edges": [edge(1, 1, 2)]}}).encode(),
         InvalidInput, "$.AIF.nodes[1]", "has no conclusion"),
        (doc([node(1, "L")], [], locutions=[{"nodeID": 1, "start": "last Tuesday"}]), InvalidInput,
         "$.locutions[0].start", "not a valid EDTF date"),
    ],
)
def test_bad_input_names_the_place(raw, cls, field, reason):
    with pytest.raises(cls) as info:
        aif.loads(raw, map_id="m")
    assert any(p.field == field and reason in p.reason for p in info.value.problems), info.value.problems


def test_every_problem_is_reported_at_once():
    raw = doc([node(1, "I"), node(2, "CA"), node(3, "RA")], [edge(1, 1, 2), edge(2, 1, 3), edge(3, 5, 1)])
    with pytest.raises(InvalidInput) as info:
        aif.loads(raw, map_id="m")
    fields = {p.field for p in info.value.problems}
    assert fields == {"$.nodes[1]", "$.nodes[2]", "$.edges[2].fromID"}


def test_extras_survive_a_mapfile_round_trip():
    from argmap.mapfile import dumps, loads

    path = AIFDB / "nodeset21145.json"
    if not path.exists():
        pytest.skip(f"{path} not found")
    m = aif.loads(path.read_bytes(), map_id="debate")
    assert loads(dumps(m, format="json"), format="json") == m
    assert msgspec.json.decode(aif.dumps(loads(dumps(m, format="yaml"), format="yaml")))["nodes"]


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (doc([node(1, "I", argmap={"kind": "rumour"})], []), "$.nodes[0].argmap.kind", "Invalid enum value"),
        (doc([node(1, "I", argmap={"tags": ["a b"]})], []), "$.nodes[0].argmap.tags[0]", "Expected `str` matching"),
        (doc([node(1, "I", argmap={"source": "nowhere"})], []), "$.nodes[0].argmap.source", "unknown source"),
        (doc([node(1, "I", argmap=[1])], []), "$.nodes[0].argmap", "Expected `object"),
        (doc([node(1, "I")], [], argmapModel={"sources": [{"id": "s", "title": "S", "url": "ftp://x"}]}),
         "$.argmapModel.sources[0].url", "Expected `str` matching"),
        (doc([node(1, "I")], [], argmapModel={"id": "peace.json"}), "$.argmapModel.id", "names a document format"),
        (doc([node(1, "I")], [], participants=[{"participantID": 1, "argmap": {"role": " "}}]),
         "$.participants['1'].argmap.role", "must not be empty"),
    ],
)
def test_argmaps_own_members_are_checked_and_named(raw, field, reason):
    with pytest.raises(InvalidInput) as info:
        aif.loads(raw)
    assert any(p.field == field and reason in p.reason for p in info.value.problems), info.value.problems


def test_argmaps_own_members_never_override_what_aif_says():
    raw = doc([node("s", "I", "AIF text", argmap={"text": "other", "kind": "event",
                                                   "extras": {"aif": {"nodeID": 9}, "mine": 1}})], [])
    s = aif.loads(raw).statements[0]
    assert (s.id, s.text, s.kind, s.extras["mine"], s.extras["aif"].get("nodeID")) == ("s", "AIF text", "event", 1, None)


def test_an_exported_items_id_is_in_its_argmap_member_and_edges_join_short_node_ids():
    m = Map(id="m", title="M", statements=[Statement(id="s" * 128, text="A."), Statement(id="t", text="B.")],
            arguments=[Argument(id="a" * 128, kind="support", premises=["s" * 128], target="t")])
    out = json.loads(aif.dumps(m))
    assert all(len(str(x)) < 4 for e in out["edges"] for x in (e["fromID"], e["toID"]))
    assert [n["argmap"]["id"] for n in out["nodes"]] == ["s" * 128, "t", "a" * 128]
    back = aif.loads(json.dumps(out))
    assert [(a.id, a.premises, a.target) for a in back.arguments] == [("a" * 128, ["s" * 128], "t")]
