"""Analysts' questions over a stored map: what supports or attacks a claim, who answers whom.

Transitive queries walk an in-memory copy of the map's argument graph (flat integer arrays,
``_Graph``) cached under the map's ``version``, like the statements they return; each result
carries the shortest chain of arguments to the statement asked about. Why flat arrays:
docs/ARCHITECTURE.md, "Queries and search"; figures: README, "Performance".

>>> chains = supporters(store, "peace-plan", "no-peace-without-ukraine-and-europe", depth=None)  # doctest: +SKIP
>>> chains.items[0].path                                                                        # doctest: +SKIP
['arg-next-crisis']
"""

from __future__ import annotations

import threading
import weakref
from typing import Literal

import msgspec
import numpy as np

from argmap._metrics import cache_lookup
from argmap.errors import LimitExceeded, NotFound
from argmap.model import Statement
from argmap.store import Store

__all__ = [
    "Link",
    "LinkList",
    "MAX_DEPTH",
    "MAX_PATH",
    "MAX_RESULTS",
    "MatrixCell",
    "SearchHit",
    "SearchResults",
    "SpeakerMatrix",
    "attackers",
    "evaluation",
    "search",
    "speaker_matrix",
    "statement",
    "supporters",
]

MAX_DEPTH = 100
"""Deepest walk a caller may ask for by number; ``depth=None`` ("all") walks to the end."""
MAX_RESULTS = 10_000
"""Most links one answer returns; past it the answer says ``truncated``."""
MAX_PATH = 20
"""Argument ids one link's ``path`` lists (the nearest); ``path_length`` says how long the whole
chain is, and each link's ``target`` is itself a link of the answer, so the rest of the chain
is there once. Full paths made a 10,001-statement chain answer 392 MB (each hit repeating its
whole path: quadratic); now an answer grows with the links it holds."""
_CACHED_STATEMENTS = 200_000
"""Statements kept per map between writes (a few hundred bytes each); past it the cache restarts."""


# gc=False: untracked by the cyclic collector (a Link holds a Statement and strings, never a
# cycle). An answer has up to 10,000 of them; tracked, the ones alive when a young collection
# runs are promoted and bring on full walks sooner. (The docstring is published in OpenAPI.)
class Link(msgspec.Struct, kw_only=True, gc=False):
    """One statement that supports or attacks the statement asked about, and how."""

    statement: Statement
    relation: Literal["support", "rebuttal", "undercut"]
    depth: int
    argument: str
    """The argument whose premises include ``statement``."""
    target: str
    """What that argument supports or attacks directly: a statement, or for an undercut an argument."""
    path: list[str]
    """Argument ids from ``statement`` towards the statement asked about, nearest first: at most
    ``MAX_PATH`` (20) of them; follow ``target`` (a link of the same answer) for the rest."""
    path_length: int
    """How many arguments the whole chain has (``len(path)`` unless it was cut)."""


class LinkList(msgspec.Struct, kw_only=True):
    statement: str
    direction: Literal["supporters", "attackers"]
    depth: int | None
    items: list[Link]
    truncated: bool = False


class SearchHit(msgspec.Struct, kw_only=True):
    statement: Statement
    score: float
    speaker: str | None
    """The speaker's name (or role, when unnamed)."""
    date: str | None
    """The date with its precision, for people: '20 Nov 2025', 'c. 26 Nov 2025'."""


class SearchResults(msgspec.Struct, kw_only=True):
    q: str
    items: list[SearchHit]


class MatrixCell(msgspec.Struct, kw_only=True):
    source: str | None
    """Speaker whose statements are premises (None: unattributed)."""
    target: str | None
    """Speaker whose statements they support or attack."""
    supports: int = 0
    attacks: int = 0


class SpeakerMatrix(msgspec.Struct, kw_only=True):
    speakers: list[str | None]
    cells: list[MatrixCell]


