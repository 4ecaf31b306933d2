"""``/maps``: list, create, read, change and delete maps; a map's whole document by extension.

``GET /maps/{map}`` answers the map's summary; ``GET /maps/{map}.json`` (``.yaml``,
``.aif.json``, ``.argdown``) a whole-map document, one per ``whole_map`` record of the export
catalogue (argmap/exports/documents.py).
"""

from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from argmap.api._conditional import ETAG_HEADER as _ETAG, IfMatch, IfNoneMatch, matches, require_tag
from argmap.api._params import PathId, StoreDep
from argmap.api._partial import merge, partial
from argmap.api._responses import bare
from argmap.errors import InvalidInput, NotFound
from argmap.exports import CATALOGUE, Export, Job
from argmap.model import Map, MapInfo, check_map
from argmap.scope import Scope
from argmap.store import Counts, MapSummary

__all__ = ["MapController", "MapList"]


def _documents() -> dict[str, Export]:
    """Extension → the whole-map export served at ``/maps/{map}{extension}``, longest first."""
    found = {e.path: e for e in CATALOGUE.values() if e.whole_map}
    return dict(sorted(found.items(), key=lambda kv: -len(kv[0])))


_DOCUMENTS = _documents()


_CONDITIONAL = ("With `If-Match: <ETag of GET /maps/{map}>` the write happens only if the map is "
                "unchanged since; otherwise 412 and nothing is written.")


class MapList(msgspec.Struct, kw_only=True):
    items: list[MapSummary]


class MapController(Controller):
    path = "/maps"
    tags = ["maps"]

    @get("/", operation_id="listMaps", summary="List maps with their counts",
         sync_to_thread=True)
    def list_maps(self, store: StoreDep) -> MapList:
        return MapList(items=store.list_maps())

    @post(
        "/",
        operation_id="createMap",
        summary="Create a map",
        description="The body is a whole map document (only `id` and `title` are required); it is "
        "checked as a whole and stored in one transaction, or refused with every problem named.",
        sync_to_thread=True,
    )
    def create_map(self, store: StoreDep, data: JSONBody[Map]) -> MapSummary:
        for i, src in enumerate(data.sources):
            if src.text_file is not None:
                raise InvalidInput(f"$.sources[{i}].text_file", "a map sent over HTTP cannot name files; send text")
        check_map(data)
        counts = store.load_map(data)
        return MapSummary(id=data.id, title=data.title, description=data.description, counts=counts)

    @get(
        "/{map_ref:str}",
        operation_id="getMap",
        summary="A map's summary, or its whole document by extension",
        description="`/maps/peace-plan` answers the summary and counts; `/maps/peace-plan.json` "
        "and `.yaml` the whole map document; `.aif.json` the map as AIF JSON (an AIFdb nodeset) and "
        "`.argdown` as an Argdown document. The ETag changes with every write to the map: send it "
        "as If-None-Match to get a bodiless 304 while the map is unchanged.",
        sync_to_thread=True,
        response_headers=[_ETAG],
        responses={304: ResponseSpec(None, description="The map is unchanged since that ETag.")},
    )
    def get_map(self, store: StoreDep, map_ref: PathId, if_none_match: IfNoneMatch = None) -> Response[MapSummary]:
        with store.snapshot():  # the tag and the content from one state
            map_id, export = map_ref, None
            try:
                info = store.get_map_info(map_ref)
            except NotFound:
                ext = next((e for e in _DOCUMENTS if map_ref.endswith(e) and len(map_ref) > len(e)), None)
                if ext is None:
                    raise
                map_id, export = map_ref[: -len(ext)], _DOCUMENTS[ext]
            tag = _map_tag(store, map_id)
            if matches(if_none_match, tag, weak=True):
                return Response(None, status_code=304, headers={"ETag": tag})
            if export is not None:
                from argmap.history import read_for_export, stamp  # the AIF document names its version

                m, version = read_for_export(store, map_id)
                data = stamp(export.make(Job(map=m, whole=m, scope=Scope(), options=export.options())),
                             export, map_id, version)
                return Response(data, media_type=bare(export.media_type), headers={"ETag": tag})
            summary = MapSummary(id=info.id, title=info.title, description=info.description,
                                 counts=store.counts(info.id))
        return Response(summary, headers={"ETag": tag})

    @put("/{map_id:str}", operation_id="replaceMapInfo", summary="Change a map's title and description",
         description=_CONDITIONAL, sync_to_thread=True)
    def replace_map(self, store: StoreDep, map_id: PathId, data: JSONBody[MapInfo],
                    if_match: IfMatch = None) -> MapInfo:
        if data.id != map_id:
            raise InvalidInput("$.id", f"the body's id {data.id!r} differs from the path's {map_id!r}")
        return store.modify(map_id, "map", map_id, lambda _info: _unchanged(store, map_id, if_match) or data)

    @patch("/{map_id:str}", operation_id="patchMapInfo", summary="Change some of a map's fields",
           description=_CONDITIONAL, sync_to_thread=True)
    def patch_map(self, store: StoreDep, map_id: PathId, data: JSONBody[partial(MapInfo)],
                  if_match: IfMatch = None) -> MapInfo:
        if data.id not in (msgspec.UNSET, map_id):
            raise InvalidInput("$.id", "a map's id cannot change")
        return store.modify(map_id, "map", map_id,
                            lambda info: _unchanged(store, map_id, if_match) or merge(info, data))

    @delete("/{map_id:str}", operation_id="deleteMap", summary="Delete a map and everything in it", status_code=200,
            sync_to_thread=True)
    def delete_map(
        self,
        store: StoreDep,
        map_id: PathId,
        confirm: Annotated[bool, QueryParameter(description="Must be true: a map delete cannot be undone.")] = False,
        if_match: IfMatch = None,
    ) -> Counts:
        if not confirm:
            raise InvalidInput("confirm", "deleting a whole map needs confirm=true")
        if if_match is None:
            return store.delete_map(map_id)
        return store.write(lambda _cur: _unchanged(store, map_id, if_match) or store.delete_map(map_id))


def _map_tag(store, map_id: str) -> str:
    # The map's version is a fresh random value at every write to anything in it.
    return f'"m{store.map_version(map_id) & (2**64 - 1):x}"'


def _unchanged(store, map_id: str, if_match: str | None) -> None:
    """Refuse unless ``if_match`` is absent or names the map's current tag (called inside the
    write, so no other write can come between the check and the change)."""
    if if_match is not None:
        require_tag(if_match, _map_tag(store, map_id), "map")
