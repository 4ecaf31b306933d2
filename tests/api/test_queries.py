"""Analysts' queries over the seed map: supporters and attackers with their chains, the speaker
matrix, full-text search, and the statements table."""

from __future__ import annotations

import csv
import io

import msgspec
import pyarrow.parquet as pq
import pytest
from apitest import MAP, assert_error
from apitest import api, fresh_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

BASE = f"/maps/{MAP}"
MAIN = "no-peace-without-ukraine-and-europe"


def _links(client, statement: str, direction: str = "supporters", **params) -> dict[str, dict]:
    r = client.get(f"{BASE}/statements/{statement}/{direction}", params=params)
    assert r.status_code == 200, r.text
    return {link["statement"]["id"]: link for link in r.json()["items"]}


def test_direct_supporters_of_the_main_conclusion(api):
    links = _links(api, MAIN)
    assert set(links) == {
        "ukraine-and-europe-not-at-table", "victims-silenced", "next-crisis-not-its-end",
        "kallas-no-viable-plan", "netherlands-no-plan-without-ukraine",
    }
    assert {link["depth"] for link in links.values()} == {1}
    # The two premises of the linked closing argument come through the same argument.
    assert links["victims-silenced"]["argument"] == links["ukraine-and-europe-not-at-table"]["argument"] == "s-excluded-no-peace"


def test_all_supporters_of_the_main_conclusion_with_their_chains(api):
    links = _links(api, MAIN, depth="all")
    assert len(links) == 23
    chains = {sid: (link["depth"], link["path"]) for sid, link in links.items()}
    # The plan's own terms reach the conclusion through the article's reasoning:
    # point 13 (sanctions, G8) → aggression rewarded → the next crisis → no peace.
    assert chains["plan-point-13-sanctions-g8"] == (
        4, ["s-point13-g8", "s-aggression-rewarded", "s-aggression-next-crisis", "s-next-crisis-no-peace"]
    )
    # point 21 (territory) → cession of unoccupied Donbas → a divided Ukraine → the next crisis.
    assert chains["plan-point-21-territory"] == (
        4, ["s-point21-cession", "s-cession-divides", "s-division-next-crisis", "s-next-crisis-no-peace"]
    )
    # Axios's report → Witkoff and Dmitriev wrote it → negotiated without Ukraine → not at the table.
    assert chains["axios-reports-28-point-plan"] == (
        4, ["s-axios-witkoff-dmitriev", "s-drafted-with-russia", "s-negotiating-without-not-at-table",
            "s-excluded-no-peace"]
    )
    assert chains["kallas-ukrainians-europeans-on-board"] == (2, ["s-kallas-on-board", "s-kallas-no-peace"])
    assert chains["van-weel-extremely-difficult"][0] == 4
    # Each link names the argument that uses it and that argument's target, the chain's first step.
    link = links["plan-point-13-sanctions-g8"]
    assert (link["argument"], link["target"], link["relation"]) == (
        "s-point13-g8", "russia-back-to-g8-sanctions-eased", "support"
    )
    # Attacks never count as support, however deep.
    assert "us-official-umerov-agreed" not in links and "umerov-denies-agreeing" not in links
    assert api.get(f"{BASE}/statements/{MAIN}/supporters", params={"depth": "all"}).json()["truncated"] is False


def test_depth_bounds_the_walk(api):
    assert {link["depth"] for link in _links(api, MAIN, depth=2).values()} == {1, 2}
    assert set(_links(api, MAIN, depth=3)) < set(_links(api, MAIN, depth=4)) == set(_links(api, MAIN, depth="all"))


