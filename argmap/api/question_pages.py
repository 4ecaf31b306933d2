"""The statement panel's "Raise" forms: a plain HTML form per open critical
question, answered with the map page, the statement open again (303), or with the problem (an
error page naming it). Each carries the session's CSRF token, as the panel's other forms do."""

from __future__ import annotations

import anyio
from litestar import Controller, Request, Response, post

from argmap.api._params import PathId, StoreDep
from argmap.api.pages import _back, _check_form_csrf, _error_page
from argmap.errors import ArgmapError
from argmap.schemes import RaiseQuestion, raising
from argmap.web import context as ctx

__all__ = ["QuestionFormController"]


class QuestionFormController(Controller):
    path = ctx.UI + "/maps/{map_id:str}/statements/{statement_id:str}"
    include_in_schema = False

    @post("/raise", opt={"csrf_form": True}, status_code=303)
    async def raise_question(self, store: StoreDep, request: Request, map_id: PathId, statement_id: PathId) -> Response:
        form = dict(await request.form())
        _check_form_csrf(request, form.get("csrf", ""))

        def write():
            body = RaiseQuestion(text=(form.get("text") or "").strip() or None,
                                 speaker=form.get("speaker") or None, said=form.get("said") or None)

            def fn(_cur):
                statement, undercut = raising(store.get_map(map_id), form.get("argument", ""),
                                              form.get("question", ""), body)
                store.add_statement(map_id, statement)
                store.add_argument(map_id, undercut)

            store.write(fn, touch=map_id)

        try:
            await anyio.to_thread.run_sync(write)
        except ArgmapError as e:
            return _error_page(e, back=ctx.page_path(map_id, f"statement={statement_id}"), back_label="Back")
        return _back(map_id, statement_id)
