"""Argument schemes, their critical questions, and what would change a verdict.

- :mod:`._catalogue`: the scheme catalogue shipped as data (``catalogue.yaml``) and
  :func:`resolve`, which maps the scheme text of an argument onto it;
- :mod:`._questions`: the state (open / answered / raised) of each critical question of a map;
- :mod:`._report`: the schemes a map's arguments use, and the names nobody knows;
"""

from argmap.schemes._catalogue import (
    Catalogue,
    Premise,
    Question,
    Resolution,
    Scheme,
    Unmappable,
    catalogue,
    normalise,
    resolve,
    scheme,
)
from argmap.schemes._questions import (
    ArgumentQuestions,
    QuestionState,
    RaiseQuestion,
    question_of,
    question_states,
    raising,
)
from argmap.schemes._report import map_schemes, scheme_notes

__all__ = [
    "ArgumentQuestions",
    "QuestionState",
    "RaiseQuestion",
    "Catalogue",
    "Premise",
    "Question",
    "Resolution",
    "Scheme",
    "Unmappable",
    "catalogue",
    "map_schemes",
    "normalise",
    "question_of",
    "question_states",
    "raising",
    "resolve",
    "scheme",
    "scheme_notes",
]
