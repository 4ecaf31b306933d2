"""ICCMA formats: reading, writing, errors with line numbers, and the answer conventions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmap.errors import FormatError, InvalidInput
from argmap.semantics import AF, solve
from argmap.semantics.iccma import answer, dumps, format_of, load, loads

APX = """\
% the floating defeat
arg(a). arg(b).
arg(c).
att(a,b). att(b,a).
att(a,c).
att(b,c).
"""


def attacks(af: AF) -> set[tuple[str, str]]:
    src, dst = af.edges()
    return {(af.name(a), af.name(b)) for a, b in zip(src.tolist(), dst.tolist())}


def test_apx_reads_several_facts_a_line_and_comments():
    af = loads(APX, "apx")
    assert af.name_list(range(af.n)) == ["a", "b", "c"]
    assert attacks(af) == {("a", "b"), ("b", "a"), ("a", "c"), ("b", "c")}


def test_apx_attack_may_come_before_its_arguments_as_in_asp():
    af = loads("att(a,b).\narg(b).\narg(a).\n", "apx")
    assert attacks(af) == {("a", "b")}


def test_tgf_reads_arguments_then_attacks():
    af = loads("a\nb\nc\n#\na b\nb c\n", "tgf")
    assert af.name_list(range(3)) == ["a", "b", "c"]
    assert attacks(af) == {("a", "b"), ("b", "c")}


def test_iccma23_reads_header_comments_and_attacks():
    af = loads("# made by hand\np af 4\n1 2\n# a comment line\n2 3\n\n4 4\n", "i23")
    assert af.n == 4
    assert attacks(af) == {("1", "2"), ("2", "3"), ("4", "4")}


@pytest.mark.parametrize(
    ("fmt", "text", "line", "reason"),
    [
        ("apx", "arg(a).\natt(a,x).\n", "line 2", "argument 'x' is not declared"),
        ("apx", "arg(a).\narg(b)\n", "line 2", "expected arg(NAME). or att(NAME,NAME). but found 'arg(b)'"),
        ("apx", "arg(a). bogus\n", "line 1", "found 'bogus'"),
        ("apx", "arg(a).\natt(a).\n", "line 2", "found 'att(a).'"),
        ("tgf", "a\nb\n#\na c\n", "line 4", "argument 'c' is not listed"),
        ("tgf", "a\na\n#\n", "line 2", "'a' is listed twice"),
        ("tgf", "a b\n#\n", "line 1", "found 2 words"),
        ("tgf", "a\n#\na a a\n", "line 3", "found 3 words"),
        ("tgf", "a\n#\n#\n", "line 3", "a second '#' line"),
        ("i23", "", "line 1", "missing the header"),
        ("i23", "# only a comment\n", "line 1", "missing the header"),
        ("i23", "1 2\n", "line 1", "expected the header 'p af N'"),
        ("i23", "p af three\n", "line 1", "expected the header"),
        ("i23", "p af 3\n1 2\n2 4\n", "line 3", "argument 4 is outside 1..3"),
        ("i23", "p af 3\n1 2\n0 1\n", "line 3", "argument 0 is outside 1..3"),
        ("i23", "p af 3\n1 2 3\n", "line 2", "expected an attack 'i j'"),
        ("i23", "p af 3\n# c\n1 x\n", "line 3", "found '1 x'"),
        ("i23", "p af 3\n1 -2\n", "line 2", "expected an attack"),
        ("i23", "p af 3\n1 2 # trailing comment\n", "line 2", "expected an attack"),
        ("i23", "p af 3\n99999999999999999999 1\n", "line 2", "outside 1..3"),
    ],
)
def test_errors_name_the_line_and_the_reason(fmt, text, line, reason):
    with pytest.raises(FormatError) as e:
        loads(text, fmt)
    assert e.value.field == line
    assert reason in e.value.reason


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 30).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))),
                         max_size=0 if n == 0 else 3 * n))))
def test_every_format_round_trips(case):
    n, pairs = case
    af = AF.from_edges(n, [a for a, _ in pairs], [b for _, b in pairs])
    for fmt in ("apx", "tgf", "i23"):
        back = loads(dumps(af, fmt), fmt)
        assert back.n == af.n
        assert attacks(back) == attacks(af)


def test_names_that_cannot_be_written_are_refused():
    af = AF.from_names(["a b"], [])
    with pytest.raises(InvalidInput, match="cannot be written as apx"):
        dumps(af, "apx")


def test_format_comes_from_the_file_extension(tmp_path):
    assert [format_of(p) for p in ("x.apx", "x.TGF", "x.af", "x.i23")] == ["apx", "tgf", "i23", "i23"]
    with pytest.raises(FormatError, match="cannot tell the format"):
        format_of("x.txt")
    path = tmp_path / "f.af"
    path.write_text("p af 2\n1 2\n")
    assert load(path).m == 1
    with pytest.raises(FormatError, match="cannot read"):
        load(tmp_path / "missing.af")
    path.write_bytes(b"p af 2\n\xff\xfe\n")
    with pytest.raises(FormatError, match="not UTF-8"):
        load(path)


def test_a_large_iccma23_file_takes_the_fast_path_and_reads_the_same():
    rng = np.random.default_rng(3)
    n = 50_000
    af = AF.from_edges(n, rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n))
    back = loads(dumps(af, "i23"), "i23")
    assert np.array_equal(back.out_idx, af.out_idx) and np.array_equal(back.out_ptr, af.out_ptr)


EVEN = AF.from_names(["a", "b"], [("a", "b"), ("b", "a")])
ODD = AF.from_names(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])
CHAIN = AF.from_names(["a", "b", "c"], [("a", "b"), ("b", "c")])


@pytest.mark.parametrize(
    ("af", "semantics", "task", "arg", "iccma21", "iccma23"),
    [
        (CHAIN, "preferred", "se", None, "[a,c]\n", "w a c\n"),
        (EVEN, "preferred", "ee", None, "[[a],[b]]\n", "w a\nw b\n"),
        (EVEN, "grounded", "se", None, "[]\n", "w\n"),
        (ODD, "stable", "se", None, "NO\n", "NO\n"),
        (ODD, "stable", "ee", None, "[]\n", "NO\n"),
        (EVEN, "preferred", "dc", "b", "YES\n", "YES\nw b\n"),
        (EVEN, "preferred", "ds", "b", "NO\n", "NO\nw a\n"),
        (EVEN, "grounded", "dc", "b", "NO\n", "NO\n"),
    ],
)
def test_answers_follow_the_iccma_conventions(af, semantics, task, arg, iccma21, iccma23):
    sol = solve(af, semantics, task, arg=arg)
    assert answer(sol, "iccma21") == iccma21
    assert answer(sol, "iccma23") == iccma23
