"""How fast argmap.semantics is on seeded random frameworks, beside named baselines.

Frameworks: n arguments and 3n attacks drawn uniformly (numpy seed 2025), duplicates merged,
for n = 2,000 / 20,000 / 200,000 / 1,000,000. For each:

- grounded (median of 3), and as a baseline the same counting propagation written as a plain
  Python loop over lists (BENCHMARKS.md quotes 4.8 s for it at 1,000,000 / 3,000,000);
- one preferred and one stable extension, each with a 60 s limit; a semantics that runs out
  of time is not tried on larger frameworks;
- at 2,000 only: PyArg 2.0.2 (PyPI python-argumentation) grounded, in a child process with
  its own 120 s limit (BENCHMARKS.md: 30.5 s).

Run: ``python benchmarks/semantics.py`` (about 2–5 minutes on 2 cores; ``--quick`` stops at
20,000). Targets (issue #7): grounded at 1,000,000 / 3,000,000 under 3 s; one preferred or
stable extension at 20,000 / 60,000 under 10 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argmap.errors import LimitExceeded  # noqa: E402
from argmap.semantics import AF, IN, Reasoner, grounded  # noqa: E402

SIZES = (2_000, 20_000, 200_000, 1_000_000)
SAT_LIMIT = 60.0
PYARG_LIMIT = 120.0


def random_af(n: int) -> AF:
    rng = np.random.default_rng(2025)
    return AF.from_edges(n, rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n))


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def grounded_pure_python(n: int, out_ptr: list[int], out_idx: list[int], indegree: list[int]) -> list[int]:
    """The baseline: counting propagation as a plain Python queue over lists."""
    label = [0] * n
    alive = indegree[:]
    queue = [a for a in range(n) if alive[a] == 0]
    for a in queue:  # the list grows while we walk it
        label[a] = IN
        for k in range(out_ptr[a], out_ptr[a + 1]):
            b = out_idx[k]
            if label[b]:
                continue
            label[b] = 2
            for j in range(out_ptr[b], out_ptr[b + 1]):
                c = out_idx[j]
                alive[c] -= 1
                if alive[c] == 0 and not label[c]:
                    queue.append(c)
    return label


def _pyarg_grounded(n: int, conn) -> None:
    from py_arg.abstract_argumentation_classes.abstract_argumentation_framework import (
        AbstractArgumentationFramework,
    )
    from py_arg.abstract_argumentation_classes.argument import Argument
    from py_arg.abstract_argumentation_classes.defeat import Defeat
    from py_arg.algorithms.semantics.get_grounded_extension import get_grounded_extension

    af = random_af(n)
    args = [Argument(str(i + 1)) for i in range(n)]
    src, dst = af.edges()
    framework = AbstractArgumentationFramework(
        "bench", args, [Defeat(args[a], args[b]) for a, b in zip(src.tolist(), dst.tolist())]
    )
    t = time.perf_counter()
    ext = get_grounded_extension(framework)
    conn.send((time.perf_counter() - t, len(ext)))


def pyarg_grounded(n: int) -> tuple[float | None, int | None, str]:
    try:
        import py_arg  # noqa: F401
    except ImportError:
        return None, None, "not installed (pip install python-argumentation)"
    parent, child = mp.Pipe(duplex=False)
    proc = mp.Process(target=_pyarg_grounded, args=(n, child), daemon=True)
    proc.start()
    proc.join(PYARG_LIMIT)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None, None, f"> {PYARG_LIMIT:.0f} s (stopped)"
    if not parent.poll():
        return None, None, f"failed (exit code {proc.exitcode})"
    seconds, size = parent.recv()
    return seconds, size, f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only 2,000 and 20,000 arguments")
    opts = parser.parse_args()
    sizes = SIZES[:2] if opts.quick else SIZES

    print(f"{'n':>9} {'attacks':>9} {'build':>7} {'grounded':>9} {'pure py':>9} {'ratio':>6} "
          f"{'undec':>7} {'preferred':>16} {'stable':>16}")
    gave_up: set[str] = set()
    ours_2k = None
    for n in sizes:
        build, af = timed(random_af, n)
        runs = [timed(grounded, af) for _ in range(3)]
        g_time = statistics.median(t for t, _ in runs)
        labels = runs[0][1]
        if n == 2_000:
            ours_2k = g_time
        lists = (af.out_ptr.tolist(), af.out_idx.tolist(), np.diff(af.in_ptr).tolist())
        py_time, py_labels = timed(grounded_pure_python, n, *lists)
        assert py_labels == labels.tolist(), "the baseline disagrees with grounded()"
        cells = {}
        for semantics in ("preferred", "stable"):
            if semantics in gave_up:
                cells[semantics] = "skipped"
                continue
            reasoner = Reasoner(af, timeout=SAT_LIMIT)
            try:
                t, ext = timed(reasoner.extension, semantics)
            except LimitExceeded:
                gave_up.add(semantics)
                cells[semantics] = f"> {SAT_LIMIT:.0f} s"
                continue
            cells[semantics] = f"{t:.2f} s " + ("(none)" if ext is None else f"({len(ext)})")
        print(f"{n:>9,} {af.m:>9,} {build:>6.2f}s {g_time * 1000:>7.1f}ms {py_time * 1000:>7.1f}ms "
              f"{py_time / g_time:>5.1f}x "
              f"{int((labels == 0).sum()):>7,} {cells['preferred']:>16} {cells['stable']:>16}", flush=True)

    seconds, size, text = pyarg_grounded(2_000)
    ratio = f" ({seconds / ours_2k:,.0f}x argmap's {ours_2k * 1000:.1f} ms)" if seconds and ours_2k else ""
    print(f"\nPyArg 2.0.2 grounded, same 2,000 / {random_af(2_000).m:,} framework: {text}{ratio}")
    print("build: AF.from_edges (dedup + both CSR directions); grounded: median of 3, algorithm only;")
    print("pure py: the same propagation as a Python loop over lists (baseline); ratio = pure py / grounded;")
    print("undec: arguments grounded leaves undecided, the part the SAT solver sees;")
    print("preferred / stable: time for one extension (its size), 'none' = no stable extension exists")
    print("targets: grounded 1,000,000/3,000,000 < 3 s; one preferred or stable at 20,000/60,000 < 10 s")


if __name__ == "__main__":
    main()
