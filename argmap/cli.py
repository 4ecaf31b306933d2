"""The ``argmap`` command line: the same functions as the HTTP API, for a terminal.

Exit codes: 0 ok; 2 bad input (a malformed file, an unknown id, a conflict, a usage error);
1 any other failure. Errors are printed as one line: ``argmap: error: <field>: <reason>``.
"""

from __future__ import annotations

import functools
import socket
import sys
from pathlib import Path

import click
import msgspec

from argmap._cli_history import log_as
from argmap._cli_history import register as register_history
from argmap._cli_schemes import print_flips
from argmap._cli_schemes import register as register_schemes
from argmap.errors import ArgmapError, LimitExceeded
from argmap.history import made_from, map_as_of, read_for_export, stamp, store_as_of
from argmap.mapfile import FORMATS, MAX_FILE_BYTES
from argmap.mapfile import load as load_file
from argmap.schemas import generate
from argmap.scope import SCOPE_FIELDS, Scope
from argmap.store import Counts, Store, default_path
from argmap.store._lake import redact

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


def _unwritable(path: Path) -> bool:
    """Whether ``path`` is an existing database file this process cannot open for writing
    (permissions, a read-only file system)."""
    if not path.is_file():
        return False
    try:
        with open(path, "r+b"):
            return False
    except OSError:
        return True


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
@click.option("--author", help="Who the change log names for this command's writes (default: the local user).")
@click.option("--message", "-m", help="Why: the change log's message for this command's writes.")
@click.version_option(package_name="argmap")
@click.pass_context
def cli(ctx: click.Context, db: str, lake: str | None, data_path: str | None, author: str | None,
        message: str | None) -> None:
    """argmap: argument maps of what public officials say.

    Statements become premises and conclusions linked by support, attack and undercut,
    stored in one DuckDB file. Start with:

    \b
        argmap load seeds/peace-plan.yaml
        argmap stats
    """
    ctx.ensure_object(dict)
    ctx.obj.update(db=db, lake=lake or None, data_path=data_path or None)

    log_as(author, message)


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
    out.mkdir(parents=True, exist_ok=True)
    for name, data in generate().items():
        (out / f"{name}.schema.json").write_bytes(data)
        click.echo(f"wrote {out / (name + '.schema.json')}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1 keeps it local).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--load", "seed", type=click.Path(dir_okay=False, path_type=Path),
              help="Load (or replace) this map file into the database before serving.")
@click.option("--log-format", type=click.Choice(["text", "json", "none"]), default="text", show_default=True,
              help="The access log on standard error: one line per request (json: one object a line).")
@click.option("--drain", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="On SIGTERM, seconds to let requests in flight finish (new ones get 503).")
@click.option("--metrics/--no-metrics", default=True, show_default=True,
              help="Count requests, writes, caches for GET /metrics (--no-metrics: to measure what they cost).")
@click.option("--read-only", is_flag=True, help="Open the database read-only: reads are answered, writes get "
              "503 (also chosen by itself when the file cannot be written).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name this server answers to (repeatable; '*' for any). Default: the --host "
              "address and the localhost names; other Host headers get 400 (DNS rebinding).")
