"""Speakers, sources, statements and arguments under ``/maps/{map_id}``: one Controller each.

The four resources behave alike (create, read, replace, patch, delete with ``cascade``), so
one factory builds their common handlers; each Controller adds its own list filters.
"""

# No `from __future__ import annotations`: Litestar reads these handlers' annotations at
# class-creation time, and the factory's annotations must be the real Struct classes.

from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.params import Parameter

from argmap.errors import InvalidInput, LimitExceeded, from_validation_error
from argmap.model import Argument, Source, Speaker, Statement
from argmap.store import Store

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


def _entity_handlers(kind: str, plural: str, struct: type):
    """Handlers shared by the four entity resources: get, create, replace, patch, delete."""
    title = kind.capitalize()

    @get("/{item_id:str}", operation_id=f"get{title}", summary=f"Get one {kind}", sync_to_thread=True)
    def get_one(self, store: Store, map_id: str, item_id: str) -> struct:
        return getattr(store, f"get_{kind}")(map_id, item_id)

    @post("/", operation_id=f"create{title}", summary=f"Create a {kind}", sync_to_thread=True)
    def create(self, store: Store, map_id: str, data: struct) -> struct:
        return getattr(store, f"add_{kind}")(map_id, data)

    @put("/{item_id:str}", operation_id=f"replace{title}", summary=f"Replace a {kind}", sync_to_thread=True)
    def replace(self, store: Store, map_id: str, item_id: str, data: struct) -> struct:
        if data.id != item_id:
            raise InvalidInput("$.id", f"the body's id {data.id!r} differs from the path's {item_id!r}")
        return getattr(store, f"update_{kind}")(map_id, data)

    @patch(
        "/{item_id:str}",
        operation_id=f"patch{title}",
        summary=f"Change some fields of a {kind}",
        description="The body holds the fields to change; `null` clears an optional field.",
        sync_to_thread=True,
    )
    def change(self, store: Store, map_id: str, item_id: str, data: dict[str, Any]) -> struct:
        current = msgspec.to_builtins(getattr(store, f"get_{kind}")(map_id, item_id))
        if "id" in data and data["id"] != item_id:
            raise InvalidInput("$.id", "the id of an entity cannot change")
        try:
            updated = msgspec.convert({**current, **data}, type=struct)
        except msgspec.ValidationError as e:
            raise from_validation_error(e) from None
        return getattr(store, f"update_{kind}")(map_id, updated)

    @delete(
        "/{item_id:str}",
        operation_id=f"delete{title}",
        summary=f"Delete a {kind}",
        description="Refused with 409 while other items refer to it, unless `cascade=true`, which "
        "deletes those too (transitively) in the same transaction.",
        status_code=200,
        sync_to_thread=True,
    )
    def remove(
        self,
        store: Store,
        map_id: str,
        item_id: str,
        cascade: bool = Parameter(default=False, description="Also delete what refers to it."),
    ) -> Deleted:
        return Deleted(deleted=getattr(store, f"delete_{kind}")(map_id, item_id, cascade=cascade))

    return get_one, create, replace, change, remove


_Limit = Parameter(default=DEFAULT_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
_Offset = Parameter(default=0, description="Items to skip (use next_offset from the previous page).")

SpeakerPage = _page_struct("SpeakerPage", Speaker)
SourcePage = _page_struct("SourcePage", Source)
StatementPage = _page_struct("StatementPage", Statement)
ArgumentPage = _page_struct("ArgumentPage", Argument)


class SpeakerController(Controller):
    path = "/maps/{map_id:str}/speakers"
    tags = ["speakers"]
    get_speaker, create_speaker, replace_speaker, patch_speaker, delete_speaker = _entity_handlers(
        "speaker", "speakers", Speaker
    )

    @get("/", operation_id="listSpeakers", summary="List speakers", sync_to_thread=True)
    def list_speakers(self, store: Store, map_id: str, limit: int = _Limit, offset: int = _Offset) -> SpeakerPage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_speakers(map_id)
        return _page(SpeakerPage, items[offset : offset + limit + 1], limit, offset)


class SourceController(Controller):
    path = "/maps/{map_id:str}/sources"
    tags = ["sources"]
    get_source, create_source, replace_source, patch_source, delete_source = _entity_handlers(
        "source", "sources", Source
    )

    @get("/", operation_id="listSources", summary="List sources", sync_to_thread=True)
    def list_sources(self, store: Store, map_id: str, limit: int = _Limit, offset: int = _Offset) -> SourcePage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_sources(map_id)
        return _page(SourcePage, items[offset : offset + limit + 1], limit, offset)


class StatementController(Controller):
    path = "/maps/{map_id:str}/statements"
    tags = ["statements"]
    get_statement, create_statement, replace_statement, patch_statement, delete_statement = _entity_handlers(
        "statement", "statements", Statement
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
        store: Store,
        map_id: str,
        speaker: str | None = Parameter(default=None, description="Speaker id."),
        kind: Literal["claim", "event", "derived"] | None = Parameter(default=None, description="Statement kind."),
        tag: str | None = Parameter(default=None, description="A tag the statement carries."),
        date_from: str | None = Parameter(default=None, query="from", description="EDTF date: said on or after."),
        date_to: str | None = Parameter(default=None, query="to", description="EDTF date: said on or before."),
        limit: int = _Limit,
        offset: int = _Offset,
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
        "argument", "arguments", Argument
    )

    @get("/", operation_id="listArguments", summary="List arguments, filtered", sync_to_thread=True)
    def list_arguments(
        self,
        store: Store,
        map_id: str,
        kind: Literal["support", "attack", "undercut"] | None = Parameter(default=None, description="Argument kind."),
        target: str | None = Parameter(default=None, description="Target statement or argument id."),
        premise: str | None = Parameter(default=None, description="A statement id among the premises."),
        limit: int = _Limit,
        offset: int = _Offset,
    ) -> ArgumentPage:
        page_args(limit, offset)
        store.get_map_info(map_id)
        items = store.list_arguments(
            map_id, kind=kind, target=target, premise=premise, limit=limit + 1, offset=offset
        )
        return _page(ArgumentPage, items, limit, offset)
