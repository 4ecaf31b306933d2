"""``argmap history``, ``argmap diff``, ``argmap restore``, ``argmap check``, and who the CLI's writes are logged as.

Every write the CLI makes is logged with the local user as author (``--author`` names
another) and ``--message`` as the reason; ``--as-of`` on the exports and ``evaluate`` reads a
past version.
"""

from __future__ import annotations

import getpass

import click
import msgspec

from argmap.history import check, current_version, diff, history, restore
from argmap.store._history import CONTEXT, Who

__all__ = ["log_as", "register"]


def log_as(author: str | None, message: str | None) -> None:
    """Log this command's writes as by ``author`` (default: the local user) with ``message``."""
    if author is None:
        try:
            author = getpass.getuser()
        except (KeyError, OSError):  # a user id without a name (containers)
            author = None
    CONTEXT.set(Who(author=author, message=message))


def register(cli: click.Group, handle_errors, open_store) -> None:
    @cli.command("history")
    @click.argument("map_id")
    @click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Versions to list.")
    @click.option("--offset", type=click.IntRange(min=0), default=0, help="Newest versions to skip.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @click.pass_context
    @handle_errors
    def history_(ctx: click.Context, map_id: str, limit: int, offset: int, as_json: bool) -> None:
        """A map's versions, newest first: who changed what, when and why."""
        with open_store(ctx, read_only=True) as store:
            items = history(store, map_id, limit=limit, offset=offset)
        if as_json:
            click.echo(msgspec.json.encode(items).decode())
            return
        for v in items:
            who = v.author or "unknown"
            why = f" — {v.message}" if v.message else ""
            click.echo(f"{v.version:>6}  {v.at[:19].replace('T', ' ')}Z  {who}: {v.summary}{why}")

    @cli.command("diff")
    @click.argument("map_id")
    @click.argument("v1")
    @click.argument("v2", required=False)
    @click.option("--semantics", type=click.Choice(["grounded", "complete", "preferred", "stable", "none"]),
                  default="grounded", show_default=True, help="Also list statements whose label changed.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    @click.pass_context
    @handle_errors
    def diff_(ctx: click.Context, map_id: str, v1: str, v2: str | None, semantics: str, as_json: bool) -> None:
        """What differs between versions V1 and V2 (numbers or ISO times; V2 default: now)."""
        with open_store(ctx, read_only=True) as store:
            d = diff(store, map_id, v1, v2 if v2 is not None else current_version(store, map_id),
                     semantics=semantics)
        if as_json:
            click.echo(msgspec.json.encode(d).decode())
            return
        click.echo(f"{map_id}: version {d.from_version} → {d.to_version}")
        for f in d.map_fields:
            click.echo(f"  map {f.field}: {f.before!r} → {f.after!r}")
        for kind in ("speakers", "sources", "statements", "arguments", "relations"):
            part = getattr(d, kind)
            for item in part.added:
                click.echo(f"  + {kind[:-1]} {item['id']}")
            for item in part.removed:
                click.echo(f"  - {kind[:-1]} {item['id']}")
            for c in part.changed:
                click.echo(f"  ~ {kind[:-1]} {c.id}: " + "; ".join(
                    f"{f.field} {f.before!r} → {f.after!r}" for f in c.fields))
        for c in d.labels:
            click.echo(f"  label {c.id}: {c.before or 'absent'} → {c.after or 'absent'} ({d.semantics})")

    @cli.command("restore")
    @click.argument("map_id")
    @click.argument("version")
    @click.pass_context
    @handle_errors
    def restore_(ctx: click.Context, map_id: str, version: str) -> None:
        """Write a new version of MAP_ID equal to VERSION (history is never rewritten)."""
        with open_store(ctx) as store:
            v = restore(store, map_id, version)
        click.echo(f"{map_id}: version {v.version} restores version {v.restored_from}: {v.summary}")

    @cli.command("check")
    @click.option("--recent", type=click.IntRange(min=1), default=None,
                  help="Look closely only at what each map's last N versions changed (fast; else everything).")
    @click.pass_context
    @handle_errors
    def check_(ctx: click.Context, recent: int | None) -> None:
        """Check the database: every map's references, and its change log against its data.

        Prints each problem found and exits with status 1, or says all is well (status 0).
        """
        with open_store(ctx, read_only=True) as store:
            problems = [str(p) for p in store.check_integrity()]
            if problems:  # maps whose rows break the model cannot be read back to compare with their log
                problems.append("the change log was not compared with the data: fix the references above first")
            else:
                problems = check(store, recent=recent)
        for p in problems:
            click.echo(p)
        if problems:
            raise click.exceptions.Exit(1)
        click.echo(f"{store.path}: the maps' references and their change log agree")
