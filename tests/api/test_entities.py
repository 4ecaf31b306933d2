"""Speakers, sources, statements and arguments under /maps/{map}: CRUD, filters, pages, refusals."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from apitest import MAP, assert_error, assert_refused, snapshot
from apitest import api, fresh_api, make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

# Slow on a lake (a clone of the seeded catalog per writing test, ~100 catalog queries per
# map snapshot): its lake variants are marked slow; .ci/run runs them.
LAKE_IS_SLOW = True

BASE = f"/maps/{MAP}"


# -- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "item_id", "field", "value"),
    [
        ("speakers", "kaja-kallas", "name", "Kaja Kallas"),
        ("sources", "straitstimes-kupiansk", "publisher", "The Straits Times"),
        ("statements", "gerasimov-kupiansk-captured", "speaker", "valery-gerasimov"),
        ("arguments", "s-aggression-rewarded", "premises",
         ["russia-back-to-g8-sanctions-eased", "kallas-aggressor-victim", "kallas-no-russian-concessions"]),
    ],
)
def test_get_one_of_each_kind(api, kind, item_id, field, value):
    r = api.get(f"{BASE}/{kind}/{item_id}")
    assert r.status_code == 200
    assert r.json()["id"] == item_id
    assert r.json()[field] == value  # premises keep the author's order


def test_a_statement_keeps_its_quote_and_date(api):
    s = api.get(f"{BASE}/statements/article-ternopil-26-dead").json()
    assert s["said"] == "2025-11-19"
    assert s["quote"]["text"] == "26 people died in Ternopil in a Russian missile strike"
    assert s["date_source"] == "globalsecurity-rferl-ternopil"


@pytest.mark.parametrize("kind", ["speakers", "sources", "statements", "arguments"])
def test_unknown_id_is_404_naming_the_id(api, kind):
    body = assert_error(api.get(f"{BASE}/{kind}/no-such-thing"), 404, "not_found", "id")
    assert "no-such-thing" in body["message"]


@pytest.mark.parametrize("kind", ["speakers", "sources", "statements", "arguments"])
def test_unknown_map_is_404_naming_the_map(api, kind):
    # The map is missing, not the item: the answer says so (it used to blame the id).
    assert_error(api.get(f"/maps/no-map/{kind}/kaja-kallas"), 404, "not_found", "map")
    assert_error(api.get(f"/maps/no-map/{kind}"), 404, "not_found", "map")


def test_lists_hold_the_whole_seed_in_map_order(api, seed_map):
    for kind, items in [("speakers", seed_map.speakers), ("sources", seed_map.sources),
                        ("statements", seed_map.statements), ("arguments", seed_map.arguments)]:
        page = api.get(f"{BASE}/{kind}", params={"limit": 1000}).json()
        assert [x["id"] for x in page["items"]] == [x.id for x in items]
        assert page["next_offset"] is None


@pytest.mark.parametrize("kind", ["speakers", "sources", "statements", "arguments"])
def test_pages_are_stable_and_chain_by_next_offset(api, kind):
    whole = [x["id"] for x in api.get(f"{BASE}/{kind}", params={"limit": 1000}).json()["items"]]
    seen, offset = [], 0
    while offset is not None:
        page = api.get(f"{BASE}/{kind}", params={"limit": 7, "offset": offset}).json()
        assert page["limit"] == 7 and page["offset"] == offset
        assert len(page["items"]) == 7 or page["next_offset"] is None
        seen += [x["id"] for x in page["items"]]
        offset = page["next_offset"]
    assert seen == whole
    assert api.get(f"{BASE}/{kind}", params={"limit": 7, "offset": len(whole)}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "status", "field", "error"),
    [({"limit": 1001}, 422, "limit", "limit_exceeded"), ({"limit": 0}, 422, "limit", "limit_exceeded"),
     ({"offset": -1}, 422, "offset", "invalid"), ({"limit": "ten"}, 400, "limit", "invalid")],
)
def test_page_limits(api, params, status, field, error):
    # A parameter of the wrong type makes the request malformed (400); a number over the
    # limit is a well-formed request that breaks a rule (422).
    assert_error(api.get(f"{BASE}/statements", params=params), status, error, field)


def _ids(api, **params) -> set[str]:
    r = api.get(f"{BASE}/statements", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return {s["id"] for s in r.json()["items"]}


def test_statement_filters(api):
    assert _ids(api, speaker="kaja-kallas") == {
        "kallas-no-viable-plan", "kallas-ukrainians-europeans-on-board", "kallas-aggressor-victim",
        "kallas-no-russian-concessions",
    }
    assert _ids(api, tag="kupiansk", kind="derived") == {"plan-workable-on-current-line"}
    assert "ternopil-strike" in _ids(api, kind="event")
    assert not _ids(api, kind="event") & _ids(api, kind="claim")


def test_date_filters_by_overlap(api):
    # Said on or after 23 Nov: the toll of 34 (23), Stenergard on the 24th and c. the 26th.
    assert _ids(api, **{"from": "2025-11-23"}) == {
        "ternopil-toll-34", "stenergard-ukraine-ready-russia-not", "stenergard-assets-only-realistic",
    }
    assert _ids(api, **{"from": "2025-11-17", "to": "2025-11-17"}) == {"dmitriev-russian-position-heard"}
    # Undated statements are in no date range, and a range is inclusive at both ends.
    assert "no-peace-without-ukraine-and-europe" not in _ids(api, **{"from": "2025"})
    assert len(_ids(api, **{"from": "2025-11"})) == len(_ids(api, **{"from": "2025-11-01", "to": "2025-11-30"})) == 31


def test_a_partial_date_filter_takes_the_whole_month(fresh_api):
    for sid, said in [("in-month", "2025-11"), ("in-year", "2025"), ("october", "2025-10-31"), ("dec", "2025-12-01")]:
        r = fresh_api.post(f"{BASE}/statements", json={"id": sid, "text": f"Said {said}.", "said": said})
        assert r.status_code == 201, r.text
    new = {"in-month", "in-year", "october", "dec"}
    assert _ids(fresh_api, **{"from": "2025-11"}) & new == {"in-month", "in-year", "dec"}
    assert _ids(fresh_api, **{"to": "2025-11"}) & new == {"in-month", "in-year", "october"}
    # 2025-11 may be any day of November, so it overlaps a range that starts on the 30th.
    assert _ids(fresh_api, **{"from": "2025-11-30", "to": "2025-11-30"}) & new == {"in-month", "in-year"}
    assert_error(fresh_api.get(f"{BASE}/statements", params={"from": "2025-13"}), 422, "invalid", "from")


def test_argument_filters(api):
    def ids(**params):
        return {a["id"] for a in api.get(f"{BASE}/arguments", params={"limit": 1000, **params}).json()["items"]}

    assert ids(kind="undercut") == {
        "u-political-price", "u-political-price-eur", "u-paper-mixes-both", "u-kupiansk-pair", "u-disputed-front-line",
    }
    assert ids(target="s-point21-workable") == {"u-kupiansk-pair", "u-disputed-front-line"}
    assert ids(premise="plan-point-21-territory") == {"s-point21-cession", "s-points-make-demands", "s-point21-workable"}
    assert_error(api.get(f"{BASE}/arguments", params={"kind": "rebuttal"}), 400, "invalid", "kind")


# -- writing -------------------------------------------------------------------------------

NEW = {
    "speakers": {"id": "new-envoy", "name": "A. Envoy", "role": "envoy"},
    "sources": {"id": "new-report", "title": "A new report", "published": "2025-11-27"},
    "statements": {"id": "new-claim", "text": "Talks resume in Geneva.", "speaker": "kaja-kallas", "said": "2025-11-23"},
    "arguments": {"id": "new-support", "kind": "support", "premises": ["kremlin-silent"], "target": "victims-silenced"},
}


@pytest.mark.parametrize("kind", list(NEW))
def test_create_read_replace_patch_delete(fresh_api, kind):
    body = NEW[kind]
    url = f"{BASE}/{kind}/{body['id']}"
    r = fresh_api.post(f"{BASE}/{kind}", json=body)
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in body} == body
    assert fresh_api.get(url).json() == r.json()
    assert fresh_api.get(f"{BASE}/{kind}", params={"limit": 1000}).json()["items"][-1]["id"] == body["id"]

    replaced = {**r.json(), "note": "replaced"} if kind in ("statements", "arguments") else {**r.json(), "publisher" if kind == "sources" else "affiliation": "replaced"}
    assert fresh_api.put(url, json=replaced).json() == replaced
    assert fresh_api.get(url).json() == replaced

    field = next(k for k, v in replaced.items() if v == "replaced")
    patched = fresh_api.patch(url, json={field: None})
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**replaced, field: None}
    assert fresh_api.get(url).json()[field] is None

    deleted = fresh_api.delete(url)
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": [f"{kind[:-1]}:{body['id']}"]}
    assert_error(fresh_api.get(url), 404, "not_found", "id")


def test_patch_changes_only_what_it_names(fresh_api):
    url = f"{BASE}/statements/kremlin-silent"
    before = fresh_api.get(url).json()
    r = fresh_api.patch(url, json={"tags": ["article", "kremlin"]})
    assert r.json() == {**before, "tags": ["article", "kremlin"]}


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "error", "field"),
    [
        # malformed JSON
        ("POST", "statements", {"content": b'{"id": "x", "text": ', "headers": JSON}, 400, "format", "$"),
        ("PATCH", "statements/kremlin-silent", {"content": b"{,}", "headers": JSON}, 400, "format", "$"),
        # JSON not sent as JSON (what a page of another site can send without asking)
        ("POST", "statements", {"content": b'{"id": "x", "text": "t"}', "headers": {"content-type": "text/plain"}},
         415, "unsupported_media_type", "content-type"),
        ("PATCH", "statements/kremlin-silent", {"content": b'{"text": "t"}'}, 415, "unsupported_media_type",
         "content-type"),
        # unknown field, named by its path
        ("POST", "statements", {"json": {"id": "x", "text": "t", "colour": "red"}}, 422, "invalid", "$.colour"),
        ("PATCH", "statements/kremlin-silent", {"json": {"colour": "red"}}, 422, "invalid", "$.colour"),
        # empty or blank text; a missing required field; a wrong type
        ("POST", "statements", {"json": {"id": "x", "text": ""}}, 422, "invalid", "$.text"),
        ("POST", "statements", {"json": {"id": "x", "text": "   "}}, 422, "invalid", "$.text"),
        ("PATCH", "statements/kremlin-silent", {"json": {"text": None}}, 422, "invalid", "$.text"),
        ("POST", "statements", {"json": {"text": "no id"}}, 422, "invalid", "$.id"),
        ("POST", "statements", {"json": {"id": "x", "text": 5}}, 422, "invalid", "$.text"),
        ("POST", "statements", {"json": ["not", "an", "object"]}, 422, "invalid", "$"),
        ("POST", "statements", {"json": {"id": "bad id!", "text": "t"}}, 422, "invalid", "$.id"),
        ("POST", "statements", {"json": {"id": "x", "text": "t", "said": "2025-02-30"}}, 422, "invalid", "$.said"),
        # references
        ("POST", "statements", {"json": {"id": "x", "text": "t", "speaker": "nobody"}}, 422, "dangling_reference", "$.speaker"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "support", "premises": ["nope"], "target": "victims-silenced"}},
         422, "dangling_reference", "$.premises[0]"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "support", "premises": ["kremlin-silent", "s-point13-g8"],
                                        "target": "victims-silenced"}}, 422, "dangling_reference", "$.premises[1]"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "attack", "premises": ["kremlin-silent"], "target": "nope"}},
         422, "dangling_reference", "$.target"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "support", "premises": ["kremlin-silent", "victims-silenced"],
                                        "target": "victims-silenced"}}, 422, "invalid", "$.target"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "undercut", "premises": ["kremlin-silent"],
                                        "target": "victims-silenced"}}, 422, "dangling_reference", "$.target"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "support", "premises": ["kremlin-silent"],
                                        "target": "s-point13-g8"}}, 422, "dangling_reference", "$.target"),
        ("POST", "arguments", {"json": {"id": "x", "kind": "support", "premises": [], "target": "victims-silenced"}},
         422, "invalid", "$.premises"),
        ("PATCH", "arguments/s-point13-g8", {"json": {"target": "plan-point-13-sanctions-g8"}}, 422, "invalid", "$.target"),
        ("PUT", "arguments/s-point13-g8", {"json": {"id": "s-point13-g8", "kind": "support", "premises": ["nope"],
                                                     "target": "russia-back-to-g8-sanctions-eased"}},
         422, "dangling_reference", "$.premises[0]"),
        # duplicate ids (statements and arguments share one id space)
        ("POST", "statements", {"json": {"id": "victims-silenced", "text": "t"}}, 409, "duplicate_id", "$.id"),
        ("POST", "statements", {"json": {"id": "s-point13-g8", "text": "t"}}, 409, "duplicate_id", "$.id"),
        ("POST", "arguments", {"json": {"id": "victims-silenced", "kind": "support", "premises": ["kremlin-silent"],
                                        "target": "next-crisis-not-its-end"}}, 409, "duplicate_id", "$.id"),
        ("POST", "speakers", {"json": {"id": "kaja-kallas", "name": "Someone else"}}, 409, "duplicate_id", "$.id"),
        ("POST", "sources", {"json": {"id": "article", "title": "Another"}}, 409, "duplicate_id", "$.id"),
        # the path and the body disagree; ids never change
        ("PUT", "statements/kremlin-silent", {"json": {"id": "other", "text": "t"}}, 422, "invalid", "$.id"),
        ("PATCH", "speakers/kaja-kallas", {"json": {"id": "kallas"}}, 422, "invalid", "$.id"),
        # nothing there
        ("PUT", "statements/nope", {"json": {"id": "nope", "text": "t"}}, 404, "not_found", "id"),
        ("PATCH", "sources/nope", {"json": {"title": "t"}}, 404, "not_found", "id"),
        ("DELETE", "arguments/nope", {}, 404, "not_found", "id"),
        # a source over HTTP cannot name a file on the server
        ("POST", "sources", {"json": {"id": "x", "title": "t", "text_file": "/etc/passwd"}}, 422, "invalid", "$.text_file"),
        # a quote that does not fit its source
        ("PATCH", "sources/article", {"json": {"text": "short"}}, 422, "invalid", "$.text"),
    ],
)
def test_refused_writes_change_nothing(fresh_api, method, url, kwargs, status, error, field):
    assert_refused(fresh_api, method, f"{BASE}/{url}", status, error, field, **kwargs)


def test_a_refused_write_to_an_unknown_map_is_404(fresh_api):
    assert_refused(fresh_api, "POST", "/maps/no-map/statements", 404, "not_found", "map", json={"id": "x", "text": "t"})


def test_delete_in_use_is_409_until_cascade(fresh_api):
    url = f"{BASE}/statements/plan-point-21-territory"
    body = assert_refused(fresh_api, "DELETE", url, 409, "in_use", "id")
    assert "s-point21-cession" in body["message"] and "cascade" in body["message"]
    r = fresh_api.delete(url, params={"cascade": "true"})
    assert r.status_code == 200
    # The statement, the three arguments that use it, and the undercuts of one of those.
    assert set(r.json()["deleted"]) == {
        "statement:plan-point-21-territory", "argument:s-point21-cession", "argument:s-points-make-demands",
        "argument:s-point21-workable", "argument:u-kupiansk-pair", "argument:u-disputed-front-line",
    }
    for gone in r.json()["deleted"]:
        kind, gid = gone.split(":")
        assert_error(fresh_api.get(f"{BASE}/{kind}s/{gid}"), 404, "not_found")
    assert fresh_api.store.check_integrity() == []


def test_delete_speaker_and_source_in_use(fresh_api):
    assert_refused(fresh_api, "DELETE", f"{BASE}/speakers/kaja-kallas", 409, "in_use", "id")
    assert_refused(fresh_api, "DELETE", f"{BASE}/sources/article", 409, "in_use", "id")
    assert_refused(fresh_api, "DELETE", f"{BASE}/arguments/s-point21-workable", 409, "in_use", "id")
    assert_refused(fresh_api, "DELETE", f"{BASE}/speakers/kaja-kallas", 400, "invalid", "cascade",
                   params={"cascade": "maybe"})
    r = fresh_api.delete(f"{BASE}/speakers/kaja-kallas", params={"cascade": "true"})
    assert "statement:kallas-no-viable-plan" in r.json()["deleted"]
    assert fresh_api.store.check_integrity() == []


def test_body_over_the_limit_is_413_and_changes_nothing(make_api):
    client = make_api(max_body=2048)
    before = snapshot(client)
    big = {"id": "big", "text": "x" * 4096}
    assert_error(client.post(f"{BASE}/statements", json=big), 413, "too_large", "body")
    assert snapshot(client) == before
    assert client.post(f"{BASE}/statements", json={**big, "text": "x" * 1000}).status_code == 201


def test_default_body_limit_is_ten_mebibytes(fresh_api):
    body = b'{"id": "big", "text": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    assert_refused(fresh_api, "POST", f"{BASE}/statements", 413, "too_large", "body", content=body, headers=JSON)


def test_two_patches_of_different_fields_at_once_both_land(fresh_api, monkeypatch):
    # A PATCH is read, merge, write. Slow the read down so two PATCHes surely overlap: if the
    # read and the write were not one transaction, each would write back the other's old field.
    store = fresh_api.store
    read = store.get_statement

    def slow_read(map_id, item_id):
        s = read(map_id, item_id)
        time.sleep(0.2)
        return s

    monkeypatch.setattr(store, "get_statement", slow_read)
    url = f"/maps/{MAP}/statements/victims-silenced"
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda body: fresh_api.patch(url, json=body).status_code,
                              [{"note": "checked by the desk"}, {"tags": ["reviewed"]}]))
    assert codes == [200, 200]
    final = fresh_api.get(url).json()
    assert (final["note"], final["tags"]) == ("checked by the desk", ["reviewed"])


def test_two_patches_of_a_map_s_fields_at_once_both_land(fresh_api, monkeypatch):
    store = fresh_api.store
    read = store.get_map_info

    def slow_read(map_id):
        info = read(map_id)
        time.sleep(0.2)
        return info

    monkeypatch.setattr(store, "get_map_info", slow_read)
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda body: fresh_api.patch(f"/maps/{MAP}", json=body).status_code,
                              [{"title": "New title"}, {"description": "New description"}]))
    assert codes == [200, 200]
    final = fresh_api.get(f"/maps/{MAP}").json()
    assert (final["title"], final["description"]) == ("New title", "New description")


# -- Conditional requests: ETag / If-Match / If-None-Match -------------------------------------

STATEMENT = f"/maps/{MAP}/statements/victims-silenced"


def test_a_read_gives_an_etag_that_a_write_can_be_made_conditional_on(fresh_api):
    tag = fresh_api.get(STATEMENT).headers["ETag"]
    r = fresh_api.patch(STATEMENT, json={"note": "checked"}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    new_tag = r.headers["ETag"]
    assert new_tag != tag
    # The tag a write answers is the tag the next read gives: a client can chain edits.
    assert fresh_api.get(STATEMENT).headers["ETag"] == new_tag
    r = fresh_api.patch(STATEMENT, json={"note": "checked twice"}, headers={"If-Match": new_tag})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("method, kwargs", [
    ("PATCH", {"json": {"note": "my edit"}}),
    ("PUT", {"json": {"id": "victims-silenced", "text": "My version of the claim."}}),
    ("DELETE", {"params": {"cascade": "true"}}),
])
def test_a_write_on_a_stale_etag_is_412_and_changes_nothing(fresh_api, method, kwargs):
    stale = fresh_api.get(STATEMENT).headers["ETag"]
    assert fresh_api.patch(STATEMENT, json={"note": "another editor's edit"}).status_code == 200
    body = assert_refused(fresh_api, method, STATEMENT, 412, "precondition_failed", "If-Match",
                          headers={"If-Match": stale}, **kwargs)
    assert "changed since it was read" in body["problems"][0]["reason"]
    assert fresh_api.get(STATEMENT).json()["note"] == "another editor's edit"


def test_if_match_star_or_a_list_holding_the_tag_lets_the_write_through(fresh_api):
    tag = fresh_api.get(STATEMENT).headers["ETag"]
    assert fresh_api.patch(STATEMENT, json={"note": "a"}, headers={"If-Match": f'"nope", {tag}'}).status_code == 200
    assert fresh_api.patch(STATEMENT, json={"note": "b"}, headers={"If-Match": "*"}).status_code == 200
    # If-Match compares strongly: a weak tag never matches, even with the same digest.
    tag = fresh_api.get(STATEMENT).headers["ETag"]
    assert_refused(fresh_api, "PATCH", STATEMENT, 412, "precondition_failed", json={"note": "c"},
                   headers={"If-Match": f"W/{tag}"})


def test_a_conditional_delete_of_an_unchanged_item_deletes_it(fresh_api):
    url = f"/maps/{MAP}/arguments/{fresh_api.get(f'/maps/{MAP}/arguments').json()['items'][0]['id']}"
    tag = fresh_api.get(url).headers["ETag"]
    assert fresh_api.delete(url, headers={"If-Match": tag}).status_code == 200
    assert fresh_api.get(url).status_code == 404


def test_if_none_match_with_the_current_tag_is_a_bodiless_304(fresh_api):
    tag = fresh_api.get(STATEMENT).headers["ETag"]
    r = fresh_api.get(STATEMENT, headers={"If-None-Match": tag})
    assert (r.status_code, r.content, r.headers["ETag"]) == (304, b"", tag)
    assert fresh_api.get(STATEMENT, headers={"If-None-Match": f"W/{tag}"}).status_code == 304
    fresh_api.patch(STATEMENT, json={"note": "changed"})
    r = fresh_api.get(STATEMENT, headers={"If-None-Match": tag})
    assert r.status_code == 200 and r.json()["note"] == "changed"


@pytest.mark.parametrize("kind", ["speakers", "sources", "statements", "arguments"])
def test_every_entity_kind_has_etags_equal_between_list_item_and_write(fresh_api, kind):
    item = fresh_api.get(f"/maps/{MAP}/{kind}").json()["items"][0]
    url = f"/maps/{MAP}/{kind}/{item['id']}"
    tag = fresh_api.get(url).headers["ETag"]
    r = fresh_api.put(url, json=item, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == tag  # written back unchanged: the same tag
