"""The errors argmap raises, one tree with one root (:class:`ArgmapError`).

Each kind has one CLI exit code and one HTTP status (the tree: docs/ARCHITECTURE.md, "One error
tree"). Every error carries ``problems``, a list of :class:`Problem` (``field``, ``reason``)
pointing at the exact place, e.g. ``$.arguments[3].premises[0]``: validation collects them all.

>>> print(DanglingReference("$.arguments[0].target", "unknown statement 's9'"))
$.arguments[0].target: unknown statement 's9'
"""

from __future__ import annotations

import re

import msgspec

__all__ = [
    "ArgmapError",
    "Conflict",
    "DanglingReference",
    "DuplicateId",
    "FormatError",
    "InUse",
    "InvalidInput",
    "LimitExceeded",
    "TooLarge",
    "NotFound",
    "PreconditionFailed",
    "Problem",
    "ReadOnly",
    "from_validation_error",
    "problem_from_message",
]


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with an input: where (``field``, a JSON path or ``line N``) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class ArgmapError(Exception):
    """Root of every error argmap raises on purpose."""

    code = "error"

    def __init__(self, field: str | None = None, reason: str | None = None, *, problems=None):
        probs = list(problems or [])
        if reason is not None:
            probs.insert(0, Problem(field or "", reason))
        self.problems: list[Problem] = probs
        super().__init__("; ".join(str(p) for p in probs) or self.code)

    @property
    def field(self) -> str:
        return self.problems[0].field if self.problems else ""

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else self.code

    def to_dict(self) -> dict:
        """The JSON error shape that the HTTP API answers with."""
        return {
            "error": self.code,
            "message": str(self),
            "problems": [{"field": p.field, "reason": p.reason} for p in self.problems],
        }


class InvalidInput(ArgmapError, ValueError):
    """The input is well-formed but breaks a rule of the model (empty text, bad date, …).

    It is also a ``ValueError``: raised in a Struct's ``__post_init__``, msgspec turns it into a
    ``ValidationError`` with the path when decoding, while a Struct built in Python raises it as
    it is, so both ways in give a typed error naming the field.
    """

    code = "invalid"


class ReadOnly(InvalidInput):
    """The store was opened read-only (a database file this process may not write): reads are
    answered, every write is refused (HTTP 503: the service cannot write, the request is fine).
    An ``InvalidInput`` for callers that catch refusals as such (the store's own tests)."""

    code = "read_only"


class FormatError(InvalidInput):
    """A document (map file, AIF, Argdown, ICCMA) cannot be parsed; the field names the place."""

    code = "format"


class DanglingReference(InvalidInput):
    """An id refers to no speaker, source, statement or argument (of the kind required)."""

    code = "dangling_reference"


class NotFound(ArgmapError):
    """The map or entity asked for does not exist."""

    code = "not_found"


class Conflict(ArgmapError):
    """The write clashes with what is stored."""

    code = "conflict"


class DuplicateId(Conflict):
    """An id is already taken in this map."""

    code = "duplicate_id"


class InUse(Conflict):
    """A delete would leave other entities pointing at nothing; delete with cascade instead."""

    code = "in_use"


class PreconditionFailed(Conflict):
    """A conditional write (HTTP ``If-Match``) found the item changed since the caller read it."""

    code = "precondition_failed"


class LimitExceeded(ArgmapError):
    """An input or a job is over a documented limit (size, depth, time)."""

    code = "limit_exceeded"


class TooLarge(LimitExceeded):
    """A request body is larger than the documented limit for what it is (an imported document
    of its format)."""

    code = "too_large"


_AT = re.compile(r"^(?P<msg>.*) - at `(?P<path>[^`]*)`$", re.S)
_FIELD_MSG = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_.\[\]]*): (?P<reason>.*)$", re.S)
_NAMED_FIELD = re.compile(r"^Object (?:contains unknown|missing required) field `(?P<field>[^`]+)`$")
# PyYAML: "<problem>\n  in "<byte string>", line 3, column 1"; TOML: "<problem> (at line 2, column 9)".
_LINE_COL = re.compile(r"(?:\s*in \"[^\"]*\",)?\s*\(?(?:at )?line (?P<line>\d+), column (?P<col>\d+)\)?")


def problem_from_message(message: str, path: str = "$") -> Problem:
    """A validation message as a Problem whose field is the exact path of what is wrong.

    msgspec says ``"reason - at `$.path`"`` and names an unknown or missing field only in
    the reason; our ``__post_init__`` checks say ``"field: reason"``. Either way the field
    ends up in the path:

    >>> problem_from_message("Object contains unknown field `colour` - at `$.statements[2]`")
    Problem(field='$.statements[2].colour', reason='Object contains unknown field `colour`')
    >>> problem_from_message("text: must not be empty", "$.statements[0]")
    Problem(field='$.statements[0].text', reason='must not be empty')
    """
    if m := _AT.match(message):
        path, message = m["path"], m["msg"]
    if m := _FIELD_MSG.match(message):
        path, message = f"{path}.{m['field']}", m["reason"]
    elif m := _NAMED_FIELD.match(message):
        path = f"{path}.{m['field']}"
    return Problem(path, message)


def from_validation_error(exc: msgspec.MsgspecError, cls=InvalidInput) -> ArgmapError:
    """Turn msgspec's ``"reason - at `$.path`"`` into a Problem with the path as field.

    Our own ``__post_init__`` checks say ``"field: reason"``; the field is appended to the path
    msgspec gives, so the caller sees ``$.statements[2].text`` rather than ``$.statements[2]``.
    An unknown or missing field is named in the path too (``$.statements[2].speeker``). A
    syntax error (a :class:`FormatError`) names its ``line N, column M`` when the parser gives
    one, and its reason is always one line.
    """
    text = str(exc)
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        field = "$"
        if marks := list(_LINE_COL.finditer(text)):
            # PyYAML may give a context mark and then the problem mark: the last is the place.
            field = f"line {marks[-1]['line']}, column {marks[-1]['col']}"
            text = _LINE_COL.sub("", text)
        return FormatError(field, " ".join(text.replace("\n", ": ").split()).strip(": "))
    problem = problem_from_message(text)
    return cls(problem.field, problem.reason)
