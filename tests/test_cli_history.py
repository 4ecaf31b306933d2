"""The CLI's history: writes logged as the local user or --author with --message; history, diff,
restore, and --as-of on exports and evaluate; maps older than the log get a baseline."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from argmap.cli import cli
from argmap.history import history, map_as_of
from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"


def run(db, *args, ok: bool = True):
    r = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert (r.exit_code == 0) == ok, r.output
    return r


def test_writes_are_logged_with_author_and_message_and_the_past_is_read_back(tmp_path):
    db = tmp_path / "a.duckdb"
    run(db, "-m", "first load", "load", str(SEED))
    edited = tmp_path / "edited.yaml"
    (tmp_path / "peace-plan-article.txt").write_bytes((SEED.parent / "peace-plan-article.txt").read_bytes())
    text = SEED.read_text()
    edited.write_text(text.replace("title: \"", "title: \"Revised: ", 1))
    run(db, "--author", "carol", "--message", "renamed", "load", "--replace", str(edited))
    items = json.loads(run(db, "history", "peace-plan", "--json").output)
    assert [(v["version"], v["author"], v["message"]) for v in items] == [
        (2, "carol", "renamed"), (1, getpass.getuser(), "first load")]
    d = json.loads(run(db, "diff", "peace-plan", "1", "2", "--json").output)
    assert [(f["field"], f["after"][:9]) for f in d["map_fields"]] == [("title", "Revised: ")]
    assert d["statements"] == {"added": [], "removed": [], "changed": []}
    assert d["labels"] == []
    old = run(db, "export", "map", "peace-plan", "--format", "json", "--as-of", "1").output
    assert json.loads(old)["title"] == json.loads(run(db, "export", "map", "peace-plan", "--format", "json").output)["title"].removeprefix("Revised: ")
    assert "victims-silenced" in run(db, "evaluate", "peace-plan", "--as-of", "1").output
    r = run(db, "evaluate", "peace-plan", "--as-of", "7", ok=False)
    assert r.exit_code == 2 and "as_of: version 7 is in the future" in r.output
    run(db, "--author", "dan", "restore", "peace-plan", "1")
    with Store(str(db), read_only=True) as store:
        assert not store.get_map_info("peace-plan").title.startswith("Revised")
    last = json.loads(run(db, "history", "peace-plan", "--json", "--limit", "1").output)[0]
    assert (last["version"], last["action"], last["restored_from"], last["author"]) == (3, "restore", 1, "dan")


def test_a_map_older_than_the_log_gets_a_baseline_version(tmp_path):
    db = str(tmp_path / "old.duckdb")
    with Store(db) as store:
        store.load_map(load(SEED))
        before = store.get_map("peace-plan")
    # Make it a file from before the change log: no log tables, schema version 2.
    con = duckdb.connect(db)
    con.execute("DROP TABLE change_log; DELETE FROM schema_version WHERE version >= 3")
    con.close()
    with Store(db) as store:
        (v,) = history(store, "peace-plan")
        assert (v.version, v.action, v.author) == (1, "baseline", None)
        assert map_as_of(store, "peace-plan", "1") == before


def test_the_log_check_finds_data_without_its_change(tmp_path):
    from argmap.model import Statement
    from argmap.store._history import check

    with Store(str(tmp_path / "c.duckdb")) as store:
        store.load_map(load(SEED))
        store.add_statement("peace-plan", Statement(id="late", text="A late claim."))
        assert check(store) == []
        store.write(lambda cur: cur.execute("DELETE FROM change_log WHERE id = 'late'"))
        assert check(store) == ["map 'peace-plan' differs from its logged version 2"]


def test_check_says_the_log_agrees_and_names_what_changed_behind_its_back(tmp_path):
    db = tmp_path / "c.duckdb"
    run(db, "load", str(SEED))
    assert "agree" in run(db, "check").output
    con = duckdb.connect(str(db))  # an edit past argmap: the log never heard of it
    con.execute("UPDATE statements SET text = 'Edited behind the log.' WHERE id = 'victims-silenced'")
    con.close()
    found = run(db, "check", ok=False)
    assert found.exit_code == 1
    assert "peace-plan" in found.output and "agree" not in found.output
    con = duckdb.connect(str(db))  # an argument left without premises: the model cannot read it back
    con.execute("DELETE FROM premises WHERE argument_id = (SELECT min(argument_id) FROM premises)")
    con.close()
    broken = run(db, "check", ok=False).output
    assert "argument without premises" in broken and "not compared" in broken
