"""Write requests a lake server hands to the server that leads the lake's writes.

Servers on one lake elect a writer (argmap.store._leader); a write request that reaches
another one is sent on to it as it came (method, path, headers, body) and its answer sent back
as it is, as if the load balancer had chosen the leader: every server's writes then share the
leader's group commits instead of taking turns. A leader that cannot be reached is forgotten
and the write made here; a request already forwarded is never forwarded again.
"""

from __future__ import annotations

import anyio.to_thread
import httpx
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
        self._client: httpx.AsyncClient | None = None
        self._on_forward = on_forward  # called once per request the leader answered (metrics)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def __call__(self, scope, receive, send) -> tuple | None:
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
        url = leader.rstrip("/") + scope.get("raw_path", scope["path"].encode()).decode("latin-1").split("?", 1)[0]
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")

        async def content():
            yield body
            nonlocal more
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    raise httpx.ReadError("the client went away")
                more = message.get("more_body", False)
                yield message.get("body", b"")

        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(300, connect=2), follow_redirects=False,
                                             limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))
        try:
            request = self._client.build_request(scope["method"], url, headers=headers,
                                                 content=content() if more else body)
            response = await self._client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            self.leadership.forget()  # nothing reached the leader: the write is made here
            return _replay(body, more, receive)
        except httpx.HTTPError:
            await _answer_unknown(send)
            return None
        if response.status_code == 503 and DRAINING.decode() in response.headers and not more:
            await response.aclose()  # the leader is shutting down and did nothing: write here
            self.leadership.forget()
            return _replay(body, more, receive)
        if self.written is not None:
            self.written()  # read-your-writes here, before the client can ask
        try:
            out = [(k, v) for k, v in response.headers.raw if k.lower() not in _HOP]
            out.append((b"x-argmap-written-by", leader.encode()))
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()
        if self._on_forward is not None:
            self._on_forward()
        return None


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
