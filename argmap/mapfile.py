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

from argmap.errors import ArgmapError, FormatError, InvalidInput, from_validation_error
from argmap.model import Map, check_map

__all__ = ["FORMATS", "decode_map", "dumps", "format_of", "load", "loads"]

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_YAML_NODES = 1_000_000
"""Values a YAML document may expand to. Anchors and aliases may repeat a part of a map file,
but ten levels of nine aliases each (a "billion laughs" of 700 bytes) would expand to 3.5
billion values and exhaust memory while the map is checked."""


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


def decode_map(data: bytes | str, *, format: str = "json") -> Map:
    """Decode and check a map document from elsewhere (an HTTP body, stdin): :func:`loads`,
    JSON by default; raise InvalidInput/FormatError naming the field.

    >>> decode_map(b'{"id": "m", "title": "T", "statements": [{"id": "s", "text": "x"}]}').id
    'm'
    """
    return loads(data, format=format)


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
    """A function of bytes or text to a :class:`Map`; raises msgspec errors only.

    A document nested past the interpreter's recursion limit (TOML's reader and msgspec's
    converter recurse), or TOML that is not UTF-8, is a ``DecodeError`` like any other
    malformed document.
    """
    decode = _yaml_decode if fmt == "yaml" else {"json": msgspec.json, "toml": msgspec.toml}[fmt].decode

    def decoder(data):
        try:
            return decode(data, type=Map)
        except RecursionError:
            raise msgspec.DecodeError("the document is nested too deeply") from None
        except UnicodeDecodeError as e:  # msgspec.toml decodes bytes itself, and lets this through
            raise msgspec.DecodeError(f"a map file must be UTF-8 ({e.reason} at byte {e.start})") from None
        except ValueError as e:  # PyYAML's own date reading (year 0) raises it bare
            if isinstance(e, (msgspec.MsgspecError, ArgmapError)):  # DecodeError is a ValueError too
                raise
            raise msgspec.DecodeError(f"unreadable document: {e}") from None

    return decoder


def _yaml_decode(data: bytes | str, *, type: type) -> Map:
    # msgspec.yaml.decode, with the alias expansion bounded before anything is built.
    import datetime

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(data)
    try:
        node = loader.get_single_node()
        if node is not None:
            _bound_expansion(node)
        obj = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise msgspec.DecodeError(str(exc)) from None
    finally:
        loader.dispose()
    return msgspec.convert(obj, type, builtin_types=(datetime.datetime, datetime.date), strict=True)


def _bound_expansion(root) -> None:
    """Refuse a YAML node graph whose aliases would expand past :data:`MAX_YAML_NODES` values."""
    import yaml

    size: dict[int, int] = {}
    stack = [(root, False)]
    while stack:  # post-order, iterative: each shared (anchored) node is sized once
        node, done = stack.pop()
        if id(node) in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            size[id(node)] = 1
            continue
        kids = [n for kv in node.value for n in kv] if isinstance(node, yaml.MappingNode) else node.value
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        size[id(node)] = 1 + sum(size.get(id(k), 0) for k in kids)
        if size[id(node)] > MAX_YAML_NODES:
            raise msgspec.DecodeError(
                f"line {node.start_mark.line + 1}: aliases expand this document past {MAX_YAML_NODES:,} values"
            )


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
            if v is not None and v != [] and not (k in ("extras", "roles") and v == {})
        }
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
