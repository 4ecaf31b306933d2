"""The ICCMA file formats for frameworks (``apx``, ``tgf``, ``i23``) and ICCMA's answer conventions.

:func:`load` and :func:`loads` read, :func:`dumps` writes, :func:`answer` prints an answer as
ICCMA solvers do; bad input raises :class:`~argmap.errors.FormatError` naming ``line N``. The
formats and the answers' shapes: docs/ARCHITECTURE.md, "ICCMA formats".

>>> af = loads("p af 3\\n# a comment\\n1 2\\n2 3\\n", "i23")
>>> (af.n, af.m), dumps(af, "apx").split()
((3, 2), ['arg(1).', 'arg(2).', 'arg(3).', 'att(1,2).', 'att(2,3).'])
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import numpy as np

from argmap.errors import FormatError, InvalidInput, LimitExceeded
from argmap.semantics.af import AF
from argmap.semantics.solver import Solution

__all__ = ["FORMATS", "Format", "Style", "answer", "dumps", "format_of", "load", "loads"]

Format = Literal["apx", "tgf", "i23"]
Style = Literal["iccma21", "iccma23"]
FORMATS: dict[str, Format] = {".apx": "apx", ".tgf": "tgf", ".af": "i23", ".i23": "i23"}
MAX_FILE_BYTES = 512 * 1024 * 1024

_NAME = r"[^\s(),%]+"
_APX_FACT = re.compile(rf"\s*(?:arg\(\s*({_NAME})\s*\)|att\(\s*({_NAME})\s*,\s*({_NAME})\s*\))\s*\.")
_WRITABLE = re.compile(rf"^{_NAME}$")


def format_of(path: str | os.PathLike) -> Format:
    """The format a file name implies: ``.apx``, ``.tgf``, ``.af``/``.i23``."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise FormatError(
            "file", f"cannot tell the format of {suffix or 'a file without extension'!r}; "
            "use .apx, .tgf or .af (ICCMA 2023), or name the format"
        ) from None


