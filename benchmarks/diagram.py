"""Diagram export speed: ours against `dot` alone, and the CLI against Argdown's.

Run: ``python benchmarks/diagram.py`` (about a minute on 2 cores; ``--quick`` skips 1,000).

For the seed map and generated maps of 50, 200 and 1,000 statements, prints the median time
of our whole SVG export (build the pydot graph, run ``dot``, tidy the SVG) against ``dot -Tsvg``
alone on the same DOT file; their ratio is our overhead (target: at most 1.2x). Then the
whole-process time of ``argmap export diagram`` on the seed map against Argdown's CLI
(``argdown map --format svg`` on its 17-argument legalisation-softdrugs example) when it is
installed, else against the 1.72 s figure in ../shared/BENCHMARKS.md (target: under half).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _timing import median_time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from argmap.mapfile import load  # noqa: E402
from argmap.model import Argument, Map, Source, Speaker, Statement  # noqa: E402
from argmap.render.diagram import DiagramOptions, build_graph, render  # noqa: E402

SEED = REPO / "seeds" / "peace-plan.yaml"
ARGDOWN_EXAMPLE = Path("/work/shared/external/argdown/legalisation-softdrugs.argdown")
ARGDOWN_REFERENCE = 1.72  # s, ../shared/BENCHMARKS.md
WORDS = (
    "peace plan ceasefire border sanctions assets reconstruction security guarantee envoy "
    "talks draft points territory front line army elections treaty council minister "
    "Europe Ukraine Russia Washington Kyiv Moscow Brussels would should cannot must never "
    "the a of to and without with for against because so that only after before"
).split()


def generated_map(n: int, seed: int = 1) -> Map:
    """A map shaped like real ones: a forest of reasons a few levels deep, mostly supports,
    some attacks, undercuts and linked premises, several speakers, dates of mixed precision."""
    rnd = random.Random(seed)
    speakers = [Speaker(id=f"sp{i}", name=f"Speaker {i}", role="official") for i in range(8)]
    dates = [None, "2025-11", "2025-11-20", "2025-11-26~", "2025-11-21", "2025"]
    statements = [
        Statement(
            id=f"s{i}",
            text=" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 28))).capitalize() + ".",
            kind=rnd.choices(["claim", "event", "derived"], [8, 1, 1])[0],
            speaker=rnd.choice([None, *(s.id for s in speakers)]),
            said=rnd.choice(dates),
            source="src",
        )
        for i in range(n)
    ]
    arguments: list[Argument] = []
    i = 1
    while i < n:
        k = min(rnd.choices([1, 2, 3], [7, 2, 1])[0], n - i)
        target = f"s{rnd.randrange(max(0, i - 12 - i // 3), i)}"
        kind = rnd.choices(["support", "attack", "undercut"], [7, 2, 1])[0]
        if kind == "undercut" and arguments:
            target = rnd.choice(arguments).id
        elif kind == "undercut":
            kind = "support"
        arguments.append(Argument(id=f"a{len(arguments)}", kind=kind, premises=[f"s{j}" for j in range(i, i + k)], target=target))
        i += k
    return Map(id=f"gen{n}", title=f"Generated map of {n} statements", speakers=speakers,
               sources=[Source(id="src", title="Generated")], statements=statements, arguments=arguments)


def export_vs_dot(m: Map, repeat: int) -> tuple[float, float]:
    """Median seconds of our export and of dot alone, taken in alternation so that both see
    the same machine load."""
    source = build_graph(m, DiagramOptions()).to_string().encode()
    render(m, "svg")  # warm-up: the first call parses each distinct date (EDTF) once
    ours, alone = [], []
    for _ in range(repeat):
        ours.append(median_time(lambda: render(m, "svg"), 1))
        alone.append(median_time(lambda: subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, check=True), 1))
    return statistics.median(ours), statistics.median(alone)


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("== whole SVG export vs `dot -Tsvg` alone on the same DOT (median; target ratio <= 1.20)")
    print(f"{'map':<28}{'statements':>11}{'arguments':>10}{'ours s':>9}{'dot s':>9}{'ratio':>7}")
    cases = [("seed peace-plan", lambda: load(SEED), 21)] + [
        (f"generated {n}", lambda n=n: generated_map(n), r)
        for n, r in ((50, 21), (200, 11), (1000, 5)) if not (quick and n == 1000)
    ]
    for name, make, repeat in cases:
        m = make()
        ours, alone = export_vs_dot(m, repeat)
        print(f"{name:<28}{len(m.statements):>11}{len(m.arguments):>10}{ours:>9.3f}{alone:>9.3f}{ours / alone:>7.2f}")

    print("\n== whole process: `argmap export diagram` on the seed map vs Argdown CLI (median of 5)")
    # The argmap command of this interpreter, running this checkout's code.
    argmap_exe = Path(sys.executable).parent / "argmap"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp) / "bench.duckdb", Path(tmp) / "seed.svg"
        subprocess.run([argmap_exe, "--db", db, "load", SEED], check=True, capture_output=True, env=env)
        argdown = shutil.which("argdown")
        ours, peer = [], []
        for _ in range(5):  # alternated, so that both see the same machine load
            ours.append(median_time(lambda: subprocess.run(
                [argmap_exe, "--db", db, "export", "diagram", "peace-plan", "--format", "svg", "--out", out],
                check=True, capture_output=True, env=env), 1))
            if argdown and ARGDOWN_EXAMPLE.exists():
                peer.append(median_time(lambda: subprocess.run(
                    [argdown, "map", "--format", "svg", ARGDOWN_EXAMPLE, tmp], check=True, capture_output=True), 1))
    if peer:
        peer_time, peer_name = statistics.median(peer), "argdown map --format svg (measured in this run)"
    else:
        peer_time, peer_name = ARGDOWN_REFERENCE, "Argdown CLI 1.7.5 (BENCHMARKS.md figure; not installed here)"
    ours_time = statistics.median(ours)
    print(f"argmap export diagram, seed map (70 statements, 60 arguments): {ours_time:.3f} s")
    print(f"{peer_name}, legalisation-softdrugs (17 arguments): {peer_time:.3f} s")
    print(f"ratio {ours_time / peer_time:.2f} (target < 0.50)")


if __name__ == "__main__":
    main()
