"""The Litestar application: the store opened in a lifespan, thin controllers, one error shape.

>>> from argmap.api import create_app
>>> app = create_app(db_path="argmap.duckdb")      # doctest: +SKIP

Serve it with ``argmap serve`` (granian), or any ASGI server. Settings come from arguments or
the environment: ``ARGMAP_DB`` (or ``ARGMAP_LAKE`` and ``ARGMAP_DATA_PATH``), ``ARGMAP_TOKEN`` (required for writes when set),
``ARGMAP_READ_TOKEN`` (required for reads when set), ``ARGMAP_TOKENS`` (a file of named write tokens,
``name: token`` lines, so that the change log says who wrote), ``ARGMAP_MAX_BODY`` (bytes),
``ARGMAP_ALLOWED_HOSTS`` (comma-separated host names it answers to; unset: any).
"""

from __future__ import annotations

import gc
import hmac
import logging
import os
import re
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig

from argmap._metrics import FORWARDED, LEADING, instrument_store
from argmap.api._access import opens_reads, opens_writes
from argmap.api._forward import Forwarder, forwarded
from argmap.api._crosssite import (
    AllowedHosts,
    host_refusal,
    json_body_guard,
    origin_refusal,
)
from argmap.api._errors import error_status
from argmap.api._openapi import document_errors
from argmap.api._ops import Observe, ops_handlers
from argmap.api._session import (
    CSRF_HEADER,
    SESSION_COOKIE,
    SignInLimiter,
    make_session,
    read_session,
    trusted_proxies,
)
from argmap.api._tokens import load_tokens
from argmap.api.entities import (
    ArgumentController,
    SourceController,
    SpeakerController,
    StatementController,
)
from argmap.api.exports import body_schemas, export_routes, media_types
from argmap.api.history import (
    HistoryController,
    HistoryPageController,
    document_as_of,
    store_for_request,
)
from argmap.api.interchange import ImportController
from argmap.api.maps import MapController
from argmap.api.pages import (
    ApiReference,
    EditorController,
    PageController,
    StatementFormController,
    root_redirect,
    static_files,
)
from argmap.api.preview import PreviewController
from argmap.api.queries import QueryController
from argmap.api.question_pages import QuestionFormController
from argmap.api.schemes import QuestionController, SchemeController
from argmap.api.semantics import EvaluationController, SolveController
from argmap.errors import (
    ArgmapError,
    FormatError,
    InvalidInput,
    Problem,
    problem_from_message,
)
from argmap.store import Store, default_path

