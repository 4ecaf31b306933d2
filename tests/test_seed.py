"""The shipped seed map ``seeds/peace-plan.yaml`` against its sources.

The seed is data that other parts are built and tested on, so its promises are checked here:
it loads, its quote spans point into the article, every date taken from
``/work/shared/source/events.md`` is one that the events table gives, and the article's
corrected claims are attacked by the later reports that correct them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from argmap.mapfile import load
from argmap.model import partial_date

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "peace-plan.yaml"
ARTICLE = REPO / "seeds" / "peace-plan-article.txt"
SHARED_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "source"
EVENTS_MD = SHARED_SOURCE / "events.md"

ISO_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")
DAY_MONTH = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


@pytest.fixture(scope="module")
def seed():
    return load(SEED)


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def by_id(seed):
    return {s.id: s for s in seed.statements}


@pytest.fixture(scope="module")
def events() -> dict[int, dict]:
    """Rows of the events table: number -> {"date": cell, "cells": [...], "dates": {iso, ...}}.

    Dates are the ISO dates in the row, plus "21 Nov"-style dates, which some rows use in
    their "what" cell, read in the year of the row's ISO dates.
    """
    if not EVENTS_MD.exists():
        pytest.skip(f"{EVENTS_MD} not found (the shared sources sit beside the repo, not in it)")
    rows: dict[int, dict] = {}
    for line in EVENTS_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not cells or not cells[0].isdigit():
            continue
        row = " | ".join(cells)
        dates = set(ISO_DATE.findall(row))
        years = {d[:4] for d in dates}
        assert len(years) <= 1, f"row {cells[0]} spans years {years}; day-month dates would be ambiguous"
        if years:
            (year,) = years
            for day, month in DAY_MONTH.findall(row):
                dates.add(f"{year}-{MONTHS[month]:02d}-{int(day):02d}")
        rows[int(cells[0])] = {"date": cells[1], "cells": cells, "dates": dates}
    assert sorted(rows) == list(range(1, 11)), f"expected rows 1..10 in events.md, got {sorted(rows)}"
    return rows


def event_rows(statement) -> list[int]:
    return [int(t.split(":", 1)[1]) for t in statement.tags if re.fullmatch(r"events:\d+", t)]


def not_verified(row: dict) -> bool:
    return row["date"].lower().startswith("not verified")


# ---- shape ---------------------------------------------------------------------------------


def test_seed_loads_with_enough_content(seed):
    assert seed.id == "peace-plan"
    assert seed.title and seed.description
    assert len(seed.statements) >= 30
    assert len(seed.arguments) >= 20


def test_all_three_argument_kinds_are_used(seed):
    kinds = {a.kind for a in seed.arguments}
    assert kinds == {"support", "attack", "undercut"}


def test_some_arguments_are_linked(seed):
    linked = [a.id for a in seed.arguments if len(a.premises) >= 2]
    assert len(linked) >= 3, linked


def test_all_statement_kinds_are_used(seed):
    assert {s.kind for s in seed.statements} == {"claim", "event", "derived"}


def test_ids_are_lower_case_kebab(seed):
    pattern = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    items = [*seed.speakers, *seed.sources, *seed.statements, *seed.arguments]
    bad = [x.id for x in items if not pattern.match(x.id)]
    assert not bad


def test_every_statement_has_a_source(seed):
    assert [s.id for s in seed.statements if s.source is None] == []


def test_derived_statements_have_a_support(seed):
    supported = {a.target for a in seed.arguments if a.kind == "support"}
    derived = [s.id for s in seed.statements if s.kind == "derived"]
    assert len(derived) >= 3
    assert [d for d in derived if d not in supported] == []


def test_main_conclusion_has_supporters_three_deep(seed):
    supporters = defaultdict(set)
    for a in seed.arguments:
        if a.kind == "support":
            supporters[a.target].update(a.premises)
    root = "no-peace-without-ukraine-and-europe"
    level, seen, depth = {root}, {root}, 0
    while level:
        level = {p for s in level for p in supporters[s]} - seen
        seen |= level
        depth += bool(level)
    assert depth >= 3


# ---- the article and its quotes -------------------------------------------------------------


def test_article_copy_is_byte_identical_to_the_shared_source():
    shared = SHARED_SOURCE / "peace-plan-article.txt"
    if not shared.exists():
        pytest.skip(f"{shared} not found")
    assert ARTICLE.read_bytes() == shared.read_bytes()


def test_article_source(seed):
    (src,) = [s for s in seed.sources if s.id == "article"]
    assert src.publisher == "Kaizen News"
    d = partial_date(src.published)
    assert (d.lower.isoformat(), d.upper.isoformat()) == ("2025-11-21", "2025-11-22")


def test_quote_spans_match_the_article(seed, article):
    quoted = [s for s in seed.statements if s.quote is not None]
    assert quoted
    for s in quoted:
        assert s.source == "article", s.id
        assert s.quote.text is not None, f"{s.id}: a quote should carry its text"
        assert article[s.quote.start : s.quote.end] == s.quote.text, s.id


def test_every_article_statement_has_a_quote(seed):
    missing = [s.id for s in seed.statements if s.source == "article" and s.quote is None]
    assert missing == []


def test_date_source_only_with_a_date(seed):
    sources = {s.id for s in seed.sources}
    for s in seed.statements:
        if s.date_source is not None:
            assert s.said is not None, s.id
            assert s.date_source != s.source, s.id
            assert s.date_source in sources


# ---- events.md --------------------------------------------------------------------------------


def test_events_tagged_statements_use_dates_from_their_row(seed, events):
    tagged = [s for s in seed.statements if event_rows(s)]
    assert len(tagged) >= 20
    for s in tagged:
        for n in event_rows(s):
            assert n in events, f"{s.id}: no row {n} in events.md"
            row = events[n]
            if "not-verified" in s.tags:
                continue  # checked below: undated
            assert s.said is not None, f"{s.id}: tagged events:{n} but has no date"
            ends = s.said.split("/")
            for end in ends:
                bare = end.rstrip("~?%")
                assert bare in row["dates"], f"{s.id}: {s.said} is not a date of row {n} {sorted(row['dates'])}"


def test_every_date_comes_from_a_row(seed):
    # The article prints no date, so every `said` in this map comes from a row of events.md.
    undocumented = [s.id for s in seed.statements if s.said is not None and not event_rows(s)]
    assert undocumented == []


def test_every_row_is_used(seed, events):
    used = {n for s in seed.statements for n in event_rows(s)}
    assert used == set(events)


def test_not_verified_rows_have_undated_statements(seed, events):
    for n, row in events.items():
        if not_verified(row):
            flagged = [s for s in seed.statements if n in event_rows(s) and "not-verified" in s.tags]
            assert flagged, f"row {n} is not verified, but no statement of it is tagged not-verified"
    for s in seed.statements:
        if "not-verified" in s.tags:
            assert s.said is None, f"{s.id}: not verified, so it must stay undated"
            assert any(not_verified(events[n]) for n in event_rows(s)), s.id


def test_adviser_and_swedish_wording_are_undated(seed, by_id):
    assert by_id["adviser-assured-ukraine-first"].said is None
    assert by_id["stenergard-no-sign-of-serious-negotiation"].said is None


def test_every_events_url_is_a_source(seed, events):
    urls = [s.url for s in seed.sources if s.url]
    assert all(u.startswith("https://") for u in urls)
    for n, row in events.items():
        for ref in row["cells"][4].split(";"):
            ref = ref.split("(")[0].strip()
            if not ref:
                continue
            if "/" in ref:
                assert any(ref in u for u in urls), f"row {n}: no source with url {ref}"
            else:
                assert any(re.match(rf"https://(www\.)?{re.escape(ref)}/", u) for u in urls), f"row {n}: {ref}"


# ---- who and when ------------------------------------------------------------------------------


def test_named_speakers_are_present(seed):
    names = {s.name for s in seed.speakers}
    for name in [
        "Kaja Kallas",
        "David van Weel",
        "Maria Malmer Stenergard",
        "Volodymyr Zelensky",
        "Valery Gerasimov",
        "General Staff of the Armed Forces of Ukraine",
        "Steve Witkoff",
        "Kirill Dmitriev",
        "Dan Driscoll",
        "Keith Kellogg",
        "Taras Pastukh",
    ]:
        assert name in names, name


def test_unnamed_speakers(seed):
    advisers = [s for s in seed.speakers if s.role and "adviser to" in s.role.lower()]
    assert len(advisers) == 1
    assert advisers[0].name is None
    authors = [s for s in seed.speakers if s.affiliation == "Kaizen News"]
    assert len(authors) == 1
    assert authors[0].name is None and "author" in authors[0].role


def test_kupiansk_claim_and_denial(seed, by_id):
    claim, denial = by_id["gerasimov-kupiansk-captured"], by_id["general-staff-denies-kupiansk"]
    assert "Kupiansk" in claim.text and "Kupiansk" in denial.text
    assert claim.speaker == "valery-gerasimov" and denial.speaker == "ukraine-general-staff"
    assert claim.said == denial.said == "2025-11-20"
    assert any(
        a.kind == "attack" and a.premises == [denial.id] and a.target == claim.id for a in seed.arguments
    )


def test_european_statements_of_20_november(seed, by_id):
    assert by_id["kallas-no-viable-plan"].said == "2025-11-20"
    assert by_id["kallas-no-viable-plan"].date_source == "interfax-kallas"
    assert by_id["netherlands-no-plan-without-ukraine"].said == "2025-11-20"
    assert by_id["netherlands-no-plan-without-ukraine"].speaker == "david-van-weel"


def test_plan_terms(seed):
    terms = [s for s in seed.statements if "plan-terms" in s.tags]
    for s in terms:
        assert s.source == "liga-28-points", s.id
        assert s.said == "2025-11-20", s.id
        assert s.speaker is None, s.id
        assert "events:10" in s.tags, s.id
    labels = {s.text.split(":", 1)[0] for s in terms}
    assert {"Point 6", "Points 7–8", "Point 13", "Point 14", "Point 21"} <= labels


# ---- corrections -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correction", "corrected", "needle"),
    [
        ("ternopil-toll-34", "article-ternopil-26-dead", "26 people"),
        ("plan-point-14-100bn-usd", "article-100bn-euros", "100 billion euros"),
        ("plan-text-no-long-range-ban", "article-long-range-renunciation", "long-range weapons"),
    ],
)
def test_corrections_attack_the_article(seed, by_id, correction, corrected, needle):
    fix, claim = by_id[correction], by_id[corrected]
    assert "correction" in fix.tags and "corrected" in claim.tags
    assert claim.source == "article" and needle in claim.quote.text
    assert fix.source != "article" and fix.said is not None
    assert any(
        a.kind == "attack" and fix.id in a.premises and a.target == claim.id for a in seed.arguments
    ), f"no attack from {fix.id} on {claim.id}"


def test_every_corrected_claim_is_attacked_by_a_correction(seed, by_id):
    corrected = {s.id for s in seed.statements if "corrected" in s.tags}
    correction = {s.id for s in seed.statements if "correction" in s.tags}
    assert len(corrected) == len(correction) == 3
    attacked = {
        a.target for a in seed.arguments if a.kind == "attack" and correction & set(a.premises)
    }
    assert corrected <= attacked
    assert by_id["ternopil-toll-34"].speaker == "taras-pastukh"
    assert by_id["ternopil-toll-34"].said == "2025-11-23"
