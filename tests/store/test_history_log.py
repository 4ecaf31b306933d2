"""What the change log keeps of each write: an edit's states before and after exactly as a read
showed them (they are taken from the rows the write has in hand, not read back), in composed
and grouped writes too; nothing for a refused write; and a database written before the log
became one table of seven columns keeps its whole history readable after the migrations."""

from __future__ import annotations

import threading

import duckdb
import msgspec
import pytest

from argmap import history
from argmap.errors import InvalidInput
from argmap.model import Argument, Map, MapInfo, Quote, Source, Speaker, Statement
from argmap.store import Store, _history

LAKE_IS_SLOW = True


def _map() -> Map:
    return Map(
        id="m", title="A map",
        speakers=[Speaker(id="sp1", name="Ann", role="minister"), Speaker(id="sp2", name="Bob")],
        sources=[Source(id="src1", title="A paper", text="The minister said the plan is ready.")],
        statements=[Statement(id=f"s{i}", text=f"Claim number {i}.") for i in range(6)],
        arguments=[Argument(id="a1", kind="support", premises=["s1", "s2"], target="s0"),
                   Argument(id="a2", kind="attack", premises=["s3"], target="s0")],
    )


def _doc(item) -> dict:
    return msgspec.to_builtins(item)


def _last_changes(store) -> dict:
    v = history.current_version(store, "m")
    return {(c.kind, c.id): (c.before, c.after) for c in _history.changes(store, "m", v)}


def test_an_edit_logs_exactly_the_states_a_read_showed_before_and_after(store):
    store.load_map(_map())
    edits = [
        ("statement", lambda: store.get_statement("m", "s1"), lambda: store.update_statement("m", Statement(
            id="s1", text="Claim number 1, corrected.", kind="event", speaker="sp1", said="2025-11",
            source="src1", quote=Quote(start=4, end=12, text="minister"), tags=["b", "a"], note="n",
            extras={"aif": {"x": 1}})), lambda: store.get_statement("m", "s1")),
        ("argument", lambda: store.get_argument("m", "a1"), lambda: store.update_argument("m", Argument(
            id="a1", kind="support", premises=["s4", "s2", "s5"], target="s0", scheme="expert opinion",
            roles={"s4": "expert"}, note="re-argued")), lambda: store.get_argument("m", "a1")),
        ("speaker", lambda: store.get_speaker("m", "sp2"), lambda: store.update_speaker(
            "m", Speaker(id="sp2", name="Bob B.", affiliation="Party")), lambda: store.get_speaker("m", "sp2")),
        ("source", lambda: store.get_source("m", "src1"), lambda: store.update_source("m", Source(
            id="src1", title="A paper, 2nd ed.", url="https://example.org/p",
            text="The minister said the plan is ready.")), lambda: store.get_source("m", "src1")),
    ]
    for kind, read_before, write, read_after in edits:
        before = _doc(read_before())
        write()
        after = _doc(read_after())
        assert before != after
        item_id = after["id"]
        assert _last_changes(store) == {(kind, item_id): (before, after)}
    assert _history.check(store) == []


def test_an_edit_that_changes_nothing_logs_a_version_with_no_change(store):
    store.load_map(_map())
    store.update_statement("m", store.get_statement("m", "s2"))
    (v,) = history.history(store, "m", limit=1)
    assert (v.changes, v.summary) == (0, "no change")


def test_writes_composed_in_one_transaction_log_the_state_before_the_first_and_after_the_last(store):
    store.load_map(_map())
    before = _doc(store.get_statement("m", "s1"))

    def both(cur):
        store.update_statement("m", Statement(id="s1", text="First edit."))
        store.update_statement("m", Statement(id="s1", text="Second edit.", tags=["x"]))
        store.add_statement("m", Statement(id="s9", text="Added, then edited."))
        store.update_statement("m", Statement(id="s9", text="Added and edited."))

    store.write(both)
    assert _last_changes(store) == {
        ("statement", "s1"): (before, _doc(store.get_statement("m", "s1"))),
        ("statement", "s9"): (None, _doc(store.get_statement("m", "s9"))),
    }
    assert store.get_statement("m", "s1").text == "Second edit."
    assert _history.check(store) == []


