"""argmap.query: the cached graph and statements follow writes, and build once under load."""

from __future__ import annotations

import threading
from pathlib import Path

import msgspec
import pytest

from argmap import query
from argmap.errors import NotFound
from argmap.mapfile import load
from argmap.model import Argument
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"
MAIN = "no-peace-without-ukraine-and-europe"


@pytest.fixture
def store():
    with Store(":memory:") as s:
        s.load_map(load(SEED))
        yield s


def test_concurrent_requests_build_the_graph_once(store, monkeypatch):
    builds = []
    real = query._build_graph

    def counting(*args):
        builds.append(1)
        return real(*args)

    monkeypatch.setattr(query, "_build_graph", counting)
    start = threading.Barrier(8)
    answers = []

    def ask():
        start.wait()
        answers.append(len(query.supporters(store, "peace-plan", MAIN, depth=None).items))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [23] * 8
    assert len(builds) == 1
    store.add_argument("peace-plan", Argument(id="s-new", kind="support", premises=["kremlin-silent"], target=MAIN))
    assert len(query.supporters(store, "peace-plan", MAIN).items) == 6  # a write: a new graph
    assert len(builds) == 2


def test_cached_statements_follow_writes(store):
    before = query.supporters(store, "peace-plan", MAIN).items[0].statement
    store.update_statement("peace-plan", type(before)(**{**{f: getattr(before, f) for f in before.__struct_fields__},
                                                         "text": "Changed."}))
    assert query.supporters(store, "peace-plan", MAIN).items[0].statement.text == "Changed."


def test_a_statement_read_follows_writes(store):
    assert query.statement(store, "peace-plan", "kremlin-silent").text.startswith("The Kremlin remains silent")
    current = store.get_statement("peace-plan", "kremlin-silent")
    store.update_statement("peace-plan", msgspec.structs.replace(current, text="Moscow says nothing."))
    assert query.statement(store, "peace-plan", "kremlin-silent").text == "Moscow says nothing."
    store.delete_statement("peace-plan", "kremlin-silent", cascade=True)
    with pytest.raises(NotFound):
        query.statement(store, "peace-plan", "kremlin-silent")
    with pytest.raises(NotFound) as e:
        query.statement(store, "no-map", "kremlin-silent")
    assert e.value.field == "map"
