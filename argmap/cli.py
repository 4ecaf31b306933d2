"""The ``argmap`` command line: the same functions as the HTTP API, for a terminal.

Exit codes: 0 ok; 2 bad input (a malformed file, an unknown id, a conflict, a usage error);
1 any other failure. Errors are printed as one line: ``argmap: error: <field>: <reason>``.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
import msgspec

from argmap.errors import ArgmapError
from argmap.store import Counts, Store, default_path

__all__ = ["main"]


def _fail(message: str, code: int) -> None:
    click.echo(f"argmap: error: {message}", err=True)
    sys.exit(code)


def handle_errors(fn):
    """Turn argmap's errors into one line and exit code 2; anything else into exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ArgmapError as e:
            _fail(str(e), 2)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the CLI's last line of defence
            _fail(f"{type(e).__name__}: {e}", 1)

    return wrapper


def open_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    if ctx.obj.get("lake"):
        return Store(lake=ctx.obj["lake"], data_path=ctx.obj.get("data_path"), read_only=read_only)
    path = ctx.obj["db"]
    if read_only and not Path(path).exists():
        raise ArgmapError("db", f"{path} does not exist; create it with `argmap init` or `argmap load FILE`")
    return Store(path, read_only=read_only)


def describe(counts: Counts) -> str:
    return (
        f"{counts.speakers} speakers, {counts.sources} sources, {counts.statements} statements, "
        f"{counts.arguments} arguments ({counts.supports} support, {counts.attacks} attack, "
        f"{counts.undercuts} undercut)"
    ) + (f", {counts.relations} rephrase/preference relations" if counts.relations else "")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    default=default_path,
    show_default="argmap.duckdb, or $ARGMAP_DB",
    help="The DuckDB database file to use.",
    type=click.Path(dir_okay=False),
)
@click.option(
    "--lake",
    envvar="ARGMAP_LAKE",
    help="A DuckLake catalog shared by many processes instead of --db, e.g. "
    "'postgres:dbname=argmap host=db.internal' (or $ARGMAP_LAKE).",
)
@click.option(
    "--data-path",
    envvar="ARGMAP_DATA_PATH",
    help="Where the lake keeps its Parquet files: a folder every server mounts "
    "(or $ARGMAP_DATA_PATH); needed when the catalog is created.",
)
@click.version_option(package_name="argmap")
@click.pass_context
def cli(ctx: click.Context, db: str, lake: str | None, data_path: str | None) -> None:
    """argmap: argument maps of what public officials say.

    Statements become premises and conclusions linked by support, attack and undercut,
    stored in one DuckDB file. Start with:

    \b
        argmap load seeds/peace-plan.yaml
        argmap stats
    """
    ctx.ensure_object(dict)
    ctx.obj.update(db=db, lake=lake or None, data_path=data_path or None)


@cli.command()
@click.pass_context
@handle_errors
def init(ctx: click.Context) -> None:
    """Create an empty database (or bring an existing one to the current schema)."""
    with open_store(ctx) as store:
        click.echo(f"database {store.path} ready (schema version {store.schema_version})")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a map of the same id if the database has one.")
@click.option("--check", "check_only", is_flag=True, help="Only validate the file; do not touch the database.")
@click.pass_context
@handle_errors
def load(ctx: click.Context, file: Path, replace: bool, check_only: bool) -> None:
    """Validate a map file (YAML, JSON or TOML) and load it in one transaction.

    Nothing is written unless the whole file is valid: a file with one broken reference
    is refused with the reference named, and the database stays as it was.
    """
    from argmap.mapfile import load as load_file

    m = load_file(file)
    if check_only:
        click.echo(f"{file}: valid map {m.id!r} ({len(m.statements)} statements, {len(m.arguments)} arguments)")
        return
    with open_store(ctx) as store:
        counts = store.load_map(m, replace=replace)
        click.echo(f"loaded map {m.id!r} into {store.path}: {describe(counts)}")


