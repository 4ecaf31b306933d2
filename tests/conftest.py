"""Fixtures shared across test folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pgcluster
from argmap.mapfile import load
from argmap.store import Store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "peace-plan.yaml"

# Text a map may carry that must stay text in every output: markup, escapes, scripts, URLs that
# would fetch or run, scripts in other writing systems, emoji, a 10 kB run, control characters.
HOSTILE = {
    "quotes": 'He said "no" and \'never\' — „nie“ «non»',
    "backslashes": "C:\\path\\to\\file \\\\ and \\\" and \\n literally",
    "markup": "<b>bold</b> & <i>x</i> > y < z &amp; &lt;b&gt; &#x3C;script&#x3E;",
    "brackets": "]]> ]] > {{ }} {x} [y] %s $1 #2 @3 ]]>",
    "script": "<script>alert('x')</script><svg onload=alert(1)>",
    "javascript_url": "javascript:alert(document.cookie)",
    "xlink": '<a xlink:href="javascript:alert(1)">x</a> <image href="file:///etc/passwd"/>',
    "css_url": 'url(file:///etc/passwd) @import "http://evil.example/x.css"; url(#x)',
    "cyrillic": "Сергей Лавров: «Никаких уступок по Купянску»",
    "arabic": "قال الوزير: لا سلام بدون أوكرانيا",
    "emoji": "😀 🇺🇦 👨‍👩‍👧 peace ✌🏽",
    "long": "Long " + "word " * 2000,
    "long_word": "x" * 10_000,
    "controls": "BEL\x07 ESC\x1b[31m red DEL\x7f NEL\x85 VT\x0b FF\x0c end",
    "newlines": "line one\nline two\r\nline three\ttabbed",
    "bidi": "\u202eoverride\u202c then \u2066isolate\u2069 after",
}


@pytest.fixture(params=sorted(HOSTILE), ids=sorted(HOSTILE))
def hostile(request) -> str:
    """Each hostile text in turn."""
    return HOSTILE[request.param]


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> str:
    """A database file holding the seed map; tests only read it (CLI exports, HTTP GETs)."""
    path = str(tmp_path_factory.mktemp("seed") / "argmap.duckdb")
    with Store(path) as store:
        store.load_map(load(SEED))
    return path


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of this test session (for DuckLake catalogs), removed after."""
    bindir = pgcluster.binaries()
    if bindir is None:
        missing = "PostgreSQL is not installed (no initdb): apt-get install postgresql, or make setup"
        if os.environ.get("CI"):  # .ci/run installs it: there, half the API suite skipped is a failure
            pytest.fail(missing)
        pytest.skip(missing)
    cluster = pgcluster.Cluster(bindir)
    yield cluster
    cluster.stop()


def pytest_collection_modifyitems(items):
    """A module that sets ``LAKE_IS_SLOW`` has its lake variants marked slow (``-m "not slow"``
    leaves them out of a quick run; .ci/run runs them)."""
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec and spec.params.get("open_store") == "lake" and getattr(item.module, "LAKE_IS_SLOW", False):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seeded_lake(postgres) -> tuple[str, str]:
    """``(lake, data_path)`` of a catalog holding the seed map, for :meth:`~pgcluster.Cluster.clone`
    only: nothing may open it (PostgreSQL copies a template only while no one is connected)."""
    lake, data_path = postgres.new_lake()
    with Store(lake=lake, data_path=data_path) as store:
        store.load_map(load(SEED))
    return lake, data_path


@pytest.fixture
def lake(postgres) -> tuple[str, str]:
    """``(lake, data_path)``: a new empty DuckLake catalog and its data folder."""
    return postgres.new_lake()