@click.option("--advertise", metavar="URL", envvar="ARGMAP_ADVERTISE",
              help="With --lake: where the other servers on the lake reach this one, should it lead the "
              "writes (they forward theirs to the leader). Default: http://HOST:PORT, or the machine's "
              "name for a wildcard --host.")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, seed: Path | None, log_format: str, drain: float,
          metrics: bool, allowed_hosts: tuple[str, ...], read_only: bool, advertise: str | None) -> None:
    """Serve the HTTP API and the web pages at /ui/, in one process (granian, embedded).

    One process holds the database and the socket, so nothing outlives it, whatever kills it
    (DuckDB allows one writing process per file anyway). It exits with code 2 and one line
    when it cannot start (the file locked by another process, a lake that does not answer, a
    port in use). SIGTERM drains: new requests get 503, those in flight finish (--drain), exit 0.
    /healthz, /readyz and /metrics are for the operator.

    With --lake, run one `argmap serve` per machine (or port) on the same catalog, behind a
    load balancer: they share every map. One of them leads the writes (the first to start;
    another takes over within a second when it stops) and the others forward write requests
    to it at its --advertise address, so that all share its group commits.

    Writes need `Authorization: Bearer $ARGMAP_TOKEN` when ARGMAP_TOKEN is set; reads need
    ARGMAP_READ_TOKEN when that is set. The OpenAPI document and its page are at /schema.
    """
    import logging
    import os

    from argmap import _serve  # granian loads only to serve
    from argmap.api.app import create_served_app  # Litestar and every route load only to serve (0.6 s)

    if ctx.obj["lake"]:
        where = "lake " + redact(ctx.obj["lake"])
    else:
        where = str(Path(ctx.obj["db"]).resolve())
    _log_to_stderr()
    try:
        _serve.bind_check(host, port)
        if not read_only and not ctx.obj["lake"] and _unwritable(Path(ctx.obj["db"])):
            read_only = True
            click.echo(f"argmap: {where} cannot be written: serving it read-only (writes answer 503)", err=True)
        if read_only and seed is not None:
            _fail("--load needs a database it can write; drop --read-only or --load", 2)
        store = _serve.open_for_serving(lambda: open_store(ctx, read_only=read_only), where)
    except _serve.StartupError as e:
        _fail(str(e), 2)
    try:
        if seed is not None:
            counts = store.load_map(load_file(seed), replace=True)
            click.echo(f"loaded {seed}: {describe(counts)}", err=True)
        if ctx.obj["lake"] and not read_only:  # a read-only server answers writes 503 itself
            store.lead_writes(advertise or _own_address(host, port))
        if host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("ARGMAP_TOKEN"):
            click.echo(f"argmap: warning: serving on {host} without ARGMAP_TOKEN: anyone who can reach it can write",
                       err=True)
        app = create_served_app(store=store, access_log=None if log_format == "none" else log_format, metrics=metrics,
                                allowed_hosts=[host, *allowed_hosts])
    except BaseException:
        store.close()
        raise
    click.echo(f"argmap on http://{host}:{port}/ (pages at /ui/, OpenAPI at /schema; database {where}; "
               f"pid {os.getpid()})", err=True)
    try:
        lead = getattr(store, "leadership", None)
        code = _serve.serve(app, host=host, port=port, drain=drain, on_close=store.close,
                            on_drain=lead.close if lead is not None else None)
    except _serve.StartupError as e:
        _fail(str(e), 2)
    sys.exit(code)


