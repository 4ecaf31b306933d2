"""The export catalogue: every output argmap makes, one :class:`Export` record per file type.

Each module of this package (other than ``_``-private ones) lists its records in ``EXPORTS``;
:data:`CATALOGUE` gathers them, and the HTTP routes, ``argmap export NAME``, the pages'
download list and the OpenAPI entries are made from it. A new format is one new file here.
:func:`run` is the one way to make an export: load, scope, evaluate when asked, make.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgspec

from argmap.errors import InvalidInput, NotFound, from_validation_error
from argmap.model import Map
from argmap.scope import SCOPE_FIELDS, Scope, scope_from, select

__all__ = ["CATALOGUE", "Export", "Job", "Made", "NoOptions", "by_name", "find", "make", "options_from", "run"]


class NoOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """An export with nothing to choose but the scope."""


class Made(NamedTuple):
    """The map and version an export is made from: PDFs say so in their metadata, a briefing in
    its colophon (:mod:`argmap.history` finds them)."""

    map: str
    version: int
    at: str | None = None
    """When that version was written (UTC, ISO 8601)."""
    pinned: bool = False
    """Asked for at a past version (``as_of``): a briefing is then issued on that version's date,
    so the same ``as_of`` and options give the same bytes on any day."""


class Job(NamedTuple):
    """What an export's ``make`` is handed: the map already scoped, and everything decided."""

    map: Map
    """The part of the map the scope selects (:func:`argmap.scope.select`)."""
    whole: Map
    """The whole map, for what must not depend on the scope (evaluation)."""
    scope: Scope
    options: Any
    """The export's own options (its ``options`` Struct)."""
    labels: dict[str, str] | None = None
    """Evaluation labels of the whole map by id, when the options ask for them."""
    explanations: dict[str, str] | None = None
    evaluation: str | None = None
    """Under what they were evaluated, in words ('grounded semantics')."""
    timeout: float = 20.0
    """Seconds an external program (Graphviz, WeasyPrint) may take."""
    layout_timeout: float | None = None
    """Seconds each Graphviz layout inside a typeset export may take (None: ``timeout``)."""
    made: Made | None = None
    """The map and version this is made from (None: unknown, e.g. a map file)."""

    def metadata(self) -> dict[str, str] | None:
        """Document information entries naming the map and version, for a PDF (None: unknown)."""
        if self.made is None:
            return None
        return {"ArgmapMap": self.made.map, "ArgmapVersion": str(self.made.version)}


@dataclass(frozen=True)
class Export:
    """One output: ``GET /maps/{map}/{name}.{suffix}`` and ``argmap export NAME --format SUFFIX``.

    A record whose ``whole_map`` is set is a document of the whole map, served at
    ``/maps/{map}.{suffix}`` (``/maps/peace-plan.aif.json``) and never scoped.
    """

    name: str
    suffix: str
    media_type: str
    make: Callable[[Job], bytes]
    options: type[msgspec.Struct] = NoOptions
    summary: str = ""
    """One line for OpenAPI and ``--help``."""
    label: str = ""
    """The download link's words on the pages (``SVG``); empty: no link."""
    note: str = ""
    """The download link's note (``vector picture``)."""
    group: str = ""
    """The pages' download group (``Diagram``); default: the name, capitalised."""
    scoped: bool = True
    whole_map: bool = False
    evaluate: Callable[[Any], str | None] | None = None
    """Which semantics the options ask to label by (None: no labels)."""
    typesets: bool = False
    """Typesets with WeasyPrint: over HTTP it takes one of the shared typesetting slots."""
    disposition: str = "inline"
    timeout: float = 20.0
    """Seconds the CLI allows by default (the HTTP API sets its own)."""
    cli_aliases: Mapping[str, str] = field(default_factory=dict)
    """Option field → the CLI flag's name when it differs (``legend`` → ``no-legend``)."""
    body_schema: Mapping[str, Any] | None = None
    """The JSON Schema of a JSON body, for OpenAPI (None: a document of another tool, an object)."""

    @property
    def path(self) -> str:
        """The route after ``/maps/{map}``: ``/diagram.svg``, or ``.aif.json`` for a whole-map document."""
        return f".{self.suffix}" if self.whole_map else f"/{self.name}.{self.suffix}"

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.suffix}"