__all__ = ["DEFAULT_MAX_BODY", "READ_COOKIE", "create_app", "create_served_app", "error_status", "opens_reads",
           "opens_writes", "read_cookie", "route_handlers"]

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
    allowed_hosts: list[str] | None = None,
    debug: bool = False,
    access_log: str | None = None,
    metrics: bool = True,
    tokens_file: str | None = None,
) -> Litestar:
    """Build the app. Pass ``store`` to share an open Store (tests), else ``lake`` or ``db_path`` is opened.

    ``access_log`` (``"text"`` or ``"json"``) writes one line per request to the
    ``argmap.access`` logger; ``metrics=False`` leaves the Prometheus metrics of
    :mod:`argmap._metrics` uncounted (``/metrics`` still answers). See :mod:`argmap.api._ops`.

    ``lake`` (or ``$ARGMAP_LAKE``) names a DuckLake catalog that many processes share, with
    ``data_path`` (or ``$ARGMAP_DATA_PATH``) for its Parquet files: see :class:`argmap.store.Store`.
    ``allowed_hosts`` (or ``$ARGMAP_ALLOWED_HOSTS``) are the host names answered (plus the
    localhost names; ``0.0.0.0`` admits any IP literal, ``*`` anything); unset, any
    (:mod:`argmap.api._crosssite`).
    """
    lake = lake or os.environ.get("ARGMAP_LAKE") or None
    data_path = data_path or os.environ.get("ARGMAP_DATA_PATH") or None
    token = token if token is not None else os.environ.get("ARGMAP_TOKEN") or None
    read_token = read_token if read_token is not None else os.environ.get("ARGMAP_READ_TOKEN") or None
    max_body = max_body or int(os.environ.get("ARGMAP_MAX_BODY", DEFAULT_MAX_BODY))
    # A write token also opens reads; a read token never opens writes, unless it is the only
    # token: a server that guards its reads must not leave its writes open to anyone.
    # Named write tokens (ARGMAP_TOKENS) say who wrote, in the change log.

    tokens_file = tokens_file if tokens_file is not None else os.environ.get("ARGMAP_TOKENS") or None
    named = load_tokens(tokens_file) if tokens_file else {}
    read_tokens = [t for t in (read_token, token, *named) if t]
    write_tokens = [t for t in (token or (None if named else read_token), *named) if t]
    token_names = {**named, **({token: "token"} if token else {})}

    @asynccontextmanager
    async def lifespan(app: Litestar):
        owned = store is None
        if store is not None:
            app.state.store = store
        elif lake:
            app.state.store = Store(lake=lake, data_path=data_path)
        else:
            app.state.store = Store(db_path or default_path())
        app.state.read_tokens = read_tokens
        app.state.max_body = max_body  # POST /maps/import derives its limits from it
        app.state.token_names = token_names
        app.state.write_tokens = write_tokens
        app.state.trusted_proxies = trusted_proxies()
        app.state.sign_in_limiter = SignInLimiter()
        app.state.reads_need_token = bool(read_token)
        if metrics:
            instrument_store(app.state.store)
        try:
            yield
        finally:
            if app.forwarder is not None:
                await app.forwarder.close()
            if owned:
                app.state.store.close()

    async def provide_store(state: State, request: Request) -> Store:
        # With ?as_of=, the map as it was then (argmap.api.history); else the store itself.
        if "as_of" not in request.query_params:
            return state.store

        return await store_for_request(state.store, request)

    def document(app: Litestar) -> None:
        # The served document is built when first asked for (building it takes over a second,
        # which a restarting server should not wait for), and completed then.
        app.plugins.get(OpenAPIPlugin).__class__ = _DocumentedOpenAPI

    hosts = AllowedHosts(allowed_hosts) if allowed_hosts is not None else \
        AllowedHosts.parse(os.environ.get("ARGMAP_ALLOWED_HOSTS"))
    app = _App(
        route_handlers=route_handlers(),
        lifespan=[lifespan],
        on_startup=[document],
        before_request=_before_request,
        dependencies={"store": Provide(provide_store)},
        # No token, no guard: a guard costs every request (and Litestar runs a sync one in a thread).
        guards=[json_body_guard,
                *([_auth_guard(read_tokens, write_tokens, reads_guarded=bool(read_token))] if read_tokens else [])],
        exception_handlers={
            ArgmapError: _argmap_error,
            ValidationException: _validation_error,
            HTTPException: _http_error,
            RecursionError: _too_deep,
            Exception: _internal_error,
        },
        request_max_body_size=max_body,
        openapi_config=OpenAPIConfig(
            title="argmap",
            version=_version(),
            description="Argument maps of what public officials say: statements, arguments, "
            "analyst queries and exports.",
            path="/schema",
            # A reference page rendered here, under the pages' CSP: no script from a CDN on the
            # origin where the session cookie lives.
            render_plugins=[_api_reference()],
        ),
        debug=debug,
    )
    app.allowed_hosts = hosts
    if store is not None and (leadership := getattr(store, "leadership", None)) is not None:
        app.forwarder = Forwarder(leadership, on_forward=FORWARDED.inc if metrics else None,
                                  written=getattr(store, "written_elsewhere", None))
        if metrics:
            LEADING.set_function(lambda: 1 if leadership.leading else 0)
    app.observe = Observe(app.answer, log_format=access_log, metrics=metrics)
    return app


