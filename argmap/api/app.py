"""The Litestar application: the store opened in a lifespan, thin controllers, one error shape.

>>> from argmap.api import create_app
>>> app = create_app(db_path="argmap.duckdb")      # doctest: +SKIP

Serve it with ``argmap serve`` (granian), or any ASGI server. Settings come from arguments or
the environment: ``ARGMAP_DB`` (or ``ARGMAP_LAKE`` and ``ARGMAP_DATA_PATH``), ``ARGMAP_TOKEN`` (required for writes when set),
``ARGMAP_READ_TOKEN`` (required for reads when set), ``ARGMAP_MAX_BODY`` (bytes).
"""

from __future__ import annotations

import hmac
import os
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin

from argmap.errors import (
    ArgmapError,
    Conflict,
    FormatError,
    LimitExceeded,
    NotFound,
)
from argmap.store import Store, default_path

__all__ = ["DEFAULT_MAX_BODY", "create_app", "route_handlers"]

DEFAULT_MAX_BODY = 10 * 1024 * 1024
"""Largest request body accepted (bytes); larger bodies get 413."""

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def create_app(
    db_path: str | None = None,
    *,
    lake: str | None = None,
    data_path: str | None = None,
    store: Store | None = None,
    token: str | None = None,
    read_token: str | None = None,
    max_body: int | None = None,
    debug: bool = False,
) -> Litestar:
    """Build the app. Pass ``store`` to share an open Store (tests), else ``lake`` or ``db_path`` is opened.

    ``lake`` (or ``$ARGMAP_LAKE``) names a DuckLake catalog that many processes share, with
    ``data_path`` (or ``$ARGMAP_DATA_PATH``) for its Parquet files: see :class:`argmap.store.Store`.
    """
    lake = lake or os.environ.get("ARGMAP_LAKE") or None
    data_path = data_path or os.environ.get("ARGMAP_DATA_PATH") or None
    token = token if token is not None else os.environ.get("ARGMAP_TOKEN") or None
    read_token = read_token if read_token is not None else os.environ.get("ARGMAP_READ_TOKEN") or None
    max_body = max_body or int(os.environ.get("ARGMAP_MAX_BODY", DEFAULT_MAX_BODY))

    @asynccontextmanager
    async def lifespan(app: Litestar):
        owned = store is None
        if store is not None:
            app.state.store = store
        elif lake:
            app.state.store = Store(lake=lake, data_path=data_path)
        else:
            app.state.store = Store(db_path or default_path())
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    def provide_store(state: State) -> Store:
        return state.store

    return Litestar(
        route_handlers=route_handlers(),
        lifespan=[lifespan],
        dependencies={"store": Provide(provide_store, sync_to_thread=False)},
        guards=[_auth_guard(token, read_token)],
        exception_handlers={
            ArgmapError: _argmap_error,
            ValidationException: _validation_error,
            HTTPException: _http_error,
        },
        request_max_body_size=max_body,
        openapi_config=OpenAPIConfig(
            title="argmap",
            version=_version(),
            description="Argument maps of what public officials say: statements, arguments, "
            "analyst queries and exports.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=debug,
    )


def route_handlers() -> list:
    """Every controller of the API; features add theirs here."""
    from argmap.api.briefings import BriefingController
    from argmap.api.diagrams import DiagramController
    from argmap.api.entities import ArgumentController, SourceController, SpeakerController, StatementController
    from argmap.api.interchange import ImportController
    from argmap.api.maps import MapController
    from argmap.api.pages import PageController, root_redirect, static_files
    from argmap.api.queries import QueryController
    from argmap.api.semantics import EvaluationController, SolveController
    from argmap.api.timeline import TimelineController

    return [
        MapController,
        ImportController,
        SpeakerController,
        SourceController,
        StatementController,
        ArgumentController,
        QueryController,
        DiagramController,
        TimelineController,
        EvaluationController,
        SolveController,
        BriefingController,
        PageController,
        root_redirect,
        static_files(),
    ]


# -- Implementation details ----------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("argmap")
    except PackageNotFoundError:
        return "0"


def _auth_guard(token: str | None, read_token: str | None):
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        is_read = connection.scope.get("method", "GET") in _READ_METHODS
        # A write token also opens reads; a read token never opens writes.
        allowed = [t for t in ((read_token, token) if is_read else (token,)) if t]
        if is_read and not read_token:
            return
        if not is_read and not token:
            return
        given = connection.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        ok = scheme.lower() == "bearer" and any(
            hmac.compare_digest(value.encode(), t.encode()) for t in allowed
        )
        if not ok:
            raise NotAuthorizedException(
                detail="this request needs Authorization: Bearer <token>"
                + (" (a write token)" if not is_read else "")
            )

    return guard


_STATUS = [
    (FormatError, 400),
    (NotFound, 404),
    (Conflict, 409),
    (LimitExceeded, 422),
    (ArgmapError, 422),
]


def error_status(exc: ArgmapError) -> int:
    return next(code for cls, code in _STATUS if isinstance(exc, cls))


def _argmap_error(_: Request, exc: ArgmapError) -> Response:
    return Response(exc.to_dict(), status_code=error_status(exc))


def _validation_error(_: Request, exc: ValidationException) -> Response:
    problems = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            msg = str(item.get("message", ""))
            field = item.get("key") or ""
            path, reason = _split_msgspec(msg)
            if path and path != "$":
                field = path
            elif field and field != "body":
                field = f"{item.get('source', 'query')}.{field}" if item.get("source") not in (None, "body") else f"$.{field}"
            else:
                field = path or "$"
            problems.append({"field": field, "reason": reason})
    if not problems:
        problems.append({"field": "$", "reason": exc.detail})
    body = {"error": "invalid", "message": "; ".join(f"{p['field']}: {p['reason']}" for p in problems), "problems": problems}
    return Response(body, status_code=422 if problems[0]["field"].startswith("$") else 400)


def _split_msgspec(message: str) -> tuple[str, str]:
    from argmap.errors import _AT, _FIELD_MSG

    path, msg = "", message
    if m := _AT.match(message):
        path, msg = m["path"], m["msg"]
    if m := _FIELD_MSG.match(msg):
        path, msg = f"{path or '$'}.{m['field']}", m["reason"]
    return path, msg


def _http_error(_: Request, exc: HTTPException) -> Response:
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    field = "body" if exc.status_code == 413 else ("authorization" if exc.status_code == 401 else "")
    return Response(
        {"error": code, "message": exc.detail, "problems": [{"field": field, "reason": exc.detail}]},
        status_code=exc.status_code,
        headers=headers,
    )
