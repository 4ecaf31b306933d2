"""How long a timeline takes: 100, 1,000 and 10,000 statements, to SVG and to PDF.

    python benchmarks/timeline.py            # all sizes (the 10,000-item PDF takes a while)
    python benchmarks/timeline.py --quick    # 100 and 1,000 only

Target (issue #5): 10,000 items to SVG in under 2 s on the team's 2-core machines.

Baselines, measured in the same run so that a noisy machine shifts both:
- SVG: *bare ElementTree*, one ``<g><circle/><text/></g>`` per item serialised, the least any
  ElementTree-built SVG of n items can cost; the ratio is what layout, links and tooltips add.
- PDF: *WeasyPrint alone* on the finished HTML argmap hands it; the ratio is our share.

The maps are synthetic (``synthetic_map``): two years, twelve speakers (Latin and Cyrillic
names), a tenth of them events, 8 % undated, dates by day, time, month, year and interval,
some approximate or uncertain, and 0.6 arguments per statement between nearby dates.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import sys
import time

from _timing import median_time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argmap.model import Argument, Map, Source, Speaker, Statement  # noqa: E402
from argmap.render import timeline  # noqa: E402

NAMES = ["Kaja Kallas", "David van Weel", "Valery Gerasimov", "Сергей Лавров", "Володимир Зеленський",
         "Steve Witkoff", "Kirill Dmitriev", "Мария Захарова", "Dan Driscoll", "Keith Kellogg",
         "Taras Pastukh", "Maria Malmer Stenergard"]
WORDS = ("plan peace talks front line sanctions assets guarantees territory ceasefire envoy draft "
         "point reparations army security Europe Ukraine Russia Washington Kyiv Moscow Brussels").split()


def synthetic_map(n: int, *, days: int = 730, seed: int = 5) -> Map:
    """``n`` statements over ``days`` days from 2024-01-01, with arguments between near dates."""
    rnd = random.Random(seed)
    start = dt.date(2024, 1, 1)
    speakers = [Speaker(id=f"sp{i}", name=name, affiliation="Synthetic") for i, name in enumerate(NAMES)]
    statements = []
    for i in range(n):
        day = start + dt.timedelta(days=rnd.randrange(days))
        r = rnd.random()
        if r < 0.08:
            said = None
        elif r < 0.66:
            said = day.isoformat()
        elif r < 0.76:
            said = f"{day.isoformat()}T{rnd.randrange(24):02d}:{rnd.choice((0, 15, 30, 45)):02d}:00Z"
        elif r < 0.86:
            said = f"{day.year}-{day.month:02d}"
        elif r < 0.88:
            said = str(day.year)
        elif r < 0.92:
            said = f"{day.isoformat()}/{(day + dt.timedelta(days=rnd.randrange(2, 20))).isoformat()}"
        else:
            said = day.isoformat() + rnd.choice("~?%")
        event = rnd.random() < 0.1
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(5, 25))).capitalize() + "."
        statements.append(Statement(
            id=f"s{i}", text=text, kind="event" if event else rnd.choice(["claim"] * 9 + ["derived"]),
            speaker=None if event or rnd.random() < 0.05 else rnd.choice(speakers).id, said=said, source="src"))
    order = sorted(range(n), key=lambda i: statements[i].said or "")
    arguments = []
    for k in range(int(n * 0.6)):
        j = rnd.randrange(1, n)
        a, b = order[j], order[max(0, j - rnd.randrange(1, 30))]
        kind = rnd.choice(["support"] * 8 + ["attack"] * 2)
        arguments.append(Argument(id=f"a{k}", kind=kind, premises=[f"s{a}"], target=f"s{b}"))
    for k in range(n // 50):
        arguments.append(Argument(id=f"u{k}", kind="undercut", premises=[f"s{rnd.randrange(n)}"],
                                  target=f"a{rnd.randrange(len(arguments))}"))
    arguments = [a for a in arguments if a.target not in a.premises]
    return Map(id="synthetic", title=f"Synthetic timeline, {n:,} statements over {days} days",
               speakers=speakers, sources=[Source(id="src", title="Synthetic source")],
               statements=statements, arguments=arguments)


def bare_elementtree(m: Map) -> bytes:
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg"})
    for i, s in enumerate(m.statements):
        g = ET.SubElement(svg, "g", {"id": s.id})
        ET.SubElement(g, "circle", {"cx": str(i % 2000), "cy": str(i // 2000 * 20), "r": "5"})
        ET.SubElement(g, "text", {"x": str(i % 2000 + 8), "y": str(i // 2000 * 20)}).text = s.text[:38]
    return ET.tostring(svg, encoding="utf-8")


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [100, 1_000] if quick else [100, 1_000, 10_000]
    print(f"{'items':>7} {'svg s':>7} {'bare ET s':>9} {'ratio':>6} {'svg MB':>7}   {'pdf s':>7} {'weasy s':>8} {'pages':>5}")
    for n in sizes:
        m = synthetic_map(n)
        repeat = 5 if n <= 1_000 else 3
        svg_s = median_time(lambda: timeline.to_svg(m), repeat)
        base_s = median_time(lambda: bare_elementtree(m), repeat)
        size = len(timeline.to_svg(m)) / 1e6
        pdf_s, weasy_s, pages = _pdf(m)
        print(f"{n:>7,} {svg_s:>7.3f} {base_s:>9.3f} {svg_s / base_s:>6.1f} {size:>7.2f}   {pdf_s:>7.2f} {weasy_s:>8.2f} {pages:>5}")
    verdict = "met" if quick or svg_s < 2.0 else "MISSED"
    print(f"target 10,000 items to SVG < 2 s: {verdict}" + (" (not measured: --quick)" if quick else f" ({svg_s:.2f} s)"))


def _pdf(m: Map) -> tuple[float, float, int]:
    """Time argmap's PDF, and WeasyPrint alone on the same HTML (captured, not rebuilt)."""
    from argmap.render import _pdf

    captured = {}
    original = _pdf.html_to_pdf

    def capture(html, **kw):
        captured["html"], captured["kw"] = html, kw
        return original(html, **kw)

    _pdf.html_to_pdf = capture
    try:
        t = time.perf_counter()
        data = timeline.to_pdf(m)
        total = time.perf_counter() - t
    finally:
        _pdf.html_to_pdf = original
    t = time.perf_counter()
    original(captured["html"], **captured["kw"])
    weasy = time.perf_counter() - t
    from pypdf import PdfReader  # the PDF's objects are compressed: count pages properly

    return total, weasy, len(PdfReader(io.BytesIO(data)).pages)


if __name__ == "__main__":
    main()
