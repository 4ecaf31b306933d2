"""The argument model: speakers, sources, statements, arguments and the map that holds them.

Each Struct crosses an edge (map file, HTTP body, store answer), so it checks itself when decoded
and names the field it refuses; :func:`check_map` checks a whole map (references, quote spans).
Dates are EDTF level 1 strings, read once into a :class:`PartialDate` (docs/ARCHITECTURE.md, "Dates").

>>> msgspec.json.decode(b'{"id": "s1", "text": " "}', type=Statement)
Traceback (most recent call last):
msgspec.ValidationError: text: must not be empty or only white space
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import unicodedata
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta

from argmap.errors import DanglingReference, InvalidInput, Problem, from_validation_error

__all__ = [
    "Argument",
    "ArgumentKind",
    "Edtf",
    "Extras",
    "Id",
    "Map",
    "MapInfo",
    "PartialDate",
    "Quote",
    "Relation",
    "RelationKind",
    "Source",
    "Speaker",
    "Statement",
    "StatementKind",
    "check_map",
    "partial_date",
    "quote_problem",
    "target_problem",
    "validate",
    "visible",
]

# Patterns match the whole value. msgspec checks a pattern with re.search, where "$" also
# matches before a final newline ("peace-plan\n" would pass "^...$"); "(?!\n)" after "$" closes
# that, and means nothing to JSON Schema's ECMA-262 regexes, whose "$" is the end already.
_END = r"$(?!\n)"

Id = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:~-]*" + _END,
        description="An identifier, unique in its map: letters, digits and _ . : ~ -",
        examples=["kallas-no-viable-plan"],
    ),
]
Edtf = Annotated[
    str,
    Meta(
        min_length=4,
        max_length=64,
        description="A date in EDTF level 1: 2025, 2025-11, 2025-11-20, 2025-11-26~ (approximate), "
        "2025-11-20? (uncertain), 2025-11-20T21:00:00Z, or an interval 2025-11-19/2025-11-21",
        examples=["2025-11-20", "2025-11", "2025-11-26~"],
    ),
]
Text = Annotated[str, Meta(min_length=1, max_length=100_000)]
Name = Annotated[str, Meta(min_length=1, max_length=500)]
Tag = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[^\s,#][^\s,]*" + _END)]
SchemePart = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*" + _END,
        description="A premise role or critical question of a scheme in the catalogue (GET /schemes/{id})",
        examples=["expertise"],
    ),
]

Extras = Annotated[
    dict[str, Any],
    Meta(
        description="What an interchange format said that the model has no field for, keyed by format "
        "('aif', 'argdown'): kept so that exporting to that format again writes it back. argmap never "
        "interprets it.",
        examples=[{"aif": {"nodeID": 697878, "timestamp": "2021-05-17 10:21:10"}}],
    ),
]
MAX_EXTRAS_BYTES = 100_000

StatementKind = Literal["claim", "event", "derived"]
ArgumentKind = Literal["support", "attack", "undercut"]
RelationKind = Literal["rephrase", "preference"]
Precision = Literal["year", "month", "day", "time", "interval"]


class PartialDate(msgspec.Struct, frozen=True, kw_only=True):
    """What an EDTF date means: the days it may denote and how it was known.

    >>> d = partial_date("2025-11")
    >>> (d.lower.isoformat(), d.upper.isoformat(), d.precision)
    ('2025-11-01', '2025-11-30', 'month')
    >>> partial_date("2025-11-26~").approximate
    True
    """

    edtf: str
    lower: _dt.date
    upper: _dt.date
    precision: Precision
    approximate: bool = False
    uncertain: bool = False

    def overlaps(self, lower: _dt.date | None, upper: _dt.date | None) -> bool:
        """Whether any day of this date falls in the closed range [lower, upper]."""
        return (lower is None or self.upper >= lower) and (upper is None or self.lower <= upper)

    def label(self) -> str:
        """A human reading that shows the precision: '20 Nov 2025', 'Nov 2025', 'c. 26 Nov 2025'."""
        if self.precision == "interval":
            # Each end keeps its own precision: '2025-11/2025-12' is 'Nov 2025 – Dec 2025'.
            start, end = (partial_date(part).label() for part in self.edtf.split("/"))
            text = f"{start} – {end}"
        else:
            text = _fmt(self.lower, self.precision)
            if self.precision == "time":
                text = f"{text}, {self.edtf.split('T', 1)[1].rstrip('~?%')}"
        if self.approximate:
            text = f"c. {text}"
        if self.uncertain:
            text = f"{text} (?)"
        return text


_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")


def _plain_date(value: str) -> PartialDate | None:
    m = _PLAIN.fullmatch(value)
    if m is None:
        return None
    year, qualifier = int(m[1]), m[4]
    month = int(m[2]) if m[2] is not None else None
    day = int(m[3]) if m[3] is not None else None
    try:
        if day is not None:
            lower = upper = _dt.date(year, month, day)
            precision = "day"
        elif month is not None:
            lower = _dt.date(year, month, 1)
            upper = _dt.date(year, month, calendar.monthrange(year, month)[1])
            precision = "month"
        else:
            lower, upper, precision = _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"
    except ValueError:
        return None  # let the library give its reason for an impossible date
    return PartialDate(
        edtf=value, lower=lower, upper=upper, precision=precision,
        approximate=qualifier in ("~", "%"), uncertain=qualifier in ("?", "%"),
    )


def _fmt(d: _dt.date, precision: str) -> str:
    if precision == "year":
        return f"{d.year}"
    if precision == "month":
        return d.strftime("%b %Y")
    return f"{d.day} {d.strftime('%b %Y')}"


@lru_cache(maxsize=65536)
def partial_date(value: str) -> PartialDate:
    """Parse an EDTF string; raise ``InvalidInput`` (a ``ValueError``) with a reason a person can act on.

    Cached: the EDTF grammar (pyparsing) costs 10-20 ms a call, and maps repeat dates. The
    plain forms (``2025``, ``2025-11``, ``2025-11-20``, each optionally ``~``/``?``/``%``) take
    a fast path that a test holds equal to the library's reading; everything else goes to it.
    """
    if fast := _plain_date(value):
        return fast
    if not value.isascii() or not value.isprintable() or value != value.strip():
        # The EDTF library reads "2025-11-20\n" as 2025-11-20: one date, two spellings.
        raise InvalidInput("date", f"{value!r} is not a valid EDTF date (white space, controls "
                           "and characters outside ASCII are refused)")
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parsed = parse_edtf(value)
    except EDTFParseException:
        raise InvalidInput(
            "date",
            f"{value!r} is not a valid EDTF date (expected e.g. 2025, 2025-11, 2025-11-20, "
            "2025-11-26~); impossible dates such as 2025-02-30 are refused"
        ) from None
    kind = type(parsed).__name__
    approximate = uncertain = False
    if kind == "Interval":
        precision = "interval"
    elif kind == "DateAndTime":
        precision = "time"
    elif kind == "Date":
        precision = parsed.precision
    elif kind == "UncertainOrApproximate" and type(parsed.date).__name__ == "Date":
        precision = parsed.date.precision
        approximate = bool(parsed.is_approximate or parsed.is_uncertain_and_approximate)
        uncertain = bool(parsed.is_uncertain or parsed.is_uncertain_and_approximate)
    else:
        raise InvalidInput("date", f"{value!r}: this kind of EDTF date ({kind}) is not supported")
    if precision not in ("year", "month", "day", "time", "interval"):
        raise InvalidInput("date", f"{value!r}: unsupported precision {precision!r}")
    try:
        lower = _dt.date(*parsed.lower_strict()[:3])
        upper = _dt.date(*parsed.upper_strict()[:3])
    except (ValueError, TypeError):
        raise InvalidInput("date", f"{value!r} is not a date that exists") from None
    if upper < lower:
        raise InvalidInput("date", f"{value!r}: the interval ends before it starts")
    return PartialDate(
        edtf=value, lower=lower, upper=upper, precision=precision,
        approximate=approximate, uncertain=uncertain,
    )


def _check_date(field: str, value: str | None) -> None:
    if value is not None:
        try:
            partial_date(value)
        except InvalidInput as e:
            raise InvalidInput(field, e.reason) from None


def _check_extras(value: dict) -> None:
    # Extras come from untrusted documents and are stored as they are: bound their size, and
    # hold every string in them (keys too) to the same character rule as the text fields.
    if not value:
        return
    if "_argmap_scheme" in value:  # where the store keeps an argument's roles and question
        raise InvalidInput("extras", "the key '_argmap_scheme' is reserved")
    if len(msgspec.json.encode(value)) > MAX_EXTRAS_BYTES:
        raise InvalidInput("extras", f"more than {MAX_EXTRAS_BYTES:,} bytes as JSON")
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_chars("extras", item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_ends(field: str, ids: list[str], target: str) -> None:
    """An inference or relation names each of its ``ids`` once, and never its own ``target``."""
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(p for p in ids if p in seen or seen.add(p))
        raise InvalidInput(field, f"{dup!r} is listed twice")
    if target in ids:
        raise InvalidInput("target", f"{target!r} cannot be one of its own {field}")


# -- the one text rule ------------------------------------------------------------------------
# Every text field of the model (names, titles, statement text, notes, descriptions, schemes,
# source text, tags, every string in extras) is held to one rule:
#   1. no NUL and no lone surrogate anywhere: neither survives a round trip (DuckDB, XML, UTF-8);
#   2. a text that is given shows something: at least one character that is not white space, a
#      control, a format character (zero-width space and joiners, the BOM, bidi marks) or a
#      separator. An invisible statement or name reads as nothing and looks equal to another.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def _check_chars(field: str, value: str) -> None:
    if m := _FORBIDDEN.search(value):
        what = "NUL characters" if m[0] == "\x00" else "lone surrogates (not Unicode text)"
        raise InvalidInput(field, f"must not contain {what}")


def visible(value: str) -> bool:
    """Whether ``value`` shows anything: a character that is not white space, a control, a
    format character (zero-width space, BOM, bidi marks) or a separator.

    >>> visible("\u200b\ufeff \t"), visible("\u200bx")
    (False, True)
    """
    for c in value:  # the first visible character ends it: a text costs what its blank prefix costs
        if not c.isspace() and unicodedata.category(c) not in _INVISIBLE:
            return True
    return False


def _check_word(field: str, value: str | None) -> None:
    """The text rule for a one-word value (a tag, a URL): also no control or format character."""
    if value is not None and not value.isprintable():
        bad = next(c for c in value if not c.isprintable())
        raise InvalidInput(field, f"must not contain {unicodedata.name(bad, f'U+{ord(bad):04X}')} "
                           f"(controls and invisible characters are refused)")


def _check_text(field: str, value: str | None) -> None:
    """The text rule (above) for one field; ``None`` (not given) passes."""
    if value is None:
        return
    if not visible(value):
        raise InvalidInput(field, "must not be empty or only white space" if not value.strip() else
                           "must show something: it is only controls or invisible characters "
                           "(zero-width spaces, BOM, bidi marks)")
    _check_chars(field, value)


class Speaker(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Someone who says things. An unnamed adviser has a ``role`` and no ``name``."""

    id: Id
    name: Name | None = None
    role: Name | None = None
    affiliation: Name | None = None

    def __post_init__(self):
        _check_text("name", self.name)
        _check_text("role", self.role)
        _check_text("affiliation", self.affiliation)
        if self.name is None and self.role is None:
            raise InvalidInput("name", "a speaker needs a name or, if unnamed, a role")

    @property
    def label(self) -> str:
        """'Kaja Kallas' or, for an unnamed speaker, '(unnamed) close adviser to Zelensky'."""
        return self.name or f"(unnamed) {self.role}"


