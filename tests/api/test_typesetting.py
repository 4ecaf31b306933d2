"""Typesetting slots: briefings and timeline PDFs share two, whatever the number of requests."""

from __future__ import annotations

import threading
import time

import anyio

from argmap.api import _typesetting


def test_no_more_than_max_concurrent_jobs_typeset_at_once():
    running, most, lock = [0], [0], threading.Lock()

    def job(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1
        return i

    async def main() -> list[int]:
        results: list[int] = []

        async def one(i: int) -> None:
            results.append(await _typesetting.typeset(job, i))

        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(one, i)
        return results

    t = time.monotonic()
    assert sorted(anyio.run(main)) == list(range(6))
    assert most[0] == _typesetting.MAX_CONCURRENT == 2
    assert time.monotonic() - t >= 0.3 - 0.02  # 6 jobs of 0.1 s, 2 at a time: they waited


def test_briefings_and_timeline_pdfs_share_the_slots_and_the_deadline():
    from argmap.api import exports as routes
    from argmap.exports import CATALOGUE

    assert routes.typeset is _typesetting.typeset and routes.TYPESET_TIMEOUT == _typesetting.TIMEOUT
    assert {f"{e.name}.{e.suffix}" for e in CATALOGUE.values() if e.typesets} == {"briefing.pdf", "briefing.html",
                                                                                  "timeline.pdf", "print.pdf"}
