"""Rows and back: how model Structs are written to the store's tables and read from them.

Shared by the store and its change log (``_history``), so neither imports the other for them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import msgspec

from argmap.model import Argument, Quote, Relation, Source, Speaker, Statement, partial_date


def _select(cur, sql: str, map_id: str, ids: list[str] | None):
    params: dict = {"m": map_id}
    if ids is not None:
        sql += " AND " + _ids_clause("id", ids, params)
    return cur.execute(sql + " ORDER BY seq, id", params).fetchall()


def _ids_in(column: str, ids: list[str], params: dict) -> str:
    """``column IN (ids)`` that DuckDB answers through the column's index.

    The list goes in as one JSON string: binding a Python list of 700 strings costs DuckDB
    about 40 ms, parsing the same ids from JSON well under one.
    """
    if len(ids) == 1:
        params["id0"] = ids[0]
        return f"{column} = $id0"
    params["ids"] = msgspec.json.encode(list(ids)).decode()
    return f"{column} IN (SELECT unnest(from_json($ids, '[\"VARCHAR\"]')))"


def _ids_clause(column: str, ids: list[str], params: dict) -> str:
    # A single id must hit the primary-key index; list_contains would scan the table.
    if len(ids) == 1:
        params["id0"] = ids[0]
        return f"{column} = $id0"
    params["ids"] = ids
    return f"list_contains($ids, {column})"


STAGE_ROWS = 256
"""Inserts of at most this many rows inside a group commit are staged (see :func:`_insert_many`)."""


def _insert_many(cur, table: str, rows: Iterable[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``.

    Inside a group commit (a :class:`~argmap.store._writer.WriteCursor`) a small insert is only
    staged: the transaction's staged rows go in with one INSERT per table, before the next
    query that could read them or before the commit. DuckDB spends about half a millisecond on
    any statement, so eight small writes sharing a commit pay for three inserts, not twenty.
    """
    rows = list(rows)
    if not rows:
        return
    stage = getattr(cur, "stage", None)
    if stage is not None and cur.staging and len(rows) <= STAGE_ROWS:
        stage(table, rows)
        return
    if stage is not None:
        cur.flush()
        cur.changed(deleted=False)
        cur.inserted(table, rows)
        cur = cur.raw
    _insert_now(cur, table, rows)


def _insert_now(cur, table: str, rows: list[dict]) -> None:
    cols = list(rows[0])
    if len(rows) <= 2_000:
        # One statement with one parameter, the rows as JSON: DuckDB binds each parameter at a
        # cost (executemany runs one INSERT per row), and parses JSON fast. 5-20x executemany's
        # speed for the few rows of a small write or a small map.
        spec = msgspec.json.encode({c: _COLUMN_TYPES.get(c, "VARCHAR") for c in cols}).decode()
        cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join('r.' + c for c in cols)} "
            f"FROM (SELECT unnest(from_json($rows, '[{spec}]')) AS r)",
            {"rows": msgspec.json.encode(rows).decode()},
        )
        return
    # A whole map of 100,000 statements: handing DuckDB one Arrow table loads it in well under a second.
    import pyarrow

    cur.register("_argmap_rows", pyarrow.Table.from_pylist(rows))
    try:
        cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _argmap_rows")
    finally:
        cur.unregister("_argmap_rows")


LITERAL_BYTES = 1 << 20
"""Staged rows go in as SQL literals up to this size of statement, past it as JSON."""


def _literal_insert(table: str, rows: list[dict]) -> str | None:
    """``INSERT INTO table (…) VALUES (…), …`` with every value a SQL literal, or None where a
    value should not be written as one (a string with a NUL, which DuckDB's parser stops at; a
    type not listed below) or the statement would pass :data:`LITERAL_BYTES`.

    DuckDB spends ~0.35 ms binding a parameter (more than a small insert costs), and literal
    statements can go to DuckDB several in one call (see ``WriteCursor``). Strings are quoted
    (the only escape of a standard SQL string is a doubled quote); numbers are Python ints;
    dates and times are typed literals; lists of strings are ``VARCHAR[]``.
    """
    cols = list(rows[0])
    types = [_COLUMN_TYPES.get(c, "VARCHAR") for c in cols]
    values = []
    size = 0
    for r in rows:
        out = []
        for c, kind in zip(cols, types):
            v = r[c]
            if v is None:
                out.append("NULL")
            elif type(v) is str:
                if "\x00" in v:
                    return None
                out.append(_quoted(v) if kind == "VARCHAR" else f"{kind} {_quoted(v)}")
            elif type(v) is int:
                out.append(str(v))
            elif type(v) is list and kind == "VARCHAR[]":
                if not all(type(x) is str and "\x00" not in x for x in v):
                    return None
                out.append("[" + ", ".join(map(_quoted, v)) + "]::VARCHAR[]")
            elif isinstance(v, (datetime.date, datetime.datetime)) and kind in ("DATE", "TIMESTAMP"):
                out.append(f"{kind} '{v.isoformat()}'")
            else:
                return None
        row = "(" + ", ".join(out) + ")"
        size += len(row)
        if size > LITERAL_BYTES:
            return None
        values.append(row)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES " + ", ".join(values)