@cli.command()
@click.argument("map_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, map_id: str | None, as_json: bool) -> None:
    """Show what the database holds: every map with its counts, or one map."""
    with open_store(ctx, read_only=True) as store:
        maps = [s for s in store.list_maps() if map_id in (None, s.id)]
        if map_id is not None and not maps:
            store.get_map_info(map_id)  # raises NotFound with the map's name
        if as_json:
            click.echo(msgspec.json.encode(maps).decode())
            return
        if not maps:
            click.echo(f"{store.path}: no maps yet (load one with `argmap load FILE`)")
        for s in maps:
            click.echo(f"{s.id}: {s.title}\n  {describe(s.counts)}")


@cli.command()
@click.option(
    "--out",
    default="schemas",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the JSON Schemas into.",
)
@handle_errors
def schema(out: Path) -> None:
    """Write the JSON Schemas of argmap's documents (map file, each entity)."""
    from argmap.schemas import generate

    out.mkdir(parents=True, exist_ok=True)
    for name, data in generate().items():
        (out / f"{name}.schema.json").write_bytes(data)
        click.echo(f"wrote {out / (name + '.schema.json')}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1 keeps it local).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--load", "seed", type=click.Path(dir_okay=False, path_type=Path),
              help="Load (or replace) this map file into the database before serving.")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, seed: Path | None) -> None:
    """Serve the HTTP API and the web pages at /ui/ (granian, one process: DuckDB allows one writer per file).

    With --lake, run one `argmap serve` per machine (or port) on the same catalog, behind a
    load balancer: they share every map.

    Writes need `Authorization: Bearer $ARGMAP_TOKEN` when ARGMAP_TOKEN is set; reads need
    ARGMAP_READ_TOKEN when that is set. The OpenAPI document and its page are at /schema.
    """
    import os

    from granian import Granian

    db = str(Path(ctx.obj["db"]).resolve())
    if seed is not None:
        from argmap.mapfile import load as load_file

        with open_store(ctx) as store:
            counts = store.load_map(load_file(seed), replace=True)
        click.echo(f"loaded {seed}: {describe(counts)}", err=True)
    os.environ["ARGMAP_DB"] = db
    if ctx.obj["lake"]:  # the app factory runs in granian's worker and reads its settings from here
        from argmap.store._lake import redact

        os.environ["ARGMAP_LAKE"] = ctx.obj["lake"]
        os.environ.pop("ARGMAP_DATA_PATH", None)
        if ctx.obj["data_path"]:
            os.environ["ARGMAP_DATA_PATH"] = ctx.obj["data_path"]
        db = "lake " + redact(ctx.obj["lake"])
    if host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("ARGMAP_TOKEN"):
        click.echo(f"argmap: warning: serving on {host} without ARGMAP_TOKEN: anyone who can reach it can write",
                   err=True)
    click.echo(f"argmap on http://{host}:{port}/ (pages at /ui/, OpenAPI at /schema; database {db})", err=True)
    Granian(
        "argmap.api.app:create_served_app", factory=True, address=host, port=port, interface="asgi",
        log_access=False,
    ).serve()


@cli.group()
def export() -> None:
    """Write a map (or a view of it) to a file."""


@export.command("map")
@click.argument("map_id")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Map file format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.pass_context
@handle_errors
def export_map(ctx: click.Context, map_id: str, fmt: str, out: Path | None) -> None:
    """Write a stored map as a map file that `argmap load` reads back."""
    from argmap.mapfile import dumps

    with open_store(ctx, read_only=True) as store:
        data = dumps(store.get_map(map_id), format=fmt)
    _write(data, out)


# --- Semantics: `argmap af ...` (abstract frameworks, ICCMA conventions) and `argmap evaluate`.

_SEMANTICS = ["grounded", "complete", "preferred", "stable"]


@cli.group("af")
def af_group() -> None:
    """Abstract argumentation frameworks in the ICCMA formats (.apx, .tgf, .af)."""


@af_group.command("solve")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--semantics", "-s", type=click.Choice(_SEMANTICS), required=True, help="The semantics.")
@click.option("--task", "-t", type=click.Choice(["se", "ee", "dc", "ds"]), required=True,
              help="se: some extension; ee: every extension; dc / ds: is --arg in some / every extension?")
@click.option("--arg", "-a", "arg", help="The argument that dc and ds ask about (its name; 1..N for .af files).")
@click.option("--format", "fmt", type=click.Choice(["apx", "tgf", "i23"]),
              help="Input format (default: from the extension: .apx, .tgf, .af/.i23). Needed for '-'.")
@click.option("--style", type=click.Choice(["iccma21", "iccma23"]),
              help="Answer style: iccma21 prints [a,b]; iccma23 prints 'w 1 2' (default: iccma23 for i23 input).")
