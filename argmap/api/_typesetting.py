"""Typesetting slots for the routes that run WeasyPrint: briefings and timeline PDFs.

A PDF render is a whole child process (:mod:`argmap.render._pdf`) that takes a core for
seconds, so at most :data:`MAX_CONCURRENT` run at once; other requests wait for a slot. Each
may typeset for :data:`TIMEOUT` seconds, then it is killed and the request answered 422
``limit_exceeded`` with advice to narrow it.

>>> MAX_CONCURRENT, TIMEOUT
(2, 60.0)
>>> pdf = await typeset(lambda: render_pdf(ctx, timeout=TIMEOUT))    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from anyio.lowlevel import RunVar

from argmap._metrics import PDF_RUNNING
from argmap.render._pdf import start_forkserver

__all__ = ["MAX_CONCURRENT", "TIMEOUT", "typeset"]

MAX_CONCURRENT = 2
"""Typesetting jobs at once; each takes a core for seconds, the rest wait."""

TIMEOUT = 60.0
"""Seconds one PDF may typeset in a request (the CLI allows 120): the largest briefing allowed,
1,000 statements, took about 30 s on a busy 2-core machine; quadratic inputs take far longer."""

_T = TypeVar("_T")
_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("argmap_typesetting_limiter")


def _limiter() -> anyio.CapacityLimiter:
    # One per event loop (a RunVar): a limiter made in one loop must not be awaited in another.
    try:
        return _LIMITER.get()
    except LookupError:
        _LIMITER.set(limiter := anyio.CapacityLimiter(MAX_CONCURRENT))
        return limiter


async def typeset(fn: Callable[..., _T], *args) -> _T:
    """``fn(*args)`` in a worker thread, once one of the :data:`MAX_CONCURRENT` slots is free
    (counted while it runs by the ``argmap_pdf_children_running`` metric).

    The renders' forkserver is started here, on the event loop's thread, which lives as long as
    the server: it dies with the thread that started it (:mod:`argmap.render._pdf_bound`), and a
    worker thread may end while the forkserver is still needed."""
    start_forkserver()
    return await anyio.to_thread.run_sync(_counted, fn, args, limiter=_limiter())


def _counted(fn: Callable[..., _T], args: tuple) -> _T:
    with PDF_RUNNING.track_inprogress():
        return fn(*args)
