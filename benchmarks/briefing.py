"""How long a briefing takes: the seed map, generated maps, and WeasyPrint alone as the baseline.

    python benchmarks/briefing.py [--runs 3]

Prints, for each document, its pages and the median wall time of ``runs`` renders (context,
templates and WeasyPrint, PDF/UA-1) after one warm-up. The target (issue 6) is a 10-page
briefing in under 1.5 s: the seed map focused on its main conclusion is about that long. The peer
(BENCHMARKS.md: WeasyPrint alone, 1.2 s for 10 pages of HTML with inline SVG) is measured
again in the same run on a document of that kind, so the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from argmap.mapfile import load  # noqa: E402
from argmap.model import Argument, Map, Source, Speaker, Statement  # noqa: E402
from argmap.render.briefing import BriefingOptions, build_context, render_pdf  # noqa: E402

WORDS = (
    "plan peace border troops talks sanctions assets envoy front ceasefire treaty guarantee "
    "minister council draft points territory reconstruction agreement security winter partner"
).split()


def generated_map(n: int, seed: int = 6) -> Map:
    """``n`` statements by ten speakers from ten sources, about 0.8 n arguments (trees, a few attacks)."""
    rnd = random.Random(seed)
    speakers = [Speaker(id=f"sp{i}", name=f"Speaker {i}", role="official") for i in range(10)]
    sources = [Source(id=f"src{i}", title=f"Report {i}", url=f"https://example.org/{i}", published=f"2025-11-{10 + i}")
               for i in range(10)]
    statements = [
        Statement(
            id=f"s{i}", text=" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 30))).capitalize() + ".",
            speaker=f"sp{rnd.randrange(10)}", source=f"src{rnd.randrange(10)}",
            said=f"2025-11-{rnd.randint(10, 28):02d}" if rnd.random() < 0.7 else None,
        )
        for i in range(n)
    ]
    arguments = []
    for i in range(1, n):
        if rnd.random() < 0.8:
            kind = "attack" if rnd.random() < 0.15 else "support"
            arguments.append(Argument(id=f"a{i}", kind=kind, premises=[f"s{i}"], target=f"s{rnd.randrange(max(1, i // 4))}"))
    return Map(id=f"gen{n}", title=f"A generated map of {n} statements", speakers=speakers, sources=sources,
               statements=statements, arguments=arguments)


def weasyprint_alone_html(pages: int) -> str:
    """The BENCHMARKS.md peer document: each page a full column of text and an inline SVG
    of 40 labelled boxes and their links (about what a briefing page holds)."""
    boxes = "".join(
        f'<rect x="{10 + 95 * (i % 5)}" y="{10 + 45 * (i // 5)}" width="85" height="30" fill="none" stroke="black"/>'
        f'<text x="{14 + 95 * (i % 5)}" y="{30 + 45 * (i // 5)}" font-size="9">statement {i}</text>'
        f'<line x1="{52 + 95 * (i % 5)}" y1="{40 + 45 * (i // 5)}" x2="{52 + 95 * ((i + 1) % 5)}" y2="{55 + 45 * (i // 5)}" stroke="green"/>'
        for i in range(40)
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="370">{boxes}</svg>'
    para = "<p>" + " ".join(WORDS * 4) + ".</p>"
    body = "".join(f'<h2 style="break-before: page">Page {p + 1}</h2>{svg}{para * 2}' for p in range(pages))
    return f'<!DOCTYPE html><html lang="en"><head><title>peer</title></head><body>{body}</body></html>'


def weasyprint_alone(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def timed(fn, runs: int) -> tuple[float, float, bytes]:
    """Median wall time and median CPU time of this process (dot runs in a child, so CPU
    leaves it out; CPU is what a busy shared machine disturbs least)."""
    out = fn()  # warm-up: fonts, hyphenation dictionaries, template compilation
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed renders per document (median reported)")
    args = parser.parse_args()

    seed = load(ROOT / "seeds" / "peace-plan.yaml")
    focus = BriefingOptions(focus="no-peace-without-ukraine-and-europe", depth=2)
    cases = [
        ("WeasyPrint alone, 10 pages, inline SVG (peer)", lambda h=weasyprint_alone_html(10): weasyprint_alone(h)),
        ("seed, main conclusion, depth 2 (about 10 pages)", lambda: render_pdf(build_context(seed, focus))),
        ("seed briefing (peace-plan, 70 statements)", lambda: render_pdf(build_context(seed))),
        ("generated map, 100 statements", lambda m=generated_map(100): render_pdf(build_context(m))),
    ]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine is noisy)")
    print(f"{'document':<52} {'pages':>5} {'wall s':>7} {'cpu s':>6} {'wall s/page':>11}")
    rows = []
    for name, fn in cases:
        wall, cpu, pdf = timed(fn, args.runs)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        rows.append((name, pages, wall))
        print(f"{name:<52} {pages:>5} {wall:>7.2f} {cpu:>6.2f} {wall / pages:>11.3f}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    peer = rows[0][2] / rows[0][1]
    print(f"\nper page, relative to WeasyPrint alone in this run ({peer:.3f} s/page); target: 10 pages in 1.5 s")
    for name, pages, wall in rows[1:]:
        ten = wall / pages * 10
        print(f"  {name:<50} {wall / pages / peer:5.2f}x   {ten:.2f} s per 10 pages "
              f"({'meets' if ten < 1.5 else 'misses'} the target)")


if __name__ == "__main__":
    main()
