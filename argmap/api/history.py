"""A map's past over HTTP: ``history``, ``diff``, ``history.atom``, ``restore``, and ``as_of`` on reads.

``as_of`` (a version number or an ISO 8601 time) works on every read under ``/maps/{map}``:
:func:`store_for_request` hands the route an in-memory Store holding the map as it was then
(:func:`argmap.history.store_as_of`), so the very same handler answers what it answered at that
moment. Who wrote and why (the token's name, ``X-Argmap-Message``) are set for the change log
by :func:`log_context` before each request.
"""

# No `from __future__ import annotations`: Litestar reads the handlers' annotations.

import re
from typing import Annotated, Literal
from urllib.parse import unquote

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter

from argmap import history
from argmap.api._params import PathId, StoreDep
from argmap.api.entities import MAX_LIMIT, page_args
from argmap.api.pages import _env, _page
from argmap.errors import InvalidInput
from argmap.store import Store, _history
from argmap.store._history import CONTEXT, Who

__all__ = [
    "AS_OF_DESCRIPTION",
    "HistoryController",
    "HistoryPage",
    "MAX_MESSAGE",
    "MESSAGE_HEADER",
    "log_context",
    "store_for_request",
]

MESSAGE_HEADER = "X-Argmap-Message"
MAX_MESSAGE = 2000
"""Longest change message kept (characters); longer ones are refused with 422."""

AS_OF_DESCRIPTION = ("Read the map as it was at this version (a number from `GET /maps/{map}/history`) or "
                     "time (ISO 8601, UTC unless it says otherwise): the answer a read gave then. "
                     "404 naming `as_of` before the map existed, 422 in the future.")

_READS = {"GET", "HEAD"}


class HistoryPage(msgspec.Struct, kw_only=True):
    """A page of a map's versions, newest first."""

    map: str
    current: int
    """The map's latest version."""
    items: list[history.Version]
    limit: int
    offset: int
    next_offset: int | None = None


class VersionDetail(msgspec.Struct, kw_only=True):
    """One version with every entity it changed, before and after."""

    version: history.Version
    changes: list[history.Change]


class RestoreRequest(msgspec.Struct, kw_only=True, frozen=True):
    """Which version to bring back (a number, or an ISO 8601 time)."""

    version: int | str | None = None


class HistoryController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["history"]
    opt = {"live_store": True}  # these read the log itself: never swapped for a past state

    @get("/history", operation_id="mapHistory", summary="A map's versions: who changed what, when and why",
         description="Newest first. Each version names its author (the name of the token that wrote it), "
         "the message sent in `X-Argmap-Message`, and what changed in a few words.", sync_to_thread=True)
    def get_history(
        self, store: StoreDep, map_id: PathId,
        limit: Annotated[int, QueryParameter(description=f"Page size, at most {MAX_LIMIT}.")] = 100,
        offset: Annotated[int, QueryParameter(description="Versions to skip.")] = 0,
    ) -> HistoryPage:
        page_args(limit, offset)
        items = history.history(store, map_id, limit=limit + 1, offset=offset)
        return HistoryPage(map=map_id, current=history.current_version(store, map_id), items=items[:limit],
                           limit=limit, offset=offset, next_offset=offset + limit if len(items) > limit else None)

    @get("/history/{version:str}", operation_id="mapVersion", summary="What one version changed, entity by entity",
         sync_to_thread=True)
    def get_version(self, store: StoreDep, map_id: PathId, version: PathId) -> VersionDetail:
        if not version.isdigit():
            raise InvalidInput("version", f"a version is a whole number, not {version!r}")
        v = _history.as_of_version(store, map_id, version, field="version", must_exist=False)
        entry = _history.versions(store, map_id, limit=1, offset=history.current_version(store, map_id) - v)[0]
        return VersionDetail(version=entry, changes=_history.changes(store, map_id, v))

    @get("/diff", operation_id="mapDiff", summary="What differs between two versions of a map",
         description="Statements, arguments, speakers, sources and relations added, removed and changed field "
         "by field, and the statements whose label under `semantics` changed. `from=0` compares with the "
         "empty map before it existed.", sync_to_thread=True)
    def get_diff(
        self, store: StoreDep, map_id: PathId,
        from_: Annotated[str, QueryParameter(name="from", description="A version number or ISO 8601 time.")],
        to: Annotated[str | None, QueryParameter(description="A version number or ISO 8601 time (default: now).")]
        = None,
        semantics: Annotated[
            Literal["grounded", "complete", "preferred", "stable", "none"],
            QueryParameter(description="Report statements whose label under these semantics changed (none: skip).")
        ] = "grounded",
    ) -> history.Diff:
        to = to if to is not None else str(history.current_version(store, map_id))
        return history.diff(store, map_id, from_, to, semantics=semantics)

    @get("/history.atom", operation_id="mapHistoryFeed", summary="A map's changes as an Atom feed",
         media_type="application/atom+xml", sync_to_thread=True)
    def get_feed(self, request: Request, store: StoreDep, map_id: PathId) -> Response[bytes]:
        return Response(history.atom(store, map_id, str(request.base_url)), media_type="application/atom+xml")

    @post("/restore", operation_id="restoreMap", summary="Write a new version equal to an earlier one",
          description="History is never rewritten: the map becomes what it was at `version` (the query "
          "parameter, or `{\"version\": …}` in the body), as a new version logged as a restore of it.",
          status_code=200, sync_to_thread=True)
    def restore(
        self, store: StoreDep, map_id: PathId,
        data: JSONBody[RestoreRequest] = RestoreRequest(),  # noqa: B008 - an immutable default
        version: Annotated[str | None, QueryParameter(description="The version (or ISO 8601 time) to bring back.")]
        = None,
    ) -> history.Version:
        if version is None and data.version is not None:
            version = str(data.version)
        if version is None:
            raise InvalidInput("version", "say which version to restore: ?version=N")
        return history.restore(store, map_id, version)


