"""The ``argmap`` command line as a user meets it: output, exit codes, and the database after.

Exit codes: 0 ok, 2 bad input (file, reference, usage), 1 any other failure. An error is one
line on stderr, ``argmap: error: <field>: <reason>``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from argmap.cli import cli
from argmap.mapfile import load as load_map_file
from argmap.schemas import generate
from argmap.store import Store
from argmap.store._store import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "peace-plan.yaml"
ARTICLE = REPO / "seeds" / "peace-plan-article.txt"
COUNTS = "17 speakers, 15 sources, 70 statements, 60 arguments (47 support, 8 attack, 5 undercut)"


@pytest.fixture(scope="module")
def seed():
    return load_map_file(SEED)


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="argmap")


def error_line(result) -> str:
    """The one line a failing command prints on stderr."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"an error is one line, got {result.stderr!r}"
    assert lines[0].startswith("argmap: error: ")
    return lines[0]


def seed_copy(folder: Path, old: str | None = None, new: str | None = None) -> Path:
    """The seed map (with its article beside it), optionally with ``old`` replaced once."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    text = SEED.read_text(encoding="utf-8")
    if old is not None:
        assert text.count(old) >= 1
        text = text.replace(old, new, 1)
    path = folder / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path, seed) -> Path:
    """A database file holding the seed map."""
    path = tmp_path / "argmap.duckdb"
    result = run("--db", path, "load", SEED)
    assert result.exit_code == 0, result.output
    return path


# -- load ---------------------------------------------------------------------------------


def test_load_into_a_new_database_prints_the_counts(tmp_path, seed):
    path = tmp_path / "new.duckdb"
    result = run("--db", path, "load", SEED)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"loaded map 'peace-plan' into {path}: {COUNTS}\n"
    with Store(path, read_only=True) as store:
        assert store.get_map("peace-plan") == seed


def test_loading_again_is_refused_and_replace_replaces(db):
    data = db.read_bytes()
    result = run("--db", db, "load", SEED)
    assert result.exit_code == 2
    assert "map 'peace-plan' already exists" in error_line(result)
    assert db.read_bytes() == data, "a write refused inside the store leaves the file's bytes as they were"
    result = run("--db", db, "load", "--replace", SEED)
    assert result.exit_code == 0 and COUNTS in result.stdout


BROKEN = [
    pytest.param("target: kallas-no-viable-plan", "target: nowhere",
                 "$.arguments[4].target: unknown statement 'nowhere'", id="target"),
    pytest.param("speaker: kaja-kallas", "speaker: kaja-kalas",
                 "$.statements[43].speaker: unknown speaker 'kaja-kalas'", id="speaker"),
    pytest.param("premises: [next-crisis-not-its-end]", "premises: [next-crisis]",
                 "$.arguments[1].premises[0]: unknown statement 'next-crisis'", id="premise"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
@pytest.mark.parametrize("replace", [False, True], ids=["load", "load-replace"])
def test_a_broken_reference_is_named_and_the_database_is_untouched(tmp_path, db, old, new, message, replace):
    broken = seed_copy(tmp_path / "broken", old, new)
    with Store(db, read_only=True) as store:
        before, counts = store.get_map("peace-plan"), store.counts()
    data = db.read_bytes()

    result = run("--db", db, "load", *(["--replace"] if replace else []), broken)

    assert result.exit_code == 2
    assert message in error_line(result)
    assert result.stdout == ""
    assert db.read_bytes() == data, "the file is not even opened for writing"
    with Store(db, read_only=True) as store:
        assert store.get_map("peace-plan") == before
        assert store.counts() == counts
        assert store.check_integrity() == []


def test_a_broken_file_creates_no_database(tmp_path):
    broken = seed_copy(tmp_path / "broken", "target: kallas-no-viable-plan", "target: nowhere")
    path = tmp_path / "never.duckdb"
    result = run("--db", path, "load", broken)
    assert result.exit_code == 2
    assert not path.exists()


def test_a_yaml_syntax_error_names_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: m\ntitle: [unclosed\nstatements: []\n", encoding="utf-8")
    result = run("--db", tmp_path / "x.duckdb", "load", bad)
    assert result.exit_code == 2
    assert error_line(result) == (
        "argmap: error: line 3, column 11: while parsing a flow sequence: did not find expected ',' or ']'"
    )


def test_a_quote_that_no_longer_fits_the_article_is_named(tmp_path):
    # Shift the main conclusion's quote span by one character: its text no longer matches.
    path = seed_copy(tmp_path / "q", "quote: {start: 5587, end: 5650,", "quote: {start: 5588, end: 5651,")
    result = run("--db", tmp_path / "q.duckdb", "load", "--check", path)
    assert result.exit_code == 2
    assert error_line(result) == (
        "argmap: error: $.statements[0].quote: text does not match source 'article' at 5588..5651"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "missing.yaml"], "file: cannot read missing.yaml: No such file or directory"),
        (["load", "map.txt"], "file: unknown map file type '.txt'; use .yaml, .json or .toml"),
    ],
    ids=["missing-file", "unknown-type"],
)
def test_an_unreadable_file_exits_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.txt").write_text("id: m")
    result = run("--db", tmp_path / "x.duckdb", *args)
    assert result.exit_code == 2
    assert error_line(result) == f"argmap: error: {message}"


def test_check_validates_without_touching_the_database(tmp_path):
    path = tmp_path / "untouched.duckdb"
    result = run("--db", path, "load", "--check", SEED)
    assert result.exit_code == 0
    assert result.stdout == f"{SEED}: valid map 'peace-plan' (70 statements, 60 arguments)\n"
    assert not path.exists()
    broken = seed_copy(tmp_path / "broken", "target: kallas-no-viable-plan", "target: nowhere")
    result = run("--db", path, "load", "--check", broken)
    assert result.exit_code == 2 and "unknown statement 'nowhere'" in error_line(result)
    assert not path.exists()


def test_an_unexpected_failure_exits_1_with_one_line(tmp_path, monkeypatch):
    def boom(self, m, *, replace=False):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "load_map", boom)
    result = run("--db", tmp_path / "x.duckdb", "load", SEED)
    assert result.exit_code == 1
    assert error_line(result) == "argmap: error: RuntimeError: disk on fire"


# -- init, stats --------------------------------------------------------------------------


def test_init_creates_an_empty_database_once(tmp_path):
    path = tmp_path / "fresh.duckdb"
    result = run("--db", path, "init")
    assert result.exit_code == 0
    assert result.stdout == f"database {path} ready (schema version {SCHEMA_VERSION})\n"
    assert path.exists()
    assert run("--db", path, "init").exit_code == 0, "init on an existing database is harmless"
    result = run("--db", path, "stats")
    assert result.stdout == f"{path}: no maps yet (load one with `argmap load FILE`)\n"


def test_stats_lists_maps_with_counts(db):
    result = run("--db", db, "stats")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "peace-plan: A peace without Ukraine and without Europe? The US draft peace plan, November 2025",
        f"  {COUNTS}",
    ]
    assert run("--db", db, "stats", "peace-plan").stdout == result.stdout


def test_stats_json_is_machine_readable(db):
    result = run("--db", db, "stats", "--json")
    assert result.exit_code == 0
    (entry,) = json.loads(result.stdout)
    assert entry["id"] == "peace-plan"
    assert entry["counts"] == {"speakers": 17, "sources": 15, "statements": 70, "arguments": 60,
                               "supports": 47, "attacks": 8, "undercuts": 5, "relations": 0}


def test_stats_of_an_unknown_map_or_database_exits_2(tmp_path, db):
    result = run("--db", db, "stats", "nope")
    assert result.exit_code == 2 and error_line(result) == "argmap: error: map: no map 'nope'"
    missing = tmp_path / "missing.duckdb"
    result = run("--db", missing, "stats")
    assert result.exit_code == 2 and "does not exist" in error_line(result)
    assert not missing.exists(), "reading never creates a database"


def test_the_database_can_come_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv("ARGMAP_DB", str(path))
    assert run("load", SEED).exit_code == 0
    assert path.exists()
    assert COUNTS in run("stats").stdout


# -- export ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_load_gives_the_same_map(tmp_path, db, seed, fmt):
    out = tmp_path / f"export.{fmt}"
    result = run("--db", db, "export", "map", "peace-plan", "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.output
    other = tmp_path / "other.duckdb"
    result = run("--db", other, "load", out)
    assert result.exit_code == 0, result.output
    assert COUNTS in result.stdout
    with Store(other, read_only=True) as store:
        assert store.get_map("peace-plan") == seed


def test_export_to_standard_output(db, seed):
    result = run("--db", db, "export", "map", "peace-plan", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["statements"][0]["id"] == seed.statements[0].id
    result = run("--db", db, "export", "map", "nope")
    assert result.exit_code == 2 and error_line(result) == "argmap: error: map: no map 'nope'"


# -- schema ------------------------------------------------------------------------------


def test_schema_writes_what_the_code_generates(tmp_path):
    result = run("schema", "--out", tmp_path / "schemas")
    assert result.exit_code == 0
    written = {p.name: p.read_bytes() for p in (tmp_path / "schemas").iterdir()}
    assert written == {f"{name}.schema.json": data for name, data in generate().items()}


# -- usage and help ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["load"], ["load", "--bogus", "x.yaml"], ["frobnicate"], ["export", "map"], ["stats", "--json", "a", "b"],
     ["export", "map", "m", "--format", "pdf"]],
    ids=["missing-argument", "unknown-option", "unknown-command", "missing-map", "extra-argument", "bad-choice"],
)
def test_bad_usage_exits_2_with_a_hint(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Try 'argmap" in result.stderr and "--help" in result.stderr


def commands(group: click.Group, path=()):
    yield path, group
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


ALL_COMMANDS = list(commands(cli))


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[" ".join(p) or "argmap" for p, _ in ALL_COMMANDS])
def test_every_command_and_option_has_help(path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0
    shown = " ".join(result.stdout.split())  # click wraps long lines
    assert command.help and " ".join(command.help.split("\n")[0].split()) in shown
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"
            assert param.opts[-1] in result.stdout
            assert " ".join(param.help.split()[:3]) in shown


def test_the_commands_a_newcomer_needs_are_there():
    assert {" ".join(p) for p, _ in ALL_COMMANDS} >= {"", "init", "load", "stats", "schema", "export", "export map"}


# -- the real executable -----------------------------------------------------------------


def test_the_console_script_exits_with_the_documented_codes(tmp_path):
    """Once through a real process: exit codes and stderr are what a shell script sees."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    argmap = [sys.executable, "-m", "argmap.cli", "--db", str(tmp_path / "p.duckdb")]
    ok = subprocess.run([*argmap, "load", str(SEED)], capture_output=True, text=True, env=env)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert COUNTS in ok.stdout
    bad = subprocess.run([*argmap, "load", str(tmp_path / "missing.yaml")], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("argmap: error: file: cannot read")
