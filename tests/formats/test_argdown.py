"""Argdown in and out (argmap.formats.argdown): the six example documents of the Argdown project
checked against Argdown's own parser, the syntax one construct at a time, errors with their
lines, and the seed map through Argdown and back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from argmap.errors import FormatError
from argmap.formats import argdown
from argmap.mapfile import load
from argmap.model import Argument, Map, Statement

REPO = Path(__file__).resolve().parents[2]
DOCS = Path(__file__).resolve().parents[3] / "shared" / "external" / "argdown"

# What `argdown json` (@argdown/cli 1.7.5) reports for each document: the number of statements
# (equivalence classes), arguments and relations by type. test_agrees_with_argdown_itself
# re-derives them from the CLI whenever it is installed.
ARGDOWN_1_7_5 = {
    "Populism-Core-Argument-Argdown-Example": {"statements": 69, "arguments": 27, "support relations": 24},
    "argdown-primer": {"statements": 17, "arguments": 4, "support relations": 5, "attack relations": 5},
    "greenspan-schefczyk_hardwrap": {"statements": 36, "arguments": 6, "support relations": 4,
                                     "contradictory relations": 1},
    "legalisation-softdrugs": {"statements": 1, "arguments": 17, "support relations": 9, "attack relations": 8,
                               "undercut relations": 2},
    "semmelweis_betz": {"statements": 32, "arguments": 10, "contrary relations": 5, "contradictory relations": 1},
    "state-censorship": {"statements": 28, "arguments": 7, "attack relations": 4},
}


def document(name: str) -> bytes:
    path = DOCS / f"{name}.argdown"
    if not path.exists():
        pytest.skip(f"{DOCS} not found: the Argdown examples sit beside the repository, not in it")
    return path.read_bytes()


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(REPO / "seeds" / "peace-plan.yaml")


# -- the six documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ARGDOWN_1_7_5))
def test_documents_import_with_argdowns_counts(name):
    imported = argdown.read(document(name), fallback_id="doc")
    assert imported.counts == ARGDOWN_1_7_5[name]
    check = imported.map
    assert check.statements and check.arguments


def test_legalisation_sketched_arguments_and_undercuts():
    m = argdown.loads(document("legalisation-softdrugs"))
    by_id = {s.id: s for s in m.statements}
    assert by_id["legalisation-of-soft-drugs"].text == "Soft drugs should be legal."
    assert by_id["no-harm-no-ban"].tags == ["pro"]
    assert by_id["no-harm-no-ban"].extras["argdown"]["argument"] == "No harm, no ban"
    args = {a.id: a for a in m.arguments}
    support = args["no-harm-no-ban.supports.legalisation-of-soft-drugs"]
    assert (support.kind, support.premises) == ("support", ["no-harm-no-ban"])
    undercuts = [a for a in m.arguments if a.kind == "undercut"]
    # <Poor reason> undercuts the analogy's inference to the main claim.
    assert {(a.premises[0], args[a.target].premises[0]) for a in undercuts} == {
        ("poor-reason", "alcohol-and-tobacco-analogy"),
        ("addiction-no-reason-to-ban", "argument-from-addiction"),
    }
    assert m.title == "Pros and Cons Legalisation of Soft Drugs" and m.description == "A Simple Analysis"


def test_state_censorship_premise_conclusion_structures():
    m = argdown.loads(document("state-censorship"))
    args = {a.id: a for a in m.arguments}
    ids = {s.id: s for s in m.statements}
    # (1)(2) ----- (3) (4) ----- (5): two inferences, the second starting from the first's conclusion.
    first, last = args["importance-of-inclusive-public-debate.1"], args["importance-of-inclusive-public-debate"]
    assert len(first.premises) == 2 and last.premises[0] == first.target and len(last.premises) == 2
    assert ids[last.target].kind == "derived"  # a conclusion nobody asserts on its own
    assert any(a.kind == "attack" and a.premises == [last.target] and a.target == "IRC-legislation" for a in m.arguments)
    freedom = args["argument-from-freedom-of-speech"]
    assert freedom.scheme == "Specification, Modus ponens"
    assert freedom.extras["argdown"]["inference_data"] == {"uses": [1, 2, 3]}
    assert freedom.premises[0] == "absolute-freedom-of-speech"
    # removeTagsFromText: true in the front matter
    assert "#" not in ids["absolute-freedom-of-speech"].text
    assert m.extras["argdown"]["front_matter"]["author"] == "Gregor Betz"


def test_semmelweis_strict_mode_contraries_are_mutual_attacks():
    imported = argdown.read(document("semmelweis_betz"))
    attacks = {(a.premises[0], a.target) for a in imported.map.arguments if a.kind == "attack"}
    h1, h2 = "epidemic-influence-hypothesis", "rough-examination-hypothesis"
    assert (h1, h2) in attacks and (h2, h1) in attacks


def test_populism_relations_of_reconstructed_arguments_start_at_their_conclusion():
    imported = argdown.read(document("Populism-Core-Argument-Argdown-Example"))
    m = imported.map
    texts = {s.id: s.text for s in m.statements}
    to_doom = [a for a in m.arguments if a.target == "Doom" and len(a.premises) == 1 and "." in a.id]
    assert to_doom and all(texts[a.premises[0]] == "Society is doomed and must be saved." for a in to_doom)
    assert any("support of a reconstructed argument" in n for n in imported.notes)


@pytest.mark.skipif(shutil.which("argdown") is None, reason="Argdown's CLI (npm @argdown/cli) is not installed")
def test_agrees_with_argdown_itself(tmp_path, seed):
    """Run `argdown json` on the six documents and on our export of the seed, and compare every
    statement title and text, argument, premise-conclusion structure and relation."""
    names = [*ARGDOWN_1_7_5, "seed"]
    for name in ARGDOWN_1_7_5:
        (tmp_path / f"{name}.argdown").write_bytes(document(name))
        (tmp_path / f"again-{name}.argdown").write_text(argdown.dumps(argdown.loads(document(name))), encoding="utf-8")
        names.append(f"again-{name}")
    (tmp_path / "seed.argdown").write_text(argdown.dumps(seed), encoding="utf-8")
    out = tmp_path / "json"
    run = subprocess.run(["argdown", "json", str(tmp_path / "*.argdown"), str(out)],
                         capture_output=True, text=True, timeout=120)
    for name in names:
        produced = out / f"{name}.json"
        assert produced.exists(), f"argdown refused {name}: {run.stdout[-2000:]}"
        ref = json.loads(produced.read_text(encoding="utf-8"))
        doc = argdown.parse((tmp_path / f"{name}.argdown").read_bytes())
        assert set(doc.statements) == set(ref["statements"]), name
        assert set(doc.arguments) == set(ref["arguments"]), name
        kind = {"statement": "equivalence-class"}
        mine = {(r.type, r.source, kind.get(r.source_kind, r.source_kind), r.target, kind.get(r.target_kind, r.target_kind))
                for r in doc.relations}
        theirs = {(r["relationType"], r["from"], r["fromType"], r["to"], r["toType"]) for r in ref["relations"]}
        assert mine == theirs, name
        for title, ec in ref["statements"].items():
            defined = [m for m in ec["members"] if not m.get("isReference")]
            expected = " ".join(defined[-1]["text"].split()) if defined else ""
            assert doc.statements[title]["text"] == expected, (name, title)
        for title, arg in ref["arguments"].items():
            assert [p["title"] for p in doc.arguments[title]["pcs"]] == [p["title"] for p in arg["pcs"]], (name, title)
        if name in ARGDOWN_1_7_5:
            assert doc.counts() == ARGDOWN_1_7_5[name]


@pytest.mark.parametrize("name", sorted(ARGDOWN_1_7_5))
def test_documents_survive_export_and_import(name):
    first = argdown.loads(document(name))
    again = argdown.loads(argdown.dumps(first))
    by_id = lambda items: sorted(items, key=lambda x: x.id)  # noqa: E731 - the order of blocks may change
    assert again.statements == first.statements
    assert by_id(again.arguments) == by_id(first.arguments)
    assert (again.id, again.title, again.description) == (first.id, first.title, first.description)


# -- the syntax, one construct at a time ---------------------------------------------------------


def test_relations_in_every_direction_and_nesting():
    m = argdown.loads(
        "[A]: a\n"
        "  + [B]: b\n"
        "    - [C]: c\n"
        "  <+ [D]: d\n"
        "  +> [E]: e\n"
        "  -> [F]: f\n"
        "  <- [G]: g\n"
    )
    got = {(a.kind, a.premises[0], a.target) for a in m.arguments}
    assert got == {
        ("support", "B", "A"), ("attack", "C", "B"), ("support", "D", "A"),
        ("support", "A", "E"), ("attack", "A", "F"), ("attack", "G", "A"),
    }


def test_undercut_of_an_inference_and_of_an_argument():
    m = argdown.loads(
        "<Arg>: Because.\n\n"
        "(1) [P]: p\n"
        "----\n"
        "  <_ [U1]: the rule fails here\n"
        "(2) [C]: c\n\n"
        "<Arg>\n"
        "  _ [U2]: another reason against the inference\n"
    )
    undercuts = {a.premises[0]: a.target for a in m.arguments if a.kind == "undercut"}
    assert undercuts == {"U1": "Arg", "U2": "Arg"}
    (arg,) = [a for a in m.arguments if a.id == "Arg"]
    assert (arg.premises, arg.target, arg.note) == (["P"], "C", "Because.")


def test_tags_data_headings_mentions_links_and_comments():
    m = argdown.loads(
        "===\ntitle: A debate\nsubTitle: on things\nauthor: Someone\n===\n\n"
        "# First part {isGroup: false}\n\n"
        "// a comment line\n"
        "[Claim one]: See @[Other] and <!-- inline --> [the site](https://example.org). "
        "#pro #(two words) {source: \"C1\", weight: 2}\n\n"
        "## Second\n\n"
        "[Other]: Plain __bold__ and *italic*, snake_case stays, 2 * 3 too.\n"
    )
    one, other = m.statements
    assert one.id == "claim-one" and one.extras["argdown"]["title"] == "Claim one"
    assert one.text == "See @[Other] and the site."  # the #tags are tags, not text
    assert one.tags == ["pro", "two-words"]
    assert one.extras["argdown"]["data"] == {"source": "C1", "weight": 2}
    assert one.extras["argdown"]["section"] == "First part"
    assert other.text == "Plain bold and italic, snake_case stays, 2 * 3 too."
    assert other.extras["argdown"]["section"] == "Second"
    assert (m.title, m.description) == ("A debate", "on things")


def test_equivalence_classes_untitled_statements_and_lists():
    imported = argdown.read(
        "[Same]: first wording\n\n"
        "[Same]: second wording\n\n"
        "A paragraph that argues for nothing.\n\n"
        "A paragraph with a reason.\n  + Because of this.\n\n"
        "  * [Listed]: in a list\n"
        "  * <Listed arg>: an argument in a list\n"
    )
    texts = {s.id: s.text for s in imported.map.statements}
    assert texts["Same"] == "second wording"  # the last definition is the canonical one
    # Prose between the arguments is a statement to Argdown's model, but not to its map, nor ours.
    assert imported.counts["statements"] == 5
    assert "A paragraph that argues for nothing." not in texts.values()
    assert imported.skipped == {"untitled statements without relations (prose)": 1}
    assert texts["untitled-2"] == "A paragraph with a reason." and texts["untitled-3"] == "Because of this."
    assert texts["Listed"] == "in a list" and texts["listed-arg"] == "an argument in a list"


def test_escaped_characters_are_text():
    m = argdown.loads(r"[E]: Not a \[reference\], not a \#tag, not \<an argument\>.")
    assert m.statements[0].text == "Not a [reference], not a #tag, not <an argument>."
    assert m.statements[0].tags == []


def test_map_id_comes_from_argument_front_matter_or_the_fallback():
    text = "===\nargmap:\n  id: from-front\n===\n\n[A]: a\n"
    assert argdown.loads(text).id == "from-front"
    assert argdown.loads(text, map_id="given").id == "given"
    assert argdown.loads("[A]: a\n", fallback_id="file-name").id == "file-name"


# -- errors: all of them, each with its line -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("(1) a premise\n(2) another\n", 2, "must end with a conclusion"),
        ("(1) a\n----\n(2) b\n(3) c\n", 4, "must end with a conclusion"),
        ("(1) a\n----\n----\n(2) b\n", 3, "two inference lines in a row"),
        ("[A]: x\n\n  + [B]: y\n", 3, "must directly follow the statement"),
        ("[A]: x {a: [1, }\n", 1, "not valid YAML"),
        ("<A>: x\n\n(1) a\n----\n(2) b\n\n<A>\n\n(1) c\n----\n(2) d\n", 9, "already has a premise-conclusion"),
        ("[A]: x\n\n===\ntitle: x\n===\n", 3, "may only open the document"),
        ("[A]: x\n  >< <B>\n", 2, "links two statements"),
        ("(1) a\n----\n  -> [X]\n(2) b\n", 3, "only undercuts"),
        ("===\na: &a [1, 2]\nb: *a\n===\n[A]: x\n", 1, "aliases"),
        ("[A]: x\n# Heading inside a statement\n", 2, "unexpected heading"),
    ],
)
def test_unbalanced_structures_name_their_line(text, line, reason):
    with pytest.raises(FormatError) as info:
        argdown.loads(text)
    assert any(p.field == f"line {line}" and reason in p.reason for p in info.value.problems), info.value.problems


def test_every_broken_block_is_reported():
    with pytest.raises(FormatError) as info:
        argdown.loads("(1) a\n\n[B]: fine\n\n[C]: x\n\n  - [D]\n\n(1) e\n----\n")
    assert [p.field for p in info.value.problems] == ["line 1", "line 7", "line 10"]


def test_a_comment_never_closed_is_refused_with_its_line():
    with pytest.raises(FormatError) as info:
        argdown.loads("[A]: a\n\n[B]: b <!-- forgotten\n\n[C]: c\n")
    assert info.value.problems[0].field == "line 3" and "never closed" in info.value.reason


def test_reading_time_is_bounded(monkeypatch):
    from argmap.errors import LimitExceeded

    monkeypatch.setattr(argdown, "PARSE_SECONDS", -1)  # every document is over its time
    with pytest.raises(LimitExceeded, match="split the document"):
        argdown.loads("[A]: a\n")


def test_bytes_must_be_utf8():
    with pytest.raises(FormatError, match="UTF-8"):
        argdown.loads(b"[A]: caf\xe9")


# -- writing ---------------------------------------------------------------------------------------


def test_seed_through_argdown_and_back(seed):
    back = argdown.loads(argdown.dumps(seed))

    def comparable(m: Map) -> Map:  # Argdown carries no quote spans and no source texts
        return msgspec.structs.replace(
            m, extras={},
            statements=[msgspec.structs.replace(s, quote=None) for s in m.statements],
            sources=[msgspec.structs.replace(s, text=None) for s in m.sources],
        )

    assert comparable(back) == comparable(seed)


def test_awkward_text_survives_writing():
    text = r"Braces {x: 1} } a, [brackets], <angles>, #hash, **stars**, _under_, // slashes /* and */ \ back"
    m = Map(
        id="m", title="M === title",
        statements=[Statement(id="a", text=text, tags=["x)y", "ok"]), Statement(id="b", text="B")],
        arguments=[Argument(id="arg", kind="support", premises=["a"], target="b", scheme="Rule, with - and -- and {braces} in it",
                            note="A note with {braces} and --")],
    )
    back = argdown.loads(argdown.dumps(m))
    assert back.statements[0].text == text
    assert back.statements[0].tags == ["ok", "x)y"]
    assert back.arguments[0].scheme == "Rule, with - and -- and {braces} in it" and back.arguments[0].note == m.arguments[0].note
    assert back.title == m.title  # exactly: "===" is escaped in the front matter, not altered


def test_relations_written_as_relations_keep_their_ids():
    m = argdown.loads("[A]: a\n  + [B]: b\n  - [C]: c\n")
    text = argdown.dumps(m)
    assert "<+ [B]" in text and "<- [C]" in text and "(1)" not in text
    assert argdown.loads(text).arguments == m.arguments


@pytest.mark.parametrize(("text", "line"), [("\\", 1), ("\n\n\\", 3), ("===\nx: 1\n===\n\\", 4), ("[a]: x\n\n\\", 3)])
def test_a_character_the_lexer_cannot_read_is_the_one_problem_wherever_it_stands(text, line):
    # Reading streams block by block: a lone backslash before the first block, after the front
    # matter or after a block stops it with one FormatError naming its line.
    with pytest.raises(FormatError) as info:
        argdown.read(text)
    assert [p.field for p in info.value.problems] == [f"line {line}"]
    assert "unexpected character" in info.value.problems[0].reason
