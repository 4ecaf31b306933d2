"""What an operator needs of a running server: probes, metrics, an access log, request ids.

``GET /healthz`` (the process answers), ``GET /readyz`` (the store answers within
:data:`READY_TIMEOUT` seconds, else 503) and ``GET /metrics`` (:mod:`argmap._metrics`); all
three are reads, so ``ARGMAP_READ_TOKEN`` guards them when set. :class:`Observe` wraps the ASGI
app: it counts and times every request by route template, echoes or makes ``X-Request-Id`` and
writes one access-log line to the ``argmap.access`` logger. Operators' view: README, "Operations".
"""

from __future__ import annotations

import json
import logging
import os
import re
import time

import anyio
import msgspec
from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from argmap import _metrics

__all__ = ["READY_TIMEOUT", "Observe", "Probe", "ops_handlers"]

READY_TIMEOUT = 2.0
"""Seconds /readyz waits for the store's answer before it says 503."""

access_log = logging.getLogger("argmap.access")


class Probe(msgspec.Struct, omit_defaults=True):
    """A probe's answer."""

    status: str
    """``ok``, or ``unavailable`` (with the reason)."""
    reason: str | None = None
    """Why the server is not ready: the store's error, or a timeout."""

_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_TYPED = re.compile(r"\{(\w+):[^}]+\}")


class Observe:
    """ASGI middleware around the app: metrics, ``X-Request-Id``, and the access log
    (``log_format`` ``"text"``, ``"json"`` or None for none). ``metrics=False`` counts nothing."""

    def __init__(self, app, *, log_format: str | None = None, metrics: bool = True):
        self.app, self.log_format, self.metrics = app, log_format, metrics
        self._routes: dict[str, str] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        rid = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        if rid is None or not _SANE_ID.fullmatch(rid):
            rid = os.urandom(8).hex().encode()
        answer = [500, 0, False]  # status, body bytes, counted

        def done() -> None:
            # Counted and logged once, as the last byte is handed over (or the app failed): a
            # client that got its answer finds it counted.
            answer[2] = True
            seconds = time.perf_counter() - t0
            status = answer[0]
            route = self._route(scope)
            if self.metrics:
                _metrics.REQUESTS.observe(scope["method"], route, status, seconds)
            if self.log_format is not None and access_log.isEnabledFor(logging.INFO):
                self._log(scope, route, status, answer[1], seconds, rid.decode())

        async def send_observed(message) -> None:
            if message["type"] == "http.response.start":
                answer[0] = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid)]
            elif message["type"] == "http.response.body":
                answer[1] += len(message.get("body", b""))
                if not message.get("more_body") and not answer[2]:
                    done()
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            if not answer[2]:
                done()

    def _route(self, scope) -> str:
        template = scope.get("path_template")
        if template is None:
            return "(unmatched)"  # 404s and the like: never the path, whose values are unbounded
        route = self._routes.get(template)
        if route is None:
            route = self._routes[template] = _TYPED.sub(r"{\1}", template)
        return route

    def _log(self, scope, route: str, status: int, size: int, seconds: float, rid: str) -> None:
        client = (scope.get("client") or ("-", 0))[0]
        path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        if q := scope.get("query_string"):
            path += "?" + q.decode("latin-1")
        if self.log_format == "json":
            line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "client": client,
                               "method": scope["method"], "path": path, "route": route, "status": status,
                               "bytes": size, "ms": round(seconds * 1000, 2), "request_id": rid})
        else:
            # One line, whatever the path holds: control characters escaped like %XX.
            shown = "".join(c if " " < c < "\x7f" else f"%{ord(c):02X}" for c in path[:2000])
            line = (f'{client} "{scope["method"]} {shown}" {status} {size}B {seconds * 1000:.1f}ms '
                    f"rid={rid}")
        access_log.info(line)


@get("/healthz", media_type=MediaType.JSON, tags=["operations"], operation_id="healthz",
     summary="Liveness: the process answers", sync_to_thread=False)
def healthz() -> Probe:
    """Answers 200 as long as the process serves HTTP; it touches nothing else."""
    return Probe("ok")


@get("/readyz", media_type=MediaType.JSON, tags=["operations"], operation_id="readyz",
     summary="Readiness: the store (and a lake's catalog) answers a query",
     description=f"200 when the store answers a query within {READY_TIMEOUT:g} s; 503 otherwise, with the "
     "reason (a lake whose PostgreSQL catalog is down, a server shutting down).",
     responses={503: ResponseSpec(data_container=Probe, description="The store did not answer: the reason.")})
async def readyz(state: State) -> Response[Probe]:
    store = state.store
    try:
        with anyio.fail_after(READY_TIMEOUT):
            await anyio.to_thread.run_sync(_ping, store, abandon_on_cancel=True)
    except TimeoutError:
        return Response(Probe("unavailable", f"the store did not answer within {READY_TIMEOUT:g} s"), status_code=503)
    except Exception as e:  # noqa: BLE001 - whatever the store says, it is not ready
        reason = " ".join(str(e).split("\n", 1)[0].split())[:300] or type(e).__name__
        return Response(Probe("unavailable", reason), status_code=503)
    return Response(Probe("ok"))


def _ping(store) -> None:
    store.schema_version  # one query on the store's own tables (through a lake's catalog)


@get("/metrics", tags=["operations"], operation_id="metrics", sync_to_thread=False,
     summary="Prometheus metrics (text format)", media_type="text/plain; version=0.0.4")
def metrics() -> str:
    """Requests by route and status, latencies, write transactions, cache lookups, PDF children
    running, search index builds: see README (Operations)."""
    from prometheus_client import generate_latest

    return generate_latest().decode()


def ops_handlers() -> list:
    """The probe and metrics routes, for :func:`argmap.api.app.route_handlers`."""
    return [healthz, readyz, metrics]