class Source(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where statements are reported. ``text`` (optional) is what quote spans point into.

    In a map file, ``text_file`` may name a UTF-8 file beside the map file instead of ``text``;
    :func:`argmap.mapfile.load` reads it. Nothing else ever reads a path named in input.
    """

    id: Id
    title: Name
    publisher: Name | None = None
    url: Annotated[str, Meta(max_length=2000, pattern=r"^https?://\S+" + _END)] | None = None
    published: Edtf | None = None
    text: Annotated[str, Meta(max_length=10_000_000)] | None = None
    text_file: Annotated[str, Meta(max_length=500)] | None = None

    def __post_init__(self):
        _check_text("title", self.title)
        _check_text("publisher", self.publisher)
        _check_text("text", self.text)
        _check_text("text_file", self.text_file)
        _check_word("url", self.url)
        _check_date("published", self.published)
        if self.text is not None and self.text_file is not None:
            raise InvalidInput("text_file", "give either text or text_file, not both")


class Quote(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A span ``[start, end)`` of character offsets into the statement's source text.

    ``text``, when given, must equal the span: it keeps a hand-written file honest.
    """

    start: Annotated[int, Meta(ge=0)]
    end: Annotated[int, Meta(ge=1)]
    text: str | None = None

    def __post_init__(self):
        if self.end <= self.start:
            raise InvalidInput("end", "must be greater than start")
        if self.text is not None:
            _check_chars("text", self.text)  # a span may be white space; it must equal the source's


# gc=False: not tracked by Python's cyclic garbage collector. A statement holds only strings, a
# Quote, a list of tags and JSON extras, so it is never part of a cycle; servers cache up to
# 200,000 of them (argmap.query), which every full collection would otherwise walk with all
# threads stopped. (The docstring below is published in schemas/, hence a comment here.)
class Statement(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """A proposition (an AIF I-node): a claim someone asserts, a reported event, or a
    ``derived`` conclusion that stands only while one of its supports stands.

    ``said`` is when it was said (or happened); ``date_source`` names the source that gives
    that date when it is not ``source`` itself (an article may quote without dating).
    """

    id: Id
    text: Text
    kind: StatementKind = "claim"
    speaker: Id | None = None
    said: Edtf | None = None
    source: Id | None = None
    date_source: Id | None = None
    quote: Quote | None = None
    tags: list[Tag] = []
    note: Annotated[str, Meta(max_length=10_000)] | None = None
    extras: Extras = {}

    def __post_init__(self):
        _check_text("text", self.text)
        _check_text("note", self.note)
        _check_date("said", self.said)
        _check_extras(self.extras)
        for tag in self.tags:
            _check_word("tags", tag)
        if len(set(self.tags)) != len(self.tags):
            raise InvalidInput("tags", "a tag is repeated")
        if self.quote is not None and self.source is None:
            raise InvalidInput("quote", "a quote needs a source to point into")

    @property
    def date(self) -> PartialDate | None:
        return partial_date(self.said) if self.said else None


class Argument(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An inference (AIF RA/CA node): ``premises`` jointly support or attack ``target``.

    ``target`` is a statement for ``support`` and ``attack`` (a rebuttal), and an argument for
    ``undercut`` (it denies that the premises lead to the conclusion).
    """

    id: Id
    kind: ArgumentKind
    premises: Annotated[list[Id], Meta(min_length=1, max_length=1000)]
    target: Id
    scheme: Name | None = None
    note: Annotated[str, Meta(max_length=10_000)] | None = None
    extras: Extras = {}
    roles: Annotated[
        dict[Id, SchemePart],
        Meta(description="The role each named premise plays in the scheme: a premise role (major, minor, "
             "...) or the id of an assumption question the premise answers (argmap.schemes)"),
    ] = {}
    question: Annotated[
        SchemePart | None,
        Meta(description="For an undercut: the critical question of its target's scheme that it raises; for "
             "an attack: the question it raises of every argument that uses its target as a premise"),
    ] = None

    def __post_init__(self):
        _check_text("scheme", self.scheme)
        _check_text("note", self.note)
        _check_extras(self.extras)
        _check_ends("premises", self.premises, self.target)
        if stray := next((p for p in self.roles if p not in self.premises), None):
            raise InvalidInput("roles", f"{stray!r} is not one of the premises")
        if self.question is not None and self.kind == "support":
            raise InvalidInput("question", "a support raises no question (an undercut or an attack does)")
        if self.target == self.id:
            raise InvalidInput("target", "an argument cannot target itself")


class Relation(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A link that neither supports nor attacks: a ``rephrase`` (AIF MA node: ``target``
    restates the statements in ``sources``) or a ``preference`` (AIF PA node: each of
    ``sources`` is preferred to ``target``; statements or arguments, as AIF allows both).

    >>> Relation(id="ma1", kind="rephrase", sources=["s1"], target="s2").kind
    'rephrase'
    """

    id: Id
    kind: RelationKind
    sources: Annotated[list[Id], Meta(min_length=1, max_length=1000)]
    target: Id
    scheme: Name | None = None
    note: Annotated[str, Meta(max_length=10_000)] | None = None
    extras: Extras = {}

    def __post_init__(self):
        _check_text("scheme", self.scheme)
        _check_text("note", self.note)
        _check_extras(self.extras)
        _check_ends("sources", self.sources, self.target)


RESERVED_MAP_IDS = frozenset({"import"})
"""Map ids that name a route of their own (``/maps/import``): a map so named could be created
but never read, changed or deleted over HTTP."""

RESERVED_MAP_SUFFIXES = frozenset({
    "json", "yaml", "yml", "toml", "argdown", "ad", "aif", "jsonld", "xml", "svg", "pdf", "png",
    "jpg", "jpeg", "gif", "webp", "dot", "gv", "csv", "tsv", "html", "htm", "md", "txt", "graphml",
    "gexf", "mmd", "mermaid", "tex", "tikz", "ics", "atom", "rss", "zip", "gz", "parquet", "ttl",
})
"""Map ids may not end in ``.`` and one of these (in any case): ``/maps/peace-plan.json`` is the
document of map ``peace-plan``, so a map named ``peace-plan.json`` could never be read, and an
impostor would answer in its place where the document was meant. The list holds every
extension argmap answers or reads (a test pins it against the routes) and common ones it may."""


def _check_map_id(value: str) -> None:
    if value in RESERVED_MAP_IDS:
        raise InvalidInput("id", f"{value!r} is reserved (/maps/{value} is a route); choose another map id")
    stem, dot, suffix = value.rpartition(".")
    if dot and stem and suffix.lower() in RESERVED_MAP_SUFFIXES:
        raise InvalidInput("id", f"{value!r} ends in .{suffix}, which names a document format "
                           f"(/maps/{stem}.{suffix}); choose a map id without it")


class MapInfo(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A map's own fields, without its content."""

    id: Id
    title: Name
    description: Annotated[str, Meta(max_length=20_000)] | None = None

    def __post_init__(self):
        _check_map_id(self.id)
        _check_text("title", self.title)
        _check_text("description", self.description)


class Map(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A whole argument map: the map file's shape and what the store loads in one transaction."""

    id: Id
    title: Name
    description: Annotated[str, Meta(max_length=20_000)] | None = None
    speakers: list[Speaker] = []
    sources: list[Source] = []
    statements: list[Statement] = []
    arguments: list[Argument] = []
    relations: list[Relation] = []
    extras: Extras = {}

    def __post_init__(self):
        _check_map_id(self.id)
        _check_text("title", self.title)
        _check_text("description", self.description)
        _check_extras(self.extras)

    @property
    def info(self) -> MapInfo:
        return MapInfo(id=self.id, title=self.title, description=self.description)


S = TypeVar("S", bound=msgspec.Struct)


def validate(obj: S) -> S:
    """A checked copy of a Struct built in Python, refused with InvalidInput naming the field.

    msgspec enforces ``Meta`` constraints (lengths, id patterns, ``Literal`` kinds) only when
    decoding, so ``Argument(premises=[], ...)`` built in Python passes unchecked; whatever
    stores a Struct it did not decode itself passes it through here first.

    >>> validate(Argument(id="a", kind="support", premises=[], target="c"))
    Traceback (most recent call last):
    ...
    argmap.errors.InvalidInput: $.premises: Expected `array` of length >= 1
    """
    try:
        return msgspec.convert(msgspec.to_builtins(obj), type(obj))
    except msgspec.ValidationError as e:
        raise from_validation_error(e) from None


def check_map(m: Map) -> None:
    """Check what single Structs cannot: ids unique, references resolve, quotes fit.

    Raises :class:`~argmap.errors.InvalidInput` (or its subclass ``DanglingReference`` when
    every problem is a reference) listing every problem with its JSON path.
    """
    problems: list[Problem] = []
    dangling = True

    def bad(path: str, reason: str, *, ref: bool = False) -> None:
        nonlocal dangling
        dangling = dangling and ref
        problems.append(Problem(path, reason))

    def unique(items, section):
        # The first use of an id is the one references resolve to (and the duplicate message
        # points at), so a repeated id gives one problem, not a second one from its stand-in.
        first: dict[str, object] = {}
        where: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                bad(f"$.{section}[{i}].id", f"duplicate id {item.id!r} (first at $.{section}[{where[item.id]}])")
                continue
            first[item.id], where[item.id] = item, i
        return first, where

    speakers, _ = unique(m.speakers, "speakers")
    sources, _ = unique(m.sources, "sources")
    statements, statement_at = unique(m.statements, "statements")
    arguments, argument_at = unique(m.arguments, "arguments")
    relations, relation_at = unique(m.relations, "relations")
    # Statements, arguments and relations share one id space: an undercut's target, and a
    # relation's ends, must be unambiguous.
    for aid in sorted(statements.keys() & arguments.keys(), key=argument_at.__getitem__):
        bad(
            f"$.arguments[{argument_at[aid]}].id",
            f"id {aid!r} is already used by a statement (at $.statements[{statement_at[aid]}])",
        )
    for rid in sorted(relations.keys() & (statements.keys() | arguments.keys()), key=relation_at.__getitem__):
        section, at = ("statements", statement_at) if rid in statements else ("arguments", argument_at)
        bad(
            f"$.relations[{relation_at[rid]}].id",
            f"id {rid!r} is already used by a {section[:-1]} (at $.{section}[{at[rid]}])",
        )

    for i, s in enumerate(m.statements):
        at = f"$.statements[{i}]"
        if s.speaker is not None and s.speaker not in speakers:
            bad(f"{at}.speaker", f"unknown speaker {s.speaker!r}", ref=True)
        if s.date_source is not None and s.date_source not in sources:
            bad(f"{at}.date_source", f"unknown source {s.date_source!r}", ref=True)
        if s.source is not None and s.source not in sources:
            bad(f"{at}.source", f"unknown source {s.source!r}", ref=True)
        elif s.quote is not None:
            if reason := quote_problem(s.quote, sources[s.source]):
                bad(f"{at}.quote", reason)
    for i, a in enumerate(m.arguments):
        at = f"$.arguments[{i}]"
        for j, p in enumerate(a.premises):
            if p not in statements:
                what = "an argument, not a statement" if p in arguments else "unknown statement"
                bad(f"{at}.premises[{j}]", f"{what} {p!r}", ref=True)
        if reason := target_problem(a, statements.__contains__, arguments.__contains__):
            bad(f"{at}.target", reason, ref=True)
    for i, r in enumerate(m.relations):
        at = f"$.relations[{i}]"
        for field, ref in [*((f"sources[{j}]", x) for j, x in enumerate(r.sources)), ("target", r.target)]:
            if reason := relation_ref_problem(r.kind, ref, statements.__contains__, arguments.__contains__):
                bad(f"{at}.{field}", reason, ref=True)
    if problems:
        cls = DanglingReference if dangling else InvalidInput
        raise cls(problems=problems)


def quote_problem(quote: Quote, source: Source) -> str | None:
    """Why ``quote`` does not fit ``source``'s text, or None when it does."""
    if source.text is None:
        return f"source {source.id!r} has no text to quote from"
    if quote.end > len(source.text):
        return (
            f"span {quote.start}..{quote.end} is outside the text of source {source.id!r} "
            f"({len(source.text)} characters)"
        )
    if quote.text is not None and source.text[quote.start : quote.end] != quote.text:
        return f"text does not match source {source.id!r} at {quote.start}..{quote.end}"
    return None


def target_problem(a: Argument, is_statement, is_argument) -> str | None:
    """Why ``a.target`` is not a valid target for an argument of its kind, or None."""
    if a.kind == "undercut":
        if is_argument(a.target):
            return None
        if is_statement(a.target):
            return f"an undercut targets an argument, but {a.target!r} is a statement"
        return f"unknown argument {a.target!r}"
    if is_statement(a.target):
        return None
    if is_argument(a.target):
        article = "an" if a.kind == "attack" else "a"
        return f"{article} {a.kind} targets a statement, but {a.target!r} is an argument (use an undercut)"
    return f"unknown statement {a.target!r}"


def relation_ref_problem(kind: str, ref: str, is_statement, is_argument) -> str | None:
    """Why ``ref`` cannot be a source or target of a relation of ``kind``, or None."""
    if is_statement(ref):
        return None
    if is_argument(ref):
        return None if kind == "preference" else f"a {kind} links statements, but {ref!r} is an argument"
    return f"unknown {'statement' if kind == 'rephrase' else 'statement or argument'} {ref!r}"