def statement(store: Store, map_id: str, statement_id: str) -> Statement:
    """One statement, from the cache of the map's current version (NotFound as the store says).

    The same answer as ``store.get_statement``; a repeated read costs one read of the version.
    The Statement is shared by every reader of that version: change a copy, never it.
    """
    version = store.map_version(map_id)
    rows = _cached_statements(store, map_id, version)
    hit = rows.get(statement_id)
    if hit is None and _read_whole_map(store, map_id, version, rows):
        hit = rows.get(statement_id)
    if hit is None:
        hit = store.get_statement(map_id, statement_id)
        _remember(rows, [hit])
    return hit


def search(store: Store, map_id: str, q: str, *, limit: int = 20) -> SearchResults:
    """:meth:`Store.search`, each hit with its speaker's name and its date for people.

    The statements and speakers come from the caches of the map version that was searched.
    """
    version, ranked = store.rank(map_id, q, limit=limit)
    rows = _cached_statements(store, map_id, version)
    missing = [i for i, _ in ranked if i not in rows]
    if missing and _read_whole_map(store, map_id, version, rows):
        missing = [i for i in missing if i not in rows]
    if missing:
        _remember(rows, store.list_statements(map_id, ids=missing))
    speakers = _cached_speakers(store, map_id, version)
    hits = [(rows[i], score) for i, score in ranked]
    return SearchResults(q=q, items=[
        SearchHit(statement=s, score=score, speaker=speakers[s.speaker].label if s.speaker else None,
                  date=s.date.label() if s.said else None)
        for s, score in hits
    ])


def supporters(store: Store, map_id: str, statement_id: str, *, depth: int | None = 1) -> LinkList:
    """Statements that support ``statement_id``: directly, to ``depth`` steps, or all (None)."""
    g = _graph(store, map_id)
    start = _check(g, statement_id, depth)
    links = _walk_supports(g, start, depth)
    return _answer(g, store, map_id, statement_id, "supporters", depth, links)


def attackers(store: Store, map_id: str, statement_id: str, *, depth: int | None = 1) -> LinkList:
    """Statements that attack ``statement_id`` or what supports it within ``depth`` steps.

    A rebuttal attacks a statement; an undercut attacks a support argument (it denies that the
    premises lead to the conclusion). At depth 1 these are the attacks on the statement itself
    and on the arguments for it; each further step adds the attacks on its supporters.
    """
    g = _graph(store, map_id)
    start = _check(g, statement_id, depth)
    within = [(start, 0, [], 0)] + [
        (link[0], link[2], link[5], link[6]) for link in _walk_supports(g, start, None if depth is None else depth - 1)
    ]
    att_ptr, att_idx = memoryview(g.attack_ptr), memoryview(g.attack_idx)
    sup_ptr, sup_idx = memoryview(g.support_ptr), memoryview(g.support_idx)
    und_ptr, und_idx = memoryview(g.undercut_ptr), memoryview(g.undercut_idx)
    pre_ptr, pre_idx = memoryview(g.premise_ptr), memoryview(g.premise_idx)
    arg_ids = g.argument_ids
    links, seen = [], set()

    def premises_of(a: int, relation: str, d: int, target: int, via: list[str], length: int) -> None:
        path = [arg_ids[a], *via[: MAX_PATH - 1]]
        for j in range(pre_ptr[a], pre_ptr[a + 1]):
            p = pre_idx[j]
            if (p, a) not in seen:
                seen.add((p, a))
                links.append((p, relation, d, a, target, path, length + 1))

    for target, d, path, length in within:
        for k in range(att_ptr[target], att_ptr[target + 1]):
            premises_of(att_idx[k], "rebuttal", d + 1, target, path, length)
        for k in range(sup_ptr[target], sup_ptr[target + 1]):
            sup = sup_idx[k]
            for ku in range(und_ptr[sup], und_ptr[sup + 1]):
                premises_of(und_idx[ku], "undercut", d + 1, sup, [arg_ids[sup], *path], length + 1)
        if len(links) > MAX_RESULTS:
            break
    return _answer(g, store, map_id, statement_id, "attackers", depth, links)