def test_an_edit_then_a_delete_in_one_write_logs_the_entity_gone(store):
    store.load_map(_map())
    before = _doc(store.get_statement("m", "s5"))

    def edit_then_delete(cur):
        store.update_statement("m", Statement(id="s5", text="Edited, then deleted."))
        store.delete_statement("m", "s5")

    store.write(edit_then_delete)
    assert _last_changes(store) == {("statement", "s5"): (before, None)}


def test_a_refused_edit_logs_nothing(store):
    store.load_map(_map())
    last = history.history(store, "m")
    with pytest.raises(InvalidInput):
        store.update_statement("m", Statement(id="s1", text="Said by nobody.", speaker="nobody"))
    assert history.history(store, "m") == last


def test_edits_grouped_into_shared_commits_each_log_their_own_before_and_after(tmp_path):
    # Many threads: group commit runs their writes in shared transactions, a refused one among
    # them (which rolls its group back and runs the others again). Each version's state before
    # of an entity must be the state after of that entity's version before it.
    with Store(str(tmp_path / "g.duckdb")) as store:
        store.load_map(_map())

        def worker(t: int) -> None:
            for i in range(12):
                sid = f"s{(t + i) % 6}"
                try:
                    store.update_statement("m", Statement(id=sid, text=f"Edit {t}.{i}.",
                                                          speaker="nobody" if i == 5 else None))
                except InvalidInput:
                    pass

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        versions = history.history(store, "m", limit=1000)
        assert len(versions) == 1 + 6 * 11  # the load, then every accepted edit; the refused ones log nothing
        last: dict = {}
        for v in sorted(x.version for x in versions)[1:]:
            (change,) = _history.changes(store, "m", v)
            if change.id in last:
                assert change.before == last[change.id]
            last[change.id] = change.after
        for sid, doc in last.items():
            assert doc == _doc(store.get_statement("m", sid))
        assert _history.check(store) == []


_SCHEMA_4_LOG = """
    CREATE TABLE change_log_7 AS SELECT * FROM change_log;
    DROP TABLE change_log;
    CREATE TABLE change_log (
        map_id VARCHAR NOT NULL, version BIGINT NOT NULL, kind VARCHAR, id VARCHAR, seq BIGINT, before VARCHAR,
        after VARCHAR, written_at TIMESTAMP, author VARCHAR, message VARCHAR, action VARCHAR, restored_from BIGINT,
        summary VARCHAR, changes BIGINT);
    INSERT INTO change_log
        SELECT map_id, version, kind, id, seq, before, after, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM change_log_7 WHERE kind IS NOT NULL
        UNION ALL
        SELECT map_id, version, NULL, NULL, NULL, NULL, NULL, make_timestamp(seq), after->>'author',
               after->>'message', after->>'action', (after->>'restored_from')::BIGINT, after->>'summary',
               (after->>'changes')::BIGINT
        FROM change_log_7 WHERE kind IS NULL;
    DROP TABLE change_log_7;
    DELETE FROM schema_version WHERE version >= 5;
    CHECKPOINT;
"""


def _to_schema_4(path: str) -> None:
    """Make the file what argmap wrote before the log became seven columns (schema version 4):
    a version's own row with its time, author, message, action, restored_from, summary and
    changes in columns of their own."""
    with duckdb.connect(path) as con:
        con.execute(_SCHEMA_4_LOG)


