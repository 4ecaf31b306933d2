"""Write requests a lake server hands to the server that leads the lake's writes.

Servers on one lake elect a writer (argmap.store._leader); a write request that reaches
another one is sent on to it as it came (method, path, headers, body) and its answer sent back
as it is, as if the load balancer had chosen the leader: every server's writes then share the
leader's group commits instead of taking turns. A leader that cannot be reached is forgotten
and the write made here; a request already forwarded is never forwarded again.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

import anyio.to_thread
import h11
import msgspec

__all__ = ["DRAINING", "FORWARDED", "Forwarder", "forwarded"]

FORWARDED = b"x-argmap-forwarded"
"""Marks a request sent on by another server (answered where it arrives, never sent on again)."""

DRAINING = b"x-argmap-draining"
"""Marks the 503 of a server shutting down (``argmap._serve``): the request did nothing there."""

_SAFE = {"GET", "HEAD", "OPTIONS"}
_READS = ("/af/solve", "/preview/", "/ui/sign-in")
"""Paths whose POST writes nothing: answered here."""
_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade", b"proxy-connection",
        b"host"}
_BUFFER = 1 << 20
"""Bodies up to this size are read before forwarding, so the write can still be made here when the
leader does not answer; longer ones stream through."""


class Forwarder:
    """Sends write requests to the lake's leader (see the module's docstring).

    Parameters
    ----------
    leadership
        The store's :class:`~argmap.store._leader.Leadership`.
    on_forward
        Called once per request the leader answered (the metrics count them).
    written
        Called once the leader answered, before the answer is sent on (the store's
        ``written_elsewhere``: this server then reads what the client just wrote).
    """

    def __init__(self, leadership, on_forward=None, written=None):
        self.leadership = leadership
        self.written = written
        self._pool = _Pool()
        self._on_forward = on_forward  # called once per request the leader answered (metrics)

    async def close(self) -> None:
        await self._pool.close()

    async def __call__(self, scope, receive, send):
        """Forward the request if it should go to the leader: returns None when it was answered
        there, else the ``receive`` to answer it here with (what was read of the body replayed)."""
        if scope["method"] in _SAFE or scope["path"].startswith(_READS) or forwarded(scope):
            return receive
        if self.leadership.stale():
            await anyio.to_thread.run_sync(self.leadership.leader)  # asks PostgreSQL: not on the event loop
        leader = self.leadership.leader()
        if leader is None:
            return receive
        body, more = b"", True
        while more and len(body) <= _BUFFER:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(b"", False, receive)  # the client went away: let the app see it
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = [(k, v) for k, v in scope.get("headers", ()) if k.lower() not in _HOP]
        headers += [(b"host", dict(scope.get("headers", ())).get(b"host", b"")), (FORWARDED, b"1")]
        # raw_path is the path as sent (percent-escapes kept); some servers leave the query on it
        target = scope.get("raw_path") or scope["path"].encode()
        target = target.split(b"?", 1)[0]
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]

        async def content():  # the rest of a body past _BUFFER, as it arrives
            nonlocal more
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    raise _Failed("the client went away")
                more = message.get("more_body", False)
                yield message.get("body", b"")

        async with self._pool.busy:  # at most CONNECTIONS exchanges with the leader at once
            return await self._exchange(leader, scope["method"], target, headers, body, more,
                                        content() if more else None, receive, send)

    async def _exchange(self, leader, method, target, headers, body, more, rest, receive, send):
        """Send the request to the leader and its answer back (None), or return the ``receive``
        to make the write here with, when nothing reached the leader or it is shutting down."""
        try:
            conn = await self._pool.connection(leader)
        except (OSError, asyncio.TimeoutError):
            self.leadership.forget()  # nothing reached the leader: the write is made here
            return _replay(body, more, receive)
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                status, out = await conn.send(method, target, headers, body, rest)
        except _BROKEN:
            conn.close()
            await _answer_unknown(send)
            return None
        except BaseException:  # cancelled: the connection is mid-exchange, not reusable
            conn.close()
            raise
        if status == 503 and any(k == DRAINING for k, _ in out) and not more:
            await self._pool.done(conn)  # the leader is shutting down and did nothing: write here
            self.leadership.forget()
            return _replay(body, more, receive)
        if self.written is not None:
            self.written()  # read-your-writes here, before the client can ask
        try:
            out = [(k, v) for k, v in out if k not in _HOP]
            out.append((b"x-argmap-written-by", leader.encode()))
            await send({"type": "http.response.start", "status": status, "headers": out})
            async with asyncio.timeout(READ_TIMEOUT):
                async for chunk in conn.body():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except BaseException:
            conn.close()  # the answer was cut off (here or there): the connection is not reused
            raise
        self._pool.put(conn)
        if self._on_forward is not None:
            self._on_forward()
        return None


READ_TIMEOUT = 300.0
"""Seconds a forwarded request may take at the leader (a bulk import takes minutes)."""
CONNECT_TIMEOUT = 2.0
IDLE = 64
"""Connections to the leader kept open between requests."""
CONNECTIONS = 256
"""Requests a server forwards at once (more wait their turn): with :data:`IDLE`, its bound on
connections to the leader."""


class _Failed(Exception):
    """The exchange with the leader broke off after the request may have reached it."""


_BROKEN = (_Failed, OSError, asyncio.TimeoutError, h11.ProtocolError)
"""How an exchange with the leader can break off (its connection is then closed, not reused)."""


class _Pool:
    """Keep-alive HTTP/1.1 connections to the leader, the protocol kept by ``h11``.

    A forwarded write costs its server little more than the bytes it moves: through a general
    client (httpx: URL and header models, cookies, a readiness check of the socket on each
    reuse) a follower spent 1.3-1.6 ms of CPU on each, through this 0.6-0.8 ms
    (``benchmarks/lake.py`` prints it).
    """

    def __init__(self):
        self.busy = asyncio.Semaphore(CONNECTIONS)
        self._idle: dict[str, list[_Connection]] = {}
        self._where: dict[str, tuple[str, int, ssl.SSLContext | None, bytes]] = {}

    async def connection(self, leader: str) -> "_Connection":
        idle = self._idle.get(leader)
        while idle:
            conn = idle.pop()
            if conn.usable():  # the leader may have closed it meanwhile
                return conn
            conn.close()
        if (where := self._where.get(leader)) is None:
            u = urlsplit(leader)
            tls = ssl.create_default_context() if u.scheme == "https" else None
            where = self._where[leader] = (u.hostname or "127.0.0.1", u.port or (443 if tls else 80), tls,
                                           (u.path or "").rstrip("/").encode())
        host, port, tls, prefix = where
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls), CONNECT_TIMEOUT)
        return _Connection(leader, reader, writer, prefix)

    def put(self, conn: "_Connection") -> None:
        """Keep ``conn`` for the next request when its exchange ended cleanly, else close it."""
        if conn.reusable() and len(idle := self._idle.setdefault(conn.leader, [])) < IDLE:
            conn.h11.start_next_cycle()
            idle.append(conn)
        else:
            conn.close()

    async def done(self, conn: "_Connection") -> None:
        """Read the rest of an answer not sent on, then keep or close the connection."""
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                async for _ in conn.body():
                    pass
        except _BROKEN:
            conn.close()
            return
        self.put(conn)

    async def close(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class _Connection:
    __slots__ = ("leader", "reader", "writer", "h11", "prefix")

    def __init__(self, leader: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, prefix: bytes):
        self.leader, self.reader, self.writer, self.prefix = leader, reader, writer, prefix
        self.h11 = h11.Connection(h11.CLIENT)

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.transport.is_closing()

    def reusable(self) -> bool:
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE and self.usable()

    def close(self) -> None:
        self.writer.transport.abort()

    async def send(self, method: str, target: bytes, headers: list, body: bytes, more) -> tuple[int, list]:
        """Send the request (``body``, then what ``more`` yields); return the answer's status and headers."""
        framed = any(k == b"content-length" for k, _ in headers)
        if not framed:
            headers = [*headers, (b"content-length", str(len(body)).encode())] if more is None else \
                [*headers, (b"transfer-encoding", b"chunked")]
        h = self.h11
        self.writer.write(h.send(h11.Request(method=method, target=self.prefix + target, headers=headers)))
        if body:
            self.writer.write(h.send(h11.Data(data=body)))
        if more is not None:
            async for chunk in more:
                if chunk:
                    self.writer.write(h.send(h11.Data(data=chunk)))
                    await self.writer.drain()
        self.writer.write(h.send(h11.EndOfMessage()))
        await self.writer.drain()
        while True:
            event = await self._next()
            if isinstance(event, h11.Response):
                return event.status_code, list(event.headers)
            # an InformationalResponse (100 Continue): the answer follows

    async def body(self):
        """The answer's body, in the chunks it arrives in."""
        while True:
            event = await self._next()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return

    async def _next(self):
        h = self.h11
        while (event := h.next_event()) is h11.NEED_DATA:
            data = await self.reader.read(65536)
            if not data and self.reader.at_eof():
                h.receive_data(b"")  # the leader closed: h11 says whether the answer was complete
                if (event := h.next_event()) is h11.NEED_DATA:
                    raise _Failed("the leader closed the connection mid-answer")
                break
            h.receive_data(data)
        if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
            raise _Failed("the leader closed the connection")
        return event


def forwarded(scope) -> bool:
    """Whether another server sent this request on (see :data:`FORWARDED`)."""
    return any(k == FORWARDED for k, _ in scope.get("headers", ()))


def _replay(body: bytes, more: bool, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


async def _answer_unknown(send) -> None:
    # The request may have reached the leader: whether it wrote is unknown, so do not write here.
    reason = "the server that writes this lake did not answer: the write may or may not have been made"
    body = msgspec.json.encode({"error": "writer_unreachable", "message": reason,
                                "problems": [{"field": "writer", "reason": reason}]})
    await send({"type": "http.response.start", "status": 502,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": False})
