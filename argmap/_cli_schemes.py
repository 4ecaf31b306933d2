"""``argmap schemes`` (the catalogue) and ``argmap questions`` (an argument's critical
questions): registered on the main command group by :mod:`argmap.cli`."""

from __future__ import annotations

import click
import msgspec

from argmap.errors import NotFound
from argmap.model import validate
from argmap.schemes import RaiseQuestion, catalogue, question_states, raising, resolve

__all__ = ["print_flips", "register"]


def print_flips(m, statement: str, *, semantics: str, size: int, reading: str, timeout: float, as_json: bool) -> None:
    """``argmap evaluate MAP --flips ID``: what would change statement ID's label."""
    from argmap.semantics.flips import flips  # the SAT solver loads only for `argmap flips` (0.36 s)

    f = flips(m, statement, semantics=semantics, size=size, reading=reading, timeout=timeout)
    if as_json:
        click.echo(msgspec.json.encode(f).decode())
        return
    click.echo(f"{statement}: {f.label} ({semantics}, {reading} reading); what would change it (sets of <= {size}):")
    if not f.statements and not f.questions:
        click.echo("  nothing of that size")
    for x in f.statements:
        click.echo(f"  retract {' + '.join(x.retract)} -> {x.label}")
    for x in f.questions:
        asked = " + ".join(f"{q.question} of {q.argument}" for q in x.questions)
        click.echo(f"  raise {asked} -> {x.label}")
    if f.truncated:
        click.echo("argmap: note: more sets exist than listed", err=True)


def register(cli: click.Group, handle_errors, open_store) -> None:
    @cli.command()
    @click.argument("scheme_id", required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @handle_errors
    def schemes(scheme_id: str | None, as_json: bool) -> None:
        """List the argument schemes argmap knows, or show one with its critical questions.

        SCHEME_ID is a scheme's id (as listed), or any of its names and aliases.
        """
        cat = catalogue()
        if scheme_id is None:
            if as_json:
                click.echo(msgspec.json.encode(cat).decode())
                return
            width = max(len(s.id) for s in cat.schemes)
            for s in cat.schemes:
                a = sum(q.kind == "assumption" for q in s.questions)
                click.echo(f"{s.id:<{width}}  {s.name}  ({a} assumptions, {len(s.questions) - a} exceptions)")
            click.echo(f"\n{len(cat.schemes)} schemes; names that are no scheme: "
                       + ", ".join(u.name for u in cat.unmappable))
            return
        found = resolve(scheme_id)
        if found.scheme is None:
            why = f": {found.reason}" if found.reason else " (argmap schemes lists them)"
            raise NotFound("scheme", f"{scheme_id!r} is not a scheme in the catalogue{why}")
        s = found.scheme
        if as_json:
            click.echo(msgspec.json.encode(s).decode())
            return
        click.echo(f"{s.name} ({s.id})\n  aliases: {', '.join(s.aliases)}\n  source: {s.source}\n")
        for p in s.premises:
            click.echo(f"  premise {p.role}: {p.text}")
        click.echo(f"  conclusion: {s.conclusion}\n")
        for q in s.questions:
            click.echo(f"  [{q.kind}] {q.id}: {q.text}")

    @cli.command()
    @click.argument("map_id")
    @click.argument("argument_id")
    @click.option("--raise", "raise_id", metavar="QUESTION", help="Raise this open question: store a statement "
                  "and the undercut that carries it, in one write.")
    @click.option("--text", help="The raising statement's text (required for an exception: the claim that it holds).")
    @click.option("--speaker", help="Who raises it (a speaker id of the map).")
    @click.option("--said", help="When (EDTF: 2025-11-20).")
    @click.option("--source", help="Where it is reported (a source id of the map).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @click.pass_context
    @handle_errors
    def questions(ctx, map_id, argument_id, raise_id, text, speaker, said, source, as_json) -> None:
        """An argument's critical questions (open, answered or raised); --raise one."""
        with open_store(ctx, read_only=raise_id is None) as store:
            if raise_id is not None:
                body = validate(RaiseQuestion(text=text, speaker=speaker, said=said, source=source))

                def write(_cur):
                    statement, undercut = raising(store.get_map(map_id), argument_id, raise_id, body)
                    return store.add_statement(map_id, statement), store.add_argument(map_id, undercut)

                statement, undercut = store.write(write, touch=map_id)
                click.echo(f"raised {raise_id}: statement {statement.id}, undercut {undercut.id}", err=True)
            states = question_states(store.get_map(map_id))
        if argument_id not in states:
            raise NotFound("argument", f"no argument {argument_id!r} in map {map_id!r}")
        aq = states[argument_id]
        if as_json:
            click.echo(msgspec.json.encode(aq).decode())
            return
        if aq.status != "catalogued":
            click.echo(f"{argument_id}: " + {"none": "no scheme", "unknown": f"scheme {aq.scheme!r} is not in the "
                       "catalogue", "unmappable": f"{aq.scheme!r} names no scheme ({aq.reason})"}[aq.status])
            return
        click.echo(f"{argument_id}: {aq.scheme_id} ({aq.scheme})")
        for q in aq.questions:
            by = q.answered_by or q.raised_by
            click.echo(f"  {q.state:<8} [{q.kind}] {q.id}: {q.text}" + (f"  (by {', '.join(by)})" if by else ""))