def _quoted(text: str) -> str:
    """A SQL string literal (for names the store builds statements with, never with a NUL)."""
    if "\x00" in text:
        raise ValueError("a NUL in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


_COLUMN_TYPES = {
    "seq": "BIGINT", "version": "BIGINT", "position": "INTEGER", "quote_start": "INTEGER", "quote_end": "INTEGER",
    "published_lo": "DATE", "published_hi": "DATE", "said_lo": "DATE", "said_hi": "DATE",
    "tags": "VARCHAR[]", "sources": "VARCHAR[]", "written_at": "TIMESTAMP", "restored_from": "BIGINT", "changes": "BIGINT",
}
"""Columns of the tables that are not VARCHAR (for :func:`_insert_many`'s JSON rows)."""


def _speaker_row(map_id: str, seq: int, s: Speaker) -> dict:
    return {"map_id": map_id, "id": s.id, "seq": seq, "name": s.name, "role": s.role, "affiliation": s.affiliation}


def _source_row(map_id: str, seq: int, s: Source) -> dict:
    d = partial_date(s.published) if s.published else None
    return {
        "map_id": map_id, "id": s.id, "seq": seq, "title": s.title, "publisher": s.publisher, "url": s.url,
        "published": s.published, "published_lo": d and d.lower, "published_hi": d and d.upper, "text": s.text,
    }


def _statement_row(map_id: str, seq: int, s: Statement) -> dict:
    d = s.date
    q = s.quote
    return {
        "map_id": map_id, "id": s.id, "seq": seq, "text": s.text, "kind": s.kind, "speaker_id": s.speaker,
        "said": s.said, "said_lo": d and d.lower, "said_hi": d and d.upper, "said_precision": d and d.precision,
        "source_id": s.source, "date_source_id": s.date_source,
        "quote_start": q and q.start, "quote_end": q and q.end, "quote_text": q and q.text,
        "tags": list(s.tags), "note": s.note, "extras": _extras_json(s.extras),
    }


_STATEMENT_COLUMNS = (
    "map_id, id, text, kind, speaker_id, said, source_id, date_source_id, quote_start, quote_end, quote_text, tags, "
    "note, extras"
)
_STATEMENT_BY_ID = f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE id = $id"
_ARGUMENT_BY_ID = "SELECT map_id, id, kind, target_id, scheme, note, extras FROM arguments WHERE id = $id"
_PREMISES_OF = "SELECT map_id, statement_id FROM premises WHERE argument_id = $id ORDER BY position"


def _statement(r) -> Statement:
    quote = Quote(start=r[7], end=r[8], text=r[9]) if r[7] is not None else None
    return Statement(
        id=r[0], text=r[1], kind=r[2], speaker=r[3], said=r[4], source=r[5], date_source=r[6],
        quote=quote, tags=list(r[10]), note=r[11], extras=_extras(r[12]),
    )


# An argument's scheme roles and raised question (argmap.schemes) ride in its extras column
# under this key, which no interchange format uses: no new column, so no migration for the
# file and lake back ends. _argument takes them out again; Argument.extras never shows it.
_SCHEME_KEY = "_argmap_scheme"


def _argument_row(map_id: str, seq: int, a: Argument) -> dict:
    extras = a.extras
    if a.roles or a.question is not None:
        extras = {**extras, _SCHEME_KEY: {"roles": a.roles, "question": a.question}}
    return {
        "map_id": map_id, "id": a.id, "seq": seq, "kind": a.kind, "target_id": a.target,
        "scheme": a.scheme, "note": a.note, "extras": _extras_json(extras),
    }


def _argument(r, premises) -> Argument:
    """An Argument from (id, kind, target_id, scheme, note, extras) and its premise ids."""
    extras = _extras(r[5])
    packed = extras.pop(_SCHEME_KEY, None) or {}
    return Argument(id=r[0], kind=r[1], target=r[2], scheme=r[3], note=r[4], extras=extras, premises=premises,
                    roles=packed.get("roles") or {}, question=packed.get("question"))


def _premise_rows(map_id: str, a: Argument) -> list[dict]:
    return [{"map_id": map_id, "argument_id": a.id, "position": i, "statement_id": p} for i, p in enumerate(a.premises)]


def _relation_row(map_id: str, seq: int, r: Relation) -> dict:
    return {
        "map_id": map_id, "id": r.id, "seq": seq, "kind": r.kind, "sources": list(r.sources),
        "target_id": r.target, "scheme": r.scheme, "note": r.note, "extras": _extras_json(r.extras),
    }


def _extras_json(extras: dict) -> str | None:
    return msgspec.json.encode(extras).decode() if extras else None


def _extras(text: str | None) -> dict:
    return msgspec.json.decode(text) if text else {}
