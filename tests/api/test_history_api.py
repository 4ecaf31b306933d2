"""History over HTTP, on both back ends: every write logged with its author (the named token)
and message; every read at ``as_of`` answers byte for byte what it answered then; diff lists
exactly the changes; restore brings a deleted statement back with its arguments; a refused
write logs nothing; the Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from apitest import MAP, assert_error, make_api, open_store, seed_map  # noqa: F401  (fixtures, found by name)

LAKE_IS_SLOW = True

ANN, BOB = "ann-token-0123456789abcdef", "bob-token-0123456789abcdef"


def as_(token: str, message: str | None = None) -> dict:
    return {"Authorization": f"Bearer {token}", **({"X-Argmap-Message": message} if message else {})}


@pytest.fixture
def client(make_api, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")  # AIF's node times: the same in both reads
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"# who may write\nann: {ANN}\nbob: {BOB}\n")
    return make_api(tokens_file=str(tokens))


TARGET = "no-peace-without-ukraine-and-europe"
X = {"id": "x", "text": "Europe was not consulted on the draft.", "tags": ["history-test"]}
A = {"id": "ax", "kind": "support", "premises": ["x"], "target": TARGET}

# What each step does: (method, path, body, token, message); then the reads below are recorded.
STEPS = [
    ("POST", f"/maps/{MAP}/statements", X, ANN, "add x"),
    ("POST", f"/maps/{MAP}/arguments", A, BOB, "x supports the conclusion"),
    ("PATCH", f"/maps/{MAP}/statements/x", {"text": "Europe was never consulted on the draft."}, ANN, "wording"),
    ("PATCH", f"/maps/{MAP}/arguments/ax", {"note": "weak"}, BOB, None),
    ("DELETE", f"/maps/{MAP}/statements/x?cascade=true", None, BOB, "retracted"),
    ("POST", f"/maps/{MAP}/statements", {**X, "text": "Europe was consulted late."}, ANN, "re-created"),
    ("POST", f"/maps/{MAP}/arguments", {**A, "kind": "attack"}, ANN, "now an attack"),
]

READS = [
    f"/maps/{MAP}",
    f"/maps/{MAP}.json",
    f"/maps/{MAP}.argdown",
    f"/maps/{MAP}.aif.json",
    f"/maps/{MAP}/statements?limit=1000",
    f"/maps/{MAP}/statements?tag=history-test",
    f"/maps/{MAP}/statements/x",
    f"/maps/{MAP}/arguments?limit=1000",
    f"/maps/{MAP}/arguments/ax",
    f"/maps/{MAP}/speakers",
    f"/maps/{MAP}/sources",
    f"/maps/{MAP}/statements/{TARGET}/supporters?depth=5",
    f"/maps/{MAP}/statements/{TARGET}/attackers?depth=all",
    f"/maps/{MAP}/speakers/matrix",
    f"/maps/{MAP}/search?q=Europe+consulted",
    f"/maps/{MAP}/evaluation",
    f"/maps/{MAP}/statements.csv",
    f"/maps/{MAP}/statements.json",
    f"/maps/{MAP}/timeline.json",
]
DRAWN = [f"/maps/{MAP}/diagram.svg", f"/maps/{MAP}/diagram.dot?focus={TARGET}&depth=1", f"/maps/{MAP}/timeline.svg"]


def _with(url: str, **params) -> str:
    return url + ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in params.items())


def test_every_read_at_as_of_answers_what_it_answered_then(client):
    recorded: list[tuple[int, str, dict]] = []  # (version, time, {url: (status, bytes)})

    def record(drawn: bool) -> None:
        h = client.get(f"/maps/{MAP}/history?limit=1").json()
        answers = {u: (r.status_code, r.content) for u in READS + (DRAWN if drawn else []) for r in [client.get(u)]}
        recorded.append((h["current"], h["items"][0]["at"], answers))

    record(drawn=True)
    for i, (method, path, body, token, message) in enumerate(STEPS):
        r = client.request(method, path, json=body, headers=as_(token, message))
        assert r.status_code < 300, r.text
        record(drawn=i in (1, 4))

    versions = [v for v, _, _ in recorded]
    assert versions == list(range(versions[0], versions[0] + len(STEPS) + 1))
    for version, at, answers in recorded:
        for url, (status, content) in answers.items():
            for as_of in (version, at):
                r = client.get(_with(url, as_of=as_of))
                assert (r.status_code, r.content) == (status, content), f"{url} at as_of={as_of}"


def test_each_step_is_in_history_with_its_author_and_message(client):
    start = client.get(f"/maps/{MAP}/history").json()["current"]
    for method, path, body, token, message in STEPS:
        assert client.request(method, path, json=body, headers=as_(token, message)).status_code < 300
    h = client.get(f"/maps/{MAP}/history?limit=7").json()
    items = list(reversed(h["items"]))
    assert [v["version"] for v in items] == list(range(start + 1, start + 8))
    assert [v["author"] for v in items] == ["ann", "bob", "ann", "bob", "bob", "ann", "ann"]
    assert [v["message"] for v in items] == [s[4] for s in STEPS]
    assert [v["summary"] for v in items] == [
        "added statement x", "added argument ax", "changed statement x (text)", "changed argument ax (note)",
        "deleted statement x, argument ax", "added statement x", "added argument ax"]
    assert h["next_offset"] == 7
    # Each version's detail names the entity's state before and after.
    detail = client.get(f"/maps/{MAP}/history/{start + 3}").json()
    assert [(c["kind"], c["id"], c["before"]["text"], c["after"]["text"]) for c in detail["changes"]] == [
        ("statement", "x", X["text"], "Europe was never consulted on the draft.")]


def test_a_message_may_be_any_script_percent_encoded_and_is_bounded(client):
    r = client.post(f"/maps/{MAP}/statements", json=X, headers=as_(ANN, "%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D0%B0"))
    assert r.status_code == 201
    assert client.get(f"/maps/{MAP}/history?limit=1").json()["items"][0]["message"] == "правка"
    before = client.get(f"/maps/{MAP}/history").json()["current"]
    r = client.patch(f"/maps/{MAP}/statements/x", json={"note": "n"}, headers=as_(ANN, "m" * 2001))
    assert_error(r, 422, "invalid", "X-Argmap-Message")
    assert client.get(f"/maps/{MAP}/history").json()["current"] == before
    assert client.get(f"/maps/{MAP}/statements/x").json()["note"] is None


def test_a_refused_write_adds_nothing_to_history(client):
    before = client.get(f"/maps/{MAP}/history").json()
    refused = [
        ("POST", f"/maps/{MAP}/statements", {"id": TARGET, "text": "duplicate"}),  # 409
        ("POST", f"/maps/{MAP}/arguments", {**A, "premises": ["nope"]}),  # dangling
        ("DELETE", f"/maps/{MAP}/statements/{TARGET}", None),  # in use
        ("PATCH", f"/maps/{MAP}/statements/{TARGET}", {"kind": "nonsense"}),
        ("POST", f"/maps/{MAP}/statements?as_of=1", X),  # the past is read-only
    ]
    for method, path, body in refused:
        r = client.request(method, path, json=body, headers=as_(ANN, "should not show"))
        assert 400 <= r.status_code < 500, (path, r.text)
    assert client.get(f"/maps/{MAP}/history").json() == before
    unauthorised = client.post(f"/maps/{MAP}/statements", json=X, headers={"Authorization": "Bearer wrong"})
    assert unauthorised.status_code == 401
    assert client.get(f"/maps/{MAP}/history").json() == before


def test_diff_lists_exactly_the_changes_and_the_labels_that_moved(client):
    v0 = client.get(f"/maps/{MAP}/history").json()["current"]
    for method, path, body, token, message in STEPS[:4]:
        assert client.request(method, path, json=body, headers=as_(token, message)).status_code < 300
    d = client.get(f"/maps/{MAP}/diff?from={v0}&to={v0 + 4}").json()
    assert [s["id"] for s in d["statements"]["added"]] == ["x"]
    assert d["statements"]["added"][0]["text"] == "Europe was never consulted on the draft."
    assert [a["id"] for a in d["arguments"]["added"]] == ["ax"]
    assert d["statements"]["removed"] == d["statements"]["changed"] == []
    assert d["arguments"]["removed"] == d["arguments"]["changed"] == []
    assert d["speakers"] == d["sources"] == {"added": [], "removed": [], "changed": []}
    # Between the two edits: one field each, field by field.
    d = client.get(f"/maps/{MAP}/diff?from={v0 + 2}&to={v0 + 4}&semantics=none").json()
    assert d["statements"]["changed"] == [{"id": "x", "fields": [
        {"field": "text", "before": X["text"], "after": "Europe was never consulted on the draft."}]}]
    assert d["arguments"]["changed"] == [{"id": "ax", "fields": [{"field": "note", "before": None, "after": "weak"}]}]
    assert d["labels"] == []
    # Backwards: the same changes the other way round.
    back = client.get(f"/maps/{MAP}/diff?from={v0 + 4}&to={v0}&semantics=none").json()
    assert [s["id"] for s in back["statements"]["removed"]] == ["x"]
    # Labels: x (unattacked) stands once added; compare with the evaluation itself.
    d = client.get(f"/maps/{MAP}/diff?from={v0}&to={v0 + 1}").json()
    labels = client.get(f"/maps/{MAP}/evaluation?as_of={v0 + 1}").json()["labels"]
    assert {"id": "x", "before": None, "after": labels["x"]} in d["labels"]
    before = client.get(f"/maps/{MAP}/evaluation?as_of={v0}").json()["labels"]
    after = client.get(f"/maps/{MAP}/evaluation?as_of={v0 + 4}").json()["labels"]
    d = client.get(f"/maps/{MAP}/diff?from={v0}&to={v0 + 4}").json()
    statements = {s["id"] for s in client.get(f"/maps/{MAP}/statements?limit=1000").json()["items"]}
    expected = sorted(i for i in statements | {"x"} if before.get(i) != after.get(i))
    assert [c["id"] for c in d["labels"]] == expected


def test_restore_brings_back_a_deleted_statement_with_its_arguments(client):
    for method, path, body, token, message in STEPS[:2]:
        assert client.request(method, path, json=body, headers=as_(token, message)).status_code < 300
    kept = client.get(f"/maps/{MAP}.json").content
    good = client.get(f"/maps/{MAP}/history").json()["current"]
    r = client.delete(f"/maps/{MAP}/statements/x?cascade=true", headers=as_(BOB))
    assert r.json()["deleted"] == ["statement:x", "argument:ax"]
    r = client.post(f"/maps/{MAP}/restore?version={good}", json={}, headers=as_(ANN, "undo the retraction"))
    assert r.status_code == 200, r.text
    v = r.json()
    assert (v["version"], v["action"], v["restored_from"], v["author"], v["message"]) == (
        good + 2, "restore", good, "ann", "undo the retraction")
    assert client.get(f"/maps/{MAP}/statements/x").json()["text"] == X["text"]
    assert client.get(f"/maps/{MAP}/arguments/ax").json()["premises"] == ["x"]
    assert client.get(f"/maps/{MAP}.json").content == kept
    # History was not rewritten: the delete is still there, before the restore.
    h = client.get(f"/maps/{MAP}/history?limit=2").json()["items"]
    assert [x["action"] for x in h] == ["restore", "write"]
    assert_error(client.post(f"/maps/{MAP}/restore", json={"version": good + 9}, headers=as_(ANN)), 422, "invalid", "version")


def test_a_deleted_map_keeps_its_history_and_can_be_restored(client):
    last = client.get(f"/maps/{MAP}/history").json()["current"]
    kept = client.get(f"/maps/{MAP}.json").content
    assert client.delete(f"/maps/{MAP}?confirm=true", headers=as_(BOB, "oops")).status_code == 200
    assert client.get(f"/maps/{MAP}").status_code == 404
    assert_error(client.get(f"/maps/{MAP}/statements?as_of={last + 1}"), 404, "not_found", "as_of")
    assert client.get(f"/maps/{MAP}/statements?as_of={last}").status_code == 200
    h = client.get(f"/maps/{MAP}/history?limit=1").json()["items"][0]
    assert (h["action"], h["author"]) == ("delete", "bob")
    assert h["summary"] == f"deleted map {MAP}; deleted 17 speakers, 15 sources, 70 statements, 60 arguments"
    assert client.post(f"/maps/{MAP}/restore?version={last}", json={}, headers=as_(ANN)).status_code == 200
    assert client.get(f"/maps/{MAP}.json").content == kept


@pytest.mark.parametrize("as_of, status, error", [
    ("999999", 422, "invalid"), ("2999-01-01T00:00:00Z", 422, "invalid"), ("0", 404, "not_found"),
    ("2001-01-01", 404, "not_found"), ("yesterday", 422, "invalid"),
])
def test_as_of_before_the_map_or_in_the_future_is_refused_naming_the_field(client, as_of, status, error):
    for url in (f"/maps/{MAP}/statements", f"/maps/{MAP}/diagram.svg", f"/maps/{MAP}.json"):
        assert_error(client.get(_with(url, as_of=as_of)), status, error, "as_of")


def test_the_atom_feed_lists_versions_newest_first(client):
    for method, path, body, token, message in STEPS[:3]:
        assert client.request(method, path, json=body, headers=as_(token, message)).status_code < 300
    r = client.get(f"/maps/{MAP}/history.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(r.content)
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:author/a:name", ns).text for e in entries[:3]] == ["ann", "bob", "ann"]
    assert "wording" in entries[0].find("a:summary", ns).text
    assert entries[0].find("a:link", ns).get("href").endswith(f"/maps/{MAP}/diff?from={len(entries) - 1}&to={len(entries)}")
    assert client.get(f"/maps/{MAP}/history.atom").content == r.content  # the same log, the same bytes


def test_the_plain_write_token_is_logged_as_token(make_api):
    c = make_api(token="write-secret-0123456789")
    assert c.post(f"/maps/{MAP}/statements", json=X, headers={"Authorization": "Bearer write-secret-0123456789"}
                  ).status_code == 201
    assert c.get(f"/maps/{MAP}/history?limit=1").json()["items"][0]["author"] == "token"
    # Reads need no token here; the history of a map no one knows is a 404.
    assert_error(c.get("/maps/nope/history"), 404, "not_found", "map")


def test_every_export_states_its_map_and_version(client):
    v = client.get(f"/maps/{MAP}/history").json()["current"]
    svg = client.get(f"/maps/{MAP}/diagram.svg").content
    assert f'<argmap:made xmlns:argmap="urn:argmap" map="{MAP}" version="{v}"/>'.encode() in svg
    assert client.get(f"/maps/{MAP}/timeline.json").json()["argmap"] == {"map": MAP, "version": v}
    assert client.get(f"/maps/{MAP}.aif.json").json()["argmap"] == {"map": MAP, "version": v}
    assert f'content="{MAP} version {v}"'.encode() in client.get(f"/maps/{MAP}/briefing.html").content
    assert client.post(f"/maps/{MAP}/statements", json=X, headers=as_(ANN)).status_code == 201
    old = client.get(f"/maps/{MAP}/timeline.svg?as_of={v}").content
    assert f'version="{v}"'.encode() in old
    assert client.get(f"/maps/{MAP}/timeline.svg?as_of={v}").content == old  # the same as_of, the same bytes
    assert f'version="{v + 1}"'.encode() in client.get(f"/maps/{MAP}/timeline.svg").content


def test_the_history_and_diff_pages_mark_what_changed(client):
    for method, path, body, token, message in STEPS[:3]:
        assert client.request(method, path, json=body, headers=as_(token, message)).status_code < 300
    v = client.get(f"/maps/{MAP}/history").json()["current"]
    page = client.get(f"/ui/maps/{MAP}/history").text
    assert "wording" in page and "bob" in page and f"as_of={v - 1}" in page
    diff = client.get(f"/ui/maps/{MAP}/diff?from={v - 1}&to={v}").text
    assert "Europe was<del> not</del><ins> never</ins> consulted" in diff
    # The map page as of a version shows that version's text.
    assert "Europe was not consulted" in client.get(f"/ui/maps/{MAP}?as_of={v - 1}&statement=x").text


def test_a_briefing_at_as_of_is_the_same_file_any_day_and_names_its_version(client, monkeypatch):
    import datetime
    import io
    import types

    import pdfplumber

    from argmap.render import briefing

    class OtherDay(datetime.date):
        @classmethod
        def today(cls):
            return cls(1999, 12, 31)

    v = client.get(f"/maps/{MAP}/history").json()["current"]
    at = client.get(f"/maps/{MAP}/history?limit=1").json()["items"][0]["at"]
    url = f"/maps/{MAP}/briefing.pdf?as_of={v}&sections=conclusions,sources"
    first = client.get(url)
    assert first.status_code == 200, first.text
    assert client.post(f"/maps/{MAP}/statements", json=X, headers=as_(ANN)).status_code == 201  # the map moves on
    monkeypatch.setattr(briefing, "_dt", types.SimpleNamespace(date=OtherDay, datetime=datetime.datetime))
    assert client.get(url).content == first.content  # the same as_of and options: the same bytes, another day
    with pdfplumber.open(io.BytesIO(first.content)) as pdf:
        meta = pdf.metadata
        cover = pdf.pages[0].extract_text()
        last = pdf.pages[-1].extract_text()
    assert (meta["ArgmapMap"], meta["ArgmapVersion"]) == (MAP, str(v))
    assert meta["CreationDate"].startswith("D:" + at[:10].replace("-", ""))  # issued on the version's day
    assert f"version {v} of the map" in " ".join(cover.split())
    colophon = " ".join(last.split())
    assert f"Made with argmap from version {v} of the map {MAP}" in colophon and f"as_of={v}" in colophon
    # Now (no as_of): the current version, in the metadata as in the text.
    with pdfplumber.open(io.BytesIO(client.get(f"/maps/{MAP}/briefing.pdf?sections=conclusions,sources").content)) as pdf:
        assert pdf.metadata["ArgmapVersion"] == str(v + 1)
        assert pdf.metadata["CreationDate"].startswith("D:19991231")  # without as_of: issued today
    # Graphviz's PDF of the diagram is dated by the version, not by the clock: the same bytes too.
    with pdfplumber.open(io.BytesIO(client.get(f"/maps/{MAP}/diagram.pdf?as_of={v}").content)) as pdf:
        assert pdf.metadata["CreationDate"] == "D:" + "".join(ch for ch in at if ch.isdigit())[:14] + "Z"
    # The printable diagram says which version it draws too.
    with pdfplumber.open(io.BytesIO(client.get(f"/maps/{MAP}/print.pdf?as_of={v}").content)) as pdf:
        assert (pdf.metadata["ArgmapMap"], pdf.metadata["ArgmapVersion"]) == (MAP, str(v))


def test_a_signed_in_browser_writes_under_its_token_s_name(client):
    import re

    assert client.post("/ui/sign-in", data={"token": BOB}, follow_redirects=False).status_code == 303
    page = client.get(f"/ui/maps/{MAP}?statement={TARGET}").text
    csrf = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page)[1]
    # A write by the page's script (JSON with X-CSRF-Token), then one by a form of the panel.
    r = client.post(f"/maps/{MAP}/statements", json=X, headers={"X-CSRF-Token": csrf, "X-Argmap-Message": "from the page"})
    assert r.status_code == 201, r.text
    form = re.search(r'name="csrf" value="([0-9a-f]+)"', page)[1]
    r = client.post(f"/ui/maps/{MAP}/statements/x/edit", data={"text": "Europe was told late.", "said": "", "csrf": form},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    items = client.get(f"/maps/{MAP}/history?limit=2").json()["items"]
    assert [(v["author"], v["summary"]) for v in items] == [
        ("bob", "changed statement x (text)"), ("bob", "added statement x")]
    assert items[1]["message"] == "from the page"
