"""Speakers, sources, statements and arguments under ``/maps/{map_id}``: one Controller each.

The four resources behave alike (create, read, replace, patch, delete with ``cascade``), so
one factory builds their common handlers; each Controller adds its own list filters.
"""

# No `from __future__ import annotations`: Litestar reads these handlers' annotations at
# class-creation time, and the factory's annotations must be the real Struct classes.

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from argmap import query
from argmap.api._conditional import ETAG_HEADER as _ETAG, IfMatch, IfNoneMatch, etag, matches, require_match
from argmap.api._params import PathId, StoreDep
from argmap.api._partial import merge, partial
from argmap.errors import InvalidInput, LimitExceeded
from argmap.model import Argument, Source, Speaker, Statement

__all__ = [
    "ArgumentController",
    "DEFAULT_LIMIT",
    "Deleted",
    "MAX_LIMIT",
    "SourceController",
    "SpeakerController",
    "StatementController",
    "page_args",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
"""Pagination: ``limit`` defaults to 100 and may not exceed 1,000 (422 above)."""


class Deleted(msgspec.Struct, kw_only=True):
    """What a delete removed, as ``kind:id`` (more than one with ``cascade=true``)."""

    deleted: list[str]


def page_args(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise LimitExceeded("limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidInput("offset", "must not be negative")


def _page_struct(name: str, struct: type) -> type:
    return msgspec.defstruct(
        name,
        [("items", list[struct]), ("limit", int), ("offset", int), ("next_offset", int | None)],
        kw_only=True,
    )


def _page(cls, items: list, limit: int, offset: int):
    # One row more than asked tells whether a next page exists without counting the table.
    more = len(items) > limit
    return cls(items=items[:limit], limit=limit, offset=offset, next_offset=offset + limit if more else None)


_CONDITIONAL = ("With `If-Match: <ETag from a GET>` the write happens only if nobody changed the item "
                "since; otherwise 412 and nothing is written.")


def _tagged(item, status_code: int = 200) -> Response:
    return Response(item, status_code=status_code, headers={"ETag": etag(item)})


def _entity_handlers(kind: str, struct: type, read=None):
    """Handlers shared by the four entity resources: get, create, replace, patch, delete.

    ``read(store, map_id, id)`` answers a GET (default: the store's ``get_<kind>``).
    """
    title = kind.capitalize()
    read = read or (lambda store, map_id, item_id: getattr(store, f"get_{kind}")(map_id, item_id))

    @get("/{item_id:str}", operation_id=f"get{title}", summary=f"Get one {kind}", sync_to_thread=True,
         response_headers=[_ETAG], responses={304: ResponseSpec(None, description="Unchanged since that ETag.")})
    def get_one(self, store: StoreDep, map_id: PathId, item_id: PathId,
                if_none_match: IfNoneMatch = None) -> Response[struct]:
        item = read(store, map_id, item_id)
        tag = etag(item)
        if matches(if_none_match, tag, weak=True):
            return Response(None, status_code=304, headers={"ETag": tag})
        return Response(item, headers={"ETag": tag})

    @post("/", operation_id=f"create{title}", summary=f"Create a {kind}", response_headers=[_ETAG])
    async def create(self, store: StoreDep, map_id: PathId, data: JSONBody[struct]) -> Response[struct]:
        # Awaited on the loop: no handler thread waits for the commit (see GroupCommit.submit_async).
        return _tagged(await store.add_async(kind, map_id, data), status_code=201)

    @put("/{item_id:str}", operation_id=f"replace{title}", summary=f"Replace a {kind}", sync_to_thread=True,
         description=_CONDITIONAL, response_headers=[_ETAG])
    def replace(self, store: StoreDep, map_id: PathId, item_id: PathId, data: JSONBody[struct],
                if_match: IfMatch = None) -> Response[struct]:
        if data.id != item_id:
            raise InvalidInput("$.id", f"the body's id {data.id!r} differs from the path's {item_id!r}")
        if if_match is None:
            return _tagged(getattr(store, f"update_{kind}")(map_id, data))
        return _tagged(store.modify(map_id, kind, item_id, lambda current: (require_match(if_match, current, kind),
                                                                            data)[1]))

    @patch(
        "/{item_id:str}",
        operation_id=f"patch{title}",
        summary=f"Change some fields of a {kind}",
        description="The body holds the fields to change; `null` clears an optional field. " + _CONDITIONAL,
        sync_to_thread=True,
        response_headers=[_ETAG],
    )
    def change(self, store: StoreDep, map_id: PathId, item_id: PathId, data: JSONBody[partial(struct)],
               if_match: IfMatch = None) -> Response[struct]:
        if data.id not in (msgspec.UNSET, item_id):
            raise InvalidInput("$.id", "the id of an entity cannot change")
        return _tagged(store.modify(map_id, kind, item_id,
                                    lambda current: merge(require_match(if_match, current, kind), data)))

    @delete(
        "/{item_id:str}",
        operation_id=f"delete{title}",
        summary=f"Delete a {kind}",
        description="Refused with 409 while other items refer to it, unless `cascade=true`, which "
        "deletes those too (transitively) in the same transaction. " + _CONDITIONAL,
        status_code=200,
        sync_to_thread=True,
    )
    def remove(
        self,
        store: StoreDep,
        map_id: PathId,
        item_id: PathId,
        cascade: Annotated[bool, QueryParameter(description="Also delete what refers to it.")] = False,
        if_match: IfMatch = None,
    ) -> Deleted:
        check = None if if_match is None else (lambda current: require_match(if_match, current, kind))
        return Deleted(deleted=store.remove(map_id, kind, item_id, cascade=cascade, check=check))

    return get_one, create, replace, change, remove


Limit = Annotated[int, QueryParameter(description=f"Page size, at most {MAX_LIMIT}.")]
Offset = Annotated[int, QueryParameter(description="Items to skip (use next_offset from the previous page).")]

SpeakerPage = _page_struct("SpeakerPage", Speaker)
SourcePage = _page_struct("SourcePage", Source)
StatementPage = _page_struct("StatementPage", Statement)
ArgumentPage = _page_struct("ArgumentPage", Argument)


class SpeakerController(Controller):
    path = "/maps/{map_id:str}/speakers"
    tags = ["speakers"]
    get_speaker, create_speaker, replace_speaker, patch_speaker, delete_speaker = _entity_handlers("speaker", Speaker)

    @get("/", operation_id="listSpeakers", summary="List speakers", sync_to_thread=True)
    def list_speakers(
        self, store: StoreDep, map_id: PathId, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> SpeakerPage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_speakers(map_id)
        return _page(SpeakerPage, items[offset : offset + limit + 1], limit, offset)


class SourceController(Controller):
    path = "/maps/{map_id:str}/sources"
    tags = ["sources"]
    get_source, create_source, replace_source, patch_source, delete_source = _entity_handlers("source", Source)

    @get("/", operation_id="listSources", summary="List sources", sync_to_thread=True)
    def list_sources(
        self, store: StoreDep, map_id: PathId, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> SourcePage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_sources(map_id)
        return _page(SourcePage, items[offset : offset + limit + 1], limit, offset)


class StatementController(Controller):
    path = "/maps/{map_id:str}/statements"
    tags = ["statements"]
    # Statements are read most (analysts open the ones an answer names): from the version cache.
    get_statement, create_statement, replace_statement, patch_statement, delete_statement = _entity_handlers(
        "statement", Statement, read=query.statement
    )

    @get(
        "/",
        operation_id="listStatements",
        summary="List statements, filtered",
        description="Dates filter by overlap: `from=2025-11` includes the whole of November 2025.",
        sync_to_thread=True,
    )
    def list_statements(
        self,
        store: StoreDep,
        map_id: PathId,
        speaker: Annotated[str | None, QueryParameter(description="Speaker id.")] = None,
        kind: Annotated[
            Literal["claim", "event", "derived"] | None, QueryParameter(description="Statement kind.")
        ] = None,
        tag: Annotated[str | None, QueryParameter(description="A tag the statement carries.")] = None,
        date_from: Annotated[
            str | None, QueryParameter(name="from", description="EDTF date: said on or after (by overlap).")
        ] = None,
        date_to: Annotated[
            str | None, QueryParameter(name="to", description="EDTF date: said on or before (by overlap).")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> StatementPage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_statements(
            map_id, speaker=speaker, kind=kind, tag=tag, date_from=date_from, date_to=date_to,
            limit=limit + 1, offset=offset,
        )
        return _page(StatementPage, items, limit, offset)


class ArgumentController(Controller):
    path = "/maps/{map_id:str}/arguments"
    tags = ["arguments"]
    get_argument, create_argument, replace_argument, patch_argument, delete_argument = _entity_handlers(
        "argument", Argument
    )

    @get("/", operation_id="listArguments", summary="List arguments, filtered",
         sync_to_thread=True)
    def list_arguments(
        self,
        store: StoreDep,
        map_id: PathId,
        kind: Annotated[
            Literal["support", "attack", "undercut"] | None, QueryParameter(description="Argument kind.")
        ] = None,
        target: Annotated[str | None, QueryParameter(description="Target statement or argument id.")] = None,
        premise: Annotated[str | None, QueryParameter(description="A statement id among the premises.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> ArgumentPage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_arguments(map_id, kind=kind, target=target, premise=premise, limit=limit + 1, offset=offset)
        return _page(ArgumentPage, items, limit, offset)