def _to_schema_3(path: str) -> None:
    """Make the file what argmap wrote before the log became one table (schema version 3)."""
    _to_schema_4(path)
    con = duckdb.connect(path)
    con.execute("""
        CREATE TABLE history_versions (
            map_id VARCHAR NOT NULL, version BIGINT NOT NULL, written_at TIMESTAMP NOT NULL, author VARCHAR,
            message VARCHAR, action VARCHAR NOT NULL, restored_from BIGINT, summary VARCHAR NOT NULL,
            changes BIGINT NOT NULL, PRIMARY KEY (map_id, version));
        CREATE TABLE history_changes (
            map_id VARCHAR NOT NULL, version BIGINT NOT NULL, kind VARCHAR NOT NULL, id VARCHAR NOT NULL,
            seq BIGINT, before VARCHAR, after VARCHAR);
        CREATE INDEX history_changes_id ON history_changes (id);
        INSERT INTO history_versions SELECT map_id, version, written_at, author, message, action, restored_from,
            summary, changes FROM change_log WHERE kind IS NULL;
        INSERT INTO history_changes SELECT map_id, version, kind, id, seq, before, after FROM change_log
            WHERE kind IS NOT NULL;
        DROP TABLE change_log;
        DELETE FROM schema_version WHERE version >= 4;
        CHECKPOINT;
    """)
    con.close()


@pytest.mark.parametrize("old", [3, 4], ids=["two-tables", "fourteen-columns"])
def test_a_database_from_before_the_seven_column_log_keeps_its_history(tmp_path, old):
    path = str(tmp_path / "old.duckdb")
    with Store(path) as store, history.author("ann", "first"):
        store.load_map(_map())
        store.update_statement("m", Statement(id="s1", text="Edited."))
        store.delete_statement("m", "s3", cascade=True)
        store.update_map(MapInfo(id="m", title="Renamed"))
        history.restore(store, "m", 2)
        store.delete_map("m")
        store.create_map(MapInfo(id="m", title="Again"))
        last = history.current_version(store, "m")
        pages = history.history(store, "m")
        changes = {v: _history.changes(store, "m", v) for v in range(1, last + 1)}
        maps = {}
        for v in range(1, last + 1):
            try:
                maps[v] = history.map_as_of(store, "m", v)
            except Exception as e:  # noqa: BLE001 - the map deleted at that version
                maps[v] = type(e)
        diff = history.diff(store, "m", 1, 5)
    (_to_schema_3 if old == 3 else _to_schema_4)(path)
    with duckdb.connect(path) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == old
    with Store(path) as store:
        assert store.schema_version == 5
        assert history.history(store, "m") == pages
        assert history.version_of(store, "m", pages[0].at) == last  # a read by time finds the same version
        assert {v: _history.changes(store, "m", v) for v in range(1, last + 1)} == changes
        for v, m in maps.items():
            if isinstance(m, Map):
                assert history.map_as_of(store, "m", v) == m
            else:
                with pytest.raises(m):
                    history.map_as_of(store, "m", v)
        assert history.diff(store, "m", 1, 5) == diff
        assert _history.check(store) == []
        store.add_statement("m", Statement(id="after", text="Written after the migration."))
        assert history.current_version(store, "m") == last + 1
        assert _last_changes(store) == {("statement", "after"): (None, _doc(store.get_statement("m", "after")))}


def test_a_restore_puts_back_only_what_changed_since_each_row_in_its_place(store):
    store.load_map(_map())
    store.add_statement("m", Statement(id="s9", text="Added after version 2."))
    kept = store.get_map("m")
    v = history.current_version(store, "m")
    store.update_statement("m", Statement(id="s1", text="Rewritten claim about zebras."))
    store.delete_statement("m", "s3", cascade=True)  # and a2, which argues from it
    store.add_statement("m", Statement(id="s10", text="Added after the version restored."))
    store.update_map(MapInfo(id="m", title="Renamed"))
    assert store.search("m", "zebras")
    restored = history.restore(store, "m", v)
    assert (restored.action, restored.restored_from) == ("restore", v)
    assert store.get_map("m") == kept  # every row back in its place, the map's title too
    assert {(c.kind, c.id) for c in _history.changes(store, "m", restored.version)} == {
        ("map", "m"), ("statement", "s1"), ("statement", "s3"), ("argument", "a2"), ("statement", "s10")}
    assert restored.summary.startswith(f"restored version {v}; ")
    # The search index follows: the restored text is found, the undone one is not.
    assert "s1" in [s.id for s, _ in store.search("m", "Claim number", limit=20)]
    assert store.search("m", "zebras") == []
    assert history.map_as_of(store, "m", restored.version) == kept
    assert _history.check(store) == []


