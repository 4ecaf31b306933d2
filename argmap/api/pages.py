"""The web pages: ``/ui/`` lists the maps, ``/ui/maps/{map}`` shows one to read and to teach.

Rendered on the server (Jinja2, autoescaped) from the contexts of :mod:`argmap.web.context`;
``static/app.js`` adds drawings, pan and zoom, search and statements opened in place
(:meth:`PageController.panel`). Every page has a strict Content-Security-Policy. Why pages
live under ``/ui`` and what a page offers: docs/ARCHITECTURE.md, "Pages".
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, quote_plus

import anyio
import jinja2
import msgspec
from litestar import Controller, Litestar, Request, Response, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import Body, PathParameter
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from argmap import query
from argmap.api._access import opens_reads, opens_writes
from argmap.api._conditional import require_tag
from argmap.api._errors import error_status
from argmap.api._params import StoreDep
from argmap.api._session import (
    SESSION_COOKIE,
    SignInLimiter,
    client_address,
    is_https,
    make_session,
    read_session,
    session_seconds,
)
from argmap.api.maps import _map_tag
from argmap.api.preview import MAX_BODY
from argmap.errors import ArgmapError, Conflict, InvalidInput, LimitExceeded, NotFound, PreconditionFailed, Problem
from argmap.exports import CATALOGUE
from argmap.formats import argdown
from argmap.formats._common import make_id
from argmap.model import Argument, Map, Quote, Statement, partial_date, quote_problem
from argmap.scope import MAX_DEPTH, Scope
from argmap.scope import select as select_scope
from argmap.store import Store
from argmap.web import context as ctx

__all__ = ["CSP", "Access", "ApiReference", "EditorController", "PageController", "access", "root_redirect",
           "save_argdown", "static_files"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
"""The pages' Content-Security-Policy: nothing inline, nothing from elsewhere, no framing."""

_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cache-Control": "no-cache"}
_WEB = Path(ctx.__file__).parent
_STATIC = _WEB / "static"
EVALUATION_TIMEOUT = 10.0
"""Seconds one evaluation may take for a page (the API's /evaluation allows 20)."""


_MapId = Annotated[str, PathParameter(description="The map's id.")]
_StatementId = Annotated[str, PathParameter(description="The statement's id.")]


