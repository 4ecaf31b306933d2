"""The change log: every write to a map kept with who, when and why, and any past state rebuilt.

:func:`record` appends log rows in each write's own transaction; :func:`store_at` rebuilds a
version (current rows, later changes undone). See docs/ARCHITECTURE.md, "The store".

>>> from argmap.store import Store
>>> from argmap.model import MapInfo
>>> with Store(":memory:") as store, context(author="ann"):
...     [v.author for v in versions(store, store.create_map(MapInfo(id="m", title="A map")).id)]
['ann']
"""

from __future__ import annotations

import bisect
import contextvars
import re
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import msgspec

from argmap.errors import InvalidInput, NotFound
from argmap.model import Argument, Map, Quote, Relation, Source, Speaker, Statement
from argmap.store._rows import (
    _argument,
    _argument_row,
    _extras,
    _extras_json,
    _ids_in,
    _insert_many,
    _literal_insert,
    _premise_rows,
    _relation_row,
    _source_row,
    _speaker_row,
    _statement_row,
)

__all__ = [
    "CONTEXT",
    "Change",
    "Who",
    "Version",
    "as_of_version",
    "baseline",
    "changes",
    "check",
    "context",
    "current_version",
    "map_at",
    "note",
    "note_map",
    "put_back",
    "noted",
    "record",
    "states_between",
    "framework_at",
    "graph_deltas",
    "store_at",
    "version_time",
    "versions",
]

KINDS = ("map", "speaker", "source", "statement", "argument", "relation")
_STRUCT = {"speaker": Speaker, "source": Source, "statement": Statement, "argument": Argument,
           "relation": Relation}
_PLURAL = {"map": "maps", "speaker": "speakers", "source": "sources", "statement": "statements",
           "argument": "arguments", "relation": "relations"}


class Who(msgspec.Struct, frozen=True, kw_only=True):
    """Who writes and why, for the log: set per request (HTTP) or per command (CLI)."""

    author: str | None = None
    message: str | None = None
    action: str | None = None
    """``restore`` for a restore; else derived from the write (write, load, delete)."""
    restored_from: int | None = None


CONTEXT: contextvars.ContextVar[Who] = contextvars.ContextVar("argmap_history_who", default=Who())
"""Who the writes of this request or command are by (a context variable: Litestar's worker
threads and the group committer see the request's own value)."""


@contextmanager
def context(**fields):
    """Writes inside the block are logged with these fields of :class:`Who` (others kept)."""
    token = CONTEXT.set(msgspec.structs.replace(CONTEXT.get(), **fields))
    try:
        yield
    finally:
        CONTEXT.reset(token)


class Version(msgspec.Struct, kw_only=True):
    """One entry of a map's history."""

    version: int
    at: str
    """UTC, ISO 8601 with a ``Z``."""
    author: str | None = None
    message: str | None = None
    action: str
    """write, load, delete, restore, or baseline (the map as it was when the log began)."""
    restored_from: int | None = None
    summary: str
    """What changed, in a few words."""
    changes: int
    """How many entities this version changed."""


class Change(msgspec.Struct, kw_only=True):
    """One entity's state before and after a version (``None``: absent)."""

    kind: str
    id: str
    before: dict | None = None
    after: dict | None = None


# -- writing ------------------------------------------------------------------------------


class _Journal:
    """What one write request touched: per map, entity keys, or the whole map; and the states
    it already holds (read by its own checks, or written by it), so the log needs no query."""

    __slots__ = ("maps", "new", "before", "written")

    def __init__(self):
        self.maps: dict[str, set | None] = {}  # None: the whole map (load, delete)
        self.new: set = set()  # (map, kind, id) this write added, checked absent in its transaction
        self.before: dict = {}  # (map, kind, id) -> (seq, json): the row as the request found it
        self.written: dict = {}  # (map, kind, id) -> the Struct the request last wrote over that row


def begin(store) -> None:
    """Start an empty journal for the write transaction this thread is opening."""
    store._local.journal = _Journal()


def end(store) -> None:
    store._local.journal = None


def _journal(store) -> _Journal | None:
    return getattr(store._local, "journal", None)


def note(store, map_id: str, kind: str, ids, *, new: bool = False, written=None) -> None:
    """Record that the running write adds, changes or deletes these entities of ``map_id``.

    ``ids`` may be ids of ``kind``, or ``"kind:id"`` strings (what a delete returns) when
    ``kind`` is None. ``new``: the write adds them, having checked that they do not exist (their
    state before is absent, and need not be looked up). ``written``: the one entity (a Struct)
    an update wrote over the row that :func:`exists_before` read; its state after is then known.
    """
    j = _journal(store)
    if j is None:
        return
    if new:
        j.new.update((map_id, kind, i) for i in ids)
    keys = j.maps.setdefault(map_id, set())
    for i in ids:
        key = tuple(i.split(":", 1)) if kind is None else (kind, i)
        if written is not None:
            j.written[(map_id, *key)] = written
        else:
            j.written.pop((map_id, *key), None)  # changed again some other way: read it back
        if keys is not None:  # else the whole map is recorded anyway
            keys.add(key)


def exists_before(store, cur, map_id: str, kind: str, id_: str) -> bool | None:
    """For an update of one entity: whether it exists, found by reading its row as it is now,
    which the change log keeps as its state before (one lookup by id, as the existence check
    alone costs). None when the log needs no such row (not logging, or the request touched the
    entity already): then check existence as usual.
    """
    j = _journal(store)
    if j is None or not getattr(store, "log_changes", True) or kind not in _SQL:
        return None
    keys = j.maps.get(map_id, set())
    if keys is None or (kind, id_) in keys:
        return None
    got = _staged_item(cur, map_id, kind, id_)
    if got is None:
        # A staged premise of an argument would be missed by a peek: flush for arguments.
        run = cur.execute if kind == "argument" else getattr(cur, "peek", cur.execute)
        col = "a.id" if kind == "argument" else "id"
        rows = [r for r in run(_SQL[kind] + f" WHERE {col} = $id", {"id": id_}).fetchall() if r[2] == map_id]
        if not rows:
            return False
        got = (rows[0][1], msgspec.json.encode(_item(kind, rows[0])).decode())
    j.before[(map_id, kind, id_)] = got
    return True


def noted(store, map_id: str, deleted: list[str]) -> list[str]:
    """:func:`note` of what a delete returns (``["statement:s1", …]``); returns it unchanged."""
    note(store, map_id, None, deleted, written=GONE)
    return deleted


GONE = object()
"""``note(..., written=GONE)``: the write deleted the entities (their state after is absent)."""


def note_map(store, map_id: str, *, new: bool = False) -> None:
    """Record that the running write replaces or deletes the whole map (``new``: creates it,
    having checked that it does not exist)."""
    j = _journal(store)
    if j is not None:
        j.maps[map_id] = None
        if new:
            j.new.add((map_id, "map", map_id))


def record(store, cur) -> None:
    """Append the log rows of the running write request, in its transaction (called as the
    request ends; :func:`flush` writes them, before the commit)."""
    j = _journal(store)
    if j is None or not j.maps or not getattr(store, "log_changes", True):
        return
    who = CONTEXT.get()
    for map_id, keys in j.maps.items():
        _record_map(store, cur, map_id, keys, who, j.new, j)
    j.maps, j.new, j.before, j.written = {}, set(), {}, {}