async def store_for_request(store: Store, request: Request) -> Store:
    """The Store a request reads: ``store``, or with ``as_of`` the map as it was then."""
    as_of = request.query_params.get("as_of")
    if as_of is None or request.route_handler.opt.get("live_store"):
        return store
    if request.method not in _READS:
        raise InvalidInput("as_of", "a past version can be read, not written (to bring it back: POST …/restore)")
    params = request.path_params
    map_id = params.get("map_id")
    if map_id is None and (ref := params.get("map_ref")) is not None:
        map_id = await anyio.to_thread.run_sync(_map_of_ref, store, ref)
    if map_id is None:
        raise InvalidInput("as_of", "only reads of one map (under /maps/{map}/) can go back in time")
    return await anyio.to_thread.run_sync(history.store_as_of, store, map_id, as_of)


def _map_of_ref(store: Store, ref: str) -> str:
    """``/maps/{ref}``: the map id of ``peace-plan`` or ``peace-plan.aif.json`` (a logged map)."""
    candidates = [ref] + [ref[: m.start()] for m in re.finditer(r"\.", ref) if m.start() > 0]
    for c in candidates:
        try:
            _history.current_version(store, c)
            return c
        except Exception:  # noqa: BLE001 - not this one
            continue
    return ref


async def log_context(request: Request) -> None:
    """Before each request: who writes (the name of the token it sent) and why (``X-Argmap-Message``)."""
    if request.method in _READS:
        return
    raw = request.headers.get(MESSAGE_HEADER)
    message = None
    if raw is not None:
        message = unquote(raw).strip() or None  # percent-encoded UTF-8 carries any script
        if message is not None and len(message) > MAX_MESSAGE:
            raise InvalidInput(MESSAGE_HEADER, f"at most {MAX_MESSAGE} characters")
    CONTEXT.set(Who(author=author_of(request), message=message))


def author_of(request: Request) -> str | None:
    """The name of the write token that opened the request (``token`` for ``ARGMAP_TOKEN``), else None.

    The auth guard compared the token in constant time and noted which one matched; the name is
    looked up from that, so the secret is compared once per request.
    """
    names: dict[str, str] = getattr(request.app.state, "token_names", None) or {}
    matched = request.scope.get("state", {}).get("token")
    return names.get(matched) if matched is not None else None


def document_as_of(schema: dict) -> dict:
    """Add ``as_of`` to every read operation under ``/maps/{map}`` of the OpenAPI document (a dict)."""
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/maps/{") or path.endswith(("/history", "/diff", "/history.atom")) \
                or "/history/" in path:
            continue
        op = item.get("get")
        if op is None:
            continue
        params = op.setdefault("parameters", [])
        if not any(p.get("name") == "as_of" for p in params):
            params.append({"name": "as_of", "in": "query", "required": False, "description": AS_OF_DESCRIPTION,
                           "schema": {"type": "string"}})
    return schema


class HistoryPageController(Controller):
    """The pages: a map's history (versions with author and message) and the changes between two."""

    path = "/ui/maps/{map_id:str}"
    include_in_schema = False
    opt = {"live_store": True}

    @get("/history", sync_to_thread=True)
    def history_page(self, store: StoreDep, map_id: PathId,
                     offset: Annotated[int, QueryParameter(description="Versions to skip.")] = 0) -> Response:
        page_args(50, offset)
        items = history.history(store, map_id, limit=51, offset=offset)
        return _page("history.html", map_id=map_id, title=_title(store, map_id), items=items[:50],
                     next_offset=offset + 50 if len(items) > 50 else None, api_base=f"/maps/{map_id}")

    @get("/diff", sync_to_thread=True)
    def diff_page(
        self, store: StoreDep, map_id: PathId,
        from_: Annotated[str, QueryParameter(name="from", description="A version number or ISO 8601 time.")],
        to: Annotated[str | None, QueryParameter(description="A version number or ISO 8601 time.")] = None,
    ) -> Response:
        _env.globals.setdefault("marked", history.marked_words)
        to = to if to is not None else str(history.current_version(store, map_id))
        d = history.diff(store, map_id, from_, to, semantics="grounded")
        parts = [(k, getattr(d, k)) for k in ("statements", "arguments", "speakers", "sources", "relations")]
        return _page("diff.html", map_id=map_id, title=_title(store, map_id), d=d, parts=parts)


def _title(store: Store, map_id: str) -> str:
    try:
        return store.get_map_info(map_id).title
    except Exception:  # noqa: BLE001 - a deleted map keeps its history
        return map_id