class PageController(Controller):
    path = ctx.UI
    include_in_schema = False
    # A refusal (a read token the browser cannot send, a bad parameter) is a page, not JSON.
    exception_handlers = {HTTPException: lambda request, exc: _refusal_page(request, exc)}

    @get("/")
    async def index(self, store: StoreDep, request: Request) -> Response:
        # async + an explicit thread, as in queries.py: Litestar 2.25 mishandles `-> Response`
        # on sync_to_thread handlers.
        maps = await anyio.to_thread.run_sync(store.list_maps)
        return _page("index.html", maps=maps, access=access(request))

    @get("/maps/{map_id:str}")
    async def map_page(self, store: StoreDep, request: Request, map_id: _MapId) -> Response:
        return await anyio.to_thread.run_sync(_map_page, store, request.app, map_id, dict(request.query_params),
                                              access(request))

    @get("/maps/{map_id:str}/statements/{statement_id:str}/panel")
    async def panel(self, store: StoreDep, request: Request, map_id: _MapId, statement_id: _StatementId) -> Response:
        """The statement panel alone (an HTML fragment), for the page's script."""
        return await anyio.to_thread.run_sync(
            _panel_fragment, store, request.app, map_id, statement_id, dict(request.query_params), access(request))

    @get("/sign-in", opt={"sign_in": True})
    async def sign_in_form(self, request: Request) -> Response:
        """The form that trades a read or write token for a session cookie."""
        return _sign_in_page(request, _local(request.query_params.get("next")))

    @post("/sign-in", opt={"sign_in": True}, status_code=303)
    async def sign_in(
        self, request: Request, data: Annotated[SignIn, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response:
        target = _local(data.next)
        app = request.app
        client = client_address(request.client.host if request.client else None,
                                request.headers.get("x-forwarded-for"), app.state.trusted_proxies)
        limiter: SignInLimiter = app.state.sign_in_limiter
        if wait := limiter.retry_after(client):
            response = _sign_in_page(request, target, status_code=429,
                                     problem=f"Too many wrong tokens; try again in {wait} seconds.")
            response.headers["Retry-After"] = str(wait)
            return response
        writes = opens_writes(app, data.token)
        if not (writes or opens_reads(app, data.token)):
            limiter.failed(client)
            return _sign_in_page(request, target, status_code=401, problem="That token does not open this server.")
        response = Redirect(path=target, status_code=303)
        seconds = session_seconds()
        # The token keys the cookie's signature: changing the token ends every session made with it.
        token = data.token
        response.set_cookie(SESSION_COOKIE, make_session(token, writes, seconds), path="/", httponly=True,
                            samesite="strict", max_age=seconds, secure=_https(request))
        return response


@dataclass
class SignIn:
    token: str
    next: str = f"{ctx.UI}/"


@dataclass
class Access:
    """What this browser may do here: shown on every page, and the CSRF token its writes send."""

    can_write: bool
    csrf: str = ""
    session: str = ""
    """"read", "write" or "" (not signed in)."""
    writes_need_token: bool = False
    reads_need_token: bool = False


def access(request: Request) -> Access:
    """The :class:`Access` of ``request``'s browser (its session cookie, the server's tokens)."""
    state = request.app.state
    write_tokens = getattr(state, "write_tokens", [])
    reads_need = bool(getattr(state, "reads_need_token", False))
    session = read_session(request.cookies.get(SESSION_COOKIE), getattr(state, "read_tokens", []), write_tokens)
    kind = "" if session is None else "write" if session.writes else "read"
    if not write_tokens:  # no token at all: anyone may write, as through the API
        return Access(can_write=True, session=kind, reads_need_token=reads_need)
    return Access(can_write=bool(session and session.writes), csrf=session.csrf if session and session.writes else "",
                  session=kind, writes_need_token=True, reads_need_token=reads_need)


def _https(request: Request) -> bool:
    return is_https(request.url.scheme, request.client.host if request.client else None,
                    request.headers.get("x-forwarded-proto"), request.app.state.trusted_proxies)


def _local(target: str | None) -> str:
    # Only a path of this server: a link that signs in and then sends the reader elsewhere
    # ("//evil.example", "https://…", "/\\evil") is an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or any(
            c == "\\" or c < " " for c in target):  # browsers read "/\\x" as "//x"; no header breaks
        return f"{ctx.UI}/"
    return target


def _sign_in_page(request: Request, target: str, status_code: int = 200, problem: str | None = None) -> Response:
    a = access(request)
    return _page("sign_in.html", status_code=status_code, next=target, problem=problem,
                 needed=a.reads_need_token, writes_need=a.writes_need_token, access=a)


def _refusal_page(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 401 and request.method in ("GET", "HEAD"):  # a read token is needed: offer to sign in
        query = f"?{request.url.query}" if request.url.query else ""
        return _sign_in_page(request, _local(request.url.path + query), status_code=401,
                             problem="This page needs a read token.")
    return _error_page(exc)


@get("/", include_in_schema=False)
async def root_redirect() -> Redirect:
    """``/`` is the list of maps."""
    return Redirect(path=f"{ctx.UI}/", status_code=302)


def static_files():
    """``/ui/static/``: the script, style sheet and icon. Page URLs carry a hash of each file
    (:func:`static_url`), so they are cached for a year and still change when the file does."""
    return create_static_files_router(
        path=f"{ctx.UI}/static", directories=[_STATIC], name="ui-static",
        cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True, immutable=True),
        after_request=_nosniff,
        # The sign-in page's own style sheet, script and icon: a server that guards its reads
        # must still let the form look like itself (they hold nothing of any map).
        opt={"public_asset": True},
    )


# -- Implementation details ----------------------------------------------------------------


def _nosniff(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@lru_cache(maxsize=None)
def static_url(name: str) -> str:
    digest = hashlib.sha256((_STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{ctx.UI}/static/{name}?v={digest}"


def _view_fields(view: ctx.View) -> list[tuple[str, str]]:
    """The view as hidden form fields, so a search keeps it."""
    return parse_qsl(view.query())


def _depth_choices(depth: int) -> list[int]:
    return sorted({1, 2, 3, 4, 5, depth})


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_WEB / "templates"),
    autoescape=True,  # every template is HTML: statement text never becomes markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    ui=ctx.UI, static=static_url, page_path=ctx.page_path, api_path=ctx.api_path,
    standing_words=ctx.STANDING, branch_words=ctx.BRANCH_WORDS,
    view_fields=_view_fields, depth_choices=_depth_choices, semantics_choices=ctx.SEMANTICS,
)


def _page(template: str, status_code: int = 200, **context) -> Response:
    context.setdefault("access", None)
    context.setdefault("edit", None)
    html = _env.get_template(template).render(**context)
    # Litestar appends the charset to a text/* type itself.
    return Response(html, media_type="text/html", status_code=status_code, headers=_HEADERS)


def _error_page(exc: ArgmapError | HTTPException, back: str | None = None, back_label: str = "") -> Response:
    if isinstance(exc, ArgmapError):
        status, problems = error_status(exc), exc.problems
    else:
        status, problems = exc.status_code, [Problem("", exc.detail)]
    title = {404: "Not found", 422: "Cannot show this"}.get(status, "Cannot show this")
    return _page("error.html", status_code=status, title=title, problems=problems, back=back, back_label=back_label)


def _view(params: dict[str, str], m: Map, evaluates: bool) -> ctx.View:
    """The view a query string asks for; InvalidInput naming the parameter otherwise."""
    focus = params.get("focus") or None
    if focus is not None and focus not in {s.id for s in m.statements}:
        raise InvalidInput("focus", f"map {m.id!r} has no statement {focus!r}")
    raw = params.get("depth") or "2"
    if not re.fullmatch(r"\d{1,3}", raw) or not 0 <= int(raw) <= MAX_DEPTH:
        raise InvalidInput("depth", f"must be a whole number from 0 to {MAX_DEPTH}")
    rankdir = params.get("rankdir") or "TB"
    if rankdir not in ("TB", "LR"):
        raise InvalidInput("rankdir", "must be TB (conclusions on top) or LR (conclusions on the left)")
    semantics = params.get("semantics") or ctx.DEFAULT_SEMANTICS
    if semantics not in (*ctx.SEMANTICS, "none"):
        raise InvalidInput("semantics", f"must be one of {', '.join(ctx.SEMANTICS)} or none")
    return ctx.View(focus=focus, depth=int(raw), rankdir=rankdir, group=params.get("group") in ("1", "true", "on"),
                    semantics=None if semantics == "none" else semantics, evaluates=evaluates)


def _map_page(store: Store, app: Litestar, map_id: str, params: dict[str, str], acc: Access | None = None,
              edit_state: tuple | None = None) -> Response:
    try:
        m = _map(store, map_id)
    except NotFound as e:
        return _error_page(e)
    try:
        view = _past(_view(params, m, _evaluates(app)), store)
    except InvalidInput as e:
        return _error_page(e, back=ctx.page_path(map_id), back_label="Show the whole map")
    labels, explanations = _evaluation(store, m, view)
    panel, problem = None, None
    if sid := params.get("statement"):
        try:
            panel = _panel(store, m, sid, view, labels, explanations)
        except (InvalidInput, NotFound) as e:
            problem = str(e)
    q = params.get("q")
    hits = None
    if q:
        try:
            hits = [st.id for st, _ in store.search(map_id, q[:500], limit=50)]
        except ArgmapError as e:
            problem = str(e)
    sub = select_scope(m, Scope(focus=view.focus, depth=view.depth if view.focus is not None else None))
    page = ctx.map_page(
        m, view, shown=(sub.statements, sub.arguments), panel=panel, problem=problem, q=q, hits=hits,
        downloads=ctx.downloads(map_id, view, _exports(app)), labels=labels, past_at=_past_at(store),
    )
    edit = None
    if panel is not None and view.as_of is None:  # a past version is read, never edited
        edit = edit_forms(m, panel.statement.id, acc, *(edit_state or ()))
    return _page("map.html", page=page, access=acc, edit=edit)


def _past(view: ctx.View, store: Store) -> ctx.View:
    """The view of a page read from a past version (``as_of``): it names that version, as a
    number even when ``as_of`` was a time, so every link keeps reading the same state."""
    version = getattr(store, "history_version", None)  # a Store of the map's past (history.store_as_of)
    return view if version is None else msgspec.structs.replace(view, as_of=str(version))


def _past_at(store: Store) -> str | None:
    at = getattr(store, "history_at", None)
    if not at:
        return None
    t = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    return f"{t.day} {t.strftime('%B %Y, %H:%M')} UTC"


def _panel_fragment(store: Store, app: Litestar, map_id: str, statement_id: str, params: dict,
                    acc: Access | None = None) -> Response:
    try:
        m = _map(store, map_id)
        view = _past(_view(params, m, _evaluates(app)), store)
        labels, explanations = _evaluation(store, m, view)
        panel = _panel(store, m, statement_id, view, labels, explanations)
    except (InvalidInput, NotFound) as e:
        status = 404 if isinstance(e, NotFound) or e.field == "statement" else 422
        return _page("_problem.html", status_code=status, problem=str(e))
    return _page("_panel.html", panel=panel, edit=edit_forms(m, statement_id, acc) if view.as_of is None else None)


def _panel(store: Store, m: Map, sid: str, view: ctx.View, labels, explanations) -> ctx.StatementPanel:
    if sid not in {s.id for s in m.statements}:
        raise InvalidInput("statement", f"map {m.id!r} has no statement {sid!r}")
    panel = ctx.statement_panel(
        m, sid, view=view, labels=labels, explanations=explanations,
        supporters=query.supporters(store, m.id, sid, depth=1).items,
        attackers=query.attackers(store, m.id, sid, depth=1).items,
    )
    from argmap.web.questions import critical_panel  # schemes' questions and flips (issue 19)

    panel.critical = critical_panel(m, sid, labels=labels, semantics=view.semantics)
    return panel


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(store: Store) -> dict:
    """The pages' maps and evaluations of one store, filed under map versions (goes with the store)."""
    try:
        return _CACHES[store]
    except KeyError:
        with _CACHES_LOCK:
            return _CACHES.setdefault(store, {})


def _map(store: Store, map_id: str) -> Map:
    """The map, cached under its version (every write changes it) with its evaluations."""
    version = store.map_version(map_id)
    key = ("web", map_id)
    hit = _cache(store).get(key)
    if hit is None or hit[0] != version:
        hit = _cache(store)[key] = (version, store.get_map(map_id), {})
    return hit[1]


def _evaluation(store: Store, m: Map, view: ctx.View) -> tuple[dict | None, dict | None]:
    """(labels, explanations) of ``m`` under the view's semantics, or (None, None)."""
    if not (view.evaluates and view.semantics):
        return None, None
    _, cached_map, evaluations = _cache(store).get(("web", m.id), (None, None, {}))
    if cached_map is not m:
        evaluations = {}  # not the cached map (a write came between): evaluate without keeping
    if view.semantics not in evaluations:
        from argmap.semantics import evaluate_map  # the solvers load with the first page showing labels

        try:
            result = evaluate_map(m, view.semantics, timeout=EVALUATION_TIMEOUT)
            evaluations[view.semantics] = (dict(result.labels), dict(result.explanations))
        except ArgmapError:  # over its time limit: the page shows no labels rather than none at all
            evaluations[view.semantics] = (None, None)
    return evaluations[view.semantics]


def _evaluates(app: Litestar) -> bool:
    """Whether this server evaluates maps: its evaluation route, and a diagram that colours by it."""
    diagram = CATALOGUE.get(("diagram", "svg"))
    return "/maps/{}/evaluation" in _routes(app) and diagram is not None and diagram.evaluate is not None


def _routes(app: Litestar) -> set[str]:
    # Parameter names differ between controllers ({map_id:str}, {map_ref:str}): compare shapes.
    return {re.sub(r"\{[^}]*\}", "{}", r.path) for r in app.routes}


def _exports(app: Litestar) -> set[str]:
    """What :func:`argmap.web.context.downloads` may link to: the paths after /maps/{map} of
    the export catalogue's records whose routes this app has."""
    prefix = "/maps/{}"
    found = {p[len(prefix):] for p in _routes(app) if p.startswith(prefix + "/")}
    return {e.path for e in CATALOGUE.values() if e.whole_map or e.path in found}


class ApiReference(OpenAPIRenderPlugin):
    """``/schema``: the API's reference as a page of ours, rendered on the server from the
    OpenAPI document (which ``/schema/openapi.json`` serves), under the pages' CSP.

    It replaces a JavaScript renderer loaded from a CDN: such a script, unpinned and without
    integrity, would run on the origin of the session cookie.
    """

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict) -> bytes:
        groups: dict[str, list[dict]] = {}
        for path, item in sorted(openapi_schema.get("paths", {}).items()):
            for method in ("get", "post", "put", "patch", "delete"):
                op = item.get(method)
                if not op:
                    continue
                params = [{"name": p.get("name", ""), "in": p.get("in", ""), "required": bool(p.get("required")),
                           "description": p.get("description") or ""}
                          for p in (*item.get("parameters", []), *op.get("parameters", [])) if isinstance(p, dict)]
                body = list((op.get("requestBody") or {}).get("content", {}))
                responses = [(code, (r or {}).get("description", "")) for code, r in sorted(op.get("responses", {}).items())]
                slug = re.sub(r"[^A-Za-z0-9_-]", "-", op.get("operationId") or f"{method}-{path}")
                entry = {"id": slug, "method": method.upper(), "path": path, "summary": op.get("summary") or "",
                         "description": op.get("description") or "", "params": params, "body": body,
                         "responses": responses}
                groups.setdefault((op.get("tags") or ["other"])[0], []).append(entry)
        info = openapi_schema.get("info", {})
        html = _env.get_template("api.html").render(
            info={"title": info.get("title", "argmap"), "version": info.get("version", ""),
                  "description": info.get("description", "")},
            openapi=openapi_schema.get("openapi", ""), json_url=self.get_openapi_json_route(request),
            groups=sorted(groups.items()), access=access(request))
        return html.encode()

    def receive_router(self, router) -> None:
        router.after_request = _page_headers


async def _page_headers(response):
    response.headers.update(_HEADERS)
    return response


# -- The editor ------------------------------------------------------------------------------

NEW_MAP = """===
title: A new map
argmap:
  speakers:
  - id: someone
    name: Someone
===

[Claim]: Write the conclusion here. {argmap: {speaker: someone, said: 2025-11-20}}
  + [Reason]: A reason for it.
  - [Objection]: A reason against it.
"""
"""What a new map's editor starts with."""


class EditorController(Controller):
    """``/ui/maps/new`` and ``/ui/maps/{map}/edit``: Argdown on the left, the diagram on the right;
    ``PUT /ui/maps/{map}/argdown`` saves (JSON errors, for the editor's script)."""

    path = ctx.UI
    include_in_schema = False

    @get("/maps/new", exception_handlers={HTTPException: lambda r, e: _refusal_page(r, e)})
    async def new_map(self, request: Request) -> Response:
        return _page("editor.html", map=None, text=NEW_MAP, etag="", access=access(request))

    @get("/maps/{map_id:str}/edit", exception_handlers={HTTPException: lambda r, e: _refusal_page(r, e)})
    async def edit_map(self, store: StoreDep, request: Request, map_id: _MapId) -> Response:
        def load():
            with store.snapshot():
                m = store.get_map(map_id)
                return m, argdown.dumps(m), _map_tag(store, map_id)

        try:
            m, text, etag = await anyio.to_thread.run_sync(load)
        except NotFound as e:
            return _error_page(e)
        return _page("editor.html", map=m, text=text, etag=etag, access=access(request))

    @put("/maps/{map_id:str}/argdown", status_code=200)
    async def save(self, store: StoreDep, request: Request, map_id: _MapId) -> Response:
        """Create or replace the map from Argdown, in one write. ``If-Match: <ETag>`` replaces only
        the version the editor opened (else 412 with the current text); ``If-None-Match: *``
        creates only (else 409)."""
        body = await request.body()
        if_match = request.headers.get("if-match")
        create_only = request.headers.get("if-none-match") == "*"
        try:
            result = await anyio.to_thread.run_sync(save_argdown, store, map_id, body, if_match, create_only)
        except (PreconditionFailed, Conflict) as e:
            current = await anyio.to_thread.run_sync(_current_text, store, map_id)
            return Response({**e.to_dict(), **current}, status_code=error_status(e))
        return Response(result, headers={"ETag": result["etag"]})


def save_argdown(store: Store, map_id: str, body: bytes, if_match: str | None, create_only: bool) -> dict:
    """Read ``body`` (Argdown) as map ``map_id`` and store it in one write; see :meth:`EditorController.save`.

    What Argdown does not carry yet (a quote's span, a source's text) is kept from the stored map
    for the statements and sources that are still there, so editing never loses it.
    """
    if len(body) > MAX_BODY:
        raise LimitExceeded("body", f"the editor saves documents up to {MAX_BODY:,} bytes; this one has {len(body):,}")
    m = argdown.read(body, map_id=map_id).map

    def write(_cur):
        try:
            tag = _map_tag(store, map_id)
        except NotFound:
            tag = None
        if tag is not None and create_only:
            raise Conflict("id", f"a map {map_id!r} already exists; choose another id or open it to edit")
        if if_match is not None:
            if tag is None:
                raise PreconditionFailed("If-Match", f"map {map_id!r} was deleted since the editor opened it")
            require_tag(if_match, tag, "map")
        new = _keep_what_argdown_drops(store.get_map(map_id), m) if tag is not None else m
        return store.load_map(new, replace=tag is not None)

    counts = store.write(write)
    return {"id": map_id, "title": m.title, "etag": _map_tag(store, map_id), "href": ctx.page_path(map_id),
            "counts": msgspec.to_builtins(counts)}


def _keep_what_argdown_drops(old: Map, new: Map) -> Map:
    old_sources = {s.id: s for s in old.sources}
    sources = [msgspec.structs.replace(s, text=old_sources[s.id].text)
               if s.text is None and s.text_file is None and s.id in old_sources and old_sources[s.id].text else s
               for s in new.sources]
    by_id = {s.id: s for s in sources}
    old_statements = {s.id: s for s in old.statements}
    statements = []
    for st in new.statements:
        was = old_statements.get(st.id)
        if (st.quote is None and was is not None and was.quote is not None and st.source == was.source
                and st.source in by_id and quote_problem(was.quote, by_id[st.source]) is None):
            st = msgspec.structs.replace(st, quote=was.quote)
        statements.append(st)
    return msgspec.structs.replace(new, sources=sources, statements=statements)


def _current_text(store: Store, map_id: str) -> dict:
    """The stored map as the editor shows it, for a save that found it changed."""
    try:
        with store.snapshot():
            return {"current": argdown.dumps(store.get_map(map_id)), "etag": _map_tag(store, map_id)}
    except NotFound:
        return {"current": None, "etag": None}


# -- Editing in place --------------------------------------------------------------------------

_PRECISIONS = {"day": 3, "month": 2, "year": 1}


@dataclass
class EditForms:
    """What the statement panel's forms need: the statement's fields as stored, the choices, and
    the problems of the form last sent (by field), so they show next to the field."""

    map_id: str
    statement: object
    speakers: list
    arguments_in: list
    others: list
    csrf: str
    form: str = ""
    """Which form the problems belong to: edit, add, link."""
    errors: dict = None
    values: dict = None
    date: str = ""
    precision: str = "as-written"
    approximate: bool = False
    quote: str = ""
    has_source_text: bool = False


def edit_forms(m: Map, sid: str, acc: Access, form: str = "", errors: dict | None = None,
               values: dict | None = None) -> EditForms | None:
    """The panel's forms for statement ``sid`` when this browser may write, else None."""
    if acc is None or not acc.can_write:
        return None
    st = next(s for s in m.statements if s.id == sid)
    said = st.said or ""
    approximate = said.endswith("~")
    sources = {s.id: s for s in m.sources}
    src = sources.get(st.source) if st.source else None
    quote = ""
    if st.quote is not None and src is not None and src.text:
        quote = src.text[st.quote.start:st.quote.end]
    texts = {s.id: s.text for s in m.statements}
    arguments_in = [(a.id, f"{a.kind} from " + "; ".join(texts.get(p, p)[:60] for p in a.premises))
                    for a in m.arguments if a.target == sid and a.kind != "undercut"]
    others = [(s.id, s.text[:90]) for s in m.statements if s.id != sid]
    return EditForms(map_id=m.id, statement=st, speakers=[(s.id, s.name or s.role or s.id) for s in m.speakers],
                     arguments_in=arguments_in, others=others, csrf=acc.csrf, form=form, errors=errors or {},
                     values=values or {}, date=said.rstrip("~?%"), approximate=approximate, quote=quote,
                     has_source_text=bool(src is not None and src.text))


def _form_date(raw: str, precision: str, approximate: bool) -> str | None:
    """The EDTF date a form's date, precision and "approximate" say (InvalidInput on ``said``)."""
    raw = raw.strip()
    if not raw:
        return None
    if precision in _PRECISIONS:
        parts = raw.split("-")
        if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", raw):
            raise InvalidInput("said", "write the date as 2025-11-20 (or 2025-11, 2025) to choose its precision")
        if len(parts) < _PRECISIONS[precision]:
            raise InvalidInput("said", f"a date known to the {precision} needs "
                                       f"{'year, month and day' if precision == 'day' else 'year and month'}")
        raw = "-".join(parts[:_PRECISIONS[precision]])
    if approximate and not raw.endswith("~"):
        raw += "~"
    partial_date(raw)  # InvalidInput with a reason a person can act on
    return raw


def _field_of(e: ArgmapError) -> dict[str, str]:
    """Problems by form field: "$.statements[0].said" and "$.said" are both "said"."""
    out: dict[str, str] = {}
    for p in e.problems:
        name = re.sub(r"\[\d+\]", "", p.field or "").rsplit(".", 1)[-1] or "text"
        out.setdefault(name, p.reason)
    return out


def _check_form_csrf(request: Request, sent: str) -> None:
    """The guard leaves a form's CSRF field to the handler (opt csrf_form): compare it here."""
    from litestar.exceptions import PermissionDeniedException

    expected = request.scope.get("state", {}).get("csrf_expected")
    if expected is not None and not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDeniedException(detail="this form needs its page's CSRF token; reload the page")


def _new_id(taken: set[str], text: str) -> str:
    base = make_id(" ".join(text.split()[:8]), fallback="statement")[:80].rstrip("-.") or "statement"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    return out


class StatementFormController(Controller):
    """The statement panel's forms: plain HTML forms (they work without the script), each
    answered with the map page: the statement opened again, or its form with the problems
    next to their fields (422). Each carries the session's CSRF token."""

    path = ctx.UI + "/maps/{map_id:str}/statements/{statement_id:str}"
    include_in_schema = False
    # A refused write answers in the API's JSON shape (the forms show only to a browser that may write).

    @post("/edit", opt={"csrf_form": True}, status_code=303)
    async def edit(self, store: StoreDep, request: Request, map_id: _MapId, statement_id: _StatementId) -> Response:
        form = dict(await request.form())
        _check_form_csrf(request, form.get("csrf", ""))
        return await anyio.to_thread.run_sync(_edit, store, request, map_id, statement_id, form, access(request))

    @post("/add", opt={"csrf_form": True}, status_code=303)
    async def add(self, store: StoreDep, request: Request, map_id: _MapId, statement_id: _StatementId) -> Response:
        form = dict(await request.form())
        _check_form_csrf(request, form.get("csrf", ""))
        return await anyio.to_thread.run_sync(_add, store, request, map_id, statement_id, form, access(request))

    @post("/link", opt={"csrf_form": True}, status_code=303)
    async def link(self, store: StoreDep, request: Request, map_id: _MapId, statement_id: _StatementId) -> Response:
        form = dict(await request.form())
        _check_form_csrf(request, form.get("csrf", ""))
        return await anyio.to_thread.run_sync(_link, store, request, map_id, statement_id, form, access(request))

    @get("/delete", exception_handlers={HTTPException: lambda r, e: _refusal_page(r, e)})
    async def confirm_delete(self, store: StoreDep, request: Request, map_id: _MapId,
                             statement_id: _StatementId) -> Response:
        def build():
            m = _map(store, map_id)
            if statement_id not in {s.id for s in m.statements}:
                raise NotFound("statement", f"map {map_id!r} has no statement {statement_id!r}")
            return m, _cascade(m, statement_id)

        try:
            m, (args, texts) = await anyio.to_thread.run_sync(build)
        except NotFound as e:
            return _error_page(e)
        st = next(s for s in m.statements if s.id == statement_id)
        return _page("delete.html", map=m, statement=st, arguments=args, texts=texts, access=access(request))

    @post("/delete", opt={"csrf_form": True}, status_code=303)
    async def delete(self, store: StoreDep, request: Request, map_id: _MapId, statement_id: _StatementId) -> Response:
        form = dict(await request.form())
        _check_form_csrf(request, form.get("csrf", ""))
        try:
            await anyio.to_thread.run_sync(lambda: store.delete_statement(map_id, statement_id, cascade=True))
        except ArgmapError as e:
            return _error_page(e, back=ctx.page_path(map_id), back_label="Back to the map")
        return Redirect(path=ctx.page_path(map_id), status_code=303)


def _cascade(m: Map, sid: str) -> tuple[list, dict[str, str]]:
    """The arguments deleting ``sid`` takes with it: those that use it, and their undercuts."""
    gone = {a.id for a in m.arguments if sid in a.premises or a.target == sid}
    grew = True
    while grew:
        more = {a.id for a in m.arguments if a.kind == "undercut" and a.target in gone} - gone
        gone |= more
        grew = bool(more)
    texts = {s.id: s.text for s in m.statements}
    return [a for a in m.arguments if a.id in gone], texts


def _back(map_id: str, sid: str) -> Response:
    return Redirect(path=ctx.page_path(map_id, f"statement={quote_plus(sid)}"), status_code=303)


def _again(store: Store, request: Request, map_id: str, sid: str, acc: Access, form: str, errors: dict,
           values: dict) -> Response:
    """The map page with the statement open and the form's problems next to its fields."""
    response = _map_page(store, request.app, map_id, {"statement": sid}, acc,
                         edit_state=(form, errors, values))
    response.status_code = 422
    return response


def _edit(store: Store, request: Request, map_id: str, sid: str, form: dict, acc: Access) -> Response:
    errors: dict[str, str] = {}
    changes: dict = {}
    text = " ".join((form.get("text") or "").split())
    if not text:
        errors["text"] = "a statement needs its words"
    else:
        changes["text"] = text
    changes["speaker"] = form.get("speaker") or None
    try:
        changes["said"] = _form_date(form.get("said", ""), form.get("precision", "as-written"),
                                     form.get("approximate") in ("1", "on", "true"))
    except InvalidInput as e:
        errors["said"] = e.problems[0].reason
    m = _map(store, map_id)
    st = next((s for s in m.statements if s.id == sid), None)
    if st is None:
        return _error_page(NotFound("statement", f"map {map_id!r} has no statement {sid!r}"))
    if "quote" in form:
        words = (form.get("quote") or "").strip()
        src = next((s for s in m.sources if s.id == st.source), None)
        if not words:
            changes["quote"] = None
        elif src is None or not src.text:
            errors["quote"] = "this statement's source has no text to quote from"
        else:
            at = src.text.find(words)
            if at < 0:
                errors["quote"] = "these words are not in the source's text; copy them exactly"
            else:
                changes["quote"] = Quote(start=at, end=at + len(words), text=words)
    if not errors:
        try:
            store.modify(map_id, "statement", sid, lambda s: msgspec.structs.replace(s, **changes))
            return _back(map_id, sid)
        except ArgmapError as e:
            errors = _field_of(e)
    return _again(store, request, map_id, sid, acc, "edit", errors, form)


def _add(store: Store, request: Request, map_id: str, sid: str, form: dict, acc: Access) -> Response:
    errors: dict[str, str] = {}
    text = " ".join((form.get("text") or "").split())
    relation = form.get("relation") or "support"
    if not text:
        errors["text"] = "write the new statement's words"
    try:
        said = _form_date(form.get("said", ""), "as-written", False)
    except InvalidInput as e:
        errors["said"] = e.problems[0].reason
    m = _map(store, map_id)
    args = {a.id: a for a in m.arguments}
    if relation in ("support", "attack"):
        kind, target = relation, sid
    elif relation.startswith("undercut:") and relation[9:] in args and args[relation[9:]].target == sid:
        kind, target = "undercut", relation[9:]
    else:
        errors["relation"] = "choose supports, attacks, or which argument it undercuts"
    if not errors:
        taken = {s.id for s in m.statements} | {a.id for a in m.arguments}
        new = _new_id(taken, text)
        arg_id = _new_id(taken | {new}, f"{new}.{kind}s.{target}")
        try:
            def write(_cur):
                store.add_statement(map_id, Statement(id=new, text=text, speaker=form.get("speaker") or None, said=said))
                store.add_argument(map_id, Argument(id=arg_id, kind=kind, premises=[new], target=target))

            store.write(write)
            return _back(map_id, sid)
        except ArgmapError as e:
            errors = _field_of(e)
    return _again(store, request, map_id, sid, acc, "add", errors, form)


def _link(store: Store, request: Request, map_id: str, sid: str, form: dict, acc: Access) -> Response:
    m = _map(store, map_id)
    other = form.get("premise") or ""
    kind = form.get("relation") or "support"
    errors: dict[str, str] = {}
    if other not in {s.id for s in m.statements} or other == sid:
        errors["premise"] = "choose another statement of this map"
    if kind not in ("support", "attack"):
        errors["relation"] = "choose supports or attacks"
    if not errors:
        taken = {s.id for s in m.statements} | {a.id for a in m.arguments}
        arg_id = _new_id(taken, f"{other}.{kind}s.{sid}")
        try:
            store.add_argument(map_id, Argument(id=arg_id, kind=kind, premises=[other], target=sid))
            return _back(map_id, sid)
        except ArgmapError as e:
            errors = _field_of(e)
    return _again(store, request, map_id, sid, acc, "link", errors, form)