def load(path: str | os.PathLike, format: Format | None = None) -> AF:
    """Read a framework file; the format comes from the extension unless given."""
    path = Path(path)
    fmt = format or format_of(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput("file", f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise FormatError("file", f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise FormatError("file", f"{path} is not UTF-8 text (byte {e.start})") from None
    return loads(text, fmt)


def loads(text: str, format: Format, *, max_arguments: int | None = None) -> AF:
    """Parse a framework from text in one of the :data:`FORMATS`.

    ``max_arguments`` refuses (``LimitExceeded``) a framework with more arguments, before any
    allocation that grows with them: ``p af 10000000`` is 15 bytes that declare ten million.
    """
    if format == "apx":
        af = _read_apx(text)
    elif format == "tgf":
        af = _read_tgf(text)
    elif format == "i23":
        return _read_i23(text, max_arguments)
    else:
        raise InvalidInput("format", f"unknown format {format!r}; use apx, tgf or i23")
    check_size(af.n, max_arguments)
    return af


def check_size(n: int, max_arguments: int | None, field: str = "arguments") -> None:
    """Refuse a framework of ``n`` arguments over ``max_arguments`` (None: no limit)."""
    if max_arguments is not None and n > max_arguments:
        raise LimitExceeded(field, f"{n:,} arguments is over the limit of {max_arguments:,} for one framework")


def dumps(af: AF, format: Format) -> str:
    """Write ``af`` as text; names must be writable in the format (no spaces, brackets, commas)."""
    if format == "i23":
        src, dst = af.edges()
        lines = [f"p af {af.n}"]
        lines += [f"{a + 1} {b + 1}" for a, b in zip(src.tolist(), dst.tolist())]
        return "\n".join(lines) + "\n"
    names = [af.name(i) for i in range(af.n)]
    for name in names:
        if not _WRITABLE.match(name):
            raise InvalidInput("names", f"argument name {name!r} cannot be written as {format}")
    src, dst = af.edges()
    pairs = zip(src.tolist(), dst.tolist())
    if format == "apx":
        lines = [f"arg({x})." for x in names] + [f"att({names[a]},{names[b]})." for a, b in pairs]
    elif format == "tgf":
        lines = names + ["#"] + [f"{names[a]} {names[b]}" for a, b in pairs]
    else:
        raise InvalidInput("format", f"unknown format {format!r}; use apx, tgf or i23")
    return "\n".join(lines) + "\n"


def answer(solution: Solution, style: Style = "iccma21") -> str:
    """The text an ICCMA solver prints for ``solution`` (one or more lines, newline-ended)."""
    if style == "iccma23":
        def ext(names: list[str]) -> str:
            return " ".join(["w", *names])
    else:
        def ext(names: list[str]) -> str:
            return "[" + ",".join(names) + "]"
    if solution.task == "se":
        return (ext(solution.extension) if solution.extension is not None else "NO") + "\n"
    if solution.task == "ee":
        exts = solution.extensions or []
        if style == "iccma23":
            return "".join(ext(e) + "\n" for e in exts) or "NO\n"
        return "[" + ",".join(ext(e) for e in exts) + "]\n"
    text = "YES\n" if solution.accepted else "NO\n"
    if style == "iccma23" and solution.extension is not None:
        text += ext(solution.extension) + "\n"
    return text


# Implementation details ----------------------------------------------------------------


def _read_apx(text: str) -> AF:
    # Facts are a set in any order (ASP semantics): an attack may precede its arg(...) facts,
    # and a repeated fact is the same fact.
    names: dict[str, int] = {}
    attacks: list[tuple[int, str, str]] = []
    for no, line in enumerate(text.splitlines(), 1):
        body = line.split("%", 1)[0].rstrip()
        pos = 0
        while pos < len(body):
            m = _APX_FACT.match(body, pos)
            if m is None:
                found = body[pos:].strip()[:40]
                raise FormatError(f"line {no}", f"expected arg(NAME). or att(NAME,NAME). but found {found!r}")
            if m[1] is not None:
                names.setdefault(m[1], len(names))
            else:
                attacks.append((no, m[2], m[3]))
            pos = m.end()
    src: list[int] = []
    dst: list[int] = []
    for no, a, b in attacks:
        for x in (a, b):
            if x not in names:
                raise FormatError(f"line {no}", f"att({a},{b}): argument {x!r} is not declared by arg({x}).")
        src.append(names[a])
        dst.append(names[b])
    return AF.from_edges(len(names), src, dst, list(names))


def _read_tgf(text: str) -> AF:
    names: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    in_edges = False
    for no, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if parts == ["#"]:
            if in_edges:
                raise FormatError(f"line {no}", "a second '#' line; the file has one, between arguments and attacks")
            in_edges = True
        elif not in_edges:
            if len(parts) != 1:
                raise FormatError(f"line {no}", f"expected one argument name before the '#' line, found {len(parts)} words")
            if parts[0] in names:
                raise FormatError(f"line {no}", f"argument {parts[0]!r} is listed twice")
            names[parts[0]] = len(names)
        else:
            if len(parts) != 2:
                raise FormatError(f"line {no}", f"expected an attack 'a b' after the '#' line, found {len(parts)} words")
            for x in parts:
                if x not in names:
                    raise FormatError(f"line {no}", f"attack {parts[0]} {parts[1]}: argument {x!r} is not listed before '#'")
            src.append(names[parts[0]])
            dst.append(names[parts[1]])
    return AF.from_edges(len(names), src, dst, list(names))


def _read_i23(text: str, max_arguments: int | None = None) -> AF:
    if "#" in text:  # blank out comment lines, keeping line numbers
        text = "\n".join("" if line.startswith("#") else line for line in text.split("\n"))
    m = re.search(r"\S", text)
    if m is None:
        raise FormatError("line 1", "missing the header 'p af N'")
    header_no = text.count("\n", 0, m.start()) + 1
    end = text.find("\n", m.start())
    end = len(text) if end < 0 else end
    header = text[m.start() : end].split()
    if len(header) != 3 or header[:2] != ["p", "af"] or not (header[2].isascii() and header[2].isdigit()):
        raise FormatError(f"line {header_no}", f"expected the header 'p af N', found {' '.join(header)[:40]!r}")
    n = int(header[2])
    if n >= 2**31 - 1:
        raise FormatError(f"line {header_no}", f"{n} arguments is over the limit of 2**31 - 2")
    check_size(n, max_arguments, f"line {header_no}")
    body = text[end + 1 :]
    values = _i23_values(body)
    if values is not None and (values.size == 0 or (values.min() >= 1 and values.max() <= n)):
        return AF.from_edges(n, values[0::2] - 1, values[1::2] - 1)
    # Slow path: find the first bad line and say why.
    for k, line in enumerate(body.split("\n")):
        parts = line.split()
        if not parts:
            continue
        no = header_no + 1 + k
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            raise FormatError(f"line {no}", f"expected an attack 'i j' (two argument numbers), found {line.strip()[:40]!r}")
        for p in parts:
            if not 1 <= int(p) <= n:
                raise FormatError(f"line {no}", f"argument {p} is outside 1..{n} declared by 'p af {n}'")
    raise FormatError(f"line {header_no + 1}", "cannot parse the attacks")  # pragma: no cover


def _i23_values(body: str) -> np.ndarray | None:
    """The numbers of a well-formed attack body (lines of 'i j', or blank), or None.

    Checked on the bytes with numpy (a regex or a Python loop takes seconds on 3M lines):
    only digits, blanks and newlines; two numbers on each non-blank line; at most 10 digits.
    """
    try:
        raw = np.frombuffer(body.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        return None
    digit = (raw >= 48) & (raw <= 57)
    newline = raw == 10
    if not (digit | newline | (raw == 32) | (raw == 9) | (raw == 13)).all():
        return None
    if not digit.any():
        return np.zeros(0, dtype=np.int64)
    before = np.concatenate(([False], digit[:-1]))
    after = np.concatenate((digit[1:], [False]))
    starts, ends = np.flatnonzero(digit & ~before), np.flatnonzero(digit & ~after)
    if (ends - starts).max() >= 10:
        return None
    line = np.searchsorted(np.flatnonzero(newline), starts)  # the line of each number
    per_line = np.bincount(line)
    if not ((per_line == 0) | (per_line == 2)).all():
        return None
    return np.fromstring(body, dtype=np.int64, sep=" ")