def _record_map(store, cur, map_id: str, keys: set | None, who: Who, new: set = frozenset(),
                j: _Journal | None = None) -> None:
    tx = getattr(cur, "tx", None)
    logged = tx.setdefault("logged", {}) if tx is not None else {}
    if map_id not in logged and (facts := tx and tx.get("facts")) and (head := facts.get(map_id, {}).get("log")):
        logged[map_id] = head  # what the last transaction that logged the map left
    if map_id not in logged:
        # This transaction's own log rows of the map are in ``logged``; the query needs only
        # what committed before it (so it may skip inserting the staged rows first).
        logged[map_id] = getattr(cur, "peek", cur.execute)(
            "SELECT max(version), max(seq) FILTER (WHERE kind IS NULL) FROM change_log WHERE map_id = $m",
            {"m": map_id}).fetchone()
    last, last_at = logged[map_id]
    version = (last or 0) + 1
    if keys is None:
        # A new map whose rows are all still staged (a small load): nothing before, and the rows
        # after are at hand. A map that does not exist has no entity whose latest state is present.
        after = _staged_map(cur, map_id) if (map_id, "map", map_id) in new else None
        before = {} if after is not None else _latest_all(cur, map_id, None)
        if after is None:
            after = _current_all(store, cur, map_id)
        touched = sorted(set(before) | set(after))
    else:
        touched = sorted(keys)
        # Added in this write and still staged (the common small write): the state before is
        # absent, and the state after is the staged row, with no query at all.
        after = {k: a for k in touched if (map_id, *k) in new and (a := _staged_item(cur, map_id, *k)) is not None}
        before = {}
        if j is not None:
            # Updated by this request over a row its check read: both states are in hand.
            for k in touched:
                if k not in after and (b := j.before.get((map_id, *k))) is not None:
                    before[k] = b
                    if (w := j.written.get((map_id, *k))) is GONE:
                        after[k] = None
                    elif w is not None:
                        after[k] = (b[0], _item_json(k[0], _ROW[k[0]](map_id, b[0], w), w))
        rest = [k for k in touched if k not in after and k not in before]
        if rest:
            before.update(_latest(cur, map_id, rest))
        if rest := [k for k in touched if k not in after]:
            after.update(_current(store, cur, map_id, rest))
        after = {k: a for k, a in after.items() if a is not None}
    rows = []
    for key in touched:
        b, a = before.get(key), after.get(key)
        if b != a:  # (seq, json) pairs: a change of place counts too
            rows.append({"map_id": map_id, "version": version, "kind": key[0], "id": key[1],
                         "seq": a[0] if a else (b[0] if b else None),
                         "before": b[1] if b else None, "after": a[1] if a else None})
    action = who.action or _action(keys, rows, map_id)
    at = _micros(datetime.now(timezone.utc))
    if last_at is not None and at < last_at:  # a clock stepped back: times stay in version order
        at = last_at
    head = _HEAD.encode(_Head(author=who.author, message=who.message, action=action, restored_from=who.restored_from,
                              summary=_summary(rows, map_id, action, who), changes=len(rows))).decode()
    _append(cur, [{"map_id": map_id, "version": version, "kind": None, "id": None, "seq": at, "before": None,
                   "after": head}, *rows])
    logged[map_id] = (version, at)


