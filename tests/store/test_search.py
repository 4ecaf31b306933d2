"""Full-text search: one BM25 index per map, ranked exactly as DuckDB's fts ``match_bm25``."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap.errors import InvalidInput, NotFound
from argmap.mapfile import load
from argmap.model import Map, Speaker, Statement
from argmap.store import Store, _search

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
QUERIES = ["Kupiansk", "peace plan Ukraine", "Kallas", "sanctions G8", "long-range weapons", "Zelensky adviser",
           "KUPIÁNSK", "the", "Witkoff Dmitriev wrote", "100 billion euros assets"]


@pytest.fixture(scope="module")
def seeded():
    with Store(":memory:") as store:
        store.load_map(load(SEED))
        yield store


def _match_bm25(store: Store, q: str) -> list[tuple[str, float]]:
    """The extension's own ranking: match_bm25 evaluated for every document of the index.

    Scores equal to 9 decimals are ties, broken by id: summing a document's terms in another
    order moves the last bit of a score, which must not reorder equal documents.
    """
    table = _search.index_table("peace-plan", _built(store)["peace-plan"])
    with store.cursor() as cur:
        return cur.execute(
            f"SELECT key, score FROM (SELECT key, fts_main_{table}.match_bm25(key, $q) AS score FROM {table}) "
            "WHERE score IS NOT NULL ORDER BY round(score, 9) DESC, key",
            {"q": q},
        ).fetchall()


@pytest.mark.parametrize("q", QUERIES)
def test_ranking_equals_match_bm25(seeded, q):
    ours = [(s.id, score) for s, score in seeded.search("peace-plan", q, limit=200)]
    theirs = _match_bm25(seeded, q)
    assert [i for i, _ in ours] == [i for i, _ in theirs]
    assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-9)
    if q != "the":  # a stopword matches nothing; every other query here matches something
        assert ours


def _two_maps(store: Store) -> None:
    speaker = Speaker(id="sp", name="Ana Example")
    store.load_map(Map(id="a", title="A", speakers=[speaker], statements=[
        Statement(id="s1", text="Ceasefire talks in Geneva.", speaker="sp"),
        Statement(id="s2", text="Sanctions stay."),
    ]))
    store.load_map(Map(id="b", title="B", statements=[Statement(id="s1", text="Ceasefire collapses.")]))


def test_each_map_searches_only_itself():
    with Store(":memory:") as store:
        _two_maps(store)
        assert [(s.id, s.text) for s, _ in store.search("a", "ceasefire")] == [("s1", "Ceasefire talks in Geneva.")]
        assert [(s.id, s.text) for s, _ in store.search("b", "ceasefire")] == [("s1", "Ceasefire collapses.")]
        assert [s.id for s, _ in store.search("a", "Ana")] == ["s1"]  # the speaker's name
        with pytest.raises(NotFound) as e:
            store.search("c", "ceasefire")
        assert e.value.field == "map"
        with pytest.raises(InvalidInput):
            store.search("a", " ")


def _built(store: Store) -> dict:
    with store.cursor() as cur:
        return dict(cur.execute("SELECT map_id, version FROM search_indexes").fetchall())


def _held(store: Store) -> dict:
    """The map version each index holds (its build's, or later once it followed writes)."""
    return {m: store._search._held(m, v) for m, v in _built(store).items()}


def test_a_write_updates_only_its_own_maps_index(tmp_path):
    with Store(tmp_path / "db.duckdb") as store:
        _two_maps(store)
        store.search("a", "ceasefire")
        store.search("b", "ceasefire")
        before = _held(store)
        store.add_statement("b", Statement(id="s2", text="Ceasefire again."))
        assert [s.id for s, _ in store.search("b", "ceasefire again")][0] == "s2"
        store.search("a", "ceasefire")
        after = _held(store)
        assert after["a"] == before["a"] and after["b"] != before["b"]
        assert after["b"] == store.map_version("b")


def _builds(store: Store, map_id: str) -> set[str]:
    """The names of every build of a map's index in the database: tables and fts schemas."""
    prefix = _search.index_table(map_id, 0)[:-16]
    with store.cursor() as cur:
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        schemas = {r[0] for r in cur.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    return {t for t in tables if t.startswith(prefix)} | {s for s in schemas if s.startswith("fts_main_" + prefix)}


def test_a_rebuild_keeps_the_previous_build_and_drops_older_ones(tmp_path):
    with Store(tmp_path / "db.duckdb") as store:
        _two_maps(store)
        versions = []
        for i in range(3):
            # A speaker's new name is in many documents: the index is built again, whole.
            store.update_speaker("a", Speaker(id="sp", name=f"Ana Example {i}"))
            store.search("a", "ceasefire")
            versions.append(_built(store)["a"])
        # The current build and the one before it (searches may still be reading it).
        names = {_search.index_table("a", v) for v in versions[1:]}
        assert _builds(store, "a") == names | {f"fts_main_{n}" for n in names}


def test_an_index_outlives_a_restart_and_goes_with_its_map(tmp_path):
    path = tmp_path / "db.duckdb"
    with Store(path) as store:
        _two_maps(store)
        first = [(s.id, score) for s, score in store.search("a", "ceasefire sanctions")]
        store.search("b", "ceasefire")
        built = _built(store)
    with Store(path) as store:
        # A fresh process: the stored index is current, so it is used as it is (no rebuild),
        # which needs the extension loaded for its stemmer all the same.
        assert [(s.id, score) for s, score in store.search("a", "ceasefire sanctions")] == first
        assert _built(store) == built
        store.delete_map("a")
        assert _builds(store, "a") == set()
        assert _builds(store, "b")
        assert set(_built(store)) == {"b"}
        assert [s.id for s, _ in store.search("b", "ceasefire")] == ["s1"]


# -- the index follows writes incrementally ---------------------------------------------------


def _ranked(store, q):
    return [(s.id, round(score, 9)) for s, score in store.search("peace-plan", q, limit=200)]


def test_an_index_updated_write_by_write_ranks_as_one_built_afresh(tmp_path):
    seed = load(SEED)
    with Store(tmp_path / "a.duckdb") as live, Store(":memory:") as fresh:
        live.load_map(seed)
        assert _ranked(live, "Kupiansk")  # built once, whole
        built = live._search._applied.get("peace-plan")
        speaker = seed.speakers[0].id
        live.add_statement("peace-plan", Statement(id="new-1", text="Kupiansk holds; the peace plan waits.",
                                                   speaker=speaker))
        live.update_statement("peace-plan", Statement(id=seed.statements[0].id, text="Sanctions and Kupiansk."))
        live.delete_statement("peace-plan", "new-1")
        live.add_statement("peace-plan", Statement(id="new-2", text="Geneva talks: a ceasefire, the the the."))
        for q in QUERIES + ["Geneva ceasefire", "Kupiansk holds"]:
            fresh.load_map(live.get_map("peace-plan"), replace=True)
            assert _ranked(live, q) == _ranked(fresh, q), q
        assert live._search._applied["peace-plan"][0] != live.map_version("peace-plan"), \
            "followed incrementally, not rebuilt"
        assert built is None


def test_a_speakers_new_name_rebuilds_the_index(tmp_path):
    seed = load(SEED)
    with Store(tmp_path / "a.duckdb") as store:
        store.load_map(seed)
        store.search("peace-plan", "peace")
        sp = seed.speakers[0]
        store.update_speaker("peace-plan", Speaker(id=sp.id, name="Zanzibar Quux"))
        assert store.search("peace-plan", "Zanzibar")
        assert "peace-plan" not in store._search._applied
