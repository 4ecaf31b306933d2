"""The statement panel's critical questions and flips: what stays open, and what would flip it.

>>> from argmap.model import Map, Statement, Argument
>>> m = Map(id="m", title="t", statements=[Statement(id="e", text="E says so"),
...     Statement(id="c", text="So", kind="derived")],
...     arguments=[Argument(id="a", kind="support", premises=["e"], target="c", scheme="ExpertOpinion")])
>>> p = critical_panel(m, "c", labels={"a": "in"})
>>> [(x.argument, x.scheme, len(x.questions)) for x in p.arguments], p.flips[:1]
([('a', 'Argument from expert opinion', 6)], ['Retracting e would make it out.'])
"""

from __future__ import annotations

import msgspec

from argmap.errors import ArgmapError
from argmap.model import Map
from argmap.schemes import QuestionState, question_states, scheme

__all__ = ["CriticalArgument", "CriticalPanel", "critical_panel"]

FLIP_SIZE, FLIP_LIMIT, FLIP_TIMEOUT = 2, 8, 2.0
_WORDS = {"in": "it would stand", "out": "it would fall (out)", "undec": "it would be undecided"}


class CriticalArgument(msgspec.Struct, kw_only=True):
    """An argument for or against the statement that names a catalogued scheme."""

    argument: str
    kind: str
    scheme: str
    scheme_id: str
    label: str | None
    questions: list[QuestionState]


class CriticalPanel(msgspec.Struct, kw_only=True):
    arguments: list[CriticalArgument]
    flips: list[str]
    """What would change the statement's label, in words (grounded semantics)."""
    flips_note: str | None = None


def critical_panel(m: Map, statement_id: str, *, labels: dict | None = None, semantics: str | None = "grounded",
                   reading: str = "credulous") -> CriticalPanel:
    """The questions of the arguments whose target is ``statement_id``, and its flips."""
    states = question_states(m)
    out = []
    for a in m.arguments:
        aq = states[a.id]
        if a.target == statement_id and aq.status == "catalogued":
            out.append(CriticalArgument(argument=a.id, kind=a.kind, scheme=scheme(aq.scheme_id).name,
                                        scheme_id=aq.scheme_id, label=(labels or {}).get(a.id),
                                        questions=aq.questions))
    flips, note = [], None
    if semantics in ("grounded", "complete"):
        from argmap.semantics.flips import flips as find  # the SAT solver loads only for flips (0.36 s)

        try:
            f = find(m, statement_id, size=FLIP_SIZE, reading=reading, limit=FLIP_LIMIT, timeout=FLIP_TIMEOUT)
        except ArgmapError as e:
            note = f"not computed: {e}"
        else:
            for x in f.statements:
                flips.append(f"Retracting {' and '.join(x.retract)} would make it {x.label}.")
            for x in f.questions:
                asked = " and ".join(f"{q.question} of {q.argument}" for q in x.questions)
                flips.append(f"Raising {asked} would make it {x.label}.")
            if f.truncated:
                note = f"the first {FLIP_LIMIT} of each kind"
            elif not flips:
                note = f"nothing of at most {FLIP_SIZE} statements or questions would change it"
    else:
        note = "computed under grounded semantics only"
    return CriticalPanel(arguments=out, flips=flips, flips_note=note)
