"""API fuzzing: schemathesis against our own OpenAPI document, on the real server over TCP.

Every operation of ``/schema/openapi.json`` gets examples from its schema (and, in the long
run, schemathesis's coverage phase: boundary and invalid values of every parameter). Checks:
no 5xx, status codes, content types and bodies as documented. The seed is fixed, so a failure
reproduces; schemathesis prints a ``curl`` line for each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_server import SEED, Server, report, run_env

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
ST = str(Path(sys.executable).with_name("st"))


def _fuzz(tmp_path: Path, *args: str, workers: int = 2) -> dict:
    server = Server(tmp_path / "fuzz.duckdb", seed=SEED).start()
    report_file = tmp_path / "report.json"
    try:
        done = subprocess.run(
            [ST, "run", server.url + "/schema/openapi.json", "--checks", CHECKS, "--workers", str(workers), "--seed", "20251125",
             "--request-timeout", "30", "--suppress-health-check", "all", "--report", "json",
             "--report-json-path", str(report_file), *args],
            capture_output=True, text=True, timeout=300, env=run_env(), cwd=tmp_path,
        )
        alive = server.proc is not None and server.proc.poll() is None
    finally:
        server.kill()
    result = json.loads(report_file.read_text())
    summary = done.stdout[done.stdout.find("=== SUMMARY"):] or done.stdout[-3000:]
    report(f"schemathesis {' '.join(args)}", f"{result['test_cases']['generated']} requests, "
           f"{result['operations']['tested']} operations")
    assert alive, "the server died under fuzzing"
    assert result["operations"]["tested"] == result["operations"]["total"] >= 40, summary
    assert not result["failures"] and not result["errors"], done.stdout[-15000:]
    assert done.returncode == 0, summary
    return result


def test_every_operation_answers_as_documented(tmp_path):
    result = _fuzz(tmp_path, "--phases", "examples,fuzzing", "--max-examples", "6")
    assert result["test_cases"]["generated"] >= 200


@pytest.mark.slow
def test_every_operation_answers_as_documented_long(tmp_path):
    # The coverage phase alone sends ~3,000 requests (every boundary of every parameter). One
    # worker: schemathesis's coverage phase compiling regexes in two threads at once once hit
    # CPython 3.11's "AST constructor recursion depth mismatch" (its error, not a response).
    result = _fuzz(tmp_path, "--phases", "examples,coverage,fuzzing", "--max-examples", "10", workers=1)
    assert result["test_cases"]["generated"] >= 3000
