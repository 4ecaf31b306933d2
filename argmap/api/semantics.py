"""Formal evaluation over HTTP: which claims of a map stand, and ICCMA tasks on any framework.

``GET /maps/{map}/evaluation?semantics=grounded`` labels every statement and argument with a
one-line reason (:func:`argmap.semantics.evaluate_map`). ``POST /af/solve?semantics=&task=``
answers an ICCMA task on a framework sent in the body: JSON
``{"arguments": ["a", "b"], "attacks": [["a", "b"]]}``, or ICCMA text (``.apx``, ``.tgf`` or
the 2023 ``p af N`` format) with ``format=`` and any non-JSON content type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import Parameter
from msgspec import Meta

from argmap import query
from argmap.api._params import PathId, StoreDep
from argmap.errors import FormatError, InvalidInput, from_validation_error
from argmap.semantics import (
    AF,
    Evaluation,
    Semantics,
    Solution,
    Task,
    evaluate_map,
    iccma,
    solve,
)
from argmap.semantics.translate import Reading

__all__ = ["EvaluationController", "FrameworkBody", "SolveAnswer", "SolveController"]

TIMEOUT = 20.0
"""Seconds one evaluation or solve may take before it is refused (422, limit_exceeded)."""

MAX_EXTENSIONS = 1000
MAX_ARGUMENTS = 100_000
"""Arguments one framework sent to ``/af/solve`` may have (declared by ``p af N`` or listed):
the solver's arrays and the answer grow with them, and 15 bytes can declare ten million."""
MAX_LISTED = 200_000
"""Argument names one ``ee`` answer lists in all (fewer extensions than ``limit`` are listed,
with ``truncated``, when they are large): the answer's size is bounded, not only its count."""

Name = Annotated[str, Meta(min_length=1, max_length=200)]


class FrameworkBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A framework as JSON: argument names, and attacks as ``[attacker, attacked]`` pairs."""

    arguments: Annotated[list[Name], Meta(max_length=2_000_000)]
    attacks: Annotated[list[tuple[Name, Name]], Meta(max_length=10_000_000)] = []


class SolveAnswer(msgspec.Struct, kw_only=True):
    """The solution, the same answer as an ICCMA solver prints it, and the framework's size."""

    solution: Solution
    iccma: str
    arguments: int
    attacks: int


_Semantics = Parameter(description="grounded, complete, preferred or stable.")
_Limit = Parameter(default=16, ge=1, le=MAX_EXTENSIONS, description="List at most this many extensions.")


@dataclass
class _SolveOperation(Operation):
    # The body is read raw (JSON or ICCMA text, by content type), so its schema is stated here.
    def __post_init__(self) -> None:
        name = Schema(type=OpenAPIType.STRING, min_length=1, max_length=200)
        framework = Schema(
            type=OpenAPIType.OBJECT,
            required=["arguments"],
            properties={
                "arguments": Schema(type=OpenAPIType.ARRAY, items=name),
                "attacks": Schema(type=OpenAPIType.ARRAY, description="[attacker, attacked] pairs",
                                  items=Schema(type=OpenAPIType.ARRAY, items=name, min_items=2, max_items=2)),
            },
        )
        self.request_body = RequestBody(
            required=True,
            description="The framework: JSON, or ICCMA text (.apx, .tgf, `p af N`) with `format`.",
            content={
                "application/json": OpenAPIMediaType(schema=framework),
                "text/plain": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


class EvaluationController(Controller):
    path = "/maps/{map_id:str}"
    tags = ["evaluation"]

    @get(
        "/evaluation",
        operation_id="evaluateMap",
        summary="Which statements stand: a label (in / out / undec) and a reason for each",
        description="Statements and arguments become a Dung framework (see the README's "
        "'Evaluation'); grounded semantics gives one sceptical answer, the others label what "
        "all their extensions agree on and list the extensions.",
        sync_to_thread=True,
    )
    def evaluation(
        self,
        store: StoreDep,
        map_id: PathId,
        semantics: Semantics = Parameter(default="grounded", description="grounded, complete, preferred or stable."),
        limit: int = _Limit,
        reading: Reading = Parameter(default="credulous", description="How open assumption questions of "
                                     "argument schemes count: credulous (they hold) or sceptical (questioned)."),
    ) -> Evaluation:
        return query.evaluation(store, map_id, semantics, limit=limit, timeout=TIMEOUT, reading=reading)


class SolveController(Controller):
    path = "/af"
    tags = ["evaluation"]

    @post(
        "/solve",
        operation_id="solveFramework",
        summary="Answer an ICCMA task (se, ee, dc, ds) on a framework in the body",
        description="The body is JSON `{\"arguments\": [...], \"attacks\": [[a, b], ...]}` "
        "(content type application/json), or ICCMA text (.apx, .tgf, or the 2023 `p af N` "
        "format; any other content type) with `format`.",
        operation_class=_SolveOperation,
        status_code=200,
    )
    async def solve(
        self,
        request: Request,
        semantics: Semantics = _Semantics,
        task: Task = Parameter(description="se: some extension; ee: all (up to limit); dc / ds: is arg "
                               "in some / every extension?"),
        arg: str | None = Parameter(default=None, max_length=200, description="The argument dc and ds ask about."),
        limit: int = _Limit,
        format: Literal["apx", "tgf", "i23"] | None = Parameter(
            default=None, description="The ICCMA format of a text body; not used for JSON."),
    ) -> SolveAnswer:
        import anyio

        body = await request.body()
        is_json = request.content_type[0] == "application/json"
        return await anyio.to_thread.run_sync(_solve, body, is_json, format, semantics, task, arg, limit)


def _solve(body: bytes, is_json: bool, fmt, semantics, task, arg, limit) -> SolveAnswer:
    if is_json:
        try:
            data = msgspec.json.decode(body, type=FrameworkBody)
        except msgspec.MsgspecError as e:
            raise from_validation_error(e) from None
        iccma.check_size(len(data.arguments), MAX_ARGUMENTS, "$.arguments")
        af = AF.from_names(data.arguments, data.attacks)
    else:
        if fmt is None:
            raise InvalidInput("format", "a text body needs format=apx, tgf or i23 (or send JSON)")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FormatError("body", f"not UTF-8 text (byte {e.start})") from None
        af = iccma.loads(text, fmt, max_arguments=MAX_ARGUMENTS)
    if task == "ee":  # each extension may list every argument: bound the names listed in all
        limit = max(1, min(limit, MAX_LISTED // max(af.n, 1)))
    solution = solve(af, semantics, task, arg=arg, limit=limit if task == "ee" else None, timeout=TIMEOUT)
    style = "iccma23" if fmt == "i23" and not is_json else "iccma21"
    return SolveAnswer(solution=solution, iccma=iccma.answer(solution, style), arguments=af.n, attacks=af.m)