def test_attackers_tell_rebuttals_from_undercuts(api):
    links = _links(api, "plan-workable-on-current-line", "attackers")
    assert {sid: (link["relation"], link["argument"], link["target"]) for sid, link in links.items()} == {
        "gerasimov-kupiansk-captured": ("undercut", "u-kupiansk-pair", "s-point21-workable"),
        "general-staff-denies-kupiansk": ("undercut", "u-kupiansk-pair", "s-point21-workable"),
        "front-lines-far-apart": ("undercut", "u-disputed-front-line", "s-point21-workable"),
    }
    rebuttal = _links(api, "gerasimov-kupiansk-captured", "attackers")["general-staff-denies-kupiansk"]
    assert (rebuttal["relation"], rebuttal["path"]) == ("rebuttal", ["a-general-staff-denies"])
    # Deeper, the attacks on what supports the statement: Umerov's agreement, reported by a US
    # official, rebuts a claim two steps below the main conclusion.
    deep = _links(api, MAIN, "attackers", depth="all")
    assert deep["us-official-umerov-agreed"]["path"] == [
        "a-umerov-agreed", "s-negotiating-without-not-at-table", "s-excluded-no-peace"
    ]
    assert "us-official-umerov-agreed" not in _links(api, MAIN, "attackers", depth=2)


@pytest.mark.parametrize("direction", ["supporters", "attackers"])
@pytest.mark.parametrize(
    ("depth", "field", "error"),
    [("0", "depth", "limit_exceeded"), ("101", "depth", "limit_exceeded"), ("two", "depth", "invalid"),
     ("-1", "depth", "limit_exceeded")],
)
def test_bad_depth(api, direction, depth, field, error):
    assert_error(api.get(f"{BASE}/statements/{MAIN}/{direction}", params={"depth": depth}), 422, error, field)


def test_unknown_statement_or_map(api):
    assert_error(api.get(f"{BASE}/statements/nope/supporters"), 404, "not_found", "id")
    assert_error(api.get("/maps/nope/statements/x/attackers"), 404, "not_found", "map")
    assert_error(api.get("/maps/nope/speakers/matrix"), 404, "not_found", "map")


def test_answers_follow_writes(fresh_api):
    # The walk and the statements in it are cached per map version: a write must show at once.
    assert "kremlin-silent" not in _links(fresh_api, MAIN, depth="all")
    r = fresh_api.post(f"{BASE}/arguments", json={
        "id": "s-new", "kind": "support", "premises": ["kremlin-silent"], "target": "victims-silenced"})
    assert r.status_code == 201
    assert _links(fresh_api, MAIN, depth="all")["kremlin-silent"]["path"] == ["s-new", "s-excluded-no-peace"]
    fresh_api.patch(f"{BASE}/statements/kremlin-silent", json={"text": "The Kremlin says nothing."})
    assert _links(fresh_api, MAIN, depth="all")["kremlin-silent"]["statement"]["text"] == "The Kremlin says nothing."


def test_speaker_matrix(api):
    m = api.get(f"{BASE}/speakers/matrix").json()
    cells = {(c["source"], c["target"]): (c["supports"], c["attacks"]) for c in m["cells"]}
    assert cells[("ukraine-general-staff", "valery-gerasimov")] == (0, 1)
    assert cells[("valery-gerasimov", "ukraine-general-staff")] == (0, 1)
    assert cells[("kaja-kallas", "kaizen-author")][0] >= 2
    assert cells[("rustem-umerov", "us-official")] == (0, 1)
    assert None in m["speakers"]  # plan terms and reported events have no speaker
    assert m["speakers"][:2] == ["kaizen-author", "kaja-kallas"]


def test_search_finds_the_kupiansk_claim_and_its_denial(api):
    r = api.get(f"{BASE}/search", params={"q": "Kupiansk"})
    assert r.status_code == 200
    hits = {h["statement"]["id"]: h for h in r.json()["items"]}
    assert (hits["gerasimov-kupiansk-captured"]["speaker"], hits["gerasimov-kupiansk-captured"]["date"]) == (
        "Valery Gerasimov", "20 Nov 2025"
    )
    assert (hits["general-staff-denies-kupiansk"]["speaker"], hits["general-staff-denies-kupiansk"]["date"]) == (
        "General Staff of the Armed Forces of Ukraine", "20 Nov 2025"
    )
    scores = [h["score"] for h in r.json()["items"]]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_search_covers_speaker_names_and_source_titles(api):
    by_speaker = {h["statement"]["id"] for h in api.get(f"{BASE}/search", params={"q": "Stenergard"}).json()["items"]}
    assert "stenergard-assets-only-realistic" in by_speaker  # the name is only in the speaker
    by_source = {h["statement"]["id"] for h in api.get(f"{BASE}/search", params={"q": "GlobalSecurity"}).json()["items"]}
    assert by_source == {"ternopil-strike"}  # only its source's title says it
    unnamed = api.get(f"{BASE}/search", params={"q": "adviser assured"}).json()["items"][0]
    assert unnamed["speaker"] == "(unnamed) close adviser to Volodymyr Zelensky"


