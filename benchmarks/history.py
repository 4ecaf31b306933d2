"""The change log's costs, on the generated 100,000-statement map after 10,000 recorded writes.

    .venv/bin/python benchmarks/history.py [--statements 100000 --arguments 200000 --writes 10000]

Prints, each against a baseline measured in the same run (other sessions share the CPUs):
- write latency with the log vs without it (writes alternate between the two, same map);
- an ``as_of`` read (a version 1,000 writes back) of one statement and of depth-5 supporters vs
  the same read of the current map (p50/p99; the first read of a version, which rebuilds it, apart);
- a diff of two versions 1,000 writes apart (entities only, and with grounded labels: the first
  call in the process, again, other pairs; vs both versions' whole graphs solved);
- the log checked against the data (whole, and the last ``--apart`` versions) vs the map
  rebuilt from its whole log and compared;
- the log's size on disk per write (its rows copied into a file of their own);
- a restore of a version ``--apart`` writes back vs that version read and loaded whole.
Targets (issue 18): writes <= 1.2x, as_of p50 <= 3x, diff <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from api import MAP_ID, generate, percentile  # noqa: E402
from argmap import history, query  # noqa: E402
from argmap.model import Argument, Statement  # noqa: E402
from argmap.store import Store, _history  # noqa: E402


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def p(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):7.2f} ms  p99 {percentile(samples, 99):7.2f} ms"


def one_write(store: Store, rnd: random.Random, n: int, i: int, tag: str, r: float | None = None) -> None:
    """One write: an edit (half), a new statement (30 %) or a new argument, by ``r`` (drawn when None)."""
    r = rnd.random() if r is None else r
    if r < 0.5:  # an edit of an existing statement
        sid = f"s{rnd.randrange(n)}"
        st = store.get_statement(MAP_ID, sid)
        store.update_statement(MAP_ID, Statement(**{**{f: getattr(st, f) for f in st.__struct_fields__},
                                                    "text": f"{st.text.rstrip('.')} (edit {tag}{i})."}))
    elif r < 0.8:
        store.add_statement(MAP_ID, Statement(id=f"new-{tag}{i}", text=f"A new claim {tag}{i} about the front."))
    else:
        t = rnd.randrange(n - 10)
        store.add_argument(MAP_ID, Argument(id=f"na-{tag}{i}", kind="support", premises=[f"s{t + 1 + rnd.randrange(9)}"],
                                            target=f"s{t}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--statements", type=int, default=100_000)
    ap.add_argument("--arguments", type=int, default=200_000)
    ap.add_argument("--writes", type=int, default=10_000, help="recorded writes before measuring")
    ap.add_argument("--compare", type=int, default=400, help="writes per side for the with/without comparison")
    ap.add_argument("--reads", type=int, default=300)
    ap.add_argument("--apart", type=int, default=1000, help="writes between the two versions diffed / read")
    ap.add_argument("--db", help="keep the built map and its log in this file and reuse it when it exists "
                                 "(skips loading and the recorded writes; the write comparison adds to it)")
    ap.add_argument("--build-only", action="store_true", help="build --db and stop")
    args = ap.parse_args()
    rnd = random.Random(18)
    folder = Path(tempfile.mkdtemp(prefix="argmap-history-bench-"))
    try:
        run(args, rnd, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args, rnd: random.Random, folder: Path) -> None:
    db = Path(args.db) if args.db else folder / "bench.duckdb"
    reuse = db.exists()
    store = Store(str(db))
    n = args.statements
    if reuse:
        print(f"reusing {db}: version {history.current_version(store, MAP_ID)}")
    else:
        t = time.perf_counter()
        store.load_map(generate(n, args.arguments))
        print(f"loaded {n:,} statements, {args.arguments:,} arguments (logged as version 1) in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        for i in range(args.writes):
            one_write(store, rnd, n, i, "w")
        took = time.perf_counter() - t
        print(f"{args.writes:,} recorded writes in {took:.1f} s ({took / args.writes * 1000:.2f} ms each)")
    if args.build_only:
        store.close()
        return
    now = history.current_version(store, MAP_ID)
    past = now - args.apart

    # -- as_of reads vs current reads ---------------------------------------------------------
    ids = [f"s{rnd.randrange(n)}" for _ in range(args.reads)]
    t = time.perf_counter()
    old = history.store_as_of(store, MAP_ID, past)
    first = time.perf_counter() - t
    print(f"\nfirst as_of read of version {past} (rebuilds it: the current rows, the changes since undone): {first:.2f} s")

    def reads(fn) -> list[float]:
        for sid in ids[:20]:
            fn(sid)  # warm: caches by map version
        return [timed(lambda sid=sid: fn(sid)) for sid in ids]

    cur_one = reads(lambda sid: query.statement(store, MAP_ID, sid))
    old_one = reads(lambda sid: query.statement(history.store_as_of(store, MAP_ID, str(past)), MAP_ID, sid))
    cur_sup = reads(lambda sid: query.supporters(store, MAP_ID, sid, depth=5))
    old_sup = reads(lambda sid: query.supporters(history.store_as_of(store, MAP_ID, str(past)), MAP_ID, sid, depth=5))
    print("one statement   current", p(cur_one))
    print("                as_of  ", p(old_one), f"  ratio p50 {percentile(old_one, 50) / percentile(cur_one, 50):.2f}x")
    print("depth-5 support current", p(cur_sup))
    print("                as_of  ", p(old_sup), f"  ratio p50 {percentile(old_sup, 50) / percentile(cur_sup, 50):.2f}x")
    del old

    # -- diff --------------------------------------------------------------------------------
    plain = [timed(lambda: history.diff(store, MAP_ID, past, now, semantics="none")) for _ in range(5)]
    d = history.diff(store, MAP_ID, past, now, semantics="none")
    changed = sum(len(getattr(d, k).added) + len(getattr(d, k).changed) + len(getattr(d, k).removed)
                  for k in ("statements", "arguments"))
    print(f"\ndiff of versions {past} and {now} ({args.apart} writes, {changed} entities differ): "
          f"median {sorted(plain)[2]:.0f} ms (entities only)")
    t = time.perf_counter()
    d = history.diff(store, MAP_ID, past, now, semantics="grounded")
    print(f"  with grounded labels, first (each version's attack graph read from the rows and solved): {time.perf_counter() - t:.2f} s, "
          f"{len(d.labels)} labels changed")
    again = [timed(lambda: history.diff(store, MAP_ID, past, now, semantics="grounded")) for _ in range(5)]
    print(f"  with grounded labels, again (the answer kept per pair of versions): median {sorted(again)[2]:.0f} ms")
    other = [timed(lambda k=k: history.diff(store, MAP_ID, past - 10 * k - 1, now - 10 * k, semantics="grounded"))
             for k in range(1, 6)]
    print(f"  with grounded labels, other pairs as far apart (the map's graph kept): median {sorted(other)[2]:.0f} ms")
    t = time.perf_counter()
    whole = (history._labels_at(store, MAP_ID, past, "grounded", None), history._labels_at(store, MAP_ID, now, "grounded", None))
    print(f"  baseline: both versions' whole graphs built and solved (as the diff did before): "
          f"{time.perf_counter() - t:.2f} s, {sum(whole[0].get(i) != whole[1].get(i) for i in set(whole[0]) | set(whole[1]))} "
          f"labels changed")

    # -- check: the log against the data -----------------------------------------------------
    t = time.perf_counter()
    found = _history.check(store)
    full = time.perf_counter() - t
    t = time.perf_counter()
    found_recent = _history.check(store, recent=args.apart)
    recent = time.perf_counter() - t
    t = time.perf_counter()
    same = _history.map_at(store, MAP_ID, now) == store.get_map(MAP_ID)
    rebuild = time.perf_counter() - t
    print(f"\ncheck (log vs data): {full:.2f} s whole ({len(found)} problems), {recent:.2f} s for the last {args.apart} "
          f"versions ({len(found_recent)} problems); baseline, the map rebuilt from its whole log and compared "
          f"({'same' if same else 'DIFFERENT'}): {rebuild:.2f} s")

    # -- log size ----------------------------------------------------------------------------
    out = folder / "log-only.duckdb"
    with store.cursor() as cur:
        cur.execute(f"ATTACH '{out}' AS logcopy")
        cur.execute("CREATE TABLE logcopy.c AS SELECT * FROM change_log WHERE version > 1")
        cur.execute("CHECKPOINT logcopy")
        cur.execute("DETACH logcopy")
    with store.cursor() as cur:
        cur.execute(f"ATTACH '{folder / 'base-only.duckdb'}' AS basecopy")
        cur.execute("CREATE TABLE basecopy.c AS SELECT * FROM change_log WHERE version = 1")
        cur.execute("CHECKPOINT basecopy")
        cur.execute("DETACH basecopy")
    size = os.path.getsize(out)
    print(f"\nlog of the {args.writes:,} writes on disk: {size / 2**20:.1f} MiB, {size / args.writes:,.0f} bytes a write"
          f" (the version-1 log of the whole map: {os.path.getsize(folder / 'base-only.duckdb') / 2**20:.1f} MiB)")
    print(f"database file with the log: {os.path.getsize(db) / 2**20:.0f} MiB")

    # -- write latency with vs without the log, on a copy of the file: writes without the log
    # leave it behind the data, which would make a reused --db wrong for every read of the past
    store.close()
    shutil.copy(db, folder / "compare.duckdb")
    store = Store(str(folder / "compare.duckdb"))
    with_log, without = [], []
    tag = f"c{history.current_version(store, MAP_ID)}-"  # new ids on a reused --db too
    # Unmeasured: one write of each kind on each side first. The first write in a process that
    # needs the map's node ids reads them all (~0.3 s at 100,000 statements), whichever side it is.
    for k, r in enumerate((0.1, 0.6, 0.9) * 2):
        store.log_changes = k < 3
        one_write(store, rnd, n, k, tag + "warm-", r)
    # In pairs of the same kind of write, one with the log and one without: an edit costs about
    # twice a new statement, so sides drawn apart at random put their medians in different kinds.
    kinds: dict[str, tuple[list, list]] = {}
    for i in range(args.compare):
        r = rnd.random()
        kind = kinds.setdefault("edit" if r < 0.5 else "new statement" if r < 0.8 else "new argument", ([], []))
        for on in ((True, False) if i % 2 else (False, True)):  # each side goes first in half the pairs
            store.log_changes = on
            took = timed(lambda i=i, on=on: one_write(store, rnd, n, 2 * i + on, tag, r))
            (with_log if on else without).append(took)
            kind[0 if on else 1].append(took)
    store.log_changes = True
    print(f"\nwrites with the log   {p(with_log)}")
    print(f"writes without it     {p(without)}   ratio p50 {percentile(with_log, 50) / percentile(without, 50):.2f}x"
          f"  (target <= 1.2x); ratio of the means {sum(with_log) / sum(without):.2f}x (the mix's time in all)")
    for name, (on, off) in sorted(kinds.items()):
        print(f"  {name:14s} ({len(on)} pairs): p50 {percentile(on, 50):.2f} ms vs {percentile(off, 50):.2f} ms, "
              f"ratio {percentile(on, 50) / percentile(off, 50):.2f}x")

    # -- restore: only what changed since put back, vs the version loaded whole (as it was done before)
    now = history.current_version(store, MAP_ID)
    back = now - args.apart
    t = time.perf_counter()
    v = history.restore(store, MAP_ID, back)
    took = time.perf_counter() - t
    t = time.perf_counter()
    whole = history.map_as_of(store, MAP_ID, back)
    with history.context(action="restore", restored_from=back):
        store.load_map(whole, replace=True)
    baseline = time.perf_counter() - t
    print(f"\nrestore of version {back} ({args.apart} writes back, {v.changes} entities): {took:.2f} s;"
          f" the version read and loaded whole: {baseline:.2f} s (ratio {took / baseline:.2f}x)")
    store.close()


if __name__ == "__main__":
    main()
