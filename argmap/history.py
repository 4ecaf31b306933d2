"""A map's past: its history, any version read back, two versions compared, one restored.

The change log is written by the store (:mod:`argmap.store._history`) with every write; this
module answers questions about it for the HTTP API, the CLI and the pages.

>>> from argmap.store import Store
>>> from argmap.model import MapInfo
>>> with Store(":memory:") as store, author("ann", "first claim"):
...     [v.author for v in history(store, store.create_map(MapInfo(id="m", title="A map")).id)]
['ann']
"""

from __future__ import annotations

import difflib
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any

import msgspec

from argmap.errors import InvalidInput
from argmap.model import Map
from argmap.store import _history
from argmap.store._history import Change, Version, context, current_version

__all__ = [
    "Change",
    "Changed",
    "Diff",
    "FieldChange",
    "KindDiff",
    "LabelChange",
    "Version",
    "atom",
    "author",
    "check",
    "context",
    "current_version",
    "diff",
    "history",
    "made_from",
    "map_as_of",
    "marked_words",
    "read_for_export",
    "restore",
    "stamp",
    "store_as_of",
    "version_of",
]

DIFF_SEMANTICS = ("grounded", "complete", "preferred", "stable", "none")


@contextmanager
def author(name: str | None, message: str | None = None):
    """Writes inside the block are logged as by ``name`` with ``message``."""
    with context(author=name, message=message):
        yield


def history(store, map_id: str, *, limit: int = 100, offset: int = 0) -> list[Version]:
    """The map's versions, newest first (NotFound when the log never knew the map)."""
    return _history.versions(store, map_id, limit=limit, offset=offset)


def version_of(store, map_id: str, as_of: str | int | None = None) -> int:
    """The version a read of ``map_id`` at ``as_of`` sees (None: now)."""
    if as_of is None:
        return current_version(store, map_id)
    return _history.as_of_version(store, map_id, str(as_of))


def map_as_of(store, map_id: str, as_of: str | int | None) -> Map:
    """The whole map as a read at ``as_of`` saw it (None: now)."""
    if as_of is None:
        return store.get_map(map_id)
    return _history.map_at(store, map_id, _history.as_of_version(store, map_id, str(as_of)))


def store_as_of(store, map_id: str, as_of: str | int | None):
    """A Store to read ``map_id`` from as it was at ``as_of`` (``store`` itself for None).

    Every read function of argmap takes it in place of the live store.
    """
    if as_of is None:
        return store
    return _history.store_at(store, map_id, _history.as_of_version(store, map_id, str(as_of)))


def check(store, *, recent: int | None = None) -> list[str]:
    """Where the change log and the data disagree, in a sentence each (empty: they agree).

    ``recent``: look closely only at what the last ``recent`` versions of each map changed
    (what an interrupted write could have left half done); the rest only by counts.
    """
    return _history.check(store, recent=recent)


def restore(store, map_id: str, version: int | str) -> Version:
    """Write a new version of the map equal to ``version`` (logged as a restore of it)."""
    v = _history.as_of_version(store, map_id, str(version), field="version")
    with context(action="restore", restored_from=v):
        # Only what changed since goes back (the work grows with it); a map deleted since, or
        # a store whose write hooks want every entity's state before, loads the version whole.
        if store.write_hooks or not store.write(lambda cur: _history.put_back(store, cur, map_id, v), touch=map_id):
            store.load_map(_history.map_at(store, map_id, v), replace=True)
    return _history.versions(store, map_id, limit=1)[0]


# -- differences --------------------------------------------------------------------------


class FieldChange(msgspec.Struct, kw_only=True):
    field: str
    before: Any = None
    after: Any = None


class Changed(msgspec.Struct, kw_only=True):
    """An entity present in both versions, with the fields that differ."""

    id: str
    fields: list[FieldChange]


class KindDiff(msgspec.Struct, kw_only=True):
    added: list[dict] = msgspec.field(default_factory=list)
    removed: list[dict] = msgspec.field(default_factory=list)
    changed: list[Changed] = msgspec.field(default_factory=list)


