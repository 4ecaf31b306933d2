"""Parsers under attack: any input gives a result or our typed error, never another exception,
never a hang. Each reader gets arbitrary bytes, arbitrary text, and text built from the tokens
its grammar cares about (so the fuzzer gets past the first byte). Every example runs under a
hard time limit (SIGALRM), not only hypothesis's deadline, which a true hang would never reach.

``pytest -m slow`` runs the long variant (ten times the examples). Set ARGMAP_FUZZ_REPORT=1 to
print how many inputs each parser took.
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap.errors import ArgmapError
from argmap.formats import aif, argdown
from argmap.mapfile import loads as mapfile_loads
from argmap.semantics import iccma

EXAMPLES = 150
SLOW_EXAMPLES = 1000
HARD_LIMIT = 5.0
"""Seconds one input may take before the test calls it a hang."""

FUZZED: Counter = Counter()


class Hang(Exception):
    pass


@contextmanager
def hard_limit(seconds: float = HARD_LIMIT):
    def alarm(*_):
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def result_or_typed_error(name: str, fn, data) -> None:
    FUZZED[name] += 1
    with hard_limit():
        try:
            fn(data)
        except ArgmapError as e:
            assert e.problems and all(p.field is not None and p.reason for p in e.problems), e
            e.to_dict()  # the HTTP shape can always be built


PARSERS = {
    "mapfile.json": lambda d: mapfile_loads(d, format="json"),
    "mapfile.yaml": lambda d: mapfile_loads(d, format="yaml"),
    "mapfile.toml": lambda d: mapfile_loads(d, format="toml"),
    "aif": lambda d: aif.read(d),
    "argdown": lambda d: argdown.read(d),
    "iccma.apx": lambda d: iccma.loads(d, "apx"),
    "iccma.tgf": lambda d: iccma.loads(d, "tgf"),
    "iccma.i23": lambda d: iccma.loads(d, "i23"),
}
TEXT_ONLY = {"iccma.apx", "iccma.tgf", "iccma.i23"}  # iccma.loads takes text (files are decoded by load)


def _tokens(words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(words), st.text(max_size=4)), max_size=60).map("".join)


def _json_values() -> st.SearchStrategy:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
    return st.recursive(leaves, lambda kids: st.one_of(st.lists(kids, max_size=5),
                                                       st.dictionaries(st.text(max_size=8), kids, max_size=5)),
                        max_leaves=30)


_ID = st.text("abc-_.:~1", min_size=0, max_size=4)
_MAP = st.fixed_dictionaries(
    {"id": _ID, "title": st.text(max_size=8)},
    optional={
        "speakers": st.lists(st.fixed_dictionaries({"id": _ID}, optional={"name": st.text(max_size=5)}), max_size=3),
        "sources": st.lists(st.fixed_dictionaries({"id": _ID}, optional={"text": st.text(max_size=20),
                                                                           "published": st.text("0123456789-~?X", max_size=10)}), max_size=2),
        "statements": st.lists(st.fixed_dictionaries(
            {"id": _ID, "text": st.text(max_size=10)},
            optional={"kind": st.sampled_from(["claim", "event", "derived", "x"]), "speaker": _ID, "source": _ID,
                      "said": st.text("0123456789-~?%XY/.", max_size=12), "tags": st.lists(st.text(max_size=3), max_size=3),
                      "quote": st.fixed_dictionaries({"start": st.integers(-2, 30), "end": st.integers(-2, 30)}),
                      "extras": _json_values()}), max_size=5),
        "arguments": st.lists(st.fixed_dictionaries(
            {"id": _ID, "kind": st.sampled_from(["support", "attack", "undercut", "?"]),
             "premises": st.lists(_ID, max_size=3), "target": _ID}), max_size=5),
        "extras": _json_values(),
    },
)
_AIF = st.fixed_dictionaries({
    "nodes": st.lists(st.fixed_dictionaries(
        {"nodeID": st.one_of(st.integers(0, 9), st.text("0123456789", max_size=2)),
         "type": st.sampled_from(["I", "L", "RA", "CA", "MA", "YA", "TA", "PA", "X"]),
         "text": st.text(max_size=12)},
        optional={"timestamp": st.text("0123456789-: ", max_size=20), "scheme": st.text(max_size=6)}), max_size=8),
    "edges": st.lists(st.fixed_dictionaries(
        {"edgeID": st.integers(0, 20), "fromID": st.one_of(st.integers(0, 9), st.text("0123456789", max_size=2)),
         "toID": st.one_of(st.integers(0, 9), st.text("0123456789", max_size=2))}), max_size=10),
}, optional={"locutions": st.lists(st.fixed_dictionaries({"nodeID": st.integers(0, 9), "personID": st.integers(0, 3)}),
                                   max_size=3)})

STRUCTURED = {
    "mapfile.json": _MAP.map(json.dumps),
    "mapfile.yaml": st.one_of(_MAP.map(lambda m: __import__("yaml").safe_dump(m)),
                              _tokens(["id: ", "title: ", "statements:\n", "- ", "  ", "&a ", "*a", "[", "]", "{",
                                       "}", "!!", "\n", ": ", "---\n", "'", '"', "? ", "|", ">", "#"])),
    "mapfile.toml": _tokens(['id = "m"\n', 'title = "t"\n', "[[statements]]\n", "[[arguments]]\n", 'id = "', '"',
                             "premises = [", "]", "{", "}", "=", "\n", "'''", '"""', "inf", "1979-05-27T07:32:00Z"]),
    "aif": st.one_of(_AIF.map(json.dumps), _AIF.map(lambda d: json.dumps({"AIF": d, "text": "x"}))),
    "argdown": _tokens(["[", "]", "<", ">", ":", "\n", "  ", "+ ", "- ", "_ ", "<+ ", "<- ", "<_ ", "><", "(1) ",
                        "----\n", "-- x --\n", "#", "@", "{", "}", "===\n", "/*", "*/", "//", "**", "__", "# H\n",
                        "[a]: ", "<b>: ", "\\", "`", "'", '"']),
    "iccma.apx": _tokens(["arg(", "att(", ").", ",", "a", "b", "1", "%", "\n", " ", "(", ")", "."]),
    "iccma.tgf": _tokens(["a", "b", "1", "#", "\n", " ", "\t", "a b\n"]),
    "iccma.i23": _tokens(["p af ", "p ", "af ", "0", "1", "2", "3", "99999999999", "-1", "#", "\n", " "]),
}

_SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=False)


def _fuzz(name: str, strategy, examples: int) -> None:
    @settings(max_examples=examples, **_SETTINGS)
    @given(strategy)
    def run(data):
        result_or_typed_error(name, PARSERS[name], data)

    run()


def _strategies(name: str):
    out = [("structured", STRUCTURED[name]), ("text", st.text(max_size=300))]
    if name not in TEXT_ONLY:
        out.append(("bytes", st.binary(max_size=300)))
    return out


CASES = [(n, kind) for n in PARSERS for kind, _ in _strategies(n)]


@pytest.mark.parametrize("name, kind", CASES)
def test_any_input_gives_a_result_or_a_typed_error(name, kind):
    _fuzz(name, dict(_strategies(name))[kind], EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("name, kind", CASES)
def test_any_input_gives_a_result_or_a_typed_error_long(name, kind):
    _fuzz(name, dict(_strategies(name))[kind], SLOW_EXAMPLES)


# -- Regressions: inputs the fuzzing and probing found ----------------------------------------

_LEVELS = "abcdefghijk"
YAML_BOMB = "id: m\ntitle: t\nextras:\n  a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"  {_LEVELS[i]}: &{_LEVELS[i]} [" + ",".join([f"*{_LEVELS[i - 1]}"] * 9) + "]\n" for i in range(1, 11))
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("name, data", [
    ("mapfile.yaml", YAML_BOMB),  # 700 bytes expanding to 3.5e9 values: exhausted memory
    ("mapfile.json", '{"id":"m","title":"t","extras":{"x":' + DEEP + "}}"),  # RecursionError
    ("mapfile.toml", 'id="m"\ntitle="t"\nextras={x=' + "[" * 5000 + "]" * 5000 + "}"),  # RecursionError
    ("aif", '{"nodes":[{"nodeID":"1","type":"I","text":"x","x":' + DEEP + '}],"edges":[]}'),  # RecursionError
    ("argdown", "===\nx: &a [1,1,1]\ny: [*a,*a]\n===\n\n[a]: b"),
    ("mapfile.toml", b"\x80"),  # UnicodeDecodeError from msgspec.toml
    ("mapfile.yaml", "id: !!python/object/apply:os.system ['true']\ntitle: t\n"),
])
def test_found_inputs_are_typed_errors(name, data):
    with pytest.raises(ArgmapError) as e, hard_limit():
        PARSERS[name](data)
    assert e.value.problems


def test_the_public_decode_map_is_the_same_bounded_reader():
    # argmap.decode_map once called msgspec.yaml.decode directly, past the alias bound.
    import argmap

    with pytest.raises(ArgmapError, match="aliases|values"), hard_limit():
        argmap.decode_map(YAML_BOMB, format="yaml")


def test_anchors_that_only_repeat_still_load():
    m = mapfile_loads("id: m\ntitle: t\nstatements:\n- {id: a, text: A, tags: &t [x, y]}\n- {id: b, text: B, tags: *t}\n")
    assert [s.tags for s in m.statements] == [["x", "y"], ["x", "y"]]


@pytest.mark.parametrize("path", ["/maps", "/maps/import", "/maps/peace-plan/statements", "/maps/peace-plan"])
def test_deep_http_bodies_are_400_not_500(path):
    from litestar.testing import TestClient

    from argmap.api import create_app
    from argmap.store import Store

    body = '{"id":"m","title":"t","extras":{"x":' + DEEP + "}}"
    with TestClient(app=create_app(store=Store(":memory:"))) as c:
        r = c.request("PATCH" if path == "/maps/peace-plan" else "POST", path, content=body,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()["problems"] == [{"field": "$", "reason": "the document is nested too deeply"}]


def teardown_module(_):
    from reliability_server import report

    report("inputs fuzzed per parser", ", ".join(f"{k} {v}" for k, v in sorted(FUZZED.items())))
