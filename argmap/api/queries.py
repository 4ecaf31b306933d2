"""Analysts' queries: supporters and attackers (direct or transitive), the speaker matrix,
full-text search, and the statements table for spreadsheets and notebooks."""

from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from argmap import query
from argmap.api._params import PathId, StoreDep
from argmap.api._responses import bare
from argmap.errors import InvalidInput, LimitExceeded
from argmap.formats.table import TABLE_FORMATS, StatementRow, statement_rows
from argmap.model import Statement
from argmap.store import Store

__all__ = ["MAX_SEARCH", "QueryController"]

MAX_SEARCH = 200


def _depth(depth: str) -> int | None:
    if depth == "all":
        return None
    try:
        return int(depth)
    except ValueError:
        raise InvalidInput("depth", "must be a whole number or 'all'") from None


Depth = Annotated[
    str,
    QueryParameter(
        description=f"1 = direct; N = up to N steps (at most {query.MAX_DEPTH}); 'all' = to the end. "
        f"At most {query.MAX_RESULTS} results (then `truncated` is true).",
    ),
]


class QueryController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["queries"]

    @get("/statements/{statement_id:str}/supporters", operation_id="supporters",
         summary="What supports a statement, with the chain of arguments",
         sync_to_thread=True)
    def supporters(self, store: StoreDep, map_id: PathId, statement_id: PathId, depth: Depth = "1") -> query.LinkList:
        return query.supporters(store, map_id, statement_id, depth=_depth(depth))

    @get("/statements/{statement_id:str}/attackers", operation_id="attackers",
         summary="What rebuts a statement or undercuts the arguments for it",
         sync_to_thread=True)
    def attackers(self, store: StoreDep, map_id: PathId, statement_id: PathId, depth: Depth = "1") -> query.LinkList:
        return query.attackers(store, map_id, statement_id, depth=_depth(depth))

    @get("/speakers/matrix", operation_id="speakerMatrix",
         summary="How often each speaker's statements support or attack each other speaker's", sync_to_thread=True)
    def matrix(self, store: StoreDep, map_id: PathId) -> query.SpeakerMatrix:
        return query.speaker_matrix(store, map_id)

    @get("/search", operation_id="search", summary="Full-text search (BM25) over statements, speakers and sources",
         sync_to_thread=True)
    def search(
        self,
        store: StoreDep,
        map_id: PathId,
        q: Annotated[str, QueryParameter(description="Words to look for.", max_length=500)],
        limit: Annotated[int, QueryParameter(description=f"At most {MAX_SEARCH} hits.")] = 20,
    ) -> query.SearchResults:
        if not 1 <= limit <= MAX_SEARCH:
            raise LimitExceeded("limit", f"must be between 1 and {MAX_SEARCH}")
        return query.search(store, map_id, q, limit=limit)

    @get("/statements.json", operation_id="statementsJson", summary="Every statement as a JSON array of flat rows",
         sync_to_thread=True)
    def table_json(self, store: StoreDep, map_id: PathId) -> list[StatementRow]:
        return statement_rows(_all_statements(store, map_id))

    @get("/statements.csv", operation_id="statementsCsv", media_type=TABLE_FORMATS["csv"][0],
         summary="Every statement as CSV (formula-like cells neutralised for spreadsheets)",
         response_description="RFC 4180 CSV with a header row; tags joined by ';'.",
         sync_to_thread=True)
    def table_csv(self, store: StoreDep, map_id: PathId) -> Response[bytes]:
        return _download(store, map_id, "csv")

    @get("/statements.parquet", operation_id="statementsParquet", media_type=TABLE_FORMATS["parquet"][0],
         summary="Every statement as Parquet, for notebooks",
         response_description="A Parquet file with the columns of the JSON rows.",
         sync_to_thread=True)
    def table_parquet(self, store: StoreDep, map_id: PathId) -> Response[bytes]:
        return _download(store, map_id, "parquet")


def _all_statements(store: Store, map_id: str) -> list[Statement]:
    store.get_map_info(map_id)  # an unknown map is a 404, not an empty table
    return store.list_statements(map_id)


def _download(store: Store, map_id: str, ext: str) -> Response[bytes]:
    media_type, encode = TABLE_FORMATS[ext]
    return Response(encode(statement_rows(_all_statements(store, map_id))), media_type=bare(media_type),
                    headers={"Content-Disposition": f'attachment; filename="{map_id}-statements.{ext}"'})
