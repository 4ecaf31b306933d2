"""Critical questions as data: the state of each question of each argument of a map.

An argument whose ``scheme`` names a catalogued scheme has that scheme's critical questions.
Each is, in the map as it stands:

- **raised** when an undercut of the argument names it (``question``), or an attack names it
  and targets one of the argument's premises; for an *exception* that means asserted;
- **answered** (assumptions) when one of the argument's premises names it as its role: the
  assumption is then an explicit premise, a sourced statement that must stand for the
  argument to stand; an answer also defeats an undercut that only raised the question;
- **open** otherwise.

:func:`question_states` reads them off a map; the evaluation
(:func:`argmap.semantics.evaluate_map`, option ``reading``) and the flips use them.

>>> from argmap.model import Map, Statement, Argument
>>> m = Map(id="m", title="t", statements=[
...     Statement(id="e", text="Kallas says so"), Statement(id="c", text="No plan is viable"),
...     Statement(id="q", text="Is Kallas an expert?")],
...     arguments=[Argument(id="a", kind="support", premises=["e"], target="c", scheme="ExpertOpinion"),
...                Argument(id="u", kind="undercut", premises=["q"], target="a", question="expertise")])
>>> [(q.id, q.state) for q in question_states(m)["a"].questions][:2]
[('expertise', 'raised'), ('field', 'open')]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

import msgspec

from argmap.model import Map
from argmap.schemes._catalogue import Question, resolve

__all__ = ["ArgumentQuestions", "QuestionState", "question_states"]

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
