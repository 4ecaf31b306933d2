"""Looking items up by id: through the id indexes, and always within the right map."""

from __future__ import annotations

import pytest

from argmap.errors import NotFound
from argmap.model import Argument, Map, Statement
from argmap.store import Store
from argmap.store._store import _STATEMENT_BY_ID


@pytest.fixture
def store():
    with Store(":memory:") as s:
        # The same ids in two maps: every lookup must keep to its own map.
        for m in ("a", "b"):
            s.load_map(Map(id=m, title=m.upper(), statements=[
                Statement(id="p", text=f"Premise in {m}."), Statement(id="q", text=f"Second in {m}."),
                Statement(id="c", text=f"Conclusion in {m}."),
            ], arguments=[Argument(id="arg", kind="support", premises=["q", "p"] if m == "a" else ["p"], target="c")]))
        yield s


def test_lookups_keep_to_their_map(store):
    assert store.get_statement("a", "p").text == "Premise in a."
    assert store.get_statement("b", "p").text == "Premise in b."
    assert store.get_argument("a", "arg").premises == ["q", "p"]  # in the author's order
    assert store.get_argument("b", "arg").premises == ["p"]
    assert [s.text for s in store.list_statements("b", ids=["c", "p"])] == ["Premise in b.", "Conclusion in b."]
    assert [s.text for s in store.list_statements("a", ids=["p", "q", "c"], offset=1, limit=1)] == ["Second in a."]


def test_a_missing_item_names_the_id_and_a_missing_map_names_the_map(store):
    for get in (store.get_statement, store.get_argument, store.get_speaker, store.get_source):
        with pytest.raises(NotFound) as e:
            get("a", "nope")
        assert e.value.field == "id"
        with pytest.raises(NotFound) as e:
            get("nope", "p")
        assert e.value.field == "map"


def test_ids_taken_in_another_map_are_free_here(store):
    store.load_map(Map(id="c", title="C"))
    store.add_statement("c", Statement(id="p", text="Premise in c."))
    store.add_statement("c", Statement(id="c", text="Conclusion in c."))
    store.add_argument("c", Argument(id="arg", kind="attack", premises=["p"], target="c"))
    assert store.get_statement("c", "p").text == "Premise in c."
    assert store.get_argument("c", "arg").kind == "attack"
    assert store.get_statement("a", "p").text == "Premise in a."


def test_a_statement_is_read_through_the_id_index(store):
    # A filter on the composite key (map_id, id) makes DuckDB scan the table; the store looks
    # statements up by id alone so that the index answers.
    with store.cursor() as cur:
        plan = "\n".join(r[1] for r in cur.execute("EXPLAIN ANALYZE " + _STATEMENT_BY_ID, {"id": "p"}).fetchall())
    assert "Index Scan" in plan
