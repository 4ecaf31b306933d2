"""Critical questions as data: the state of each question of each argument of a map.

:func:`question_states` gives each catalogued question of an argument as ``open``, ``answered``
or ``raised`` (the rules: docs/ARCHITECTURE.md, "Critical questions"); evaluation and flips use it.

>>> m = Map(id="m", title="t", statements=[Statement(id=i, text=i) for i in "ecq"], arguments=[
...     Argument(id="a", kind="support", premises=["e"], target="c", scheme="ExpertOpinion"),
...     Argument(id="u", kind="undercut", premises=["q"], target="a", question="expertise")])
>>> [(q.id, q.state) for q in question_states(m)["a"].questions][:2]
[('expertise', 'raised'), ('field', 'open')]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from argmap.errors import Conflict, InvalidInput, NotFound
from argmap.model import Argument, Edtf, Id, Map, Quote, Statement
from argmap.schemes._catalogue import Question, resolve

__all__ = ["ArgumentQuestions", "QuestionState", "RaiseQuestion", "question_of", "question_states", "raising"]

State = Literal["open", "answered", "raised"]


class QuestionState(msgspec.Struct, kw_only=True):
    """One critical question of one argument, and where the map stands on it.

    ``raised_by`` lists the undercuts and attacks that raise (or, for an exception, assert)
    it; ``answered_by`` the argument's premises that answer it (an assumption made explicit).
    When both exist the state is ``answered``: the answer meets the question, and the
    evaluation decides whether the answer stands.
    """

    id: str
    kind: Literal["assumption", "exception"]
    text: str
    state: State
    raised_by: list[str] = []
    answered_by: list[str] = []


class ArgumentQuestions(msgspec.Struct, kw_only=True):
    """An argument's scheme (as written, and the catalogue id it resolves to) and its questions.

    ``status`` is ``catalogued``, ``unmappable`` (the name is no scheme, ``reason`` says why),
    ``unknown`` (the catalogue does not know the name) or ``none`` (no scheme given); only a
    catalogued scheme has questions.
    """

    argument: str
    scheme: str | None
    scheme_id: str | None
    status: Literal["catalogued", "unmappable", "unknown", "none"]
    reason: str | None = None
    questions: list[QuestionState] = []


def question_states(m: Map) -> dict[str, ArgumentQuestions]:
    """``{argument id: its scheme and question states}`` for every argument of ``m``."""
    raised: dict[tuple[str, str], list[str]] = defaultdict(list)
    users: dict[str, list[str]] = defaultdict(list)  # statement -> arguments using it as a premise
    for a in m.arguments:
        for p in a.premises:
            users[p].append(a.id)
    for a in m.arguments:
        if a.question is None:
            continue
        if a.kind == "undercut":
            raised[a.target, a.question].append(a.id)
        elif a.kind == "attack":
            for user in users.get(a.target, []):
                raised[user, a.question].append(a.id)
    out: dict[str, ArgumentQuestions] = {}
    for a in m.arguments:
        if not a.scheme:
            out[a.id] = ArgumentQuestions(argument=a.id, scheme=None, scheme_id=None, status="none")
            continue
        r = resolve(a.scheme)
        if r.scheme is None:
            out[a.id] = ArgumentQuestions(argument=a.id, scheme=a.scheme, scheme_id=None, status=r.status,
                                          reason=r.reason)
            continue
        states = []
        for q in r.scheme.questions:
            by = raised.get((a.id, q.id), [])
            answers = [p for p, role in a.roles.items() if role == q.id] if q.kind == "assumption" else []
            state: State = "answered" if answers else ("raised" if by else "open")
            states.append(QuestionState(id=q.id, kind=q.kind, text=q.text, state=state, raised_by=by,
                                        answered_by=answers))
        out[a.id] = ArgumentQuestions(argument=a.id, scheme=a.scheme, scheme_id=r.scheme.id, status="catalogued",
                                      questions=states)
    return out


def question_of(m: Map, argument_id: str, question_id: str) -> Question | None:
    """The catalogued question ``question_id`` of argument ``argument_id``'s scheme, or None."""
    a = next((a for a in m.arguments if a.id == argument_id), None)
    if a is None or not a.scheme or (s := resolve(a.scheme).scheme) is None:
        return None
    return s.question(question_id)


