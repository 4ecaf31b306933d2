"""``argmap print``: a map's argument diagram laid out on paper (:mod:`argmap.render.printable`);
registered on the main command group by :mod:`argmap.cli`."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["register"]


def register(cli: click.Group, handle_errors, open_store, write) -> None:
    @cli.command("print")
    @click.argument("map_id")
    @click.option("--paper", type=click.Choice(["a4", "a3", "letter", "tabloid"]), default="a4", show_default=True)
    @click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default="portrait", show_default=True)
    @click.option("--tile", is_flag=True, help="Cut the whole diagram into overlapping poster tiles.")
    @click.option("--handout", metavar="ID", help="One page for this conclusion: diagram, outline, sources.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
    @click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
                  help="Seconds the PDF may take (the HTTP API allows 60).")
    @click.pass_context
    @handle_errors
    def print_(ctx: click.Context, map_id: str, paper: str, orientation: str, tile: bool, handout: str | None,
               out: Path | None, timeout: float) -> None:
        """Print a map's argument diagram: every page PAPER, no text under 7 pt.

        \b
            argmap print peace-plan --paper a3 --orientation landscape --out peace-plan-a3.pdf
            argmap print peace-plan --tile --out poster.pdf
            argmap print peace-plan --handout kallas-no-viable-plan --out handout.pdf
        """
        from argmap.render.printable import printable

        with open_store(ctx, read_only=True) as store:
            m = store.get_map(map_id)
        write(printable(m, paper=paper, orientation=orientation, tile=tile, handout=handout, timeout=timeout), out)
