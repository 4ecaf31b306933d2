"""The layers are kept, not hoped for: import-linter's contract (.importlinter, docs/ARCHITECTURE.md)
runs on every test run, and a module importing from a layer above its own fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_from_a_layer_above_its_own():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 kept, 0 broken" in done.stdout  # the layers, and pure renderers


def test_the_contract_would_catch_an_upward_import(tmp_path):
    # The contract is real: the same layers with the renderer's import of argmap.scope turned
    # round (scope above render) are broken.
    config = (ROOT / ".importlinter").read_text()
    upside = config.replace("    argmap.render\n", "    argmap.scope\n    argmap.render\n", 1).replace(
        "    argmap.scope | argmap.mapfile | argmap.schemas\n", "    argmap.mapfile | argmap.schemas\n", 1)
    assert upside != config
    (tmp_path / ".importlinter").write_text(upside)
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(tmp_path / ".importlinter"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0 and "argmap.render" in done.stdout and "argmap.scope" in done.stdout


def test_an_import_inside_a_function_says_on_its_line_why_it_waits():
    # Imports of argmap inside functions remain only where they save start-up time, each with
    # its reason (docs/ARCHITECTURE.md, "Layers"); everything else is imported at the top.
    import re

    bare = []
    for path in sorted((ROOT / "argmap").rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s{4,}(from argmap\S* import|import argmap)", line) and "#" not in line:
                bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bare == []
