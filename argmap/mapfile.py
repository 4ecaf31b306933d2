"""Map files: a whole map written by hand in YAML, JSON or TOML.

>>> from argmap.mapfile import load
>>> m = load("seeds/peace-plan.yaml")          # doctest: +SKIP
>>> len(m.statements) >= 30                     # doctest: +SKIP
True

A source may name ``text_file`` (a UTF-8 file in the map file's own folder or below it) instead
of carrying ``text``; it is read here and nowhere else, so a map sent over HTTP can never make
the server read a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from argmap.errors import FormatError, InvalidInput, from_validation_error
from argmap.model import Map, check_map

__all__ = ["FORMATS", "dumps", "format_of", "load", "loads"]

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
MAX_FILE_BYTES = 50 * 1024 * 1024


def format_of(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise FormatError("file", f"unknown map file type {suffix!r}; use .yaml, .json or .toml") from None


def loads(data: bytes | str, *, format: str = "yaml") -> Map:
    """Decode and check a map document that may not name files (``text_file`` is refused)."""
    try:
        m = decoder_for(format)(data)
    except msgspec.MsgspecError as e:
        raise from_validation_error(e) from None
    # Refused before check_map, which would otherwise blame the quotes into the text not sent.
    for i, src in enumerate(m.sources):
        if src.text_file is not None:
            raise InvalidInput(f"$.sources[{i}].text_file", "only map files on disk may name a text file; send text")
    check_map(m)
    return m


def load(path: str | os.PathLike) -> Map:
    """Read, decode and check a map file; resolve ``text_file`` sources beside it."""
    path = Path(path)
    fmt = format_of(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput("file", f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except OSError as e:
        raise FormatError("file", f"cannot read {path}: {e.strerror}") from None
    try:
        m = decoder_for(fmt)(data)
    except msgspec.MsgspecError as e:
        raise from_validation_error(e) from None
    base = path.resolve().parent
    for i, src in enumerate(m.sources):
        if src.text_file is None:
            continue
        target = (base / src.text_file).resolve()
        if Path(src.text_file).is_absolute() or not target.is_relative_to(base):
            raise InvalidInput(f"$.sources[{i}].text_file", "must name a file in the map file's folder or below it")
        try:
            src.text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(f"$.sources[{i}].text_file", f"cannot read {src.text_file}: {e}") from None
        src.text_file = None
    check_map(m)
    return m


def decoder_for(fmt: str):
    mod = {"json": msgspec.json, "yaml": msgspec.yaml, "toml": msgspec.toml}[fmt]
    return lambda data: mod.decode(data, type=Map)


def dumps(m: Map, *, format: str = "json") -> bytes:
    """Encode a map as a map document (JSON or YAML), leaving out empty optional fields.

    An empty ``extras`` goes too; a non-empty one is written exactly as it is.
    """
    data = msgspec.to_builtins(m, order="deterministic")
    data = _prune(data)
    if format == "yaml":
        return msgspec.yaml.encode(data)
    return msgspec.json.format(msgspec.json.encode(data), indent=2)


def _prune(value):
    if isinstance(value, dict):
        return {
            k: (v if k == "extras" else _prune(v))
            for k, v in value.items()
            if v is not None and v != [] and not (k == "extras" and v == {})
        }
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