class _Head(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What a version's own row keeps in ``after`` (its ``seq`` is when it was written:
    :func:`_micros`; its kind, id and before are NULL). See migrations/0005_narrow_log.sql."""

    action: str
    summary: str
    changes: int
    author: str | None = None
    message: str | None = None
    restored_from: int | None = None


_HEAD = msgspec.json.Encoder()
_HEAD_DEC = msgspec.json.Decoder(_Head)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _micros(t: datetime) -> int:
    """A time as the log keeps it: microseconds since 1970-01-01 UTC (naive times are UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    d = t - _EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def _from_micros(us: int) -> datetime:
    """:func:`_micros` back to a naive UTC datetime."""
    return (_EPOCH + timedelta(microseconds=us)).replace(tzinfo=None)


def _append(cur, rows: list[dict]) -> None:
    """Keep log rows for :func:`flush` (in the write transaction's ``tx``, which a rollback
    empties), or insert them now outside a group commit. Every row has every column of the
    table (their order may differ: both inserts take them by name)."""
    tx = getattr(cur, "tx", None)
    if tx is None or not hasattr(cur, "stage"):
        _insert_many(cur, "change_log", rows)
    elif rows:
        tx.setdefault("log_rows", []).extend(rows)


LITERAL_ROWS = 64
"""Up to this many log rows (and ``_rows.LITERAL_BYTES``) go in as SQL literals, past it as JSON."""


def flush(cur) -> None:
    """Write the log rows the transaction's requests kept (:func:`_append`): called before the
    commit, and before a query of the log inside the write.

    A small group's rows go in as one statement of SQL literals (``_rows._literal_insert``: DuckDB
    spends more binding a parameter than inserting a row), deferred to the group's call with its
    COMMIT (``WriteCursor.defer``).
    """
    tx = getattr(cur, "tx", None)
    pending = tx.pop("log_rows", None) if tx is not None else None
    if not pending:
        return
    sql = _literal_insert("change_log", pending) if len(pending) <= LITERAL_ROWS else None
    if sql is not None:
        getattr(cur, "defer", cur.execute)(sql)  # a group commit's: in the commit's call
    else:
        _insert_many(cur, "change_log", pending)
        getattr(cur, "flush", lambda: None)()


def _log(cur):
    """``cur``, its write's pending log rows written first (a query of the log must see them)."""
    flush(cur)
    return cur


def _action(keys, rows, map_id) -> str:
    if keys is not None:
        return "write"
    gone = any(r["kind"] == "map" and r["after"] is None for r in rows)
    return "delete" if gone else "load"


def _summary(rows: list[dict], map_id: str, action: str, who: Who) -> str:
    """A few words: ``added statement s1; changed argument a2 (note)``; counts past a handful."""
    if action == "restore":
        head = f"restored version {who.restored_from}"
    elif action == "baseline":
        head = "the map as it was when the change log began"
    else:
        head = ""
    parts = []
    by_op: dict[str, dict[str, list]] = {}
    for r in rows:
        if r["kind"] == "map":
            if r["before"] is None:
                parts.append(f"created map {map_id}")
            elif r["after"] is None:
                parts.append(f"deleted map {map_id}")
            else:
                parts.append(f"changed map ({', '.join(_fields_changed(r['before'], r['after']))})")
            continue
        op = "added" if r["before"] is None else "deleted" if r["after"] is None else "changed"
        by_op.setdefault(op, {}).setdefault(r["kind"], []).append(r)
    for op in ("added", "changed", "deleted"):
        kinds = by_op.get(op, {})
        if not kinds:
            continue
        words = []
        for kind in KINDS:
            items = kinds.get(kind)
            if not items:
                continue
            if len(items) == 1:
                r = items[0]
                fields = _fields_changed(r["before"], r["after"]) if op == "changed" else []
                words.append(f"{kind} {r['id']}" + (f" ({', '.join(fields)})" if fields else ""))
            elif len(items) <= 3:
                words.append(f"{_PLURAL[kind]} {', '.join(r['id'] for r in items)}")
            else:
                words.append(f"{len(items)} {_PLURAL[kind]}")
        parts.append(f"{op} " + ", ".join(words))
    text = "; ".join(([head] if head else []) + parts) or (head or "no change")
    return text if len(text) <= 300 else text[:299] + "…"


def _fields_changed(before: str | None, after: str | None) -> list[str]:
    b = msgspec.json.decode(before) if before else {}
    a = msgspec.json.decode(after) if after else {}
    return [k for k in dict.fromkeys([*b, *a]) if b.get(k) != a.get(k)] or ["place"]


def _latest(cur, map_id: str, keys: list[tuple[str, str]]) -> dict:
    """``{(kind, id): (seq, after)}`` of these entities' latest log rows (absent: never logged or deleted)."""

    flush(cur)
    ids = sorted({i for _, i in keys})
    params: dict = {"m": map_id}
    rows = cur.execute("SELECT map_id, kind, id, version, seq, after FROM change_log WHERE map_id = $m AND "
                       + _ids_in("id", ids, params) + " AND kind IS NOT NULL", params).fetchall()
    wanted, best = set(keys), {}
    for m, kind, id_, version, seq, after in rows:
        if m == map_id and (kind, id_) in wanted and (best.get((kind, id_)) or (-1,))[0] < version:
            best[(kind, id_)] = (version, seq, after)
    return {k: (v[1], v[2]) for k, v in best.items() if v[2] is not None}


def _latest_all(cur, map_id: str, version: int | None) -> dict:
    """``{(kind, id): (seq, after)}`` of every entity present in the map at ``version`` (None: the last)."""
    flush(cur)
    cond = "" if version is None else " AND version <= $v"
    params = {"m": map_id} if version is None else {"m": map_id, "v": version}
    rows = cur.execute(
        "SELECT kind, id, arg_max_null(seq, version), arg_max_null(after, version) FROM change_log "
        "WHERE map_id = $m AND kind IS NOT NULL" + cond + " GROUP BY kind, id",
        params,
    ).fetchall()
    return {(k, i): (s, a) for k, i, s, a in rows if a is not None}


def _map_doc(cur, map_id: str) -> str | None:
    row = cur.execute("SELECT title, description, extras FROM maps WHERE id = $m", {"m": map_id}).fetchone()
    if row is None:
        return None
    return msgspec.json.encode({"title": row[0], "description": row[1],
                                "extras": msgspec.json.decode(row[2]) if row[2] else {}}).decode()


# What each kind's rows hold, read straight from the tables inside the write (not through the
# Store's public list methods, which a caller may wrap): (columns, row -> JSON-ready dict).
_SQL = {
    "speaker": "SELECT id, seq, map_id, name, role, affiliation FROM speakers",
    "source": "SELECT id, seq, map_id, title, publisher, url, published, text FROM sources",
    "statement": "SELECT id, seq, map_id, text, kind, speaker_id, said, source_id, date_source_id, quote_start, "
                 "quote_end, quote_text, tags, note, extras FROM statements",
    "argument": "SELECT id, seq, map_id, kind, target_id, scheme, note, extras, "
                "(SELECT list(p.statement_id ORDER BY p.position) FROM premises p "
                "WHERE p.map_id = a.map_id AND p.argument_id = a.id) FROM arguments a",
    "relation": "SELECT id, seq, map_id, kind, sources, target_id, scheme, note, extras FROM relations",
}


def _item(kind: str, r) -> msgspec.Struct:
    if kind == "speaker":
        return Speaker(id=r[0], name=r[3], role=r[4], affiliation=r[5])
    if kind == "source":
        return Source(id=r[0], title=r[3], publisher=r[4], url=r[5], published=r[6], text=r[7])
    if kind == "statement":
        quote = Quote(start=r[9], end=r[10], text=r[11]) if r[9] is not None else None
        return Statement(id=r[0], text=r[3], kind=r[4], speaker=r[5], said=r[6], source=r[7], date_source=r[8],
                         quote=quote, tags=list(r[12]), note=r[13], extras=_extras(r[14]))
    if kind == "argument":

        return _argument((r[0], r[3], r[4], r[5], r[6], r[7]), list(r[8] or []))
    return Relation(id=r[0], kind=r[3], sources=list(r[4]), target=r[5], scheme=r[6], note=r[7],
                    extras=_extras(r[8]))


_COLUMNS = {kind: [c.strip().split(" ")[-1] for c in sql[len("SELECT "):sql.index(" FROM ")].split(", ")]
            for kind, sql in _SQL.items() if kind != "argument"}
_COLUMNS["argument"] = ["id", "seq", "map_id", "kind", "target_id", "scheme", "note", "extras"]


def _staged_item(cur, map_id: str, kind: str, id_: str) -> tuple[int, str] | None:
    """``(seq, json)`` of an entity whose row the running write staged (see
    :class:`~argmap.store._writer.WriteCursor`), as :func:`_read_items` would read it back."""
    staged = getattr(cur, "staged", None)
    row = staged(_PLURAL[kind], map_id, id_) if staged is not None and kind in _COLUMNS else None
    if row is None:
        return None
    premises = None
    if kind == "argument":
        premises = cur.staged_premises(map_id, id_)
        if premises is None:
            return None
    return row["seq"], _item_json(kind, row, premises)


def _item_json(kind: str, row: dict, premises=None) -> str:
    """The log's JSON of an entity from the row written for it (``premises``: an argument's
    premise ids, or the Argument it was written from), as reading the row back would give it."""
    r = [row.get(c) for c in _COLUMNS[kind]]
    if kind == "argument":
        r.append(premises.premises if isinstance(premises, Argument) else premises)
    return msgspec.json.encode(_item(kind, r)).decode()


def _staged_map(cur, map_id: str) -> dict | None:
    """What :func:`_current_all` would read of a map whose rows the running write staged, or
    None when some went in already (a flush, or an insert too large to stage)."""
    staged = getattr(cur, "staged", None)
    row = staged("maps", None, map_id) if staged is not None else None
    if row is None:
        return None
    doc = {"title": row["title"], "description": row["description"],
           "extras": msgspec.json.decode(row["extras"]) if row["extras"] else {}}
    out = {("map", map_id): (0, msgspec.json.encode(doc).decode())}
    for kind in _SQL:
        for r in cur.staged_in(_PLURAL[kind], map_id):
            item = _staged_item(cur, map_id, kind, r["id"])
            if item is None:
                return None
            out[(kind, r["id"])] = item
    return out


def _read_items(cur, kind: str, map_id: str, ids: list[str] | None) -> dict:
    """``{(kind, id): (seq, json)}`` of a map's rows of ``kind`` (only ``ids`` unless None)."""

    alias = " a" if kind == "argument" else ""
    sql = _SQL[kind]
    col = ("a." if alias else "") + "id"
    if ids is None:
        sql, params = sql + " WHERE " + ("a." if alias else "") + "map_id = $m", {"m": map_id}
    else:
        params = {}
        sql = sql + " WHERE " + _ids_in(col, ids, params)
    enc = msgspec.json.encode
    return {(kind, r[0]): (r[1], enc(_item(kind, r)).decode()) for r in cur.execute(sql, params).fetchall()
            if r[2] == map_id}


def _current(store, cur, map_id: str, keys: list[tuple[str, str]]) -> dict:
    """``{(kind, id): (seq, json)}`` of these entities as the running write leaves them."""
    out = {}
    by_kind: dict[str, list[str]] = {}
    for kind, id_ in keys:
        by_kind.setdefault(kind, []).append(id_)
    for kind, ids in by_kind.items():
        if kind == "map":
            if (doc := _map_doc(cur, map_id)) is not None:
                out[("map", map_id)] = (0, doc)
        elif kind in _SQL:
            out.update(_read_items(cur, kind, map_id, sorted(ids)))
    return out


def _current_all(store, cur, map_id: str) -> dict:
    doc = _map_doc(cur, map_id)
    if doc is None:
        return {}
    out = {("map", map_id): (0, doc)}
    for kind in _SQL:
        out.update(_read_items(cur, kind, map_id, None))
    return out


def put_back(store, cur, map_id: str, version: int) -> bool:
    """Inside a write: make the map what it was at ``version`` by putting back only the entities
    changed since, each row as it was then (its place in map order too), and note them for the
    log, the search index and the write hooks: the work grows with what changed since, not with
    the map or its history. False, having done nothing, when the map does not exist now."""
    if cur.execute("SELECT 1 FROM maps WHERE id = $m", {"m": map_id}).fetchone() is None:
        return False
    undo = _changed_since(cur, map_id, version)
    decoders = {k: msgspec.json.Decoder(t) for k, t in _STRUCT.items()}
    gone: dict[str, list[str]] = {t: [] for t in _TABLES.values()}
    put: dict[str, list[dict]] = {t: [] for t in _TABLES.values()}
    premises: list[dict] = []
    touched: list[str] = []
    for kind, id_, seq, state in undo:
        if kind == "map":
            if state is None:
                return False  # absent then: a restore of a version where the map existed only
            info = msgspec.json.decode(state)
            cur.execute("UPDATE maps SET title = $t, description = $d, extras = $x WHERE id = $m",
                        {"m": map_id, "t": info["title"], "d": info.get("description"),
                         "x": _extras_json(info.get("extras") or {})})
            store._note("map", map_id)
            note(store, map_id, "map", [map_id])
            continue
        if kind not in _TABLES:
            continue
        gone[_TABLES[kind]].append(id_)
        item = None
        if state is not None:
            item = decoders[kind].decode(state)
            put[_TABLES[kind]].append(_ROW[kind](map_id, seq, item))
            if kind == "argument":
                premises.extend(_premise_rows(map_id, item))
        store._note(kind, id_, after=item)
        touched.append(f"{kind}:{id_}")
    for table, ids in gone.items():
        if ids:
            params: dict = {"m": map_id}
            if table == "arguments":
                cur.execute("DELETE FROM premises WHERE map_id = $m AND " + _ids_in("argument_id", ids, params), params)
                params = {"m": map_id}
            cur.execute(f"DELETE FROM {table} WHERE map_id = $m AND " + _ids_in("id", ids, params), params)
    for table, rows in put.items():
        _insert_many(cur, table, rows)
    _insert_many(cur, "premises", premises)
    note(store, map_id, None, touched)
    return True


def baseline(store, cur) -> None:
    """Give every map that has no log yet (it existed before the log) a first version holding
    its state, so that its past can be read from then on."""
    missing = [r[0] for r in cur.execute(
        "SELECT id FROM maps WHERE id NOT IN (SELECT DISTINCT map_id FROM change_log) ORDER BY id"
    ).fetchall()]
    for map_id in missing:
        _record_map(store, cur, map_id, None, Who(action="baseline"))


# -- reading ------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,18}")


def current_version(store, map_id: str) -> int:
    """The map's latest version number in the log (raises NotFound when it has none).

    For a Store made by :func:`store_at`, the version it holds.
    """
    if (v := getattr(store, "history_version", None)) is not None:
        return v
    row = store._read(lambda c: _log(c).execute(
        "SELECT max(version) FROM change_log WHERE map_id = $m", {"m": map_id}).fetchone())
    if row[0] is None:
        raise NotFound("map", f"no map {map_id!r}")
    return row[0]


def parse_as_of(as_of: str, field: str = "as_of") -> int | datetime:
    """A version number, or an ISO 8601 time (UTC unless it says otherwise) as naive UTC."""
    text = str(as_of).strip()
    if _NUMBER.fullmatch(text):
        return int(text)
    try:
        t = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise InvalidInput(field, f"{as_of!r} is neither a version number nor an ISO 8601 time "
                                  "(e.g. 12, 2026-12-06, 2026-12-06T14:30:00Z)") from None
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t


def as_of_version(store, map_id: str, as_of, field: str = "as_of", *, must_exist: bool = True) -> int:
    """The version of ``map_id`` that a read at ``as_of`` saw (a version number or an ISO time).

    Raises InvalidInput (422) naming ``field`` for a future version or time, NotFound naming it
    when the map did not exist then, NotFound naming ``map`` when the log never knew the map.
    """
    when = parse_as_of(as_of, field) if isinstance(as_of, str) else as_of
    if isinstance(when, int) and must_exist and (map_id, when) in _RESOLVED.get(store, ()):
        return when  # a version once read stays readable: the log is only ever appended to
    last, first_at = store._read(lambda c: _log(c).execute(
        "SELECT max(version), min(seq) FILTER (WHERE kind IS NULL) FROM change_log WHERE map_id = $m",
        {"m": map_id}).fetchone())
    if last is None:
        raise NotFound("map", f"no map {map_id!r}")
    if isinstance(when, int):
        if when > last:
            raise InvalidInput(field, f"version {when} is in the future: map {map_id!r} is at version {last}")
        if when < 1:
            raise NotFound(field, f"map {map_id!r} did not exist before version 1")
        version = when
    else:
        if when > datetime.now(timezone.utc).replace(tzinfo=None):
            raise InvalidInput(field, f"{as_of} is in the future")
        row = store._read(lambda c: _log(c).execute(
            "SELECT max(version) FROM change_log WHERE map_id = $m AND kind IS NULL AND seq <= $t",
            {"m": map_id, "t": _micros(when)}).fetchone())
        if row[0] is None:
            raise NotFound(field, f"map {map_id!r} did not exist yet at {as_of} (its log begins {_iso(_from_micros(first_at))})")
        version = row[0]
    if not must_exist:
        return version
    exists = store._read(lambda c: _log(c).execute(
        "SELECT arg_max_null(after, version) IS NOT NULL FROM change_log "
        "WHERE map_id = $m AND kind = 'map' AND id = $m AND version <= $v", {"m": map_id, "v": version}).fetchone())
    if not exists or not exists[0]:
        raise NotFound(field, f"map {map_id!r} did not exist at version {version}")
    with _COPIES_LOCK:
        known = _RESOLVED.setdefault(store, set())
        if len(known) > 10_000:
            known.clear()
        known.add((map_id, version))
    return version


def map_at(store, map_id: str, version: int) -> Map:
    """The whole map as it was at ``version`` (rebuilt from the log)."""
    entities = store._read(lambda c: _latest_all(c, map_id, version))
    doc = entities.pop(("map", map_id), None)
    if doc is None:
        raise NotFound("as_of", f"map {map_id!r} did not exist at version {version}")
    info = msgspec.json.decode(doc[1])
    by_kind: dict[str, list] = {k: [] for k in _STRUCT}
    for (kind, _id), (seq, after) in entities.items():
        if kind in by_kind:
            by_kind[kind].append((seq, _id, after))
    lists = {}
    for kind, items in by_kind.items():
        items.sort(key=lambda t: (t[0], t[1]))
        dec = msgspec.json.Decoder(_STRUCT[kind])
        lists[_PLURAL[kind]] = [dec.decode(a) for _, _, a in items]
    return Map(id=map_id, title=info["title"], description=info.get("description"),
               extras=info.get("extras") or {}, **lists)


_COPIES: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()
_COPIES_LOCK = threading.Lock()
_RESOLVED: "weakref.WeakKeyDictionary[object, set]" = weakref.WeakKeyDictionary()
"""(map, version) pairs found to exist, per store: asking again needs no query."""
COPIES_KEPT = 4
"""Past states kept loaded per store (each an in-memory DuckDB of one map)."""


def store_at(store, map_id: str, version: int):
    """An in-memory Store holding ``map_id`` as it was at ``version``, for reads only.

    Every read of argmap (queries, search, evaluation, exports) runs unchanged on it; its map
    version is ``version`` (so ETags name it) and ``history_version`` says so to exports. The
    last :data:`COPIES_KEPT` are kept per store (a version never changes once written).
    """

    key = (map_id, version)
    with _COPIES_LOCK:
        copies = _COPIES.setdefault(store, OrderedDict())
        entry = copies.get(key)
        if entry is None:
            entry = copies[key] = [threading.Lock(), None]
        copies.move_to_end(key)
        while len(copies) > COPIES_KEPT:
            copies.popitem(last=False)
    with entry[0]:
        if entry[1] is None:
            entry[1] = _rebuild(store, map_id, version)
        return entry[1]


_TABLES = {"speaker": "speakers", "source": "sources", "statement": "statements", "argument": "arguments",
           "relation": "relations"}
_ROW = {"speaker": _speaker_row, "source": _source_row, "statement": _statement_row, "argument": _argument_row,
        "relation": _relation_row}


def _rebuild(store, map_id: str, version: int):
    """A scratch Store of the map at ``version``: its current rows, copied as they are (no
    decoding, no checks: they were checked when written), with every entity changed since
    ``version`` put back as it was then. The work grows with the map's size and with the
    changes since ``version``, not with the length of its whole history."""
    with store.snapshot():  # the rows and the log entries after `version` from one state
        current, undo, info = store._read(lambda c: _read_for_rebuild(c, map_id, version))
    at = version_time(store, map_id, version)
    if info is None:
        raise NotFound("as_of", f"map {map_id!r} did not exist at version {version}")
    decoders = {k: msgspec.json.Decoder(t) for k, t in _STRUCT.items()}
    put: dict[str, list[dict]] = {t: [] for t in _TABLES.values()}
    premises: list[dict] = []
    gone: dict[str, list[str]] = {t: [] for t in _TABLES.values()}
    for kind, id_, seq, state in undo:
        if kind not in _TABLES:
            continue
        gone[_TABLES[kind]].append(id_)
        if state is not None:
            item = decoders[kind].decode(state)
            put[_TABLES[kind]].append(_ROW[kind](map_id, seq, item))
            if kind == "argument":
                premises.extend(_premise_rows(map_id, item))

    copy = store.scratch()
    copy.log_changes = False

    def fill(cur):
        cur.execute("INSERT INTO maps (id, title, description, extras, version) VALUES ($m, $t, $d, $x, $v)",
                    {"m": map_id, "t": info["title"], "d": info.get("description"),
                     "x": _extras_json(info.get("extras") or {}), "v": version})
        for table, rows in current.items():
            cur.register("_argmap_rows", rows)
            try:
                cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _argmap_rows")
            finally:
                cur.unregister("_argmap_rows")
        for table, ids in gone.items():
            if ids:
                params: dict = {}
                cur.execute(f"DELETE FROM {table} WHERE " + _ids_in("id", ids, params), params)
                if table == "arguments":
                    params = {}
                    cur.execute("DELETE FROM premises WHERE " + _ids_in("argument_id", ids, params), params)
        for table, rows in put.items():
            _insert_many(cur, table, rows)
        _insert_many(cur, "premises", premises)

    copy.write(fill)
    copy.history_version = version
    copy.history_at = at
    copy.history_of = store.path
    return copy


def _read_for_rebuild(cur, map_id: str, version: int):
    """The map's current rows (Arrow tables), each entity changed after ``version`` with its
    ``(kind, id, seq, state)`` at ``version`` (state None: absent then), and the map's own
    fields then (None: the map did not exist)."""
    info = cur.execute("SELECT title, description, extras FROM maps WHERE id = $m", {"m": map_id}).fetchone()
    current = {}
    if info is not None:
        for table in (*_TABLES.values(), "premises"):
            current[table] = cur.execute(f"SELECT * FROM {table} WHERE map_id = $m", {"m": map_id}).arrow().read_all()
        info = {"title": info[0], "description": info[1], "extras": _extras(info[2])}
    undo = _changed_since(cur, map_id, version)
    for kind, id_, _seq, state in undo:
        if kind == "map" and id_ == map_id:
            info = msgspec.json.decode(state) if state is not None else None
    return current, undo, info


class Framework(msgspec.Struct, kw_only=True):
    """A map at one version as an attack graph with the labels :func:`argmap.semantics.translate`
    gives it: ``src[k]`` attacks ``dst[k]``; statement ``statements[i]`` is node ``nodes[i]``.
    The other nodes are its arguments, a "p fails" node per statement (p attacks it; it attacks
    every argument using p) and an "unsupported" node per statement (it attacks the statement
    when it is derived; each support of the statement attacks it), and nodes of entities absent
    at the version with no edge to a present one: translate's graph with nodes that attack
    nothing or are attacked by nothing of it added, which no semantics labels differently.
    ``schemes`` says some argument names a scheme or a critical question, which this graph
    leaves out (evaluate the whole map then)."""

    n: int
    statements: list
    nodes: object
    src: object
    dst: object
    schemes: bool


def _changed_since(cur, map_id: str, version: int, kinds: tuple[str, ...] = ()) -> list[tuple]:
    """``(kind, id, seq, state)`` at ``version`` of every entity (of ``kinds``; all when empty)
    changed after it: its latest log row at or below ``version`` (state None: absent then). The
    entities touched since are few; the join finds their older rows without grouping the whole log."""
    only = f" AND kind IN ({', '.join(repr(k) for k in kinds)})" if kinds else ""
    return _log(cur).execute(
        f"WITH touched AS (SELECT DISTINCT kind, id FROM change_log WHERE map_id = $m AND version > $v "
        f"AND kind IS NOT NULL{only}) "
        "SELECT t.kind, t.id, arg_max_null(h.seq, h.version), arg_max_null(h.after, h.version) "
        "FROM touched t LEFT JOIN change_log h "
        "ON h.map_id = $m AND h.kind = t.kind AND h.id = t.id AND h.version <= $v GROUP BY t.kind, t.id",
        {"m": map_id, "v": version}).fetchall()


def framework_at(store, map_id: str, version: int) -> Framework | None:
    """The :class:`Framework` of ``map_id`` at ``version`` (None: the map did not exist then):
    the current map's graph (read once per map version, as integer arrays, and kept) with the
    edges of the entities changed since ``version`` replaced by theirs then, as :func:`store_at`
    puts their rows back, without building a copy of the map."""
    with store.snapshot():
        return store._read(lambda c: _framework(store, c, map_id, version))


def graph_deltas(store, map_id: str, versions: list[int]) -> tuple["_Graph", list["_Delta | None"]]:
    """The current map's attack graph (kept, as for :func:`framework_at`) and, for each of
    ``versions``, what its graph changes of it (None: the map did not exist then), from one
    snapshot: a labelled diff solves only the part of the graph those changes can reach."""

    def read(cur):
        graph, out = None, []
        for v in versions:
            graph, undo = _graph_and_undo(store, cur, map_id, v)
            out.append(None if undo is None else graph.delta(undo))
        return graph, out

    with store.snapshot():
        return store._read(read)


_GRAPHS: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
"""Per store and map: ``(map version, _Graph)`` of the map as it is (one per map: the latest read)."""


def _framework(store, cur, map_id: str, version: int) -> Framework | None:
    graph, undo = _graph_and_undo(store, cur, map_id, version)
    return None if undo is None else graph.at(undo)


def _graph_and_undo(store, cur, map_id: str, version: int) -> tuple["_Graph", list | None]:
    """The kept graph of the map as it is, and ``(kind, id, state)`` of the statements and
    arguments changed since ``version`` (None: the map did not exist then)."""
    undo = _changed_since(cur, map_id, version, ("map", "statement", "argument"))
    row = cur.execute("SELECT version FROM maps WHERE id = $m", {"m": map_id}).fetchone()
    exists = row is not None
    for kind, _id, _seq, state in undo:
        if kind == "map":
            exists = state is not None
    key = row[0] if row is not None else None
    with _COPIES_LOCK:
        kept = _GRAPHS.setdefault(store, {}).get(map_id)
    if kept is None or key is None or kept[0] != key:
        graph = _Graph.read(cur, map_id) if row is not None else _Graph.read(None, map_id)
        with _COPIES_LOCK:
            _GRAPHS.setdefault(store, {})[map_id] = (key, graph)
    else:
        graph = kept[1]
    if not exists:
        return graph, None
    return graph, [(k, i, None if s is None else msgspec.json.decode(s, type=_STRUCT[k]))
                   for k, i, _seq, s in undo if k != "map"]


_GRAPH_SQL = """
WITH st AS MATERIALIZED (
    SELECT id, kind = 'derived' AS d, row_number() OVER (ORDER BY id) - 1 AS i FROM statements WHERE map_id = $m),
ar AS MATERIALIZED (
    SELECT id, CASE kind WHEN 'support' THEN 0 WHEN 'attack' THEN 1 ELSE 2 END::TINYINT AS k, target_id,
           scheme IS NOT NULL OR coalesce(contains(extras, '_argmap_scheme'), false) AS x,
           row_number() OVER (ORDER BY id) - 1 AS j
    FROM arguments WHERE map_id = $m)
SELECT 0::TINYINT AS t, i AS p, -1::BIGINT AS q, d AS f, 0::TINYINT AS k FROM st WHERE d
UNION ALL
SELECT 1, a.j, coalesce(s.i, (SELECT count(*) FROM st) + t.j, -1), a.x, a.k
FROM ar a LEFT JOIN st s ON s.id = a.target_id LEFT JOIN ar t ON t.id = a.target_id
UNION ALL
SELECT 2, a.j, s.i, false, 0
FROM premises p JOIN ar a ON a.id = p.argument_id JOIN st s ON s.id = p.statement_id WHERE p.map_id = $m
"""
"""A map's attack graph in numbers only: ``t`` 0 a derived statement (``p`` its number),
1 an argument (``p`` its number, ``q`` its target's node, -1 none, ``f`` names a scheme, ``k``
its kind), 2 a premise (argument ``p`` uses statement ``q``). Statements and arguments are
numbered in the order of their ids, as ``ORDER BY id`` lists them (:meth:`_Graph.read`)."""


class _Graph:
    """A map's attack graph as integer arrays, nodes laid out by row position: statement ``i`` is
    node ``i``, argument ``j`` node ``S + j``, "i fails" ``S + A + i``, "i unsupported"
    ``2S + A + i``. Each edge remembers the argument it comes from (``e_arg``, ``A``: none) and
    the derived statement whose "unsupported" edge it is (``e_ust``, ``S``: none), so that a past
    version drops exactly the edges of what changed since."""

    __slots__ = ("S", "A", "names", "ar_names", "derived", "schemed", "src", "dst", "e_arg", "e_ust", "_csr")

    @classmethod
    def read(cls, cur, map_id: str) -> "_Graph":
        """One query: statements and arguments numbered in the order of their ids (so that
        :meth:`node` finds an id by bisection), and every target and premise as those numbers,
        found by DuckDB's joins (``cur`` None: a map that does not exist now, no rows)."""
        import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

        g = cls()
        g._csr = None
        if cur is None:
            names: list = []
            ar_names: list = []
            derived = schemed = np.zeros(0, bool)
            kind = np.zeros(0, np.int8)
            tgt = a = s = np.zeros(0, np.int64)
        else:
            # Numbers and names in separate results: strings among 600,000 rows of numbers made
            # fetching the one result cost more than the query.
            rows = cur.execute(_GRAPH_SQL, {"m": map_id}).fetchnumpy()
            names = cur.execute("SELECT id FROM statements WHERE map_id = $m ORDER BY id", {"m": map_id}).fetchnumpy()
            ar_names = cur.execute("SELECT id FROM arguments WHERE map_id = $m ORDER BY id", {"m": map_id}).fetchnumpy()
            names, ar_names = names["id"].tolist(), ar_names["id"].tolist()
            part, p, q = rows["t"], rows["p"].astype(np.int64), rows["q"]
            st, ar, pr = part == 0, part == 1, part == 2
            S, A = len(names), len(ar_names)
            derived = np.zeros(S, bool)
            derived[p[st]] = np.asarray(rows["f"][st], bool)
            schemed = np.zeros(A, bool)
            schemed[p[ar]] = np.asarray(rows["f"][ar], bool)
            kind = np.zeros(A, np.int8)
            kind[p[ar]] = np.asarray(rows["k"][ar], np.int8)
            tgt = np.full(A, -1, np.int64)
            tgt[p[ar]] = np.asarray(q[ar], np.int64)  # = the target's node; -1: none in the map
            a, s = p[pr], np.asarray(q[pr], np.int64)
        S, A = len(names), len(ar_names)
        g.S, g.A, g.derived, g.schemed = S, A, derived, schemed
        g.names, g.ar_names = names, ar_names
        j = np.arange(A, dtype=np.int64)
        attack = (kind != 0) & (tgt >= 0)
        support = (kind == 0) & (tgt >= 0) & (tgt < S)
        d = np.flatnonzero(derived)
        parts = [  # (src, dst, from argument, unsupported of)
            (np.arange(S), S + A + np.arange(S), A, S),  # p attacks "p fails"
            (S + A + s, S + a, a, S),  # "p fails" attacks each argument using p
            (S + j[attack], tgt[attack], j[attack], S),  # attacks and undercuts
            (S + j[support], 2 * S + A + tgt[support], j[support], S),  # supports attack "t unsupported"
            (2 * S + A + d, d, A, d),  # "d unsupported" attacks derived d
        ]
        g.src = np.concatenate([np.asarray(x[0], np.int64) for x in parts])
        g.dst = np.concatenate([np.asarray(x[1], np.int64) for x in parts])
        g.e_arg = np.concatenate([np.broadcast_to(np.asarray(x[2], np.int64), len(x[0])) for x in parts])
        g.e_ust = np.concatenate([np.broadcast_to(np.asarray(x[3], np.int64), len(x[0])) for x in parts])
        return g

    def at(self, undo: list[tuple[str, str, object]]) -> Framework:
        """The graph with each ``(kind, id, state)`` put back (state None: absent then). A changed
        entity keeps its node, so whatever points at it still does; one absent now gets new
        nodes after the rest (an argument one, a statement three: itself, fails, unsupported)."""
        import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

        d = self.delta(undo)
        if d.keep is None:
            return Framework(n=d.n, statements=self.names, nodes=np.arange(self.S, dtype=np.int64), src=self.src,
                             dst=self.dst, schemes=d.schemes)
        src = np.concatenate([self.src[d.keep], d.add_src])
        dst = np.concatenate([self.dst[d.keep], d.add_dst])
        if d.dead.any():
            names = [i for i, gone in zip(self.names, d.dead.tolist()) if not gone]
            nodes = np.flatnonzero(~d.dead)
        else:
            names, nodes = list(self.names), np.arange(self.S, dtype=np.int64)
        names += list(d.new_st)
        nodes = np.concatenate([nodes, np.array(list(d.new_st.values()), np.int64)])
        return Framework(n=d.n, statements=names, nodes=nodes, src=src, dst=dst, schemes=d.schemes)

    def delta(self, undo: list[tuple[str, str, object]]) -> "_Delta":
        """What :meth:`at` changes in the graph, without building the new one: the edges kept
        (None: all, nothing changed), those added, the statements absent then (``dead``) and
        those absent now (``new_st``: id -> node)."""
        import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

        S, A = self.S, self.A
        N = 3 * S + A
        if not undo:
            none = np.zeros(0, np.int64)
            return _Delta(keep=None, add_src=none, add_dst=none, dead=np.zeros(S, bool), new_st={}, n=N,
                          schemes=bool(self.schemed.any()))
        needed = sorted({i for _, i, _ in undo} | {x for k, _, st in undo if k == "argument" and st is not None
                                                    for x in (st.target, *st.premises)})
        where = {i: self.node(i) for i in needed}  # = node; -1: absent now
        new_ar = {i: N + k for k, i in enumerate(
            i for kind, i, st in undo if kind == "argument" and st is not None and not S <= where[i] < S + A)}
        first_st = N + len(new_ar)
        new_st: dict[str, int] = {}
        dead = np.zeros(S, bool)
        drop_arg = np.zeros(A + 1, bool)
        drop_u = np.zeros(S + 1, bool)
        add_src: list[int] = []
        add_dst: list[int] = []
        schemes = False
        for kind, id_, state in undo:
            if kind != "statement":
                continue
            p = where[id_]
            if 0 <= p < S:
                if state is None:
                    dead[p] = True
                elif (state.kind == "derived") != self.derived[p]:
                    drop_u[p] = True
                    if state.kind == "derived":
                        add_src.append(2 * S + A + p)
                        add_dst.append(p)
            elif state is not None:
                x = new_st[id_] = first_st + 3 * len(new_st)
                add_src.append(x)
                add_dst.append(x + 1)  # x attacks "x fails"
                if state.kind == "derived":
                    add_src.append(x + 2)
                    add_dst.append(x)

        def node(i: str) -> int:
            return new_st.get(i, new_ar.get(i, where.get(i, -1)))

        for kind, id_, state in undo:
            if kind != "argument":
                continue
            p = where[id_]
            if S <= p < S + A:
                drop_arg[p - S] = True  # its edges as it is now go; as it was, they come back
            if state is None:
                continue
            x = p if S <= p < S + A else new_ar[id_]
            schemes = schemes or bool(state.scheme or state.question or state.roles)
            t = node(state.target)
            if state.kind != "support":
                if t >= 0:
                    add_src.append(x)
                    add_dst.append(t)
            elif 0 <= t < S or t >= first_st:
                add_src.append(x)
                add_dst.append(2 * S + A + t if t < S else t + 2)  # "t unsupported"
            for q in map(node, state.premises):
                if 0 <= q < S or q >= first_st:
                    add_src.append(S + A + q if q < S else q + 1)  # "q fails"
                    add_dst.append(x)
        keep = ~(drop_arg[self.e_arg] | drop_u[self.e_ust])
        schemes = schemes or bool(self.schemed[~drop_arg[:A]].any())
        return _Delta(keep=keep, add_src=np.array(add_src, np.int64), add_dst=np.array(add_dst, np.int64),
                      dead=dead, new_st=new_st, n=first_st + 3 * len(new_st), schemes=schemes)

    def node(self, id_: str) -> int:
        """The node of a statement or argument (a statement first) now; -1: none has that id."""
        k = bisect.bisect_left(self.names, id_)
        if k < self.S and self.names[k] == id_:
            return k
        k = bisect.bisect_left(self.ar_names, id_)
        if k < self.A and self.ar_names[k] == id_:
            return self.S + k
        return -1

    def csr(self) -> tuple:
        """``(out_ptr, out_idx, in_ptr, in_idx)`` of the graph's edges, as int64 arrays (built
        once, kept): node ``v``'s successors are ``out_idx[out_ptr[v]:out_ptr[v + 1]]``."""
        if self._csr is None:
            import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

            n = max(3 * self.S + self.A, 1)
            out = np.sort(self.src * n + self.dst)  # sorting keys: ~15x faster than argsort
            into = np.sort(self.dst * n + self.src)
            self._csr = (_pointers(out // n, n), out % n, _pointers(into // n, n), into % n)
        return self._csr


def _pointers(rows, n: int):
    """CSR row pointers (length n + 1) of ascending row numbers."""
    import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr


class _Delta(msgspec.Struct):
    """A past version's graph as a change of the current one (:meth:`_Graph.delta`)."""

    keep: object
    add_src: object
    add_dst: object
    dead: object
    new_st: dict
    n: int
    schemes: bool


def version_time(store, map_id: str, version: int) -> str | None:
    """When ``version`` of the map was written (UTC, ISO 8601 with a ``Z``; None: not logged).

    A Store made by :func:`store_at` knows its own.
    """
    if getattr(store, "history_version", None) == version:
        return getattr(store, "history_at", None)
    row = store._read(lambda c: _log(c).execute(
        "SELECT seq FROM change_log WHERE map_id = $m AND version = $v AND kind IS NULL",
        {"m": map_id, "v": version}).fetchone())
    return _iso(_from_micros(row[0])) if row else None


def versions(store, map_id: str, *, limit: int = 100, offset: int = 0, newest_first: bool = True) -> list[Version]:
    """A page of the map's history (raises NotFound when the log never knew the map)."""
    order = "DESC" if newest_first else "ASC"
    rows = store._read(lambda c: _log(c).execute(
        "SELECT version, seq, after FROM change_log "
        f"WHERE map_id = $m AND kind IS NULL ORDER BY version {order} LIMIT $l OFFSET $o",
        {"m": map_id, "l": limit, "o": offset}).fetchall())
    if not rows and offset == 0:
        raise NotFound("map", f"no map {map_id!r}")
    out = []
    for version, at, doc in rows:
        h = _HEAD_DEC.decode(doc)
        out.append(Version(version=version, at=_iso(_from_micros(at)), author=h.author, message=h.message,
                           action=h.action, restored_from=h.restored_from, summary=h.summary, changes=h.changes))
    return out


def changes(store, map_id: str, version: int) -> list[Change]:
    """What one version changed, entity by entity."""
    rows = store._read(lambda c: _log(c).execute(
        "SELECT kind, id, before, after FROM change_log WHERE map_id = $m AND version = $v AND kind IS NOT NULL "
        "ORDER BY kind, id",
        {"m": map_id, "v": version}).fetchall())
    return [Change(kind=k, id=i, before=_dec(b), after=_dec(a)) for k, i, b, a in rows]


def states_between(store, map_id: str, v1: int, v2: int) -> dict[tuple[str, str], tuple[dict | None, dict | None]]:
    """``{(kind, id): (state at v1, state at v2)}`` of every entity that differs between them."""
    lo, hi = min(v1, v2), max(v1, v2)
    rows = store._read(lambda c: _log(c).execute(
        "SELECT kind, id, arg_min_null(before, version), arg_max_null(after, version) FROM change_log "
        "WHERE map_id = $m AND version > $lo AND version <= $hi AND kind IS NOT NULL GROUP BY kind, id",
        {"m": map_id, "lo": lo, "hi": hi}).fetchall())
    out = {}
    for kind, id_, b, a in rows:
        if b != a:
            at_lo, at_hi = _dec(b), _dec(a)
            out[(kind, id_)] = (at_lo, at_hi) if v1 <= v2 else (at_hi, at_lo)
    return out


def check(store, *, recent: int | None = None) -> list[str]:
    """Where the log and the data disagree (empty when sound): a map whose latest logged state
    differs from what the store holds, a map without a log, a logged map the store lost.

    Each map's latest logged state of every entity (one grouping query) is compared with the
    JSON the log would record of its rows now, as text: nothing is decoded unless they differ
    (then the map is rebuilt from the log and compared whole, which also forgives a place in
    map order numbered differently but in the same order).

    ``recent``: compare whole only the entities the map's last ``recent`` versions changed
    (what an interrupted write could have left half done) and that each of those versions has
    as many rows as its own row says it changed; of the rest only how many entities of each
    kind exist, counted in the log and in the tables: the work grows with ``recent``, not with
    the map, and the log is read without its documents.
    """
    with store.snapshot():
        logged = dict(store._read(lambda c: _log(c).execute(
            "SELECT map_id, max(version) FROM change_log GROUP BY map_id").fetchall()))
        present = {m.id for m in store.list_maps()}
        problems = [f"map {m!r} has no change log" for m in sorted(present - set(logged))]
        for map_id, version in sorted(logged.items()):
            if recent is None:
                log, now = store._read(lambda c, m=map_id: (_latest_all(c, m, None), _current_all(store, c, m)))
                exists = ("map", map_id) in log
            else:
                exists, log, now = store._read(lambda c, m=map_id, v=version: _recent_states(store, c, m, v - recent))
            if not exists and map_id in present:
                problems.append(f"map {map_id!r} exists but its log says it was deleted at version {version}")
            elif exists and map_id not in present:
                problems.append(f"map {map_id!r} is gone but its log has no delete (version {version})")
            elif map_id in present and log != now and (
                    recent is not None or map_at(store, map_id, version) != store.get_map(map_id)):
                problems.append(f"map {map_id!r} differs from its logged version {version}")
    return problems


def _recent_states(store, cur, map_id: str, after: int) -> tuple[bool, dict, dict]:
    """For :func:`check` with ``recent``: whether the log says the map exists, and
    ``{(kind, id): (seq, json)}`` by the log and by the tables of the entities changed after
    version ``after``, with ``("count", kind)`` -> how many of that kind each says exist, and
    ``("version", v)`` -> how many entities version ``v`` changed, by its own row and by its rows."""
    exists = cur.execute(
        "SELECT arg_max(after IS NOT NULL, version) FROM change_log WHERE map_id = $m AND kind = 'map' AND id = $m",
        {"m": map_id}).fetchone()[0]
    keys = [tuple(r) for r in cur.execute(
        "SELECT DISTINCT kind, id FROM change_log WHERE map_id = $m AND version > $v AND kind IS NOT NULL",
        {"m": map_id, "v": after}).fetchall()]
    log = _latest(cur, map_id, keys) if keys else {}
    now = _current(store, cur, map_id, keys) if keys else {}
    for v, head, n in cur.execute(
            "SELECT version, max(after) FILTER (WHERE kind IS NULL), count(kind) FROM change_log "
            "WHERE map_id = $m AND version > $v GROUP BY version", {"m": map_id, "v": after}).fetchall():
        # Each version's own row says how many entities it changed: a row of it lost is missed here.
        log[("version", v)], now[("version", v)] = (_HEAD_DEC.decode(head).changes if head else None), n
    counted = dict(cur.execute(
        "SELECT kind, count(*) FILTER (WHERE alive) FROM (SELECT kind, arg_max(after IS NOT NULL, version) AS alive "
        "FROM change_log WHERE map_id = $m AND kind IS NOT NULL GROUP BY kind, id) GROUP BY kind",
        {"m": map_id}).fetchall())
    rows = cur.execute(" UNION ALL ".join(f"SELECT '{k}', count(*) FROM {t} WHERE map_id = $m" for k, t in _TABLES.items()),
                       {"m": map_id}).fetchall()
    for kind, n in rows:
        log[("count", kind)], now[("count", kind)] = counted.get(kind, 0), n
    return bool(exists), log, now


def _dec(text: str | None) -> dict | None:
    return msgspec.json.decode(text) if text is not None else None


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.replace(microsecond=t.microsecond).isoformat(timespec="microseconds") + "Z"
