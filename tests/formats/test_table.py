"""The statements table as CSV, JSON and Parquet."""

from __future__ import annotations

import csv
import io

import msgspec
import pyarrow.parquet as pq
import pytest

from argmap.formats.table import COLUMNS, statement_rows, to_csv, to_json, to_parquet
from argmap.model import Quote, Statement

STATEMENTS = [
    Statement(id="s1", text="Plain, with a comma and \"quotes\"\nand a newline.", tags=["a", "b"], said="2025-11"),
    Statement(id="s2", text="=1+1", source="src", quote=Quote(start=3, end=9), note="@note"),
    Statement(id="s3", text="-5 degrees", tags=["+plus"], kind="event"),
]


def _csv(statements) -> list[dict]:
    return list(csv.DictReader(io.StringIO(to_csv(statement_rows(statements)).decode("utf-8"))))


def test_csv_round_trips_text_and_flattens_quotes_and_tags():
    rows = _csv(STATEMENTS)
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["text"] == STATEMENTS[0].text
    assert rows[0]["tags"] == "a;b" and rows[0]["said"] == "2025-11"
    assert (rows[1]["quote_start"], rows[1]["quote_end"]) == ("3", "9")


@pytest.mark.parametrize(("row", "column"), [(1, "text"), (1, "note"), (2, "text"), (2, "tags")])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(row, column):
    cell = _csv(STATEMENTS)[row][column]
    assert cell.startswith("'") and cell[1] in "=+-@"


def test_json_and_parquet_keep_values_as_they_are():
    rows = statement_rows(STATEMENTS)
    as_json = msgspec.json.decode(to_json(rows))
    assert as_json[1]["text"] == "=1+1" and as_json[2]["tags"] == ["+plus"]
    assert pq.read_table(io.BytesIO(to_parquet(rows))).to_pylist() == as_json


def test_an_empty_table_keeps_its_columns():
    table = pq.read_table(io.BytesIO(to_parquet([])))
    assert table.num_rows == 0 and tuple(table.column_names) == COLUMNS
    tags = table.schema.field("tags").type
    assert tags.num_fields == 1 and str(tags.value_type) == "string"  # a list of strings, even with no rows
    assert to_csv([]).decode().strip() == ",".join(COLUMNS)