def _discover() -> dict[tuple[str, str], Export]:
    found: dict[tuple[str, str], Export] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: _ORDER.get(i.name, len(_ORDER))):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for e in getattr(module, "EXPORTS", ()):
            key = (e.name, e.suffix)
            if key in found:
                raise RuntimeError(f"two exports named {e.name}.{e.suffix}")
            found[key] = e
    return found


# The pages list downloads in catalogue order: drawings first, then documents. A module not
# named here comes after these, in alphabetical order.
_ORDER = {name: i for i, name in enumerate(
    ("diagram", "timeline", "briefing", "table", "documents"))}

CATALOGUE: dict[tuple[str, str], Export] = _discover()
"""(name, suffix) → Export, in the order the pages list them."""


def by_name() -> dict[str, list[Export]]:
    """The catalogue grouped by name: ``{"diagram": [svg, pdf, png, dot], ...}``."""
    out: dict[str, list[Export]] = {}
    for e in CATALOGUE.values():
        out.setdefault(e.name, []).append(e)
    return out


def find(name: str, suffix: str) -> Export:
    """The export ``name.suffix``; NotFound naming the ones there are."""
    try:
        return CATALOGUE[name, suffix]
    except KeyError:
        there = ", ".join(e.suffix for e in CATALOGUE.values() if e.name == name)
        if there:
            raise InvalidInput("format", f"unknown {name} format {suffix!r}; use one of {there}") from None
        raise NotFound("export", f"no export {name!r}") from None


def options_from(export: Export, params: Mapping[str, object]) -> tuple[Scope, msgspec.Struct]:
    """The scope and the export's options from loose input (query parameters, CLI flags):
    ``"2"`` reads as 2 and ``"true"`` as true; None values are left at their defaults.
    Raises InvalidInput naming the field; a scope given to an unscoped export is refused."""
    scope = scope_from(params) if export.scoped else Scope()
    if not export.scoped and (given := [k for k in SCOPE_FIELDS if params.get(k) not in (None, [], (), "")]):
        raise InvalidInput(given[0], f"the {export.name} export is always the whole map")
    own = {k: v for k, v in params.items() if k not in SCOPE_FIELDS and v is not None}
    try:
        options = msgspec.convert(own, export.options, strict=False)
    except msgspec.ValidationError as e:
        raise from_validation_error(e) from None
    return scope, options


def make(export: Export, m: Map, scope: Scope, options: msgspec.Struct, *, timeout: float | None = None,
         layout_timeout: float | None = None, made: Made | None = None) -> bytes:
    """Scope ``m``, evaluate it when the options ask, and make the export (``made``: the map and
    version ``m`` is, which the export may state)."""
    labels = explanations = evaluation = None
    semantics = export.evaluate(options) if export.evaluate else None
    if semantics is not None:
        from argmap.semantics import evaluate_map  # the solvers load only for labels (0.3 s of CLI start-up)

        result = evaluate_map(m, semantics, timeout=timeout or export.timeout)
        labels, explanations = dict(result.labels), dict(result.explanations)
        evaluation = f"{semantics} semantics"
    part = select(m, scope) if export.scoped else m
    job = Job(map=part, whole=m, scope=scope, options=options, labels=labels, explanations=explanations,
              evaluation=evaluation, timeout=timeout or export.timeout, layout_timeout=layout_timeout, made=made)
    return export.make(job)


def run(store, map_id: str, name: str, suffix: str, params: Mapping[str, object] | None = None, *,
        timeout: float | None = None) -> bytes:
    """The one way to make an export: check the options, load the map, scope, evaluate, make.

    ``store`` is anything with ``get_map(map_id) -> Map`` (a :class:`argmap.store.Store`).
    """
    export = find(name, suffix)
    scope, options = options_from(export, params or {})
    return make(export, store.get_map(map_id), scope, options, timeout=timeout)
