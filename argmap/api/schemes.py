"""Argument schemes over HTTP: the catalogue, an argument's critical questions, and flips.

- ``GET /schemes`` lists the catalogue (:mod:`argmap.schemes`); ``GET /schemes/{id}`` gives
  one scheme with its premise roles and critical questions;
- ``GET /maps/{map}/arguments/{id}/questions``: the argument's questions, each open,
  answered or raised; ``POST .../questions/{question}`` raises one (a statement and the
  undercut that carries it, in one write);
- ``GET /maps/{map}/statements/{id}/flips``: the minimal sets of statements whose retraction,
  and of open questions whose raising, would change the statement's label
  (:mod:`argmap.semantics.flips`).
"""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter

from argmap.api._params import PathId, StoreDep
from argmap.errors import NotFound
from argmap.model import Argument, Statement
from argmap.schemes import ArgumentQuestions, RaiseQuestion, Scheme, Unmappable, catalogue, question_states, raising, scheme
from argmap.semantics.flips import MAX_SETS, MAX_SIZE, Flips, flips
from argmap.semantics.translate import Reading

__all__ = ["QuestionController", "Raised", "SchemeController", "SchemeList", "SchemeSummary"]

TIMEOUT = 20.0
"""Seconds one flips answer may take before it is refused (422, limit_exceeded)."""


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


class Raised(msgspec.Struct, kw_only=True):
    """What raising a question created, and the argument's questions after."""

    statement: Statement
    undercut: Argument
    questions: ArgumentQuestions


_Reading = Parameter(default="credulous", description="How open assumption questions count: credulous (they "
                     "hold) or sceptical (each counts as questioned).")


class QuestionController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["schemes"]

    @get(
        "/arguments/{argument_id:str}/questions",
        operation_id="listArgumentQuestions",
        summary="An argument's critical questions, each open, answered or raised",
        description="The questions of the catalogued scheme the argument names; an argument without "
        "one (or with a name the catalogue does not know) has none, and `status` says which.",
        sync_to_thread=True,
    )
    def questions(self, store: StoreDep, map_id: PathId, argument_id: PathId) -> ArgumentQuestions:
        m = store.get_map(map_id)
        states = question_states(m)
        if argument_id not in states:
            raise NotFound("argument", f"no argument {argument_id!r} in map {map_id!r}")
        return states[argument_id]

    @post(
        "/arguments/{argument_id:str}/questions/{question_id:str}",
        operation_id="raiseArgumentQuestion",
        summary="Raise an open critical question: a statement and the undercut that carries it, in one write",
        description="An assumption is asked (the statement's text is the question's unless `text` is "
        "given); an exception is asserted (`text` required). Speaker, date and source are as given.",
        status_code=201,
        sync_to_thread=True,
    )
    def raise_question(self, store: StoreDep, map_id: PathId, argument_id: PathId, question_id: PathId,
                       data: JSONBody[RaiseQuestion]) -> Raised:
        def write(_cur):
            m = store.get_map(map_id)
            statement, undercut = raising(m, argument_id, question_id, data)
            return store.add_statement(map_id, statement), store.add_argument(map_id, undercut)

        statement, undercut = store.write(write, touch=map_id)
        return Raised(statement=statement, undercut=undercut,
                      questions=question_states(store.get_map(map_id))[argument_id])

    @get(
        "/statements/{statement_id:str}/flips",
        operation_id="statementFlips",
        summary="What would flip a statement's label: minimal sets of statements to retract, of questions to raise",
        description="Each set (at most `size` items, none with a proper subset that also flips) comes with "
        "the label the statement would get. Computed with a SAT solver over the statement's ancestors.",
        sync_to_thread=True,
    )
    def flips(
        self,
        store: StoreDep,
        map_id: PathId,
        statement_id: PathId,
        semantics: str = Parameter(default="grounded", description="grounded (or complete: the same labels)."),
        size: int = Parameter(default=2, ge=1, le=MAX_SIZE, description="The largest set to look for."),
        reading: Reading = _Reading,
        limit: int = Parameter(default=50, ge=1, le=MAX_SETS, description="At most this many sets of each kind."),
    ) -> Flips:
        return flips(store.get_map(map_id), statement_id, semantics=semantics, size=size, reading=reading,
                     limit=limit, timeout=TIMEOUT)