def _own_address(host: str, port: int) -> str:
    """``http://host:port`` where other servers reach this one (a wildcard: the machine's name)."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _log_to_stderr() -> None:
    """The server's own lines and the access log, as they are, on standard error; written by a
    thread of their own (a queue), so that a slow reader of standard error never stalls a request."""
    import atexit
    import logging
    import logging.handlers
    import queue

    class Dropping(logging.handlers.QueueHandler):
        def enqueue(self, record) -> None:  # a reader stuck for 10,000 lines loses lines, not memory
            try:
                self.queue.put_nowait(record)
            except queue.Full:
                pass

        def prepare(self, record):
            # A line made already (the access log's, one per request): no copy to format it in.
            if not record.args and record.exc_info is None and record.stack_info is None:
                return record
            return super().prepare(record)

    lines: queue.Queue = queue.Queue(10_000)
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("%(message)s"))
    listener = logging.handlers.QueueListener(lines, stream)
    listener.start()
    atexit.register(listener.stop)
    for name in ("argmap.serve", "argmap.access"):
        logger = logging.getLogger(name)
        logger.addHandler(Dropping(lines))
        logger.setLevel(logging.INFO)
        logger.propagate = False


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
    from argmap.semantics import iccma, solve  # the solvers (numpy, PySAT) load only for commands that evaluate (0.3 s)

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
@click.option("--reading", type=click.Choice(["credulous", "sceptical"]), default="credulous", show_default=True,
              help="Open assumption questions of argument schemes hold (credulous) or count as questioned (sceptical).")
@click.option("--flips", "flips_of", metavar="ID", help="Instead: what would flip statement ID (minimal sets of "
              "statements to retract and of open questions to raise; grounded semantics).")
@click.option("--size", type=click.IntRange(1, 3), default=2, show_default=True, help="With --flips: the largest set.")
@click.option("--as-of", "as_of", metavar="VERSION|TIME", help="Evaluate the map as it was then (see `argmap history`).")
@click.pass_context
@handle_errors
def evaluate(ctx: click.Context, map_ref: str, semantics: str, as_json: bool, limit: int, timeout: float,
             reading: str, flips_of: str | None, size: int, as_of: str | None) -> None:
    """Which statements of a map stand: a label (in / out / undec) and a reason for each.

    MAP is a map id in the database, or a map file (.yaml, .json, .toml).
    """
    from argmap.semantics import evaluate_map  # the solvers (numpy, PySAT) load only for commands that evaluate (0.3 s)

    if Path(map_ref).suffix.lower() in FORMATS and Path(map_ref).is_file():
        m = load_file(map_ref)
    else:
        with open_store(ctx, read_only=True) as store:
            m = map_as_of(store, map_ref, as_of)
    if flips_of is not None:
        print_flips(m, flips_of, semantics=semantics, size=size, reading=reading, timeout=timeout, as_json=as_json)
        return
    ev = evaluate_map(m, semantics, limit=limit, timeout=timeout, reading=reading)
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


# -- argmap export NAME: one command per name of the export catalogue (argmap/exports/) -------


class _ExportGroup(click.Group):
    """``argmap export``'s commands, made from the export catalogue when first asked for:
    the catalogue imports every renderer, which `argmap --help` and `argmap load` need not wait for."""

    _made: dict[str, click.Command] | None = None

    @property
    def commands(self) -> dict[str, click.Command]:
        if self._made is None:
            from argmap.exports import by_name  # lazily: start-up time (see the class docstring)

            self._made = {name: _export_command(name, exports) for name, exports in by_name().items()}
        return self._made

    @commands.setter
    def commands(self, value: dict) -> None:  # click.Group.__init__ sets it; ours come from the catalogue
        pass


@cli.group(cls=_ExportGroup)
def export() -> None:
    """Write a map (or a view of it) to a file: every export of the catalogue, by name."""


def _export_command(name: str, exports: list) -> click.Command:
    import typing

    from argmap.exports import find, make, options_from  # the export catalogue loads only for `argmap export` (0.2 s)

    first = exports[0]
    suffixes = [e.suffix for e in exports]

    @click.pass_context
    @handle_errors
    def command(ctx: click.Context, map_id: str, fmt: str | None, out: Path | None, timeout: float,
                as_of: str | None, **given) -> None:
        if fmt is None:
            fmt = next((x for x in suffixes if out is not None and out.name.lower().endswith("." + x)), suffixes[0])
        export = find(name, fmt)
        params = {fields[k]: (list(v) if isinstance(v, tuple) else v) for k, v in given.items()}
        for key in inverted:  # a --no-X flag given sets X false
            params[key] = False if params.get(key) else None
        scope, options = options_from(export, params)

        with open_store(ctx, read_only=True) as store:
            source = store_as_of(store, map_id, as_of)
            m, version = read_for_export(source, map_id)
            made = made_from(source, map_id, version)
        _write(stamp(make(export, m, scope, options, timeout=timeout, made=made), export, map_id, version,
                     made.at if made else None), out)

    fields: dict[str, str] = {}
    inverted: set[str] = set()
    params: list[click.Parameter] = [
        click.Argument(["map_id"]),
        click.Option(["--format", "fmt"], type=click.Choice(suffixes),
                     help=f"Output format [default: the --out file's extension, else {suffixes[0]}]."),
        click.Option(["--out"], type=click.Path(dir_okay=False, path_type=Path),
                     help="Output file (default: standard output)."),
        click.Option(["--timeout"], type=click.FloatRange(min=0, min_open=True), default=first.timeout,
                     show_default=True, help="Seconds Graphviz or the typesetting may take before the export is refused."),
        click.Option(["--as-of", "as_of"], metavar="VERSION|TIME",
                     help="The map as it was at this version or ISO 8601 time (see `argmap history`)."),
    ]
    structs = ([Scope] if first.scoped else []) + [first.options]
    for struct in structs:
        hints = typing.get_type_hints(struct, include_extras=True)
        for f in msgspec.structs.fields(struct):
            t = hints[f.name]
            flag = first.cli_aliases.get(f.name) or _singular(f)
            dest = f"o_{f.name}"
            fields[dest] = f.encode_name
            help_ = _help(t)
            base = _bare(t)
            if typing.get_origin(base) is list:
                choices = typing.get_args(_bare(typing.get_args(base)[0]))
                kind = click.Choice(choices) if choices and all(isinstance(c, str) for c in choices) else None
                params.append(click.Option([f"--{flag}", dest], multiple=True, type=kind, help=help_ + " (repeatable)"))
            elif base is bool and f.default is True:
                inverted.add(f.encode_name)
                params.append(click.Option([f"--no-{flag.replace('_', '-')}", dest], is_flag=True, default=None,
                                           help=f"Leave this out: {help_[0].lower()}{help_[1:]}"))
            elif base is bool:
                params.append(click.Option([f"--{flag.replace('_', '-')}", dest], is_flag=True, default=None, help=help_))
            elif typing.get_origin(base) is typing.Literal:
                default = None if f.default is msgspec.NODEFAULT else f.default
                params.append(click.Option([f"--{flag}", dest], type=click.Choice(typing.get_args(base)),
                                           default=default, show_default=default is not None, help=help_))
            else:
                params.append(click.Option([f"--{flag.replace('_', '-')}", dest],
                                           type=int if base is int else str, help=help_,
                                           metavar="EDTF" if f.encode_name in ("from", "to") else None))
    assert set(fields.values()) >= (set(SCOPE_FIELDS) if first.scoped else set())
    doc = first.summary or name
    return click.Command(name, callback=command, params=params, help=f"{doc}.\n\nFormats: {', '.join(suffixes)}.",
                         short_help=doc)


def _singular(f) -> str:
    import typing

    name = f.encode_name
    return name[:-1] if typing.get_origin(_bare(f.type)) is list and name.endswith("s") else name


def _bare(t):
    import types
    import typing

    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        t = args[0] if len(args) == 1 else t
    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


def _help(t) -> str:
    import typing

    for part in (t, *typing.get_args(t)):
        if typing.get_origin(part) is typing.Annotated:
            for meta in typing.get_args(part)[1:]:
                if isinstance(meta, msgspec.Meta) and meta.description:
                    return meta.description.replace("`", "")
    return ""


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


# -- interchange: AIF and Argdown in and out ----------------------------------------------------


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["aif", "argdown", "native"]),
              help="The documents' format (default: from each file's extension, else its content).")
@click.option("--id", "map_id", help="Id of the new map (one document only; default: the document's own, else its "
              "title's, else the file name; -2, -3, … added while taken).")
@click.option("--replace", is_flag=True, help="Replace a map of the same id if the database has one.")
@click.option("--progress/--no-progress", default=None,
              help="A progress bar for many documents (default: when standard error is a terminal).")
@click.pass_context
@handle_errors
def import_(ctx: click.Context, files: tuple[Path, ...], fmt: str | None, map_id: str | None, replace: bool,
            progress: bool | None) -> None:
    """Import AIF JSON (AIFdb, OVA, xAIF), Argdown or map files, one new map each.

    FILES may be files, folders (every .json, .aif, .argdown, .ad, .yaml, .yml inside, sorted)
    or - for standard input (then give --format). Each document is all or nothing: one with a
    broken node, edge or line is refused with every problem named and changes nothing, and the
    others are imported (stored in groups of 64, one commit each). Prints what each document
    held that argmap does not model (counted, never silently dropped). Exits 1 if any document
    was refused.
    """
    from argmap.importing import import_documents  # every format's reader loads only for `argmap import` (0.2 s)

    paths = _expand(files)
    if map_id is not None and len(paths) > 1:
        raise ArgmapError("id", "--id names one map: give one document")
    documents = (_document(path, fmt, map_id, MAX_FILE_BYTES) for path in paths)
    show = progress if progress is not None else (len(paths) > 1 and sys.stderr.isatty())
    refused = 0
    with open_store(ctx) as store, _progress(show, len(paths)) as advance:
        for report in import_documents(store, documents, replace=replace):
            advance()
            if report.ok:
                if len(paths) > 1:
                    click.echo(f"{report.name}: imported map {report.id!r} ({report.format}): {describe(report.counts)}")
                else:
                    click.echo(f"imported map {report.id!r} ({report.format}) into {store.path}: "
                               f"{describe(report.counts)}")
                if report.document:
                    click.echo("  the document holds: " + ", ".join(f"{n} {w}" for w, n in report.document.items()))
                if report.not_modelled:
                    click.echo("  not modelled: " + ", ".join(f"{n} {w}" for w, n in report.not_modelled.items()))
                for note in report.notes:
                    click.echo(f"  note: {note}")
            else:
                refused += 1
                if len(paths) == 1:
                    raise report.exception
                click.echo(f"{report.name}: refused: {report.exception}", err=True)
    if len(paths) > 1:
        click.echo(f"{len(paths) - refused} of {len(paths)} documents imported into {store.path}"
                   + (f"; {refused} refused" if refused else ""))
    if refused:
        ctx.exit(1)


_IMPORTABLE = (".json", ".aif", ".argdown", ".ad", ".yaml", ".yml")


def _expand(files: tuple[Path, ...]) -> list[Path]:
    """Files as given, and each folder's importable files (sorted)."""
    out: list[Path] = []
    for f in files:
        if str(f) != "-" and f.is_dir():
            out.extend(sorted(p for p in f.iterdir() if p.is_file() and p.name.lower().endswith(_IMPORTABLE)))
        else:
            out.append(f)
    if not out:
        raise ArgmapError("files", f"no importable files ({', '.join(_IMPORTABLE)}) in {', '.join(map(str, files))}")
    return out


