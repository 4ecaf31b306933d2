"""Analysts' queries: supporters and attackers (direct or transitive), the speaker matrix and
full-text search (the statements table is an export: argmap/exports/table.py)."""

from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from argmap import query
from argmap.api._params import PathId, StoreDep
from argmap.errors import InvalidInput, LimitExceeded

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