def evaluation(store: Store, map_id: str, semantics: str = "grounded", *, limit: int = 16,
               timeout: float | None = None, reading: str = "credulous"):
    """:func:`argmap.semantics.evaluate_map` of the stored map, cached under the map's version.

    Evaluating a 300-statement map under preferred semantics took 4.8 s on every call, and four
    at once 10.5 s each. Answers are kept per version and per (semantics, limit, reading); while
    one request computes an answer, others asking the same wait for it instead of computing it
    again. A refusal (over the time limit) is not kept.
    """
    from argmap.semantics import evaluate_map  # the solvers load only when a query asks for labels (0.3 s)

    key, args = ("evaluation", map_id), (semantics, limit, reading)
    version = store.map_version(map_id)
    hit = _cache(store).get(key)
    if hit is not None and hit[0] == version and args in hit[1]:
        cache_lookup("evaluation", True)
        return hit[1][args]
    cache_lookup("evaluation", False)
    with _cache(store).setdefault(("evaluation lock", map_id, args), threading.Lock()):
        with store.snapshot():  # the map and the version it is filed under, from one state
            version = store.map_version(map_id)
            hit = _cache(store).get(key)
            if hit is not None and hit[0] == version and args in hit[1]:
                return hit[1][args]
            m = store.get_map(map_id)
        result = evaluate_map(m, semantics, limit=limit, timeout=timeout, reading=reading)
        hit = _cache(store).get(key)
        answers = hit[1] if hit is not None and hit[0] == version else {}
        answers[args] = result
        _cache(store)[key] = (version, answers)
        return result


def speaker_matrix(store: Store, map_id: str) -> SpeakerMatrix:
    """For each pair of speakers, how many of one's statements support or attack the other's.

    A premise counts once per (premise, target statement) pair; an undercut counts as an attack
    on the speaker of the conclusion of the argument it undercuts.
    """
    store.get_map_info(map_id)
    sql = """
        WITH arg_target AS (
            SELECT a.id, a.kind,
                   CASE WHEN a.kind = 'undercut' THEN u.target_id ELSE a.target_id END AS target_statement
            FROM arguments a LEFT JOIN arguments u ON a.kind = 'undercut' AND u.map_id = a.map_id AND u.id = a.target_id
            WHERE a.map_id = $m
        ), pairs AS (
            SELECT DISTINCT ps.speaker_id AS source, ts.speaker_id AS target,
                   CASE WHEN t.kind = 'support' THEN 'support' ELSE 'attack' END AS relation,
                   p.statement_id, t.target_statement
            FROM arg_target t
            JOIN premises p ON p.map_id = $m AND p.argument_id = t.id
            JOIN statements ps ON ps.map_id = $m AND ps.id = p.statement_id
            JOIN statements ts ON ts.map_id = $m AND ts.id = t.target_statement
        )
        SELECT source, target, count(*) FILTER (relation = 'support'), count(*) FILTER (relation = 'attack')
        FROM pairs GROUP BY ALL ORDER BY source NULLS LAST, target NULLS LAST
    """
    with store.cursor() as cur:
        rows = cur.execute(sql, {"m": map_id}).fetchall()
        speakers = [r[0] for r in cur.execute("SELECT id FROM speakers WHERE map_id = $m ORDER BY seq", {"m": map_id}).fetchall()]
    if any(r[0] is None or r[1] is None for r in rows):
        speakers.append(None)
    return SpeakerMatrix(
        speakers=speakers,
        cells=[MatrixCell(source=r[0], target=r[1], supports=r[2], attacks=r[3]) for r in rows],
    )


# -- Implementation details ----------------------------------------------------------------