@click.option("--limit", type=click.IntRange(min=1), help="For ee: list at most this many extensions.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Give up after this many seconds (exit 2 with a message).")
@handle_errors
def af_solve(file: str, semantics: str, task: str, arg: str | None, fmt: str | None, style: str | None,
             limit: int | None, timeout: float | None) -> None:
    """Solve one ICCMA task on the framework in FILE ('-' reads standard input).

    \b
        argmap af solve -s preferred -t ee tests/fixtures/floating.apx
        argmap af solve -s stable -t dc -a 3 framework.af
    """
    from argmap.semantics import iccma, solve

    if file == "-":
        if fmt is None:
            raise click.UsageError("--format is needed when reading standard input")
        af = iccma.loads(sys.stdin.read(), fmt)
    else:
        fmt = fmt or iccma.format_of(file)
        af = iccma.load(file, fmt)
    solution = solve(af, semantics, task, arg=arg, limit=limit, timeout=timeout)
    click.echo(iccma.answer(solution, style or ("iccma23" if fmt == "i23" else "iccma21")), nl=False)
    if solution.truncated:
        click.echo(f"argmap: note: stopped at --limit {limit}; more extensions exist", err=True)


@cli.command()
@click.argument("map_ref", metavar="MAP")
@click.option("--semantics", "-s", type=click.Choice(_SEMANTICS), default="grounded", show_default=True,
              help="grounded gives one sceptical answer; the others label what all their extensions agree on.")
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=16, show_default=True,
              help="List at most this many extensions.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Give up after this many seconds.")
@click.pass_context
@handle_errors
def evaluate(ctx: click.Context, map_ref: str, semantics: str, as_json: bool, limit: int, timeout: float) -> None:
    """Which statements of a map stand: a label (in / out / undec) and a reason for each.

    MAP is a map id in the database, or a map file (.yaml, .json, .toml).
    """
    from argmap.mapfile import FORMATS, load as load_file
    from argmap.semantics import evaluate_map

    if Path(map_ref).suffix.lower() in FORMATS and Path(map_ref).is_file():
        m = load_file(map_ref)
    else:
        with open_store(ctx, read_only=True) as store:
            m = store.get_map(map_ref)
    ev = evaluate_map(m, semantics, limit=limit, timeout=timeout)
    if as_json:
        click.echo(msgspec.json.encode(ev).decode())
        return
    click.echo(f"{m.id}: {semantics} semantics")
    for title, ids in (("statements", [s.id for s in m.statements]), ("arguments", [a.id for a in m.arguments])):
        counts = {lab: sum(ev.labels[x] == lab for x in ids) for lab in ("in", "out", "undec")}
        click.echo(f"\n{title}: {counts['in']} in, {counts['out']} out, {counts['undec']} undecided")
        width = max((len(x) for x in ids), default=0)
        for x in ids:
            click.echo(f"  {x:<{width}}  {ev.explanations[x]}")
    if semantics != "grounded":
        more = " (more exist)" if ev.truncated else ""
        click.echo(f"\n{len(ev.extensions)} {semantics} extension(s){more}")

# --- end of semantics commands.


# -- argmap export diagram (render/diagram.py) ------------------------------------------------

DIAGRAM_FORMATS = ("svg", "pdf", "png", "dot")  # the keys of render.diagram.EXPORTERS (a test checks)