class LabelChange(msgspec.Struct, kw_only=True):
    """A statement whose evaluation label differs (None: absent in that version)."""

    id: str
    before: str | None = None
    after: str | None = None


class Diff(msgspec.Struct, kw_only=True):
    """What differs between two versions of a map (``from_version`` may be the later one)."""

    map: str
    from_version: int
    to_version: int
    map_fields: list[FieldChange] = msgspec.field(default_factory=list)
    """The map's own title, description and extras."""
    speakers: KindDiff = msgspec.field(default_factory=KindDiff)
    sources: KindDiff = msgspec.field(default_factory=KindDiff)
    statements: KindDiff = msgspec.field(default_factory=KindDiff)
    arguments: KindDiff = msgspec.field(default_factory=KindDiff)
    relations: KindDiff = msgspec.field(default_factory=KindDiff)
    semantics: str = "grounded"
    labels: list[LabelChange] = msgspec.field(default_factory=list)
    """Statements whose label under ``semantics`` differs (empty for ``none``)."""


def diff(store, map_id: str, v1: int | str, v2: int | str, *, semantics: str = "grounded",
         timeout: float | None = 30.0) -> Diff:
    """Everything that differs between versions ``v1`` and ``v2`` (numbers or ISO times), field by
    field, and the statements whose label under ``semantics`` changed (``none``: skip that)."""
    if semantics not in DIFF_SEMANTICS:
        raise InvalidInput("semantics", f"unknown semantics {semantics!r}; use one of {', '.join(DIFF_SEMANTICS)}")
    a = _version_or_absent(store, map_id, v1, "from")
    b = _version_or_absent(store, map_id, v2, "to")
    out = Diff(map=map_id, from_version=a, to_version=b, semantics=semantics)
    states = _history.states_between(store, map_id, a, b)
    for (kind, id_), (before, after) in sorted(states.items()):
        if kind == "map":
            out.map_fields = _fields(before or {}, after or {})
            continue
        part = getattr(out, kind + "s", None)
        if part is None:
            continue
        if before is None:
            part.added.append(after)
        elif after is None:
            part.removed.append(before)
        else:
            part.changed.append(Changed(id=id_, fields=_fields(before, after)))
    if semantics != "none":
        out.labels = _label_changes(store, map_id, a, b, semantics, timeout)
    return out


def _version_or_absent(store, map_id: str, v, field: str) -> int:
    """A version number for an end of a diff: 0 is "before the map existed" (everything added);
    a version at which the map was deleted is a fine end too (everything removed)."""
    if str(v).strip() == "0":
        _history.current_version(store, map_id)  # NotFound for an unknown map
        return 0
    return _history.as_of_version(store, map_id, str(v), field=field, must_exist=False)


def _fields(before: dict, after: dict) -> list[FieldChange]:
    return [FieldChange(field=k, before=before.get(k), after=after.get(k))
            for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]


def _label_changes(store, map_id: str, a: int, b: int, semantics: str, timeout) -> list[LabelChange]:
    if semantics in ("grounded", "complete") and a > 0 and b > 0:  # complete's sceptical labels are grounded's
        key = (map_id, min(a, b), max(a, b))
        with _LABELS_LOCK:
            kept = _CHANGES.setdefault(store, OrderedDict())
            found = kept.get(key)
        if found is None:
            found = _grounded_changes(store, map_id, *key[1:])
        if found is not None:
            with _LABELS_LOCK:
                kept[key] = found
                while len(kept) > LABELS_KEPT:
                    kept.popitem(last=False)
            return [LabelChange(id=i, before=x, after=y) if a < b else LabelChange(id=i, before=y, after=x)
                    for i, x, y in found]
    la, lb = _labels_at(store, map_id, a, semantics, timeout), _labels_at(store, map_id, b, semantics, timeout)
    moved = [i for i, label in la.items() if lb.get(i) != label] + [i for i in lb if i not in la]
    return [LabelChange(id=i, before=la.get(i), after=lb.get(i)) for i in sorted(moved)]


