"""``argmap schemes`` (the catalogue) and ``argmap questions`` (an argument's critical
questions): registered on the main command group by :mod:`argmap.cli`."""

from __future__ import annotations

import click
import msgspec

__all__ = ["register"]


def register(cli: click.Group, handle_errors) -> None:
    @cli.command()
    @click.argument("scheme_id", required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @handle_errors
    def schemes(scheme_id: str | None, as_json: bool) -> None:
        """List the argument schemes argmap knows, or show one with its critical questions.

        SCHEME_ID is a scheme's id (as listed), or any of its names and aliases.
        """
        from argmap.errors import NotFound
        from argmap.schemes import catalogue, resolve

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