def _document(file: Path, fmt: str | None, map_id: str | None, limit: int):
    from argmap import formats  # every format's reader loads only for commands that read one (0.14 s)
    from argmap.importing import Document  # every format's reader loads only for `argmap import` (0.2 s)

    name = None if str(file) == "-" else str(file)
    data = _read_input(file, limit)
    if (fmt or formats.detect(data, filename=name)) == "native" and name is not None:
        # A map file on disk may name its sources' text files; `load` reads them beside it.

        m = load_file(file)
        return Document(data=b"", name=name, format="native", id=map_id,
                        map=msgspec.structs.replace(m, id=map_id) if map_id else m)
    return Document(data=data, name=name, format=fmt, id=map_id)


def _progress(show: bool, total: int):
    """A context giving ``advance()``: a rich progress bar on standard error, or nothing."""
    import contextlib

    if not show:
        return contextlib.nullcontext(lambda: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as p:
            task = p.add_task("import", total=total)
            yield lambda: p.advance(task)

    return bar()


@cli.group("lake")
def lake_group() -> None:
    """Upkeep of a DuckLake catalog (give --lake)."""


@lake_group.command("compact")
@click.pass_context
@handle_errors
def lake_compact(ctx: click.Context) -> None:
    """Move small writes kept in the catalog into Parquet files and merge small files.

    DuckLake keeps the rows of small writes in the catalog (data inlining) rather than one
    Parquet file each; this flushes them and merges adjacent small files, as new snapshots
    (readers go on; earlier snapshots stay readable). Servers also do this on their own every
    1,000 write transactions.
    """
    if not ctx.obj.get("lake"):
        raise ArgmapError("lake", "argmap lake compact needs --lake (or $ARGMAP_LAKE)")
    with open_store(ctx) as store:
        result = store.compact()
    click.echo(f"compacted {store.path}: {result['files_before']} data files before, {result['files_after']} after")


@lake_group.command("leader")
@click.pass_context
@handle_errors
def lake_leader(ctx: click.Context) -> None:
    """Print the address of the server that leads the lake's writes (the others forward theirs
    to it), or say that none does (each server then writes itself). Exit code 1 when none does."""
    if not ctx.obj.get("lake"):
        raise ArgmapError("lake", "argmap lake leader needs --lake (or $ARGMAP_LAKE)")
    with open_store(ctx) as store:
        leadership = store.lead_writes(None)  # look only, never lead
        address = leadership.leader() if leadership is not None else None
    if address is None:
        click.echo("no server leads the writes of this lake (each server writes itself)")
        sys.exit(1)
    click.echo(address)


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
        raise LimitExceeded("file", f"larger than {limit // 2**20} MiB")
    return data


# -- end of interchange ------------------------------------------------------------------------


def _register_feature_commands() -> None:
    register_schemes(cli, handle_errors, open_store)
    register_history(cli, handle_errors, open_store)


_register_feature_commands()


def main() -> None:
    cli(prog_name="argmap")


if __name__ == "__main__":
    main()
