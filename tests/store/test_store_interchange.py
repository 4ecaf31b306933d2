"""What interchange formats need from the store: extras kept as they are, rephrase and
preference relations with their references checked, and the 0002 migration of old files."""

from __future__ import annotations

import duckdb
import pytest

from argmap.errors import DanglingReference, DuplicateId, InUse, InvalidInput
from argmap.model import Argument, Map, Relation, Statement, check_map
from argmap.store import Store
from argmap.store._store import SCHEMA_VERSION, _schema_sql


def small_map(**kw) -> Map:
    return Map(
        id="m",
        title="M",
        statements=[
            Statement(id="a", text="A.", extras={"aif": {"nodeID": 7, "timestamp": None}}),
            Statement(id="b", text="B."),
            Statement(id="c", text="C."),
        ],
        arguments=[
            Argument(id="r", kind="support", premises=["a"], target="b", extras={"argdown": {"title": "R"}}),
            Argument(id="s", kind="support", premises=["c"], target="b"),
        ],
        relations=[
            Relation(id="ma", kind="rephrase", sources=["a"], target="c", scheme="Default Rephrase"),
            Relation(id="pa", kind="preference", sources=["r"], target="s", extras={"aif": {"edges": [1, 2]}}),
        ],
        extras={"argdown": {"front_matter": {"author": "x"}}},
        **kw,
    )


def test_map_with_extras_and_relations_round_trips():
    m = small_map()
    with Store(":memory:") as store:
        counts = store.load_map(m)
        assert (counts.statements, counts.arguments, counts.relations) == (3, 2, 2)
        assert store.get_map("m") == m
        assert store.check_integrity() == []


def test_updates_keep_extras():
    with Store(":memory:") as store:
        store.load_map(small_map())
        st = store.get_statement("m", "b")
        st.extras = {"argdown": {"data": {"isInMap": False}}}
        store.update_statement("m", st)
        arg = store.get_argument("m", "s")
        arg.extras = {"aif": {"schemeID": "72"}}
        store.update_argument("m", arg)
        assert store.get_statement("m", "b").extras == {"argdown": {"data": {"isInMap": False}}}
        assert store.get_argument("m", "s").extras == {"aif": {"schemeID": "72"}}


def test_relation_references_are_checked():
    bad = small_map()
    bad.relations.append(Relation(id="ma2", kind="rephrase", sources=["r"], target="zz"))
    with pytest.raises(DanglingReference) as info:
        check_map(bad)
    assert {p.field for p in info.value.problems} == {"$.relations[2].sources[0]", "$.relations[2].target"}
    assert "is an argument" in info.value.problems[0].reason


def test_relation_ids_share_the_node_id_space():
    bad = small_map()
    bad.relations.append(Relation(id="a", kind="rephrase", sources=["b"], target="c"))
    with pytest.raises(InvalidInput, match=r"already used by a statement \(at \$.statements\[0\]\)"):
        check_map(bad)


def test_deleting_what_a_relation_links_needs_cascade():
    with Store(":memory:") as store:
        store.load_map(small_map())
        with pytest.raises(InUse, match="relation 'ma'"):
            store.delete_statement("m", "c", cascade=False)
        deleted = store.delete_argument("m", "r", cascade=True)
        assert deleted == ["argument:r", "relation:pa"]
        assert [r.id for r in store.list_relations("m")] == ["ma"]
        assert store.delete_relation("m", "ma") == ["relation:ma"]
        assert store.check_integrity() == []


def test_new_node_ids_may_not_reuse_a_relation_id():
    with Store(":memory:") as store:
        store.load_map(small_map())
        with pytest.raises(DuplicateId, match="already taken by a relation"):
            store.add_statement("m", Statement(id="ma", text="Taken."))


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(_schema_sql())
    con.execute("INSERT INTO schema_version (version, name) VALUES (1, '0001_initial')")
    con.execute("INSERT INTO maps (id, title) VALUES ('m', 'Old')")
    con.execute("INSERT INTO statements (map_id, id, seq, text, kind) VALUES ('m', 's', 0, 'Kept.', 'claim')")
    con.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 2
        assert store.get_statement("m", "s").text == "Kept."
        assert store.get_map("m").relations == []
    with Store(path) as store:  # opening again applies nothing twice
        assert store.schema_version == SCHEMA_VERSION


def test_extras_are_bounded():
    with pytest.raises(ValueError, match="extras"):
        Statement(id="s", text="x", extras={"aif": {"blob": "x" * 200_000}})
