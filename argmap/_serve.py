"""``argmap serve``'s process: the store, the socket and the HTTP server in one process.

granian's server runs embedded in this process's asyncio loop, so whatever kills the process
frees the DuckDB lock and the port with it (why not workers: docs/ARCHITECTURE.md, "Serving").
Startup failures are one line and exit code 2 (:class:`StartupError`); SIGTERM drains
(:class:`Draining`): new requests get 503, those in flight finish within ``drain`` seconds.

>>> code = serve(app, host="127.0.0.1", port=8000, on_close=store.close)   # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import signal
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from argmap.api._forward import DRAINING

__all__ = ["DRAIN_SECONDS", "Draining", "StartupError", "bind_check", "open_for_serving", "serve"]

DRAIN_SECONDS = 10.0
"""How long SIGTERM waits for requests in flight before the server stops anyway."""

HANDLER_THREADS = 64
"""Threads that run the sync handlers (Litestar hands them to the loop's default executor). A
write waits in its thread until its group commits, so this bounds how many writes one commit
can hold: asyncio's own default (cpu count + 4: 6 on 2 cores) capped every group at 6, whatever
the number of writing clients."""

log = logging.getLogger("argmap.serve")


class StartupError(Exception):
    """Why the server cannot start, in one line (the command line prints it, exit code 2)."""


_LOCKED = re.compile(r'Could not set lock on file "?(?P<file>[^":]+)"?.*?Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)',
                     re.S)


def open_for_serving(open_store: Callable, where: str):
    """``open_store()``, with any failure turned into one :class:`StartupError` line.

    ``where`` names the store for the message (the file, or the lake's redacted catalog).
    """
    try:
        return open_store()
    except Exception as e:  # noqa: BLE001 - every way of failing to open becomes one line
        text = str(e)
        if m := _LOCKED.search(text):
            raise StartupError(f"{m['file']} is in use by another process (PID {m['pid']}, {m['exe'].strip()}); "
                               "stop it, or serve another file") from None
        first = " ".join(text.split("\n", 1)[0].split())[:400] or type(e).__name__
        # The store's own refusals already say "cannot open X: why": keep them, unprefixed.
        raise StartupError(first[first.index("cannot open"):] if "cannot open" in first
                           else f"cannot open {where}: {first}") from None


def bind_check(host: str, port: int) -> None:
    """Refuse early, in one line, when ``host:port`` cannot be bound (in use, no such address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise StartupError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as granian does: TIME_WAIT is no obstacle
        try:
            s.bind(address)
        except OSError as e:
            why = "the port is in use by another process" if e.errno == errno.EADDRINUSE else e.strerror
            raise StartupError(f"cannot listen on {host}:{port}: {why}") from None


class Draining:
    """An ASGI wrapper that counts requests in flight and, once :meth:`start` is called,
    answers new ones 503 (``Connection: close``) while those in flight finish."""

    def __init__(self, app):
        self.app = app
        self.in_flight = 0
        self.draining = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.draining:
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"connection", b"close"), (b"retry-after", b"1"),
                (DRAINING, b"1")]})
            await send({"type": "http.response.body", "body": b'{"error":"unavailable","message":'
                        b'"the server is shutting down","problems":[]}'})
            return
        self.in_flight += 1
        self._idle.clear()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()

    async def drain(self, seconds: float) -> int:
        """Refuse new requests; wait up to ``seconds`` for those in flight. Returns how many
        were still running when the time was up (0: all finished)."""
        self.draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        return self.in_flight


def serve(app, *, host: str, port: int, drain: float = DRAIN_SECONDS, on_close: Callable[[], None] | None = None,
          on_drain: Callable[[], None] | None = None) -> int:
    """Serve the ASGI ``app`` on ``host:port`` in this process until SIGTERM/SIGINT; returns the exit code.

    ``on_drain`` runs when draining starts (giving up a lake's lead), ``on_close`` after the
    server has stopped (closing the store).
    """
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    wrapped = Draining(app)
    # granian's own log says "experimental" and each start/stop at INFO; ours says what matters.
    server = Server(wrapped, address=host, port=port, interface=Interfaces.ASGI, log_access=False,
                    log_level=LogLevels.error)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="argmap-handler"))
        stopping: list[asyncio.Task] = []

        async def shut_down(name: str) -> None:
            t0 = time.monotonic()
            log.warning("argmap: %s: draining (%d in flight, up to %g s)", name, wrapped.in_flight, drain)
            if on_drain is not None:
                await loop.run_in_executor(None, on_drain)
            left = await wrapped.drain(drain)
            if left:
                log.warning("argmap: %d requests still running after %g s; stopping anyway", left, drain)
            else:
                log.warning("argmap: drained in %.1f s; stopping", time.monotonic() - t0)
            server.stop()

        def on_signal(sig: signal.Signals) -> None:
            if stopping:  # a second signal: stop now
                server.stop()
                return
            stopping.append(loop.create_task(shut_down(sig.name)))

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal, sig)
        await server.serve()
        return 0

    try:
        code = asyncio.run(main())
    except OSError as e:  # the bind itself, should bind_check have lost a race
        raise StartupError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    finally:
        if on_close is not None:
            on_close()
    return code