class _Graph:
    """The map's arguments as flat integer arrays (CSR), with the ids beside them.

    Statements are numbered ``0 .. n-1`` and arguments ``0 .. m-1`` in map order. For each
    kind, ``<kind>_ptr[t] : <kind>_ptr[t + 1]`` slices ``<kind>_idx`` to the arguments whose
    target is ``t`` (a statement for supports and attacks, an argument for undercuts), in map
    order; ``premise_ptr`` / ``premise_idx`` do the same for each argument's premises.

    Why arrays and not dicts of lists: the graph lives as long as the map's version, and at
    200,000 arguments dicts of lists of tuples are half a million objects that Python's
    cyclic garbage collector walks on every full collection: 200-400 ms with every thread
    stopped, which was the 1 % of slow requests under load. numpy arrays, a dict of str to
    int and tuples of str are not tracked by the collector, so a full collection no longer
    sees the graph at all (``tests/test_query.py`` checks this).
    """

    __slots__ = ("version", "index", "statement_ids", "argument_ids", "support_ptr", "support_idx",
                 "attack_ptr", "attack_idx", "undercut_ptr", "undercut_idx", "premise_ptr", "premise_idx")

    def __init__(self, version: int, statement_ids: tuple[str, ...], argument_ids: tuple[str, ...],
                 kinds: np.ndarray, targets: np.ndarray, premise_of: np.ndarray, premises: np.ndarray):
        self.version = version
        self.statement_ids, self.argument_ids = statement_ids, argument_ids
        self.index = {s: i for i, s in enumerate(statement_ids)}
        n, m = len(statement_ids), len(argument_ids)
        self.support_ptr, self.support_idx = _by_target(kinds == _SUPPORT, targets, n)
        self.attack_ptr, self.attack_idx = _by_target(kinds == _ATTACK, targets, n)
        self.undercut_ptr, self.undercut_idx = _by_target(kinds == _UNDERCUT, targets, m)
        self.premise_ptr = _pointers(premise_of, m)
        self.premise_idx = premises


_SUPPORT, _ATTACK, _UNDERCUT = 0, 1, 2


def _pointers(sorted_rows: np.ndarray, n: int) -> np.ndarray:
    """CSR row pointers (length n + 1) of row numbers already sorted ascending."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_rows, minlength=n), out=ptr[1:])
    return ptr


def _by_target(selected: np.ndarray, targets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The selected arguments grouped by target, in map order within a target (a stable sort)."""
    args = np.flatnonzero(selected).astype(np.int32)
    order = np.argsort(targets[args], kind="stable")
    return _pointers(targets[args][order], n), args[order]


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(store: Store) -> dict:
    """This module's derived data of one store (support graphs, statements and speakers read),
    each entry filed under the map version it was read at; it goes with the store."""
    try:
        return _CACHES[store]
    except KeyError:
        with _CACHES_LOCK:
            return _CACHES.setdefault(store, {})


def _graph(store: Store, map_id: str) -> _Graph:
    key = ("graph", map_id)
    hit = _cache(store).get(key)
    if hit is not None and hit.version == store.map_version(map_id):
        cache_lookup("graph", True)
        return hit
    cache_lookup("graph", False)
    # One build per map at a time: after a write, every request in flight finds the graph
    # stale, and 32 of them building it at once (a second each at 200,000 arguments) would
    # starve the server. The first builds; the others wait for it and take its result.
    with _cache(store).setdefault(("graph lock", map_id), threading.Lock()), store.snapshot():
        # One snapshot: the graph holds exactly the state of the version it is filed under.
        version = store.map_version(map_id)
        hit = _cache(store).get(key)
        if hit is not None and hit.version == version:
            return hit
        g = _build_graph(store, map_id, version)
        _cache(store)[key] = g
        return g


