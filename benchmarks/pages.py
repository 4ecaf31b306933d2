"""Map page speed: the page's server time against the whole map as JSON, the same run.

Run: ``python benchmarks/pages.py`` (about half a minute on 2 cores).

For the seed map and generated maps of 200, 1,000 and 5,000 statements (the shapes of
benchmarks/diagram.py), prints the median time of ``GET /ui/maps/{map}`` (the page: outline,
focus picker, panel of one statement, downloads) and of the statement panel alone
(``/ui/maps/{map}/statements/{id}/panel``, what a click costs), against ``GET /maps/{map}.json``
(the API's whole-map document: every statement read and encoded once) as the baseline, with
the page's size. Evaluation is off (``semantics=none``) so the figures are the page's own;
grounded labels are timed on their own row. Target: the page at most 5x the JSON baseline,
a click under 50 ms at 1,000 statements.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from diagram import generated_map  # noqa: E402  (the same generated shapes as the diagram benchmark)
from litestar.testing import TestClient  # noqa: E402

from argmap.api import create_app  # noqa: E402
from argmap.mapfile import load  # noqa: E402
from argmap.store import Store  # noqa: E402

SEED = REPO / "seeds" / "peace-plan.yaml"


def median_ms(client: TestClient, url: str, repeat: int) -> tuple[float, int]:
    r = client.get(url)  # warm: the map and its evaluation are cached under the map's version
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, len(r.content)


def main() -> None:
    logging.disable(logging.INFO)  # the test client logs every request
    maps = [load(SEED), generated_map(200), generated_map(1000), generated_map(5000)]
    store = Store(":memory:")
    for m in maps:
        store.load_map(m)
    print(f"{'map':<12}{'statements':>11}{'JSON map (baseline)':>21}{'page':>10}{'ratio':>7}{'page size':>11}"
          f"{'panel':>9}{'page + grounded':>17}")
    with TestClient(app=create_app(store=store)) as client:
        for m in maps:
            repeat = 5 if len(m.statements) > 1000 else 15
            sid = m.statements[len(m.statements) // 2].id
            base, _ = median_ms(client, f"/maps/{m.id}.json", repeat)
            page, size = median_ms(client, f"/ui/maps/{m.id}?semantics=none&statement={sid}", repeat)
            panel, _ = median_ms(client, f"/ui/maps/{m.id}/statements/{sid}/panel?semantics=none", repeat)
            labelled, _ = median_ms(client, f"/ui/maps/{m.id}?statement={sid}", repeat)
            print(f"{m.id:<12}{len(m.statements):>11}{base:>18.1f} ms{page:>7.1f} ms{page / base:>6.1f}x"
                  f"{size / 1024:>8.0f} kB{panel:>6.1f} ms{labelled:>14.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
