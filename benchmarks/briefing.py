"""How long a briefing takes: the seed map, generated maps, and WeasyPrint alone as the baseline.

    python benchmarks/briefing.py [--runs 3]

Prints, for each document, its pages and the median wall time of ``runs`` renders (context,
templates and WeasyPrint, PDF/UA-1) after one warm-up. The target (issue 6) is a 10-page
briefing in under 1.5 s; the peer figure (BENCHMARKS.md) is WeasyPrint alone at 1.2 s for 10
pages of HTML with inline SVG, which this script measures again in the same run, on the same
machine, so the ratio is what to compare.
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
from argmap.render.briefing import BriefingOptions, build_context, html_to_pdf, render_pdf  # noqa: E402

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
    """Plain HTML with one inline SVG per page: the BENCHMARKS.md peer document."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
           + "".join(f'<rect x="{20 * i}" y="{10 * i}" width="60" height="30" fill="none" stroke="black"/>'
                     f'<text x="{20 * i + 4}" y="{10 * i + 20}" font-size="10">node {i}</text>' for i in range(8))
           + "</svg>")
    para = "<p>" + " ".join(WORDS * 6) + "</p>"
    body = "".join(f'<h2 style="break-before: page">Page {p + 1}</h2>{svg}{para * 2}' for p in range(pages))
    return f'<!DOCTYPE html><html lang="en"><head><title>peer</title></head><body>{body}</body></html>'


def timed(fn, runs: int) -> tuple[float, float, bytes]:
    out = fn()  # warm-up: fonts, hyphenation dictionaries, template compilation
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed renders per document (median reported)")
    args = parser.parse_args()

    seed = load(ROOT / "seeds" / "peace-plan.yaml")
    cases = [
        ("WeasyPrint alone, 10 pages, inline SVG (peer)", lambda: html_to_pdf(weasyprint_alone_html(10))),
        ("seed briefing (peace-plan, 70 statements)", lambda: render_pdf(build_context(seed))),
        ("generated map, 60 statements", lambda m=generated_map(60): render_pdf(build_context(m))),
        ("generated map, 100 statements", lambda m=generated_map(100): render_pdf(build_context(m))),
    ]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine is noisy)")
    print(f"{'document':<50} {'pages':>5} {'median s':>9} {'best s':>7} {'s/page':>7}")
    rows = []
    for name, fn in cases:
        seconds, best, pdf = timed(fn, args.runs)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        rows.append((name, pages, seconds))
        print(f"{name:<50} {pages:>5} {seconds:>9.2f} {best:>7.2f} {seconds / pages:>7.3f}", flush=True)
    peer = rows[0][2] / rows[0][1]
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"\nmedians per page, relative to WeasyPrint alone in this run ({peer:.3f} s/page):")
    for name, pages, seconds in rows[1:]:
        ten = seconds / pages * 10
        verdict = "meets" if ten < 1.5 else "misses"
        print(f"  {name:<48} {seconds / pages / peer:4.2f}x   10 pages at this rate: {ten:.2f} s ({verdict} the 1.5 s target)")


if __name__ == "__main__":
    main()