class RaiseQuestion(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who raises a critical question, when, and where it is reported.

    Raising an *assumption* question asks it: the new statement's text is the question's
    (``text`` may word it for the case). Raising an *exception* asserts it: ``text`` is then
    required, the claim that the exception holds ("The adviser has a stake in the outcome").
    ``statement_id`` and ``undercut_id`` name the two items created (derived when omitted).
    """

    text: Annotated[str, Meta(min_length=1, max_length=100_000)] | None = None
    speaker: Id | None = None
    said: Edtf | None = None
    source: Id | None = None
    quote: Quote | None = None
    statement_id: Id | None = None
    undercut_id: Id | None = None


def raising(m: Map, argument_id: str, question_id: str, body: RaiseQuestion) -> tuple[Statement, Argument]:
    """The statement that raises question ``question_id`` of argument ``argument_id`` and the
    undercut that carries it, ready to store in one write (ids free in ``m``).

    Raises :class:`~argmap.errors.NotFound` for an unknown argument or a question its scheme
    does not have, :class:`~argmap.errors.Conflict` when the question is not open (or a given
    id is taken), and :class:`~argmap.errors.InvalidInput` when an exception comes without the
    text that asserts it.
    """
    states = question_states(m)
    if argument_id not in states:
        raise NotFound("argument", f"no argument {argument_id!r} in map {m.id!r}")
    aq = states[argument_id]
    if aq.status != "catalogued":
        why = {"none": "has no scheme", "unknown": f"has scheme {aq.scheme!r}, which the catalogue does not know",
               "unmappable": f"has scheme {aq.scheme!r}, which names no scheme"}[aq.status]
        raise NotFound("question", f"argument {argument_id!r} {why}, so it has no critical questions")
    q = next((q for q in aq.questions if q.id == question_id), None)
    if q is None:
        raise NotFound("question", f"scheme {aq.scheme_id} has no question {question_id!r} "
                       f"(it has {', '.join(x.id for x in aq.questions)})")
    if q.state != "open":
        by = q.raised_by or q.answered_by
        raise Conflict("question", f"question {question_id!r} of {argument_id!r} is already {q.state} "
                           f"(by {', '.join(by)})")
    if q.kind == "exception" and body.text is None:
        raise InvalidInput("text", f"{question_id!r} is an exception: raising it asserts it, so give the claim "
                           "that it holds as text")
    taken = {x.id for x in (*m.statements, *m.arguments, *m.relations)}
    for field, given in (("statement_id", body.statement_id), ("undercut_id", body.undercut_id)):
        if given is not None and given in taken:
            raise Conflict(field, f"id {given!r} is already used in map {m.id!r}")
    if body.statement_id is not None and body.statement_id == body.undercut_id:
        raise Conflict("undercut_id", "the statement and the undercut need different ids")
    taken |= {x for x in (body.statement_id, body.undercut_id) if x}
    sid = body.statement_id or _free(f"{argument_id}.{question_id}", taken)
    taken.add(sid)
    uid = body.undercut_id or _free(f"{argument_id}.{question_id}.raised", taken)
    statement = Statement(id=sid, text=body.text or q.text, speaker=body.speaker, said=body.said, source=body.source,
                          quote=body.quote)
    undercut = Argument(id=uid, kind="undercut", premises=[sid], target=argument_id, question=question_id,
                        note=f"raises critical question {question_id!r} ({q.kind}) of scheme {aq.scheme_id}")
    return statement, undercut


def _free(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted[:120], 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted[:120]}~{n}"
    return candidate
