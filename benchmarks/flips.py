"""What would flip each verdict: flips of size <= 2 for every statement of a map.

    .venv/bin/python benchmarks/flips.py [--statements 1000 --arguments 2000] [--no-brute]

Times argmap.semantics.flips.FlipFinder (one SAT solver per map, PySAT Glucose 4.2) for every
statement of the seed map and of a generated map, and, in the same run, brute force on the
seed: every set of at most two statements (and of open questions) retracted or raised in the
map itself and evaluated with evaluate_map, as tests/semantics/test_flips.py's oracle does.
Both give the same sets (checked here too). Targets (issue 19): seed <= 0.5 s for all its
statements; 1,000 statements / 2,000 arguments <= 30 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "semantics"))

from argmap.mapfile import load  # noqa: E402
from argmap.model import Argument, Map, Statement, check_map  # noqa: E402
from argmap.semantics.flips import FlipFinder  # noqa: E402

SCHEMES = [None, None, "ExpertOpinion", "CauseToEffect", "PracticalReasoning", "Analogy", "Sign"]


def generated(n_statements: int, n_arguments: int, seed: int = 19) -> Map:
    """A map shaped like real ones: supports point forward (acyclic), attacks anywhere (some
    cycles), a tenth undercuts; a quarter of the statements derived; a third of the arguments
    with a catalogued scheme."""
    rnd = random.Random(seed)
    sids = [f"s{i}" for i in range(n_statements)]
    statements = [Statement(id=x, text=x, kind="derived" if rnd.random() < 0.25 else "claim") for x in sids]
    arguments: list[Argument] = []
    for j in range(n_arguments):
        r = rnd.random()
        kind = "support" if r < 0.7 else ("attack" if r < 0.9 or not arguments else "undercut")
        if kind == "support":
            t = rnd.randrange(1, n_statements)
            premises = rnd.sample(range(max(0, t - 50), t), min(t - max(0, t - 50), rnd.randint(1, 3)))
            target = sids[t]
        else:
            premises = rnd.sample(range(n_statements), rnd.randint(1, 2))
            target = (sids[rnd.choice([i for i in range(n_statements) if i not in premises])] if kind == "attack"
                      else rnd.choice(arguments).id)
        arguments.append(Argument(id=f"a{j}", kind=kind, premises=[sids[p] for p in premises], target=target,
                                  scheme=rnd.choice(SCHEMES) if kind == "support" else None))
    m = Map(id="generated", title="generated", statements=statements, arguments=arguments)
    check_map(m)
    return m


def all_flips(m: Map, size: int):
    finder = FlipFinder(m, timeout=None)
    return {s.id: finder.flips(s.id, size=size) for s in m.statements}


def brute_all(m: Map, size: int):
    from test_flips import brute, open_questions, raised, retracted

    out = {}
    for s in m.statements:
        others = [x.id for x in m.statements if x.id != s.id]
        label, sets = brute(m, s.id, others, retracted, size, "credulous")
        _, qsets = brute(m, s.id, open_questions(m, "credulous"), raised, size, "credulous")
        out[s.id] = (label, sets, qsets)
    return out


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--arguments", type=int, default=2000)
    ap.add_argument("--size", type=int, default=2)
    ap.add_argument("--no-brute", action="store_true", help="skip brute force on the seed (about a minute)")
    args = ap.parse_args()

    seed = load(REPO / "seeds" / "peace-plan.yaml")
    t_seed, seed_flips = timed(all_flips, seed, args.size)
    n_sets = sum(len(f.statements) + len(f.questions) for f in seed_flips.values())
    print(f"seed ({len(seed.statements)} statements, {len(seed.arguments)} arguments): flips of size <= {args.size} "
          f"for every statement in {t_seed:.3f} s ({n_sets} minimal sets)  [target <= 0.5 s]")
    if not args.no_brute:
        t_brute, oracle = timed(brute_all, seed, args.size)
        same = all(
            (f.label, {tuple(x.retract): x.label for x in f.statements},
             {tuple((q.argument, q.question) for q in x.questions): x.label for x in f.questions}) == oracle[sid]
            for sid, f in seed_flips.items()
        )
        print(f"seed, brute force (every subset of <= {args.size}, evaluate_map each): {t_brute:.2f} s; "
              f"SAT is {t_brute / t_seed:.0f}x faster; same sets: {same}")
    m = generated(args.statements, args.arguments)
    t_build, _ = timed(FlipFinder, m)
    t_gen, gen_flips = timed(all_flips, m, args.size)
    n_sets = sum(len(f.statements) + len(f.questions) for f in gen_flips.values())
    truncated = sum(f.truncated for f in gen_flips.values())
    labels = {lab: sum(f.label == lab for f in gen_flips.values()) for lab in ("in", "out", "undec")}
    print(f"generated ({args.statements} statements, {args.arguments} arguments; labels {labels}): flips of size "
          f"<= {args.size} for every statement in {t_gen:.2f} s ({n_sets} minimal sets, {truncated} lists "
          f"truncated at 200) [target <= 30 s]")


if __name__ == "__main__":
    main()
