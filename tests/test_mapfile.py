"""Map files on disk: formats, the ``text_file`` escape hatch and its fence, and dumps."""

from __future__ import annotations

import json
import os

import pytest

from argmap.errors import FormatError, InvalidInput
from argmap.mapfile import dumps, load, loads
from argmap.model import Map, Quote, Source, Statement

MAP_YAML = """\
id: m
title: T
sources:
  - id: art
    title: Article
    text_file: {text_file}
statements:
  - id: s1
    text: Peace
    source: art
    quote: {{start: 0, end: 5, text: Peace}}
"""


def write_map(folder, text_file: str):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "map.yaml"
    path.write_text(MAP_YAML.format(text_file=text_file), encoding="utf-8")
    return path


def test_text_file_beside_the_map_is_read(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "article.txt").write_text("Peace needs Ukraine.", encoding="utf-8")
    m = load(write_map(tmp_path, "sub/article.txt"))
    assert m.sources[0].text == "Peace needs Ukraine." and m.sources[0].text_file is None


@pytest.mark.parametrize("text_file", ["../secret.txt", "/etc/passwd", "link.txt"], ids=["parent", "absolute", "symlink-out"])
def test_text_file_may_not_leave_the_map_folder(tmp_path, text_file):
    (tmp_path / "secret.txt").write_text("Peace, secretly.", encoding="utf-8")
    folder = tmp_path / "maps"
    folder.mkdir()
    os.symlink(tmp_path / "secret.txt", folder / "link.txt")
    with pytest.raises(InvalidInput) as info:
        load(write_map(folder, text_file))
    assert info.value.field == "$.sources[0].text_file"
    assert "secretly" not in str(info.value), "the file's content never reaches the message"


def test_a_missing_text_file_is_named(tmp_path):
    with pytest.raises(InvalidInput) as info:
        load(write_map(tmp_path, "missing.txt"))
    assert info.value.field == "$.sources[0].text_file" and "cannot read missing.txt" in info.value.reason


def test_a_document_from_elsewhere_may_not_name_a_file(tmp_path):
    with pytest.raises(InvalidInput) as info:
        loads(MAP_YAML.format(text_file="/etc/passwd"))
    assert info.value.field == "$.sources[0].text_file"


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_dumps_and_load_round_trip(tmp_path, suffix):
    m = Map(
        id="m", title="Quotes \"and\" colons: yes", description="Ünïcode – and\nnewlines",
        sources=[Source(id="art", title="A", text="Peace: 'now' – \"or\" never")],
        statements=[Statement(id="s1", text="no", source="art", quote=Quote(start=0, end=5, text="Peace"),
                              said="2025-11-20~", tags=["yes", "null"])],
    )
    path = tmp_path / f"m{suffix}"
    path.write_bytes(dumps(m, format="json" if suffix == ".json" else "yaml"))
    assert load(path) == m


def test_dumps_leaves_out_empty_fields():
    data = json.loads(dumps(Map(id="m", title="T", statements=[Statement(id="s", text="t")])))
    assert data == {"id": "m", "title": "T", "statements": [{"id": "s", "kind": "claim", "text": "t"}]}


def test_a_toml_map_file_loads(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('id = "m"\ntitle = "T"\n[[statements]]\nid = "s"\ntext = "t"\n', encoding="utf-8")
    assert load(path).statements == [Statement(id="s", text="t")]


def test_an_unknown_suffix_is_a_format_error(tmp_path):
    with pytest.raises(FormatError) as info:
        load(tmp_path / "m.xml")
    assert info.value.field == "file"


def test_an_unquoted_yaml_date_with_year_0_is_a_format_error_not_a_crash():
    # Found by the parser fuzz test: PyYAML reads 0000-01-01 as a date and raises ValueError.
    import pytest

    from argmap.errors import FormatError
    from argmap.mapfile import loads

    with pytest.raises(FormatError, match="year 0"):
        loads("id: m\ntitle: t\nstatements:\n- id: s\n  text: x\n  said: 0000-01-01\n", format="yaml")
