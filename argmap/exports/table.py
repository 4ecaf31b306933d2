"""The statements table (one flat row per statement) as CSV, JSON or Parquet, for analysts."""

from __future__ import annotations

import msgspec

from argmap.exports import Export
from argmap.formats import table

__all__ = ["EXPORTS"]


def _make(encode):
    return lambda job: encode(table.statement_rows(job.map.statements))


_COMMON = dict(name="statements", group="Statements", disposition="attachment",
               summary="The statements in the scope as a table: CSV (formula-like cells neutralised for "
               "spreadsheets; tags joined by ';'), JSON rows or Parquet")

EXPORTS = [
    Export(suffix="csv", media_type="text/csv; charset=utf-8", make=_make(table.to_csv), label="CSV",
           note="table for spreadsheets", **_COMMON),
    Export(suffix="json", media_type="application/json", make=_make(table.to_json),
           body_schema={"type": "array", "items": msgspec.json.schema(table.StatementRow)["$defs"]["StatementRow"]},
           **_COMMON),
    Export(suffix="parquet", media_type="application/vnd.apache.parquet", make=_make(table.to_parquet),
           label="Parquet", note="for notebooks", **_COMMON),
]