def _grounded_changes(store, map_id: str, a: int, b: int) -> list[tuple[str, str | None, str | None]] | None:
    """``(id, label at a, label at b)`` of every statement whose grounded label differs between
    versions ``a`` and ``b`` (None: absent then), solving only the part of the attack graph
    that what changed between them can reach, and what that part depends on. None when this
    does not apply (the map absent at either, or arguments that name schemes): label each whole.

    Grounded semantics is directional: a node's label depends only on the nodes with a path of
    attacks to it. Both versions' graphs are the current one (kept, with its edge lists) with
    a few edges dropped and a few added (:func:`argmap.store._history.graph_deltas`). A node
    that no changed edge, new node or statement gone in either version reaches has the same
    attackers, recursively, in both, hence the same label: only the reached set R can differ.
    Its labels in each version are those of that version's graph cut down to R and everything
    with a path to R (a set no attack enters from outside), solved in time linear in that part.
    """
    import numpy as np  # numpy loads only for a labelled diff (CLI start-up)

    from argmap.semantics.af import AF, LABELS  # the solvers load only for a labelled diff (0.3 s)
    from argmap.semantics.grounded import grounded  # the solvers load only for a labelled diff (0.3 s)

    graph, (da, db) = _history.graph_deltas(store, map_id, [a, b])
    if da is None or db is None or da.schemes or db.schemes:
        return None
    S, A = graph.S, graph.A
    N = 3 * S + A
    shift = da.n - N  # b's new nodes are numbered after a's: one numbering for both graphs
    n = da.n + db.n - N
    out_ptr, out_idx, in_ptr, in_idx = graph.csr()
    add = {"a": (da.add_src, da.add_dst),
           "b": tuple(np.where(x >= N, x + shift, x) for x in (db.add_src, db.add_dst))}
    keep = {"a": da.keep, "b": db.keep}
    dropped = np.zeros(len(graph.src), bool)
    for k in keep.values():
        if k is not None:
            dropped |= ~k
    extra_src = np.concatenate([add["a"][0], add["b"][0]])
    extra_dst = np.concatenate([add["a"][1], add["b"][1]])
    seeds = np.concatenate([graph.dst[dropped], extra_dst, np.arange(N, n, dtype=np.int64),
                            np.flatnonzero(da.dead | db.dead)])

    def closure(start, ptr, idx, frm, to):
        """Every node reachable from ``start`` along the current edges and the added ones."""
        seen = np.zeros(n, bool)
        wave = np.unique(start)
        seen[wave] = True
        while wave.size:
            old = wave[wave < N]
            starts, ends = ptr[old], ptr[old + 1]
            lens = ends - starts
            nxt = idx[np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))]
            if frm.size:
                nxt = np.concatenate([nxt, to[np.isin(frm, wave)]])
            nxt = np.unique(nxt)
            wave = nxt[~seen[nxt]]
            seen[wave] = True
        return seen

    reached = closure(seeds, out_ptr, out_idx, extra_src, extra_dst)
    part = closure(np.flatnonzero(reached), in_ptr, in_idx, extra_dst, extra_src)
    nodes = np.flatnonzero(part)
    pos = np.full(n, -1, np.int64)
    pos[nodes] = np.arange(nodes.size)
    into = part[graph.dst]
    labels = {}
    for v, d, offset in (("a", da, 0), ("b", db, shift)):
        m = into if keep[v] is None else into & keep[v]
        s_add, d_add = add[v]
        inside = part[d_add]
        src = np.concatenate([graph.src[m], s_add[inside]])
        dst = np.concatenate([graph.dst[m], d_add[inside]])
        code = grounded(AF.from_edges(nodes.size, pos[src], pos[dst]))
        at = np.flatnonzero(reached[:S] & ~d.dead)
        ids = [graph.names[i] for i in at.tolist()] + list(d.new_st)
        where = np.concatenate([at, np.array(list(d.new_st.values()), np.int64) + offset])
        labels[v] = dict(zip(ids, map(LABELS.__getitem__, code[pos[where]].tolist())))
    la, lb = labels["a"], labels["b"]
    return [(i, la.get(i), lb.get(i)) for i in sorted(set(la) | set(lb)) if la.get(i) != lb.get(i)]


