"""The store on DuckLake (catalog in PostgreSQL): the same answers and refusals as on a file,
and writes from several processes that clash are run again, never half-applied."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from argmap.errors import Conflict, DanglingReference, DuplicateId, InvalidInput, NotFound
from argmap.mapfile import load
from argmap.model import Argument, MapInfo, Speaker, Statement
from argmap.store import Store
from argmap.store import _history, _lake

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


@pytest.fixture(scope="module")
def seed():
    return load(SEED)


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory, seed):
    """A DuckDB file and a lake, each opened by a Store and holding the seed map."""
    lake, data_path = postgres.new_lake()
    stores = {"file": Store(tmp_path_factory.mktemp("file") / "argmap.duckdb"),
              "lake": Store(lake=lake, data_path=data_path)}
    for store in stores.values():
        store.load_map(seed)
    yield stores
    for s in stores.values():
        s.close()


def test_lake_ddl_keeps_every_table_and_column_and_drops_only_what_ducklake_refuses(both):
    def columns(store, catalogs):
        with store.cursor() as c:
            rows = c.execute(
                "SELECT table_catalog = current_database(), table_name, column_name, data_type, is_nullable "
                "FROM information_schema.columns WHERE table_schema = 'main' AND list_contains($c, table_catalog) "
                "ORDER BY ALL",
                {"c": catalogs},
            ).fetchall()
        # Not the lake's write serialiser, nor the search index's builds (derived, named per build).
        return [r for r in rows if r[1] != "lake_writes" and not re.match(r"search_[0-9a-f]{16}_", r[1])]

    on_file = columns(both["file"], ["argmap"])
    on_lake = columns(both["lake"], ["lake", "memory"])
    # The search index's record of its builds is this process's own: in memory, not the lake.
    assert {r[1] for r in on_lake if not r[0]} == {"search_indexes"}
    assert [r[1:] for r in on_file] == sorted(r[1:] for r in on_lake)
    assert both["lake"].schema_version == both["file"].schema_version


def test_the_seed_map_reads_back_the_same_from_a_lake(both, seed):
    assert both["lake"].get_map(seed.id) == both["file"].get_map(seed.id)
    assert both["lake"].counts(seed.id) == both["file"].counts(seed.id)
    assert both["lake"].check_integrity() == []


def test_search_on_a_lake_ranks_as_on_a_file_and_follows_writes_of_another_process(both, postgres):
    ranked = {k: [(s.id, round(score, 9)) for s, score in store.search("peace-plan", "Ukraine Europe peace")]
              for k, store in both.items()}
    assert ranked["file"] and ranked["lake"] == ranked["file"]
    # Another server adds a statement: this one's index (local to it) must be rebuilt to find it.
    lake = both["lake"].lake
    with Store(lake=lake) as other:
        other.add_statement("peace-plan", Statement(id="zanzibar-clause", text="The Zanzibar clause"))
    try:
        assert [s.id for s, _ in both["lake"].search("peace-plan", "zanzibar")] == ["zanzibar-clause"]
    finally:
        both["lake"].delete_statement("peace-plan", "zanzibar-clause")


def test_a_deleted_map_leaves_no_search_index_in_this_process(lake, seed):
    with Store(lake=lake[0], data_path=lake[1]) as store:
        store.load_map(seed)
        assert store.search(seed.id, "Ukraine")

        def local_tables():
            with store.cursor() as c:
                return c.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'memory' "
                                 "AND table_name <> 'search_indexes'").fetchone()[0]

        assert local_tables() > 0
        store.delete_map(seed.id)
        assert local_tables() == 0
        with store.cursor() as c:
            assert c.execute("SELECT count(*) FROM memory.search_indexes").fetchone()[0] == 0


def _refusal(store, write):
    try:
        write(store)
    except Exception as e:  # noqa: BLE001 - the test compares whatever each back end raised
        return type(e).__name__, [(p.field, p.reason) for p in getattr(e, "problems", [])] or str(e)
    return None


BAD_WRITES = {
    "duplicate map": lambda s: s.create_map(MapInfo(id="peace-plan", title="Again")),
    "duplicate statement id": lambda s: s.add_statement("peace-plan", Statement(id="victims-silenced", text="x")),
    "statement id taken by an argument": lambda s: s.add_statement(
        "peace-plan", Statement(id=s.list_arguments("peace-plan")[0].id, text="x")),
    "duplicate speaker": lambda s: s.add_speaker("peace-plan", Speaker(id=s.list_speakers("peace-plan")[0].id)),
    "unknown premise": lambda s: s.add_argument(
        "peace-plan", Argument(id="a-new", kind="support", premises=["nowhere"], target="victims-silenced")),
    "unknown speaker": lambda s: s.add_statement("peace-plan", Statement(id="s-new", text="x", speaker="nobody")),
    "no such map": lambda s: s.add_statement("atlantis", Statement(id="s-new", text="x")),
    "delete a used premise": lambda s: s.delete_statement(
        "peace-plan", s.list_arguments("peace-plan")[0].premises[0]),
    "bad kind": lambda s: s.list_statements("peace-plan", kind="rumour"),
}


@pytest.mark.parametrize("name", sorted(BAD_WRITES))
def test_bad_writes_are_refused_alike_and_change_nothing(both, seed, name):
    refusals = {}
    for kind, store in both.items():
        before = store.get_map(seed.id)
        refusals[kind] = _refusal(store, BAD_WRITES[name])
        assert store.get_map(seed.id) == before
    assert refusals["file"] is not None
    assert refusals["lake"] == refusals["file"]


def _open(lake):
    return Store(lake=lake[0], data_path=lake[1])


def _at_once(writer, first, second) -> None:
    """Run ``writer(store, name)`` on two threads at once, one per server, and wait for both."""
    threads = [threading.Thread(target=writer, args=(s, n)) for s, n in ((first, "one"), (second, "two"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_two_processes_writing_at_once_lose_nothing_and_keep_every_premise(lake):
    # Two Stores are two DuckDB instances: to the lake they are two machines.
    first = _open(lake)
    first.create_map(MapInfo(id="m", title="Shared"))
    second = _open(lake)
    errors: list[BaseException] = []

    def writer(store, name):
        try:
            store.add_statement("m", Statement(id=f"{name}-root", text=f"{name} concludes"))
            for i in range(6):
                store.add_statement("m", Statement(id=f"{name}-s{i}", text=f"{name} says {i}"))
                store.add_argument("m", Argument(id=f"{name}-a{i}", kind="support",
                                                 premises=[f"{name}-s{i}"], target=f"{name}-root"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    _at_once(writer, first, second)
    assert not errors, errors
    for store in (first, second):
        assert store.counts("m").statements == 14 and store.counts("m").arguments == 12
        assert store.check_integrity() == []
    first.close()
    second.close()


def test_what_one_server_remembers_of_its_writes_never_hides_another_servers(lake):
    # Each server keeps what its commits taught (node ids, next seq, log heads) while no other
    # server writes; a write elsewhere must make it ask the lake again.
    first, second = _open(lake), _open(lake)
    try:
        first.create_map(MapInfo(id="m", title="Shared"))
        first.add_statement("m", Statement(id="s1", text="First, on the first server."))
        second.add_statement("m", Statement(id="x", text="Taken on the second server."))
        with pytest.raises(DuplicateId):
            first.add_statement("m", Statement(id="x", text="The same id on the first."))
        first.add_argument("m", Argument(id="a1", kind="support", premises=["x"], target="s1"))
        second.delete_argument("m", "a1")
        first.add_argument("m", Argument(id="a1", kind="attack", premises=["x"], target="s1"))
        first.add_statement("m", Statement(id="s3", text="Third."))
        for store in (first, second):
            assert [s.id for s in store.list_statements("m")] == ["s1", "x", "s3"]
            assert [(a.id, a.kind) for a in store.list_arguments("m")] == [("a1", "attack")]
            assert store.check_integrity() == []
        versions = [v.version for v in _history.versions(first, "m")]
        assert versions == list(range(len(versions), 0, -1)), "one log version per write, none twice"
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("write", ["same statement id", "same new map"])
def test_two_servers_writing_the_same_id_at_the_same_moment_keep_one(lake, monkeypatch, write):
    # Without the servers' turns (a server whose PostgreSQL session for them is lost writes
    # anyway), two transactions that have both passed their checks must still clash at commit:
    # the later runs again on the new state and is refused, never a second row with that id.
    first, second = _open(lake), _open(lake)
    try:
        first.create_map(MapInfo(id="m", title="Shared"))
        second.get_map_info("m")
        barrier = threading.Barrier(2, timeout=10)
        waited = set()

        def both_checked(cur, record):  # inside each write's transaction, after its checks
            if threading.get_ident() not in waited:
                waited.add(threading.get_ident())
                barrier.wait()

        outcomes: list = []

        def writer(store, name):
            monkeypatch.setattr(store, "_take_turn", lambda: None)
            store.write_hooks.append(both_checked)
            try:
                if write == "same new map":
                    store.create_map(MapInfo(id="n", title=f"Made by {name}"))
                else:
                    store.add_statement("m", Statement(id="x", text=f"Said on {name}."))
                outcomes.append("ok")
            except DuplicateId:
                outcomes.append("duplicate")
            except BaseException as e:  # noqa: BLE001 - reported below
                outcomes.append(e)

        _at_once(writer, first, second)
        assert sorted(map(str, outcomes)) == ["duplicate", "ok"]
        for store in (first, second):
            if write == "same new map":
                assert [m for m in store._read(lambda c: c.execute("SELECT id FROM maps WHERE id = 'n'").fetchall())] == [("n",)]
            else:
                assert [s.id for s in store.list_statements("m")] == ["x"]
            assert store.check_integrity() == []
    finally:
        first.close()
        second.close()


def test_a_write_that_keeps_clashing_is_refused_as_conflict_and_leaves_nothing(lake, monkeypatch):
    store = _open(lake)
    store.create_map(MapInfo(id="m", title="Shared"))
    other = _open(lake)
    calls = []

    def clashing(cur):
        calls.append(1)
        cur.execute("INSERT INTO statements (map_id, id, seq, text, kind, tags) VALUES ('m', 'lost', 0, 'x', 'claim', [])")
        other.update_map(MapInfo(id="m", title=f"Moved on {len(calls)}"))  # commits first, every time

    monkeypatch.setattr(store._writer, "_retries", 3)
    with pytest.raises(Conflict) as e:
        store.write(clashing, touch="m")
    assert len(calls) == 3 and e.value.field == "db"
    assert store.counts("m").statements == 0
    assert store.get_map_info("m").title == "Moved on 3"
    store.close()
    other.close()


def test_a_lake_that_cannot_be_reached_is_invalid_input_naming_it_without_the_password(postgres):
    with pytest.raises(InvalidInput) as e:
        Store(lake=f"postgres:dbname=nothing host=127.0.0.1 port={postgres.port} user=postgres password=s3cret",
              data_path="/nonexistent-argmap-test")
    assert e.value.field == "lake" and "s3cret" not in str(e.value)


def test_lake_ddl_drops_keys_checks_list_defaults_and_indexes_only():
    sql = _lake.lake_ddl(
        "CREATE TABLE t (\n  id VARCHAR NOT NULL PRIMARY KEY, -- the PRIMARY KEY\n"
        "  kind VARCHAR CHECK (kind IN ('a', 'b')),\n  tags VARCHAR[] NOT NULL DEFAULT [],\n"
        "  n BIGINT NOT NULL DEFAULT 0,\n  PRIMARY KEY (id, kind)\n);\nCREATE INDEX IF NOT EXISTS t_id ON t (id);\n"
    )
    assert "PRIMARY" not in sql and "CHECK" not in sql and "INDEX" not in sql and "DEFAULT []" not in sql
    assert "n BIGINT NOT NULL DEFAULT 0" in sql and "tags VARCHAR[] NOT NULL" in sql
