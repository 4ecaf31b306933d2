"""The thread pool write handlers wait in.

A write waits for its group commit (``argmap.store._writer``) in a thread. On the event loop's
default pool (cores + 4 threads, 6 here) eight writers at once left requests queued for a thread
while others only waited for their commit: 4 ms of a write's 16 went there, and groups stayed
small. Writes get :data:`WRITE_THREADS` threads of their own, each holding one request while it
waits; reads keep the default pool, which bounds how many heavy queries run at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

__all__ = ["WRITE_THREADS", "in_write_thread"]

T = TypeVar("T")

WRITE_THREADS = 64
"""At most this many write requests run at once in one server; more wait for a thread (a
group commits at most ``argmap.store._writer.MAX_GROUP`` = 256 of them)."""

_pool: ThreadPoolExecutor | None = None


async def in_write_thread(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` in a write thread, with the caller's contextvars (the author of
    the change log is one), awaited without holding the event loop."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="argmap-write")
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)