def test_a_delete_logs_each_entity_it_took_as_it_was(store):
    store.load_map(_map())
    before = {("statement", "s3"): _doc(store.get_statement("m", "s3")),
              ("argument", "a2"): _doc(store.get_argument("m", "a2"))}
    store.delete_statement("m", "s3", cascade=True)
    assert _last_changes(store) == {k: (doc, None) for k, doc in before.items()}
    assert _history.check(store) == []


def test_the_check_finds_a_write_without_its_log_and_rows_changed_past_the_log(store):
    """``check`` compares every entity; ``check(recent=N)`` the entities of the last N versions
    whole and, of the others, how many of each kind exist: a row deleted or added behind the
    log's back is found either way; a text edited behind its back long ago only by the full one."""
    store.load_map(_map())
    for i in range(4):
        store.add_statement("m", Statement(id=f"n{i}", text=f"Added {i}."))
    store.update_statement("m", Statement(id="s1", text="Edited."))
    assert _history.check(store) == [] and _history.check(store, recent=1) == [] and _history.check(store, recent=50) == []
    last = history.current_version(store, "m")
    differs = [f"map 'm' differs from its logged version {last}"]
    # The last write's log row gone (as if the write had committed without it).
    store.write(lambda cur: cur.execute(f"DELETE FROM change_log WHERE map_id = 'm' AND version = {last} AND id = 's1'"))
    assert _history.check(store) == differs
    assert _history.check(store, recent=1) == differs
    store.write(lambda cur: cur.execute("UPDATE statements SET text = 'Edited.' WHERE id = 's1'"))
    store.update_statement("m", Statement(id="s1", text="Edited again."))  # logged anew: sound again
    assert _history.check(store) == [] and _history.check(store, recent=1) == []
    last = history.current_version(store, "m")
    differs = [f"map 'm' differs from its logged version {last}"]
    # A statement from the load edited, then another deleted, behind the log's back.
    store.write(lambda cur: cur.execute("UPDATE statements SET text = 'Rewritten quietly.' WHERE id = 's4'"))
    assert _history.check(store) == differs
    assert _history.check(store, recent=1) == []  # s4 is not among the last version's changes
    store.write(lambda cur: cur.execute("DELETE FROM statements WHERE id = 's5'"))
    assert _history.check(store, recent=1) == differs  # one statement fewer than the log says
    assert _history.check(store) == differs


def test_a_lake_from_before_the_seven_column_log_keeps_its_history(tmp_path):
    """Migration 0005 on a DuckLake catalog holding a log (a DuckDB file as its catalog)."""
    lake, data = str(tmp_path / "cat.ducklake"), str(tmp_path / "data")
    with Store(lake=lake, data_path=data) as store, history.author("ann", "first"):
        store.load_map(_map())
        store.update_statement("m", Statement(id="s1", text="Edited."))
        store.delete_statement("m", "s3", cascade=True)
        pages = history.history(store, "m")
        changes = {v.version: _history.changes(store, "m", v.version) for v in pages}
        second = history.map_as_of(store, "m", 2)
        store.write(lambda cur: cur.execute(_SCHEMA_4_LOG.replace("CHECKPOINT;", "")))
        assert store._read(lambda cur: cur.execute("SELECT max(version) FROM schema_version").fetchone()[0]) == 4
    with Store(lake=lake, data_path=data) as store:
        assert store.schema_version == 5
        assert history.history(store, "m") == pages
        assert {v.version: _history.changes(store, "m", v.version) for v in pages} == changes
        assert history.map_as_of(store, "m", 2) == second
        assert _history.check(store) == []