# Statements and arguments numbered in map order; an argument's target as a number (a
# statement's for supports and attacks, an argument's for undercuts); premises in the order
# the author gave them.
_NUMBERED = """
    WITH s AS (SELECT id, row_number() OVER (ORDER BY seq) - 1 AS n FROM statements WHERE map_id = $m),
         a AS (SELECT id, kind, target_id, row_number() OVER (ORDER BY seq) - 1 AS n FROM arguments WHERE map_id = $m)
"""
_ARGUMENTS = _NUMBERED + """
    SELECT a.id, CASE a.kind WHEN 'support' THEN 0 WHEN 'attack' THEN 1 ELSE 2 END::TINYINT AS kind,
           (CASE WHEN a.kind = 'undercut' THEN t.n ELSE s.n END)::INTEGER AS target
    FROM a LEFT JOIN s ON s.id = a.target_id LEFT JOIN a t ON t.id = a.target_id  -- equi-joins: hashed
    ORDER BY a.n
"""
_PREMISES = _NUMBERED + """
    SELECT a.n::INTEGER AS argument, s.n::INTEGER AS statement
    FROM premises p JOIN a ON a.id = p.argument_id JOIN s ON s.id = p.statement_id
    WHERE p.map_id = $m ORDER BY a.n, p.position
"""


def _build_graph(store: Store, map_id: str, version: int) -> _Graph:
    with store.cursor() as cur:
        statement_ids = cur.execute(
            "SELECT coalesce(list(id ORDER BY seq), []) FROM statements WHERE map_id = $m", {"m": map_id}
        ).fetchone()[0]
        args = cur.execute(_ARGUMENTS, {"m": map_id}).fetchnumpy()
        premises = cur.execute(_PREMISES, {"m": map_id}).fetchnumpy()
    return _Graph(
        version, tuple(statement_ids), tuple(args["id"].tolist()), np.asarray(args["kind"]),
        np.asarray(args["target"], dtype=np.int64), np.asarray(premises["argument"], dtype=np.int64),
        np.asarray(premises["statement"], dtype=np.int32),
    )


def _check(g: _Graph, statement_id: str, depth: int | None) -> int:
    """The statement's number in ``g`` (NotFound if the map has no such statement)."""
    n = g.index.get(statement_id)
    if n is None:
        raise NotFound("id", f"no statement {statement_id!r}")
    if depth is not None and not 1 <= depth <= MAX_DEPTH:
        raise LimitExceeded("depth", f"must be between 1 and {MAX_DEPTH}, or 'all'")
    return n


def _walk_supports(g: _Graph, start: int, depth: int | None) -> list[tuple]:
    """Breadth first, so each statement is reached by a shortest chain.

    Returns ``(premise, "support", depth, argument, target, path, length)`` with statements
    and arguments as numbers, ``path`` as the nearest :data:`MAX_PATH` argument ids (what the
    answer shows) and ``length`` the whole chain's. Each statement keeps the argument and target
    it was reached by (memory grows with the statements, not with the sum of their paths).
    """
    out: list[tuple] = []
    if depth == 0:
        return out
    # memoryviews index to Python ints several times faster than numpy scalars.
    sup_ptr, sup_idx = memoryview(g.support_ptr), memoryview(g.support_idx)
    pre_ptr, pre_idx = memoryview(g.premise_ptr), memoryview(g.premise_idx)
    arg_ids = g.argument_ids
    # Each reached statement: the path shown for it (at most MAX_PATH ids, shared by every
    # premise of the same argument) and the whole chain's length.
    reached: dict[int, tuple[list[str], int]] = {start: ([], 0)}
    frontier, d = [start], 0
    while frontier and (depth is None or d < depth) and len(out) <= MAX_RESULTS:
        d += 1
        nxt = []
        for t in frontier:
            via, length = reached[t]
            for k in range(sup_ptr[t], sup_ptr[t + 1]):
                a = sup_idx[k]
                path = None
                for j in range(pre_ptr[a], pre_ptr[a + 1]):
                    p = pre_idx[j]
                    if p not in reached:
                        if path is None:
                            path = [arg_ids[a], *via[: MAX_PATH - 1]]
                        reached[p] = (path, length + 1)
                        out.append((p, "support", d, a, t, path, length + 1))
                        nxt.append(p)
        frontier = nxt
    return out


