"""Analysts' queries: supporters and attackers (direct or transitive), the speaker matrix,
full-text search, and the statements table for spreadsheets and notebooks."""

import csv
import io

import anyio
from typing import Literal

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from argmap import query
from argmap.api._openapi import by_extension
from argmap.errors import InvalidInput, LimitExceeded
from argmap.model import Statement
from argmap.store import Store

__all__ = ["QueryController", "SearchHit", "SearchResults"]

MAX_SEARCH = 200


class SearchHit(msgspec.Struct, kw_only=True):
    statement: Statement
    score: float
    speaker: str | None
    """The speaker's name (or role, when unnamed)."""
    date: str | None
    """The date with its precision, for people: '20 Nov 2025', 'c. 26 Nov 2025'."""


class SearchResults(msgspec.Struct, kw_only=True):
    q: str
    items: list[SearchHit]


def _depth(depth: str) -> int | None:
    if depth == "all":
        return None
    try:
        return int(depth)
    except ValueError:
        raise InvalidInput("depth", "must be a whole number or 'all'") from None


_Depth = Parameter(
    default="1",
    description=f"1 = direct; N = up to N steps (at most {query.MAX_DEPTH}); 'all' = to the end. "
    f"At most {query.MAX_RESULTS} results (then `truncated` is true).",
)

_COLUMNS = ["id", "kind", "text", "speaker", "said", "source", "date_source", "quote_start", "quote_end", "tags", "note"]


class QueryController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["queries"]

    @get("/statements/{statement_id:str}/supporters", operation_id="supporters",
         summary="What supports a statement, with the chain of arguments", sync_to_thread=True)
    def supporters(self, store: Store, map_id: str, statement_id: str, depth: str = _Depth) -> query.LinkList:
        return query.supporters(store, map_id, statement_id, depth=_depth(depth))

    @get("/statements/{statement_id:str}/attackers", operation_id="attackers",
         summary="What rebuts a statement or undercuts the arguments for it", sync_to_thread=True)
    def attackers(self, store: Store, map_id: str, statement_id: str, depth: str = _Depth) -> query.LinkList:
        return query.attackers(store, map_id, statement_id, depth=_depth(depth))

    @get("/speakers/matrix", operation_id="speakerMatrix",
         summary="How often each speaker's statements support or attack each other speaker's", sync_to_thread=True)
    def matrix(self, store: Store, map_id: str) -> query.SpeakerMatrix:
        return query.speaker_matrix(store, map_id)

    @get("/search", operation_id="search", summary="Full-text search (BM25) over statements, speakers and sources",
         sync_to_thread=True)
    def search(
        self,
        store: Store,
        map_id: str,
        q: str = Parameter(description="Words to look for.", max_length=500),
        limit: int = Parameter(default=20, description=f"At most {MAX_SEARCH} hits."),
    ) -> SearchResults:
        if not 1 <= limit <= MAX_SEARCH:
            raise LimitExceeded("limit", f"must be between 1 and {MAX_SEARCH}")
        speakers = {s.id: s.label for s in store.list_speakers(map_id)}
        hits = store.search(map_id, q, limit=limit)
        return SearchResults(
            q=q,
            items=[
                SearchHit(
                    statement=st, score=score, speaker=speakers.get(st.speaker),
                    date=st.date.label() if st.said else None,
                )
                for st, score in hits
            ],
        )

    @get(["/statements.csv", "/statements.json", "/statements.parquet"], operation_id=by_extension("statementsTable"),
         summary="The whole statements table as CSV, JSON or Parquet")
    async def table(self, store: Store, map_id: str, request: Request) -> Response:
        # async + an explicit thread: Litestar 2.25 mishandles `-> Response` on sync_to_thread handlers.
        fmt = request.url.path.rsplit(".", 1)[1]
        return await anyio.to_thread.run_sync(_table, store, map_id, fmt)


def _table(store: Store, map_id: str, fmt: str) -> Response:
    store.get_map_info(map_id)
    rows = [_row(s) for s in store.list_statements(map_id)]
    if fmt == "json":
        return Response(msgspec.json.encode(rows), media_type="application/json")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: ";".join(v) if isinstance(v, list) else _csv_safe(v) for k, v in r.items()})
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{map_id}-statements.csv"'})
    import pyarrow
    import pyarrow.parquet

    out = io.BytesIO()
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows), out)
    return Response(out.getvalue(), media_type="application/vnd.apache.parquet",
                    headers={"Content-Disposition": f'attachment; filename="{map_id}-statements.parquet"'})


def _row(s: Statement) -> dict:
    return {
        "id": s.id, "kind": s.kind, "text": s.text, "speaker": s.speaker, "said": s.said, "source": s.source,
        "date_source": s.date_source, "quote_start": s.quote.start if s.quote else None,
        "quote_end": s.quote.end if s.quote else None, "tags": list(s.tags), "note": s.note,
    }


def _csv_safe(value):
    # Spreadsheets run cells that start with = + - @ as formulas: statement text is untrusted.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