def create_served_app(**options) -> Litestar:
    """The app ``argmap serve`` runs: :func:`create_app` configured from the environment, and
    once it has started, what it holds for the life of the process hidden from the collector.

    A full collection of Python's cyclic garbage collector stops every thread while it walks
    every tracked object. After startup the app's own ~70,000 (modules, classes, routes, the
    OpenAPI document) live until the process ends, so ``gc.freeze()`` moves them out of every
    later walk; objects created afterwards (requests, caches) are collected as usual, and
    frozen ones are still freed by reference counting. With the support graph kept in arrays
    (``argmap.query``), this keeps full collections to a few milliseconds under load.

    ``options`` go to :func:`create_app` (``argmap serve`` passes its open store).

    >>> app = create_served_app()          # doctest: +SKIP  (granian: "argmap.api.app:create_served_app")
    """
    app = create_app(**options)
    app.on_startup.append(_freeze_startup_objects)
    return app


class _DocumentedOpenAPI(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, completing its document with :func:`document_errors` when it
    builds it. Litestar makes the plugin itself (slotted), so ``document`` swaps the class of
    that instance (same slots) rather than replacing the method."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict:
        if not self._openapi_schema:
            document_as_of(document_errors(super().provide_openapi_schema(), media_types(), body_schemas()))
        return self._openapi_schema


def _api_reference():
    return ApiReference()


def _freeze_startup_objects() -> None:
    gc.collect()  # garbage from startup is freed now, not frozen for ever
    gc.freeze()


class _App(Litestar):
    """Litestar, answering ``HEAD`` wherever ``GET`` is answered (RFC 9110 §9.3.2: the same
    status and headers, no body), which Litestar leaves to a ``@head`` handler per route, so
    that ``curl -I``, link checkers and caches can ask about any page or export."""

    observe: Observe | None = None
    """Metrics, request ids and the access log around every request (set by create_app)."""
    allowed_hosts: AllowedHosts | None = None
    """The Host names answered (:mod:`argmap.api._crosssite`; set by create_app, None: any)."""
    forwarder: Forwarder | None = None
    """Sends write requests to the server leading a lake's writes (set by create_app when the
    store takes part in choosing it, see ``LakeStore.lead_writes``)."""

    async def __call__(self, scope, receive, send) -> None:
        if self.observe is not None and scope["type"] == "http":
            await self.observe(scope, receive, send)
        else:
            await self.answer(scope, receive, send)

    async def answer(self, scope, receive, send) -> None:
        # A write another server of the lake forwarded was checked there against its own names
        # (a browser cannot add that header to a cross-site request without a preflight).
        if scope["type"] == "http" and (
                refusal := (None if forwarded(scope) else host_refusal(scope, self.allowed_hosts))
                or origin_refusal(scope, self.allowed_hosts)):
            await _refuse(send, *refusal)
            return
        if scope["type"] == "http" and self.forwarder is not None:
            receive = await self.forwarder(scope, receive, send)  # a lake's writes go to its leader
            if receive is None:
                return
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            await super().__call__(scope, receive, self._with_allow(scope["path"], send))
            return
        if scope["type"] == "http" and scope["method"] == "HEAD":
            # "argmap_head" lets a handler whose body is costly (a typeset PDF) skip making it; it
            # then sets "argmap_head_unmade" and the Content-Length of its empty body is left out.
            outer, scope = scope, {**scope, "method": "GET", "argmap_head": True}
            inner = send

            async def send(message) -> None:
                if message["type"] == "http.response.start" and scope.get("argmap_head_unmade"):
                    message = {**message, "headers": [(k, v) for k, v in message.get("headers", [])
                                                      if k.lower() != b"content-length"]}
                if message["type"] == "http.response.body":
                    message = {**message, "body": b"", "more_body": False} if not message.get("more_body") else None
                if message is not None:
                    await inner(message)

            try:
                await super().__call__(scope, receive, send)
            finally:
                if "path_template" in scope:  # the route, for the metrics of the HEAD request
                    outer["path_template"] = scope["path_template"]
            return
        await super().__call__(scope, receive, send)


    def allowed_methods(self, path: str) -> set[str]:
        """Every method some handler answers at ``path`` (HEAD wherever GET; OPTIONS always).

        Litestar answers OPTIONS from the methods of one route, but a path may match several
        (``/maps/{map_ref}`` answers GET, ``/maps/{map_id}`` PUT, PATCH and DELETE)."""
        table = self.__dict__.get("_method_table")
        if table is None:
            table = self.__dict__["_method_table"] = [
                (re.compile("^" + re.sub(r"\{[^}:]+:path\}", ".*", re.sub(r"\{[^}:]+(:(?!path)[^}]+)?\}", "[^/]+",
                                                                           route.path)) + "/?$"),
                 set(getattr(route, "methods", ()) or ()),
                 tuple(not part.startswith("{") for part in route.path.split("/")))
                for route in self.routes
            ]
        matches = [(methods, static) for pattern, methods, static in table if pattern.match(path)]
        # Litestar's router prefers a fixed segment to a parameter at each step (/maps/import
        # is its own route, not the map "import"): only the routes it would choose count.
        best = max((static for _, static in matches), default=())
        found = {"OPTIONS"}
        for methods, static in matches:
            if static == best:
                found |= methods
        if "GET" in found:
            found.add("HEAD")
        return found

    def _with_allow(self, path: str, send):
        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                if len(headers) != len(message.get("headers", [])):  # Litestar's own OPTIONS answer
                    headers.append((b"allow", ", ".join(sorted(self.allowed_methods(path))).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        return sending


async def _refuse(send, status: int, code: str, field: str, reason: str) -> None:
    """Answer in the error shape before routing (the Host and Origin checks run on every path)."""
    import msgspec

    body = msgspec.json.encode({"error": code, "message": reason, "problems": [{"field": field, "reason": reason}]})
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def route_handlers() -> list:
    """Every controller of the API; features add theirs here."""
    return [
        MapController,
        ImportController,
        SpeakerController,
        SourceController,
        StatementController,
        ArgumentController,
        QueryController,
        *export_routes(),
        EvaluationController,
        SolveController,
        SchemeController,
        QuestionController,
        QuestionFormController,
        HistoryController,
        HistoryPageController,
        PageController,
        EditorController,
        StatementFormController,
        PreviewController,
        root_redirect,
        static_files(),
        *ops_handlers(),
    ]


# -- Implementation details ----------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("argmap")
    except PackageNotFoundError:
        return "0"


READ_COOKIE = SESSION_COOKIE
"""The cookie a browser signed in at ``/ui/sign-in`` sends instead of a token (:mod:`argmap.api._session`)."""


def read_cookie(token: str, writes: bool = False) -> str:
    """A fresh session cookie value for ``token`` (a signed, expiring value: never the token itself)."""
    return make_session(token, writes)


def _auth_guard(read_tokens: list[str], write_tokens: list[str], reads_guarded: bool):
    # async: Litestar hands a sync guard to a worker thread, a hop that costs more than the check.
    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        opt = handler.opt
        if opt.get("sign_in") or opt.get("public_asset"):  # the sign-in form (it checks the token
            return                                         # it is given) and its CSS, script and icon
        # read_only: a POST that only computes (the editor's preview), open to whoever may read.
        is_read = connection.scope.get("method", "GET") in _READ_METHODS or bool(opt.get("read_only"))
        if is_read and not reads_guarded:
            return
        allowed = read_tokens if is_read else write_tokens
        if not allowed:
            return
        given = connection.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer":
            for t in allowed:
                if hmac.compare_digest(value.encode(), t.encode()):
                    # Which token opened it, so the change log can name its author without
                    # comparing the secret a second time (api/history.author_of).
                    connection.scope.setdefault("state", {})["token"] = t
                    return
        # A browser cannot send a header with a link, so a signed-in one sends a session cookie.
        # A write by cookie also needs the session's CSRF token, which no other site can read.
        session = read_session(connection.cookies.get(SESSION_COOKIE), read_tokens, write_tokens)
        if session is not None:
            if is_read:
                return
            if session.writes:
                sent = connection.headers.get(CSRF_HEADER)
                if sent is not None and hmac.compare_digest(sent.encode(), session.csrf.encode()):
                    connection.scope.setdefault("state", {})["token"] = session.token  # the log's author
                    return
                if sent is None and opt.get("csrf_form"):  # the handler compares the form's field
                    state = connection.scope.setdefault("state", {})
                    state["csrf_expected"], state["token"] = session.csrf, session.token
                    return
                raise PermissionDeniedException(
                    detail="a write from a signed-in browser needs its page's CSRF token (X-CSRF-Token)")
        raise NotAuthorizedException(
            detail="this request needs Authorization: Bearer <token>"
            + (" (a write token)" if not is_read else "")
        )

    return guard


def _argmap_error(_: Request, exc: ArgmapError) -> Response:
    return Response(exc.to_dict(), status_code=error_status(exc))


_MISSING = re.compile(r"^Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")


def _validation_error(_: Request, exc: ValidationException) -> Response:
    """Litestar's validation failures in our shape: the body's JSON path or the parameter's name.

    A body that decodes but breaks the model is 422, like the store's own refusals; a query,
    path or header parameter of the wrong type or value (or missing) makes the request itself
    malformed: 400.
    """
    problems = [_problem(item) for item in exc.extra or [] if isinstance(item, dict)]
    if not problems:
        m = _MISSING.match(exc.detail or "")
        problems = [Problem(m["name"], f"a required {m['kind']} parameter") if m else Problem("$", exc.detail)]
    body = InvalidInput(problems=problems).to_dict()
    return Response(body, status_code=422 if all(p.field.startswith("$") for p in problems) else 400)


def _problem(item: dict) -> Problem:
    key, message = str(item.get("key") or ""), str(item.get("message", ""))
    if item.get("source") == "body" or key == "data" or key.startswith("data."):
        # Litestar reports the body as "data" and strips msgspec's "- at `$.path`"; the key
        # holds that path, relative to the body.
        rest = key.removeprefix("data").lstrip(".")
        path = "$" if not rest else f"${rest}" if rest.startswith("[") else f"$.{rest}"
        return problem_from_message(message, path)
    return Problem(key or "$", message)  # a query, path or header parameter, by its name


async def _before_request(request: Request) -> None:
    _no_nul_in_path(request)
    from argmap.api.history import log_context  # who writes and why, for the change log

    await log_context(request)


def _no_nul_in_path(request: Request) -> None:
    # Litestar's static files pass the path to os.stat, which raises ValueError on a NUL
    # (`/ui/static/app.css%00.py` answered 500); no id or file name of ours holds one.
    if "\x00" in request.scope["path"]:
        raise FormatError("path", "a path cannot contain NUL characters")


def _too_deep(_: Request, exc: RecursionError) -> Response:
    # msgspec decodes a request body recursively: `[[[[…` 100,000 deep (a 200 kB body) ends
    # in RecursionError, which is bad input, not a server fault.
    return Response(FormatError("$", "the document is nested too deeply").to_dict(), status_code=400)


def _http_error(_: Request, exc: HTTPException) -> Response:
    if exc.status_code == 400 and isinstance(exc.__cause__, SerializationException):
        return _argmap_error(_, FormatError("$", f"the body is not valid JSON: {exc.detail}"))
    code, field = _HTTP_CODES.get(exc.status_code, ("http_error", ""))
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return Response(
        {"error": code, "message": exc.detail, "problems": [{"field": field, "reason": exc.detail}]},
        status_code=exc.status_code,
        headers=headers,
    )


_HTTP_CODES = {
    400: ("bad_request", "$"),
    401: ("unauthorized", "authorization"),
    403: ("forbidden", "authorization"),
    404: ("not_found", "path"),
    405: ("method_not_allowed", "method"),
    413: ("too_large", "body"),
    415: ("unsupported_media_type", "content-type"),
}


def _internal_error(request: Request, exc: Exception) -> Response:
    # Whatever escaped our typed errors is a bug: log it whole, answer in the usual shape
    # without internals (a traceback or SQL could leak what the caller must not see).
    logging.getLogger("argmap.api").error("%s %s failed", request.method, request.url.path, exc_info=exc)
    message = "internal error; the server log has the details"
    return Response({"error": "internal", "message": message, "problems": []}, status_code=500)
