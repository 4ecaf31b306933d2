"""How long a briefing takes: the seed map, generated maps, and WeasyPrint alone as the baseline.

    python benchmarks/briefing.py [--runs 3]

Prints, for each document, its pages and the median wall time of ``runs`` renders (context,
templates and WeasyPrint, PDF/UA-1) after one warm-up. The target (issue 6) is a 10-page
briefing in under 1.5 s: the seed map focused on its main conclusion is about that long. The peer
(BENCHMARKS.md: WeasyPrint alone, 1.2 s for 10 pages of HTML with inline SVG) is measured
again in the same run on a document of that kind, so the ratio is what to compare.

Then the cost of the time limit (issue 10): every PDF is typeset in a child process forked
from a preloaded forkserver (``argmap.render._pdf``). The same HTML is typeset in this process
(the old path, WeasyPrint called directly: the baseline) and through the child; the difference
is the overhead a render pays for being killable. Target: under 100 ms a render.
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
from argmap.render import _pdf  # noqa: E402
from argmap import exports  # noqa: E402
from argmap.render.briefing import TEMPLATES, BriefingOptions, build_context, render_html, render_pdf  # noqa: E402
from argmap.scope import Scope  # noqa: E402

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


def timed(fn, runs: int) -> tuple[float, bytes]:
    """Median wall time (dot and WeasyPrint run in child processes: this process's CPU time
    would leave them out)."""
    out = fn()  # warm-up: fonts, hyphenation dictionaries, template compilation
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t)
    return statistics.median(walls), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed renders per document (median reported)")
    args = parser.parse_args()

    seed = load(ROOT / "seeds" / "peace-plan.yaml")
    focus = BriefingOptions(focus="no-peace-without-ukraine-and-europe", depth=2)
    export = exports.find("briefing", "pdf")

    def whole(m, scope=Scope()):
        # The whole job as `argmap export briefing` and GET …/briefing.pdf run it: evaluation
        # (grounded labels), each key conclusion's flips, the context, the PDF.
        return exports.make(export, m, scope, export.options())

    cases = [
        ("WeasyPrint alone, 10 pages, inline SVG (peer)", lambda h=weasyprint_alone_html(10): weasyprint_alone(h)),
        ("seed, main conclusion, depth 2 (about 10 pages)",
         lambda: whole(seed, Scope(focus="no-peace-without-ukraine-and-europe", depth=2))),
        ("seed briefing (peace-plan, 70 statements)", lambda: whole(seed)),
        ("generated map, 100 statements", lambda m=generated_map(100): whole(m)),
    ]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine is noisy)")
    print(f"{'document':<52} {'pages':>5} {'wall s':>7} {'wall s/page':>11}")
    rows = []
    for name, fn in cases:
        wall, pdf = timed(fn, args.runs)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        rows.append((name, pages, wall))
        print(f"{name:<52} {pages:>5} {wall:>7.2f} {wall / pages:>11.3f}", flush=True)
    peer = rows[0][2] / rows[0][1]
    print(f"\nper page, relative to WeasyPrint alone in this run ({peer:.3f} s/page); target: 10 pages in 1.5 s")
    for name, pages, wall in rows[1:]:
        ten = wall / pages * 10
        print(f"  {name:<50} {wall / pages / peer:5.2f}x   {ten:.2f} s per 10 pages "
              f"({'meets' if ten < 1.5 else 'misses'} the target)")
    child_overhead(seed, focus, args.runs)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def child_overhead(seed: Map, focus: BriefingOptions, runs: int) -> None:
    """The same HTML typeset here (baseline) and in a killable child, alternating so that
    load on the shared machine falls on both alike."""
    briefing_job = dict(folder=TEMPLATES, data_uris=True, base_url=TEMPLATES.as_uri() + "/", variant="pdf/ua-1")
    docs = [
        ("one paragraph (fixed cost)", "<p>Hello</p>", {}),
        ("WeasyPrint alone, 10 pages (peer doc)", weasyprint_alone_html(10), {}),
        ("seed, main conclusion (~10 pages)", render_html(build_context(seed, focus)), briefing_job),
        ("seed briefing", render_html(build_context(seed)), briefing_job),
    ]
    print(f"\nkillable child vs this process, same HTML (median of {max(runs, 5)} alternating renders)")
    print(f"{'document':<40} {'here s':>7} {'child s':>8} {'overhead ms':>12}")
    for name, html, kw in docs:
        rules = _pdf.FetchRules(None, kw.get("folder"), kw.get("data_uris", False))
        job = _pdf._Job(html, None, kw.get("base_url"), kw.get("variant"), rules)
        here = lambda: _pdf._render(job).pdf  # noqa: E731 - the old path: WeasyPrint in the caller
        child = lambda: _pdf.html_to_pdf(html, **kw)  # noqa: E731
        here(), child()  # warm-up: fonts and hyphenation here; the forkserver's start
        t_here, t_child = [], []
        for _ in range(max(runs, 5)):
            for fn, out in ((here, t_here), (child, t_child)):
                t = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t)
        h, c = statistics.median(t_here), statistics.median(t_child)
        print(f"{name:<40} {h:>7.3f} {c:>8.3f} {(c - h) * 1000:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
