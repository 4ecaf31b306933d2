"""Formal evaluation: Dung's abstract argumentation, and which claims of a map stand.

Abstract frameworks (:class:`AF`) with grounded, complete, preferred and stable semantics, the
ICCMA tasks (:func:`solve`) and formats (:mod:`.iccma`); maps translated into frameworks
(:func:`translate`) and labelled with a reason each (:func:`evaluate_map`). How: the sections
"From a map to an abstract framework" and "Solving" of docs/ARCHITECTURE.md.

>>> solve(AF.from_names(["a", "b", "c"], [("a", "b"), ("b", "c")]), "grounded", "se").extension
['a', 'c']
"""

from argmap.semantics.af import AF, IN, LABELS, OUT, UNDEC, Label, label_names
from argmap.semantics.grounded import grounded, grounded_extension
from argmap.semantics.solver import SEMANTICS, TASKS, Reasoner, Semantics, Solution, Task, labelling, solve
from argmap.semantics.translate import Evaluation, MapFramework, evaluate_map, translate

__all__ = [
    "AF",
    "IN",
    "LABELS",
    "OUT",
    "SEMANTICS",
    "TASKS",
    "UNDEC",
    "Evaluation",
    "Label",
    "MapFramework",
    "Reasoner",
    "Semantics",
    "Solution",
    "Task",
    "evaluate_map",
    "grounded",
    "grounded_extension",
    "label_names",
    "labelling",
    "solve",
    "translate",
]