def test_search_limits_and_refusals(api):
    assert len(api.get(f"{BASE}/search", params={"q": "Ukraine", "limit": 3}).json()["items"]) == 3
    assert api.get(f"{BASE}/search", params={"q": "zzzqqq"}).json()["items"] == []
    assert api.get(f"{BASE}/search", params={"q": "\"'; DROP TABLE statements; --"}).status_code == 200
    assert_error(api.get(f"{BASE}/search", params={"q": "  "}), 422, "invalid", "q")
    assert_error(api.get(f"{BASE}/search"), 400, "invalid", "q")
    assert_error(api.get(f"{BASE}/search", params={"q": "x" * 501}), 400, "invalid", "q")
    assert_error(api.get(f"{BASE}/search", params={"q": "peace", "limit": 201}), 422, "limit_exceeded", "limit")
    assert_error(api.get("/maps/nope/search", params={"q": "peace"}), 404, "not_found", "map")


def test_search_follows_writes(fresh_api):
    assert fresh_api.get(f"{BASE}/search", params={"q": "Zaporizhzhia"}).json()["items"] == []
    fresh_api.post(f"{BASE}/statements", json={"id": "zp", "text": "Shelling near Zaporizhzhia continues."})
    assert [h["statement"]["id"] for h in fresh_api.get(f"{BASE}/search", params={"q": "Zaporizhzhia"}).json()["items"]] == ["zp"]


def test_search_hits_name_the_speaker_as_it_is_now(fresh_api):
    def speaker_of_the_claim():
        hits = fresh_api.get(f"{BASE}/search", params={"q": "Kupiansk"}).json()["items"]
        return next(h["speaker"] for h in hits if h["statement"]["id"] == "gerasimov-kupiansk-captured")

    assert speaker_of_the_claim() == "Valery Gerasimov"
    fresh_api.patch(f"{BASE}/speakers/valery-gerasimov", json={"name": "V. V. Gerasimov"})
    assert speaker_of_the_claim() == "V. V. Gerasimov"


def test_statements_table_in_three_formats(api, seed_map):
    rows = api.get(f"{BASE}/statements.json").json()
    assert [r["id"] for r in rows] == [s.id for s in seed_map.statements]
    ternopil = next(r for r in rows if r["id"] == "article-ternopil-26-dead")
    assert (ternopil["quote_start"], ternopil["quote_end"], ternopil["said"]) == (2045, 2099, "2025-11-19")

    r = api.get(f"{BASE}/statements.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [t["id"] for t in table] == [s["id"] for s in rows]
    assert next(t for t in table if t["id"] == "article-ternopil-26-dead")["tags"] == "article;corrected;events:2;ternopil"

    p = api.get(f"{BASE}/statements.parquet")
    assert p.headers["content-type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(p.content)).to_pylist() == rows


def test_statements_table_of_an_unknown_map_is_404(api):
    for ext in ("json", "csv", "parquet"):
        assert_error(api.get(f"/maps/nope/statements.{ext}"), 404, "not_found", "map")


def test_csv_neutralises_formulas_even_in_tags(fresh_api):
    r = fresh_api.post(f"{BASE}/statements", json={
        "id": "evil", "text": "=HYPERLINK(\"http://x\",\"click\")", "tags": ["=cmd|'/c'!A1", "@sum"]})
    assert r.status_code == 201, r.text
    row = next(r for r in csv.DictReader(io.StringIO(fresh_api.get(f"{BASE}/statements.csv").text)) if r["id"] == "evil")
    assert row["text"].startswith("'=")
    assert row["tags"].startswith("'=")  # the joined tags cell starts with the first tag
    # JSON keeps the text as it is: only spreadsheets run formulas.
    assert msgspec.json.decode(fresh_api.get(f"{BASE}/statements/evil").content)["text"].startswith("=")
