"""Importing the 661 AraucariaDB nodesets: how long, and what they hold.

    python benchmarks/aif_import.py

Prints the totals (statements, supports, attacks, undercuts, speakers) and the median of three
runs for the baseline, stdlib ``json.loads`` of every file (what any reader must pay), and for
argmap's ``aif.read`` (decode into the wire Structs, translate, check the map); then one run of
the same followed by ``Store.load_map`` of each file as its own map in an in-memory DuckDB (about
half a minute: DuckDB's cost per write transaction dominates). Files are read from disk once,
before timing.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argmap.formats import aif  # noqa: E402
from argmap.store import Store  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "external" / "aif" / "araucaria"
RUNS = 3


def median_seconds(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    files = sorted(CORPUS.glob("*.json"))
    if not files:
        sys.exit(f"{CORPUS} not found")
    raw = [(f.stem, f.read_bytes()) for f in files]

    totals: Counter[str] = Counter()
    for name, data in raw:
        m = aif.loads(data, map_id=name)
        totals["statements"] += len(m.statements)
        totals["speakers"] += len(m.speakers)
        totals["relations"] += len(m.relations)
        for a in m.arguments:
            totals[a.kind] += 1

    def stdlib():
        for _, data in raw:
            json.loads(data)

    def read():
        for name, data in raw:
            aif.read(data, map_id=name)

    def read_and_store():
        with Store(":memory:") as store:
            for name, data in raw:
                store.load_map(aif.loads(data, map_id=name))

    base = median_seconds(stdlib)
    ours = median_seconds(read)
    stored = median_seconds(read_and_store, runs=1)
    print(f"{len(raw)} AraucariaDB nodesets, {sum(len(d) for _, d in raw) / 2**20:.1f} MiB")
    print(
        f"totals: {totals['statements']} statements, {totals['support']} supports, {totals['attack']} attacks, "
        f"{totals['undercut']} undercuts, {totals['speakers']} speakers, {totals['relations']} rephrase/preference"
    )
    print(f"json.loads (baseline)        {base:7.3f} s")
    print(f"aif.read                     {ours:7.3f} s  ({ours / base:.1f}x the baseline)")
    print(f"aif.read + Store.load_map    {stored:7.3f} s  ({stored / len(raw) * 1000:.1f} ms a file, one run)")


if __name__ == "__main__":
    main()