_CHANGES: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()
"""Per store: ``(map, lower version, higher version)`` -> :func:`_grounded_changes` (versions never change)."""
_LABELS: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()
_LABELS_LOCK = threading.Lock()
LABELS_KEPT = 8
"""Versions whose statement labels are kept per store and semantics (a version never changes)."""


def _labels_at(store, map_id: str, v: int, semantics: str, timeout) -> dict[str, str]:
    """Every statement's label at version ``v`` under ``semantics`` ({} before the map existed
    or after its deletion), as ``GET …/evaluation?as_of=V`` labels it.

    Its attack graph is read straight from the rows (:func:`argmap.store._history.framework_at`,
    the graph :func:`argmap.semantics.translate` makes), without building the map's documents or
    explaining every label: a fraction of a second at 100,000 statements where the whole
    evaluation takes ~5. A map whose arguments name schemes or questions is evaluated whole.
    """
    if v <= 0:
        return {}
    key = (map_id, v, semantics)
    with _LABELS_LOCK:
        kept = _LABELS.setdefault(store, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    framework = _history.framework_at(store, map_id, v)
    if framework is None:
        return {}
    if framework.schemes:  # questions and their answers frame arguments too: evaluate the whole map
        from argmap import query  # the graph caches (numpy) load only for a labelled diff (0.4 s of CLI start-up)

        ev = query.evaluation(_history.store_at(store, map_id, v), map_id, semantics, timeout=timeout)
        labels = {i: ev.labels[i] for i in framework.statements}
    else:
        from argmap.semantics.af import AF, LABELS  # the solvers load only for a labelled diff (0.3 s)
        from argmap.semantics.solver import Reasoner  # the solvers load only for a labelled diff (0.3 s)

        af = AF.from_edges(framework.n, framework.src, framework.dst)
        found = Reasoner(af, timeout=timeout).sceptical_labels(semantics)
        codes = found[framework.nodes].tolist() if found is not None else [0] * len(framework.statements)
        labels = dict(zip(framework.statements, map(LABELS.__getitem__, codes)))  # no stable extension: all undecided
    with _LABELS_LOCK:
        kept[key] = labels
        while len(kept) > LABELS_KEPT:
            kept.popitem(last=False)
    return labels


def marked_words(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """The words of two texts as ``(op, text)`` runs, op ``=`` kept, ``-`` removed, ``+`` added:
    what a page marks as changed text.

    >>> marked_words("No peace without Ukraine", "No peace without Ukraine and Europe")
    [('=', 'No peace without Ukraine'), ('+', ' and Europe')]
    """
    import re

    a = re.findall(r"\s*\S+", before or "")
    b = re.findall(r"\s*\S+", after or "")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("+", "".join(b[j1:j2])))
    return out


# -- version stamps on exports -----------------------------------------------------------------


def read_for_export(store, map_id: str) -> tuple[Map, int | None]:
    """The whole map and the version it is (one snapshot: no write comes between the two)."""
    with store.snapshot():
        m = store.get_map(map_id)
        try:
            version = current_version(store, map_id)
        except Exception:  # noqa: BLE001 - a store without a log (an older file opened read-only)
            version = None
    return m, version


def made_from(store, map_id: str, version: int | None):
    """The :class:`argmap.exports.Made` of an export of ``version`` read from ``store`` (None for
    None): the map, the version, when it was written, and whether it is a past version asked
    for with ``as_of`` (a Store from :func:`store_as_of`)."""
    from argmap.exports import Made  # the export catalogue loads only when something is exported

    if version is None:
        return None
    return Made(map=map_id, version=version, at=_history.version_time(store, map_id, version),
                pinned=getattr(store, "history_version", None) is not None)


def stamp(data: bytes, export, map_id: str, version: int | None, at: str | None = None) -> bytes:
    """Say in an export which map and version it was made from: SVG ``<metadata>``, a top-level
    ``"argmap"`` member of a JSON document (TimelineJS, AIF), a ``<meta>`` in HTML. A PDF that
    Graphviz wrote (cairo puts the time of writing in it) is dated ``at``, the version's time, so
    the same version gives the same bytes; the PDFs argmap typesets name the map and version in
    their metadata already (:class:`argmap.exports.Made`). Other formats are returned as they are
    (their bytes are already fixed by the map's content); the map document itself (``map.json``)
    too, since ``argmap load`` reads it back.

    >>> from types import SimpleNamespace
    >>> stamp(b'<svg width="1">x</svg>', SimpleNamespace(name="diagram", suffix="svg"), "m", 7)
    b'<svg width="1"><metadata><argmap:made xmlns:argmap="urn:argmap" map="m" version="7"/></metadata>x</svg>'
    """
    suffix = export.suffix
    if version is None or export.name == "map":
        return data
    from xml.sax.saxutils import quoteattr

    if suffix == "svg":
        i = data.find(b"<svg")
        j = data.find(b">", i) if i >= 0 else -1
        if j < 0:
            return data
        meta = (f'<metadata><argmap:made xmlns:argmap="urn:argmap" map={quoteattr(map_id)} '
                f'version="{version}"/></metadata>').encode()
        return data[: j + 1] + meta + data[j + 1:]
    if suffix in ("json", "aif.json") and data.lstrip().startswith(b"{"):
        i = data.find(b"{")
        member = b'"argmap": ' + msgspec.json.encode({"map": map_id, "version": version}) + b", "
        return data[: i + 1] + member + data[i + 1:]
    if suffix == "pdf" and at:
        return _dated_pdf(data, at)
    if suffix == "html":
        i = data.find(b"<head>")
        if i < 0:
            return data
        meta = f'<meta name="argmap-version" content={quoteattr(f"{map_id} version {version}")}>'.encode()
        return data[: i + 6] + meta + data[i + 6:]
    return data


def _dated_pdf(data: bytes, at: str) -> bytes:
    """``data`` with its one ``/CreationDate (D:YYYYMMDDHHMMSSZ)`` (cairo's) set to ``at``: the
    same length, so every offset of the file stays right. Anything else is returned unchanged.

    >>> _dated_pdf(b"<< /CreationDate (D:20261206213903Z) >>", "2025-11-26T08:15:00.000001Z")
    b'<< /CreationDate (D:20251126081500Z) >>'
    """
    import re

    found = list(re.finditer(rb"/CreationDate \(D:(\d{14})Z\)", data))
    digits = re.sub(r"\D", "", at)[:14].encode()
    if len(found) != 1 or len(digits) != 14:
        return data
    start = found[0].start(1)
    return data[:start] + digits + data[start + 14:]


# -- the feed -----------------------------------------------------------------------------


def atom(store, map_id: str, base_url: str, *, limit: int = 50) -> bytes:
    """An Atom feed of the map's latest ``limit`` versions (feedgen), newest first.

    Entry links point at the diff of each version against the one before; the same log gives
    the same bytes (every date in it comes from the log).
    """
    from feedgen.feed import FeedGenerator

    base = base_url.rstrip("/")
    entries = _history.versions(store, map_id, limit=limit)
    try:
        title = store.get_map_info(map_id).title
    except Exception:  # a deleted map still has a history
        title = map_id
    fg = FeedGenerator()
    fg.id(f"{base}/maps/{map_id}/history")
    fg.title(f"{title}: changes")
    fg.link(href=f"{base}/maps/{map_id}/history.atom", rel="self")
    fg.link(href=f"{base}/ui/maps/{map_id}/history", rel="alternate")
    fg.updated(entries[0].at if entries else "1970-01-01T00:00:00Z")
    fg.generator("argmap")
    for v in reversed(entries):  # feedgen puts the last added first
        e = fg.add_entry()
        e.id(f"{base}/maps/{map_id}/history/{v.version}")
        e.title(f"Version {v.version}: {v.summary}")
        e.updated(v.at)
        e.published(v.at)
        if v.author:
            e.author(name=v.author)
        e.link(href=f"{base}/maps/{map_id}/diff?from={v.version - 1}&to={v.version}", rel="alternate")
        e.summary((v.message + " — " if v.message else "") + v.summary)
    return fg.atom_str(pretty=True)