def _cached_statements(store: Store, map_id: str, version: int) -> dict[str, Statement]:
    """The statements read so far under this version of the map, by id.

    Whoever reads the version first and the rows after files them under that version, so a
    version's cache never holds a row older than the version. A reader of an older version
    may put back its own (empty) cache for a moment; the next reader replaces it again.
    """
    key = ("statements", map_id)
    hit = _cache(store).get(key)
    if hit is None or hit[0] != version:
        hit = _cache(store)[key] = (version, {})
        cache_lookup("statements", False)
    else:
        cache_lookup("statements", True)
    return hit[1]


def _cached_speakers(store: Store, map_id: str, version: int) -> dict:
    """Every speaker of the map at this version, by id (one read per version; maps have few)."""
    key = ("speakers", map_id)
    hit = _cache(store).get(key)
    if hit is None or hit[0] != version:
        hit = _cache(store)[key] = (version, {s.id: s for s in store.list_speakers(map_id)})
        cache_lookup("speakers", False)
    else:
        cache_lookup("speakers", True)
    return hit[1]


def _remember(rows: dict[str, Statement], statements: list[Statement]) -> None:
    if len(rows) + len(statements) > _CACHED_STATEMENTS:
        rows.clear()
    for s in statements:
        rows[s.id] = s


def _statements(g: _Graph, store: Store, map_id: str, ids: set[str]) -> dict[str, Statement]:
    rows = _cached_statements(store, map_id, g.version)
    missing = [i for i in ids if i not in rows]
    if missing and _read_whole_map(store, map_id, g.version, rows):
        missing = [i for i in missing if i not in rows]
    if missing:
        _remember(rows, store.list_statements(map_id, ids=sorted(missing)))
    return rows


def _read_whole_map(store: Store, map_id: str, version: int, rows: dict[str, Statement]) -> bool:
    """Count one read of missing statements under ``version``; on a store whose one-row reads
    cost about a whole map's (``store.whole_map_after``), once they add up to about one whole
    read, read every statement of the version into ``rows`` instead (at most one reader at a
    time; the others read their rows meanwhile). True when this call read the whole version.

    Renting until the rent paid equals the price, then buying, costs at most twice the better
    choice made in hindsight, whether a version is read a little or a lot before it changes.
    """
    after = store.whole_map_after
    if after is None:
        return False
    cache = _cache(store)
    key = ("statement misses", map_id)
    seen = cache.get(key)
    if seen is None or seen[0] != version:
        seen = cache[key] = [version, 0, threading.Lock(), False]  # version, misses, lock, done
    if seen[3]:
        return False
    seen[1] += 1  # not atomic: a count off by a few only moves the moment a little
    if seen[1] < after or not seen[2].acquire(blocking=False):
        return False
    try:
        if seen[3]:
            return False
        with store.snapshot():  # the rows of exactly this version, or none
            if store.map_version(map_id) != version:
                return False
            every = store.list_statements(map_id)
        seen[3] = True  # one try per version: past the cache's size, one by one for the rest of it
        if len(every) > _CACHED_STATEMENTS:
            return False
        for s in every:
            rows.setdefault(s.id, s)
        return True
    finally:
        seen[2].release()


def _answer(g: _Graph, store: Store, map_id: str, statement_id: str, direction, depth, links: list[tuple]) -> LinkList:
    """The links (statements and arguments by number, as the walks give them) as an answer."""
    truncated = len(links) > MAX_RESULTS
    links = links[:MAX_RESULTS]
    ids, arg_ids = g.statement_ids, g.argument_ids
    by_id = _statements(g, store, map_id, {ids[x[0]] for x in links})
    return LinkList(
        statement=statement_id,
        direction=direction,
        depth=depth,
        truncated=truncated,
        items=[
            Link(statement=by_id[ids[p]], relation=rel, depth=d, argument=arg_ids[a],
                 target=arg_ids[t] if rel == "undercut" else ids[t], path=path, path_length=length)
            for p, rel, d, a, t, path, length in links
        ],
    )
