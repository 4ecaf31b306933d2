"""The public surface: ``argmap.__all__`` is sorted, complete and importable.

After httpx's tests/test_exported_members.py: a name in ``__all__`` that does not exist, or a
public name imported into ``argmap`` but not listed, fails here.
"""

from __future__ import annotations

import importlib
import types

import pytest

import argmap

MODULES = ["argmap", "argmap.errors", "argmap.model", "argmap.mapfile", "argmap.schemas", "argmap.store",
           "argmap.cli", "argmap.render.timeline", "argmap.render.timelinejs", "argmap.api.exports",
           "argmap.scope", "argmap.exports",
           "argmap.formats", "argmap.formats.aif", "argmap.formats.argdown",
           "argmap.semantics", "argmap.semantics.iccma", "argmap.api.semantics",
           "argmap.web.context", "argmap.web.outline", "argmap.api.pages"]


def test_all_is_sorted_without_repeats():
    assert argmap.__all__ == sorted(set(argmap.__all__))


def test_every_public_name_of_the_package_is_listed():
    public = {
        name for name, value in vars(argmap).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    lazy = set(argmap._LAZY)  # imported on first use (the store: DuckDB starts a thread)
    assert public - lazy == set(argmap.__all__) - lazy and lazy <= set(argmap.__all__)


@pytest.mark.parametrize("module", MODULES)
def test_every_listed_name_is_importable(module):
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []
    namespace: dict = {}
    exec(f"from {module} import *", namespace)  # what a user's star import gets
    assert set(mod.__all__) <= set(namespace)


def test_the_errors_share_one_root():
    errors = [getattr(argmap, n) for n in argmap.__all__ if isinstance(getattr(argmap, n), type)
              and issubclass(getattr(argmap, n), Exception)]
    assert len(errors) >= 8
    assert all(issubclass(e, argmap.ArgmapError) for e in errors)
