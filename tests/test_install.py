"""The installed environment is the locked one: what `make setup` installs is exactly uv.lock.

A release of any dependency after the lock was made cannot change what a fresh clone tests.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

LOCK = Path(__file__).resolve().parents[1] / "uv.lock"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def locked() -> dict[str, set[str]]:
    """``{normalised name: versions the lock allows}`` (a package may be locked per Python version)."""
    out: dict[str, set[str]] = {}
    for package in tomllib.loads(LOCK.read_text(encoding="utf-8"))["package"]:
        if "version" in package and package.get("source", {}).get("editable") is None:
            out.setdefault(_norm(package["name"]), set()).add(package["version"])
    return out


def test_every_installed_package_of_the_lock_has_the_locked_version(locked):
    installed = {_norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {n: (v, sorted(locked[n])) for n, v in installed.items() if n in locked and v not in locked[n]}
    assert wrong == {}, "installed versions differ from uv.lock: run `make setup`"


def test_every_requirement_of_argmap_is_installed_from_the_lock(locked):
    requirements = metadata.requires("argmap") or []
    names = {_norm(re.split(r"[ \[<>=!~;]", r, maxsplit=1)[0]) for r in requirements if "extra ==" not in r}
    assert names, "argmap's metadata lists no requirements"
    assert names <= set(locked), f"not in uv.lock: {sorted(names - set(locked))}"
    missing = [n for n in names if not any(_norm(d.metadata["Name"]) == n for d in metadata.distributions())]
    assert missing == []
