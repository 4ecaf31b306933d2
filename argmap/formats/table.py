"""The statements table: one flat row per statement, for spreadsheets and notebooks.

>>> from argmap.model import Statement
>>> rows = statement_rows([Statement(id="s1", text="=HYPERLINK(1)", tags=["-x"])])
>>> to_csv(rows).decode().splitlines()[1]
"s1,claim,'=HYPERLINK(1),,,,,,,'-x,"

The CSV is made safe for spreadsheets: statement text is untrusted, and a cell that starts
with ``= + - @`` (or a tab or carriage return) would run as a formula, so such cells get a
leading apostrophe. JSON and Parquet keep every value as it is.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

import msgspec

from argmap.model import Statement

__all__ = ["COLUMNS", "StatementRow", "statement_rows", "to_csv", "to_json", "to_parquet"]


class StatementRow(msgspec.Struct, kw_only=True):
    """A statement flattened: the quote as two offsets, the tags as a list."""

    id: str
    kind: str
    text: str
    speaker: str | None = None
    said: str | None = None
    source: str | None = None
    date_source: str | None = None
    quote_start: int | None = None
    quote_end: int | None = None
    tags: list[str] = []
    note: str | None = None


COLUMNS: tuple[str, ...] = StatementRow.__struct_fields__


def statement_rows(statements: Iterable[Statement]) -> list[StatementRow]:
    return [
        StatementRow(
            id=s.id, kind=s.kind, text=s.text, speaker=s.speaker, said=s.said, source=s.source,
            date_source=s.date_source, quote_start=s.quote.start if s.quote else None,
            quote_end=s.quote.end if s.quote else None, tags=list(s.tags), note=s.note,
        )
        for s in statements
    ]


def to_json(rows: list[StatementRow]) -> bytes:
    return msgspec.json.encode(rows)


def to_csv(rows: list[StatementRow]) -> bytes:
    """RFC 4180 CSV with a header; tags joined by ``;``; formula-like cells neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([_cell(";".join(v) if isinstance(v, list) else v) for v in (getattr(r, c) for c in COLUMNS)])
    return buf.getvalue().encode("utf-8")


def to_parquet(rows: list[StatementRow]) -> bytes:
    """Parquet with a fixed schema, so that an empty map still has its columns and types."""
    import pyarrow
    import pyarrow.parquet

    table = pyarrow.Table.from_pylist(msgspec.to_builtins(rows), schema=_schema())
    out = io.BytesIO()
    pyarrow.parquet.write_table(table, out)
    return out.getvalue()


# -- Implementation details ----------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _schema():
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [("id", text), ("kind", text), ("text", text), ("speaker", text), ("said", text), ("source", text),
         ("date_source", text), ("quote_start", pa.int64()), ("quote_end", pa.int64()),
         ("tags", pa.list_(text)), ("note", text)]
    )