@export.command("diagram")
@click.argument("map_id")
@click.option("--format", "fmt", type=click.Choice(DIAGRAM_FORMATS),
              help="Output format [default: the --out file's extension, else svg].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.option("--focus", metavar="ID", help="Draw only the part of the map around this statement.")
@click.option("--depth", type=int, default=2, show_default=True,
              help="With --focus: how many arguments away from it a statement may be.")
@click.option("--rankdir", type=click.Choice(["TB", "LR"]), default="TB", show_default=True,
              help="TB: conclusions at the top, reasons below; LR: conclusions left, reasons to the right.")
@click.option("--group-by-speaker", is_flag=True, help="Frame each speaker's statements together.")
@click.option("--title", help="Title to draw instead of the map's title.")
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option("--timeout", type=float, default=20.0, show_default=True,
              help="Seconds Graphviz may take before the export is refused.")
@click.option("--evaluate", type=click.Choice(["grounded", "complete", "preferred", "stable"]),
              help="Colour statements and arguments by their status under this semantics (see `argmap evaluate`).")
@click.pass_context
@handle_errors
def export_diagram(ctx: click.Context, map_id: str, fmt: str | None, out: Path | None, focus: str | None,
                   depth: int, rankdir: str, group_by_speaker: bool, title: str | None, no_legend: bool,
                   timeout: float, evaluate: str | None) -> None:
    """Draw a stored map as an argument diagram (SVG, PDF, PNG, or the Graphviz DOT source).

    \b
        argmap export diagram peace-plan --out peace-plan.svg
        argmap export diagram peace-plan --focus victims-silenced --depth 1 --out part.pdf
    """
    from argmap.render.diagram import options_from, render

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = suffix if suffix in DIAGRAM_FORMATS else "svg"
    options = options_from({"focus": focus, "depth": depth, "rankdir": rankdir, "group_by_speaker": group_by_speaker,
                            "title": title, "legend": not no_legend})
    with open_store(ctx, read_only=True) as store:
        m = store.get_map(map_id)
    if evaluate is not None:
        from argmap.semantics import evaluate_map

        options.labels = evaluate_map(m, evaluate, timeout=timeout).labels
    _write(render(m, fmt, options, timeout=timeout), out)


# -- end of argmap export diagram --------------------------------------------------------------
# ---- export timeline (issue #5) --------------------------------------------------------------


@export.command("timeline")
@click.argument("map_id")
@click.option("--format", "fmt", type=click.Choice(["svg", "pdf", "json"]), default="svg", show_default=True,
              help="svg: a picture with tooltips; pdf: A3 landscape pages; json: TimelineJS (Knight Lab).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.option("--from", "date_from", metavar="EDTF", help="Keep dates overlapping from this date on (2025-11-19, 2025-11).")
@click.option("--to", "date_to", metavar="EDTF", help="Keep dates overlapping up to this date (2025-11-26, 2025).")
@click.option("--speaker", "speakers", multiple=True, metavar="ID", help="Keep this speaker's statements (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Keep statements with this tag (repeatable: any of them).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["claim", "event", "derived"]),
              help="Keep statements of this kind (repeatable).")
@click.option("--focus", metavar="ID", help="Keep only what connects to this statement through arguments.")
@click.option("--depth", type=int, help="With --focus: how many arguments away (default 2).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds the PDF may take to typeset before it is refused (the HTTP API allows 60).")
@click.pass_context
@handle_errors
def export_timeline(ctx: click.Context, map_id: str, fmt: str, out: Path | None, timeout: float, **filters) -> None:
    """Write a map's dated timeline: one lane per speaker, undated statements listed apart."""
    from argmap.render.timeline import EXPORTERS, options_from, to_pdf

    options = options_from({"from": filters.pop("date_from"), "to": filters.pop("date_to"),
                            **{k: list(v) if isinstance(v, tuple) else v for k, v in filters.items()}})
    with open_store(ctx, read_only=True) as store:
        m = store.get_map(map_id)
    _write(to_pdf(m, options, timeout=timeout) if fmt == "pdf" else EXPORTERS[fmt].render(m, options), out)


# ---- end export timeline ---------------------------------------------------------------------


# -- argmap export briefing (issue 6) ---------------------------------------------------------


@export.command("briefing")
@click.argument("map_id")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="PDF for print (tagged PDF/UA-1), or one self-contained HTML page for the web.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="Paper size.")
@click.option("--sections", metavar="LIST",
              help="Comma-separated sections, in any order (default: every one that can be drawn): "
              "contents, conclusions, diagram, timeline, speakers, corrections, sources.")
@click.option("--focus", metavar="STATEMENT", help="Only what lies within --depth argument steps of this statement.")
@click.option("--depth", type=int, default=2, show_default=True, help="Argument steps from --focus (0 to 20).")
@click.option("--from", "date_from", metavar="EDTF", help="Leave out statements dated wholly before this date (e.g. 2025-11-20).")
@click.option("--to", "date_to", metavar="EDTF", help="Leave out statements dated wholly after this date (e.g. 2025-11).")
@click.option("--issued", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of issue on the cover and in the PDF metadata, YYYY-MM-DD (default: today).")
@click.option("--author", help="Who issues the briefing (the PDF's author; default: argmap).")
@click.option("--semantics", type=click.Choice(["grounded", "complete", "preferred", "stable", "none"]),
              default="grounded", show_default=True,
              help="Label statements stands / falls / undecided under this semantics (none: no labels).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds the PDF may take to typeset before it is refused (the HTTP API allows 60).")
@click.pass_context
@handle_errors
def export_briefing(ctx: click.Context, map_id: str, fmt: str, out: Path | None, paper: str, sections: str | None,
                    focus: str | None, depth: int, date_from: str | None, date_to: str | None, issued,
                    author: str | None, semantics: str, timeout: float) -> None:
    """Write a briefing of a map: cover, key conclusions with their standing, diagram, timeline,
    statements by speaker, corrections and numbered sources.

    \b
        argmap export briefing peace-plan --out briefing.pdf
        argmap export briefing peace-plan --format html --focus victims-silenced --depth 1 --out b.html
    """
    from argmap.render.briefing import briefing, parse_options

    options = parse_options(
        sections=sections, focus=focus, depth=depth, date_from=date_from, date_to=date_to, paper=paper,
        issued=issued.date().isoformat() if issued else None, author=author, semantics=semantics,
    )
    with open_store(ctx, read_only=True) as store:
        m = store.get_map(map_id)
    _write(briefing(m, options, fmt, timeout=timeout), out)


# -- end of argmap export briefing -------------------------------------------------------------


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


# -- interchange: AIF and Argdown in and out ----------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["aif", "argdown", "native"]),
              help="The document's format (default: from the file extension, else from the content).")
@click.option("--id", "map_id", help="Id of the new map (default: the document's own, else the file name).")
@click.option("--replace", is_flag=True, help="Replace a map of the same id if the database has one.")
@click.pass_context
@handle_errors
def import_(ctx: click.Context, file: Path, fmt: str | None, map_id: str | None, replace: bool) -> None:
    """Import an AIF JSON (AIFdb, OVA, xAIF), Argdown or map file as a new map.

    All or nothing: a document with a broken node, edge or line is refused with every problem
    named, and the database stays as it was. Prints what was imported and what AIF or Argdown
    held that argmap does not model (counted, never silently dropped). FILE may be - for
    standard input (then give --format).
    """
    from argmap import formats
    from argmap.mapfile import MAX_FILE_BYTES

    name = None if str(file) == "-" else str(file)
    data = _read_input(file, MAX_FILE_BYTES)
    fmt = fmt or formats.detect(data, filename=name)
    fallback = formats.id_from_filename(name) if name else "imported"
    if fmt == "native" and name is not None:
        # A map file on disk may name its sources' text files; `load` reads them beside it.
        from argmap.mapfile import load as load_file

        m = load_file(file)
        imported = formats.Imported(map=msgspec.structs.replace(m, id=map_id) if map_id else m)
    else:
        imported = formats.read(data, fmt, map_id=map_id, fallback_id=fallback, filename=name)
    m = imported.map
    with open_store(ctx) as store:
        counts = store.load_map(m, replace=replace)
    click.echo(f"imported map {m.id!r} ({fmt}) into {store.path}: {describe(counts)}")
    if imported.counts:
        click.echo("  the document holds: " + ", ".join(f"{n} {what}" for what, n in imported.counts.items()))
    if imported.skipped:
        click.echo("  not modelled: " + ", ".join(f"{n} {what}" for what, n in imported.skipped.items()))
    for note in imported.notes:
        click.echo(f"  note: {note}")


def _read_input(file: Path, limit: int) -> bytes:
    if str(file) == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            with file.open("rb") as f:
                data = f.read(limit + 1)
        except OSError as e:
            raise ArgmapError("file", f"cannot read {file}: {e.strerror}") from None
    if len(data) > limit:
        from argmap.errors import LimitExceeded

        raise LimitExceeded("file", f"larger than {limit // 2**20} MiB")
    return data


@export.command("aif")
@click.argument("map_id")
@click.option("--xaif", is_flag=True, help='Wrap the nodeset as xAIF ({"AIF": …, "text": …}).')
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.pass_context
@handle_errors
def export_aif(ctx: click.Context, map_id: str, xaif: bool, out: Path | None) -> None:
    """Write a stored map as AIF JSON (an AIFdb nodeset) that `argmap import` reads back.

    Node timestamps not known from an import are the time of export, or $SOURCE_DATE_EPOCH.
    """
    from argmap.formats import write

    with open_store(ctx, read_only=True) as store:
        data = write(store.get_map(map_id), "aif", xaif=xaif)
    _write(data, out)


@export.command("argdown")
@click.argument("map_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.pass_context
@handle_errors
def export_argdown(ctx: click.Context, map_id: str, out: Path | None) -> None:
    """Write a stored map as an Argdown document that Argdown's tools and `argmap import` read."""
    from argmap.formats import write

    with open_store(ctx, read_only=True) as store:
        data = write(store.get_map(map_id), "argdown")
    _write(data, out)


# -- end of interchange ------------------------------------------------------------------------


def _register_feature_commands() -> None:
    from argmap._cli_schemes import register as register_schemes

    register_schemes(cli, handle_errors)
    from argmap._cli_print import register as register_print

    register_print(cli, handle_errors, open_store, _write)


_register_feature_commands()


def main() -> None:
    cli(prog_name="argmap")


if __name__ == "__main__":
    main()
