"""The editor's preview (``POST /preview/diagram.svg``): server time for the seed map and for a
300-statement Argdown document, against drawing the same map already stored.

Run: ``python benchmarks/preview.py`` (about half a minute on 2 cores).

For each document it prints the median of :func:`argmap.api.preview.preview_svg` (read the
Argdown, check it, lay it out with Graphviz: what the server does for each keystroke pause),
split into reading and drawing, and the baseline measured in the same run: the diagram of the
same map already parsed (``render(m, "svg")``, what ``GET /maps/{map}/diagram.svg`` costs). The
ratio is what the editor pays for reading the text on every change. Target: the seed map's
preview answers within 300 ms of the last key, debounce (100 ms) included, so at most 200 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from argmap.api.preview import preview_svg  # noqa: E402
from argmap.formats import argdown  # noqa: E402
from argmap.mapfile import load  # noqa: E402
from argmap.render.diagram import options_from, render  # noqa: E402

WORDS = ("peace plan ceasefire border sanctions assets reconstruction security guarantee envoy talks draft "
         "points territory front line army elections treaty council minister Europe Ukraine Russia").split()


def generated(n: int, seed: int = 7) -> str:
    """An Argdown document of ``n`` statements: a few conclusions, each reason supporting or
    attacking an earlier statement, every statement with a speaker and a date in its data."""
    rnd = random.Random(seed)
    speakers = [f"speaker-{i}" for i in range(12)]
    lines = ["===", "title: Generated debate", "argmap:", "  speakers:"]
    lines += [f"  - id: {s}\n    name: Speaker {i}" for i, s in enumerate(speakers)]
    lines += ["===", ""]
    for i in range(n):
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 18))).capitalize() + "."
        data = f'{{argmap: {{speaker: {rnd.choice(speakers)}, said: 2025-11-{rnd.randint(1, 28):02d}}}}}'
        if i < 5:
            lines += ["", f"[s{i}]: {text} {data}"]
        else:
            target = rnd.randrange(max(0, i - 40), i)
            sign = "+" if rnd.random() < 0.65 else "-"
            lines += ["", f"[s{target}]", f"  {sign} [s{i}]: {text} {data}"]
    return "\n".join(lines) + "\n"


def measure(name: str, text: str, repeat: int) -> None:
    body = text.encode()
    preview_svg(body, "text/x-argdown")  # warm: the grammar and Graphviz's fonts
    reads, draws, totals = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        _, took = preview_svg(body, "text/x-argdown")
        totals.append(time.perf_counter() - t)
        reads.append(took["read"])
        draws.append(took["draw"])
    m = argdown.loads(text, map_id="bench")
    base = []
    for _ in range(repeat):
        t = time.perf_counter()
        render(m, "svg", options_from({"legend": False}))
        base.append(time.perf_counter() - t)
    med, b = statistics.median(totals), statistics.median(base)
    print(f"{name:<28} {len(m.statements):>5} stmts  preview {med * 1000:7.1f} ms "
          f"(read {statistics.median(reads) * 1000:6.1f}, draw {statistics.median(draws) * 1000:6.1f})  "
          f"stored-map diagram {b * 1000:7.1f} ms  ratio {med / b:4.2f}x")


def main() -> None:
    seed = argdown.dumps(load(REPO / "seeds" / "peace-plan.yaml"))
    print(f"{'document':<28} {'size':>11}  median of 15 runs")
    measure("seed map (Argdown export)", seed, 15)
    measure("generated, 300 statements", generated(300), 15)


if __name__ == "__main__":
    main()
