"""Argument schemes over HTTP: the catalogue, an argument's critical questions, and flips.

``GET /schemes`` lists the catalogue (:mod:`argmap.schemes`); ``GET /schemes/{id}`` gives one
scheme with its premise roles and critical questions.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from argmap.api._params import PathId
from argmap.errors import NotFound
from argmap.schemes import Scheme, Unmappable, catalogue, scheme

__all__ = ["SchemeController", "SchemeList", "SchemeSummary"]


class SchemeSummary(msgspec.Struct, kw_only=True):
    """One catalogued scheme, briefly: GET /schemes/{id} gives its premises and questions."""

    id: str
    name: str
    badge: str
    aliases: list[str]
    questions: int
    assumptions: int
    exceptions: int


class SchemeList(msgspec.Struct, kw_only=True):
    """The catalogue: its schemes, the names that are no scheme (with why), and the works cited."""

    schemes: list[SchemeSummary]
    unmappable: list[Unmappable]
    sources: dict[str, str]


class SchemeController(Controller):
    path = "/schemes"
    tags = ["schemes"]

    @get(
        "/",
        operation_id="listSchemes",
        summary="The scheme catalogue: every argument scheme argmap knows, with its aliases",
        description="An argument's `scheme` may name any of them by id, name or alias (case, spaces "
        "and a leading 'Argument from' do not matter); names listed under `unmappable` occur in "
        "AIF files but name no scheme.",
    )
    async def list_schemes(self) -> SchemeList:
        cat = catalogue()
        return SchemeList(
            schemes=[
                SchemeSummary(
                    id=s.id, name=s.name, badge=s.badge, aliases=s.aliases, questions=len(s.questions),
                    assumptions=sum(q.kind == "assumption" for q in s.questions),
                    exceptions=sum(q.kind == "exception" for q in s.questions),
                )
                for s in cat.schemes
            ],
            unmappable=cat.unmappable,
            sources=cat.sources,
        )

    @get(
        "/{scheme_id:str}",
        operation_id="getScheme",
        summary="One scheme: premise roles, conclusion form and critical questions",
    )
    async def get_scheme(self, scheme_id: PathId) -> Scheme:
        found = scheme(scheme_id)
        if found is None:
            raise NotFound("scheme", f"no scheme {scheme_id!r} in the catalogue (GET /schemes lists them)")
        return found
