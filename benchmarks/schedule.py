"""Benchmark the scheduler on reproducible synthetic events: fair optimal vs the greedy baseline.

    python benchmarks/schedule.py [--families scarce,regular] [--sizes 1000,5000] [--time-limit 60] [--seed 7] [--repeat K]

Families (fixed seeds; scores (1 + cos)/2 of random unit vectors in 32 dimensions, each company
lists its 20 most similar companies, pairs are the union):

* ``scarce`` — 9 slots, tables for ~0.55 N meetings in all, cap 9, 3 % hub companies; every
  company also lists 10 of the hubs (at random) with a high score (0.9-1.0); 0.2 % of pairs
  required;
* ``regular`` — 12 slots, N/4 tables, caps 3-7, each company unavailable in 20 % of the slots
  (chosen at random), 5 % of pairs required;
* ``classic`` — the earlier instance: 16 slots, N/4 tables, cap 8, 20 % unavailable, 5 % required.

Each solve runs in a fresh child process fed the same instance, so "peak MB" is the growth of the
child's peak resident set (``getrusage`` ``ru_maxrss``) during ``solve`` alone (not counting the flow
worker, a second process large sessions use: ``scheduling.worker``). "LP s" is the
time HiGHS takes for the plain LP relaxation of meeting selection of the same instance (the
b-matching with table rows, ``lp.relax(weighted=False)``), measured in its own child in the same
run; "x LP" is the solve's wall time divided by it. "of bound" divides the score by the fair
bound of the optimal run (the LP with the optimal run's floors): greedy may exceed 100 % since
it is less fair. "floor": fewest meetings of a company that has some and could have more;
"none": companies wanting meetings that got none. Prints a markdown table, then per instance the
wall and CPU seconds of the LP and of the optimal run (its CPU includes the flow worker's) and the
load average (the machine may be shared: the LP's time varies with it).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker.core.scheduling import Company, Instance, Pair, solve  # noqa: E402
from matchmaker.core.scheduling.lp import relax  # noqa: E402
from matchmaker.core.scheduling.problem import prepare  # noqa: E402

DIM, TOP, HUBS_LISTED = 32, 20, 10


def _top_candidates(vectors: np.ndarray, k: int, chunk: int = 512) -> np.ndarray:
    """Indices of each row's k most similar other rows (computed in chunks to save memory)."""
    n = len(vectors)
    out = np.empty((n, k), dtype=np.int64)
    for lo in range(0, n, chunk):
        sim = vectors[lo:lo + chunk] @ vectors.T
        sim[np.arange(len(sim)), np.arange(lo, lo + len(sim))] = -np.inf
        out[lo:lo + chunk] = np.argpartition(-sim, k, axis=1)[:, :k]
    return out


def _similar_pairs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each company's TOP most similar companies, as unique unordered pairs with scores."""
    vectors = rng.normal(size=(n, DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    top = _top_candidates(vectors, min(TOP, n - 1))
    a, b = np.repeat(np.arange(n), top.shape[1]), top.ravel()
    keys = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    ea, eb = keys // n, keys % n
    return ea, eb, (1.0 + np.einsum("ij,ij->i", vectors[ea], vectors[eb])) / 2.0


def _instance(n: int, slots: int, tables: int, caps: np.ndarray, unavailable: np.ndarray,
              pairs: tuple[np.ndarray, np.ndarray, np.ndarray], required: np.ndarray) -> Instance:
    ea, eb, scores = pairs
    ids = [f"c{i}" for i in range(n)]
    companies = [Company(ids[i], int(caps[i]), frozenset(np.flatnonzero(unavailable[i]).tolist())) for i in range(n)]
    listed = [Pair(ids[x], ids[y], float(s)) for x, y, s in zip(ea, eb, scores)]
    return Instance(slots, tables, companies, listed, [(ids[x], ids[y]) for x, y in zip(ea[required], eb[required])])


def scarce(n: int, seed: int) -> Instance:
    """9 slots, tables for ~0.55 N meetings, 3 % hubs everyone wants (module docstring)."""
    rng = np.random.default_rng(seed)
    slots = 9
    ea, eb, scores = _similar_pairs(rng, n)
    hubs = rng.choice(n, size=max(1, round(0.03 * n)), replace=False)
    listed = min(HUBS_LISTED, len(hubs))
    ha = np.concatenate([rng.choice(hubs, size=listed, replace=False) for _ in range(n)])
    hb = np.repeat(np.arange(n), listed)
    keep = ha != hb
    keys = np.unique(np.minimum(ha[keep], hb[keep]) * n + np.maximum(ha[keep], hb[keep]))
    fresh = keys[~np.isin(keys, ea * n + eb)]
    ea = np.concatenate([ea, fresh // n])
    eb = np.concatenate([eb, fresh % n])
    scores = np.concatenate([scores, 0.9 + 0.1 * rng.random(len(fresh))])
    tables = max(1, round(0.55 * n / slots))
    required = rng.random(len(ea)) < 0.002
    return _instance(n, slots, tables, np.full(n, slots), np.zeros((n, slots), dtype=bool), (ea, eb, scores), required)


def regular(n: int, seed: int) -> Instance:
    """12 slots, N/4 tables, caps 3-7, 20 % of slots unavailable (module docstring)."""
    rng = np.random.default_rng(seed)
    slots = 12
    pairs = _similar_pairs(rng, n)
    unavailable = np.argsort(rng.random((n, slots)), axis=1) < round(0.2 * slots)
    caps = rng.integers(3, 8, size=n)
    return _instance(n, slots, n // 4, caps, unavailable, pairs, rng.random(len(pairs[0])) < 0.05)


def classic(n: int, seed: int) -> Instance:
    """The earlier benchmark instance: 16 slots, N/4 tables, cap 8, 20 % unavailable."""
    rng = np.random.default_rng(seed)
    pairs = _similar_pairs(rng, n)
    unavailable = rng.random((n, 16)) < 0.2
    return _instance(n, 16, n // 4, np.full(n, 8), unavailable, pairs, rng.random(len(pairs[0])) < 0.05)


FAMILIES = {"scarce": scarce, "regular": regular, "classic": classic}


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the flow worker, ``scheduling.worker``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _lp_child(instance: Instance, conn) -> None:
    p = prepare(instance, ())
    started, cpu = time.perf_counter(), _cpu()
    relaxation = relax(p, weighted=False, time_limit=600.0)
    conn.send({"wall": time.perf_counter() - started, "cpu": _cpu() - cpu, "ok": relaxation.x is not None})


def _child(instance: Instance, method: str, time_limit: float, conn) -> None:
    before = _peak_kb()
    started, cpu = time.perf_counter(), _cpu()
    result = solve(instance, method, time_limit=time_limit)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    wanting = sum(result.levels[:1]) + sum(1 for why in result.idle.values() if why in ("no_table", "partners_full"))
    conn.send({"score": result.score, "bound": result.bound, "unfair": result.unfair_bound, "meetings": result.meetings_count,
               "floor": result.floor, "none": wanting - (result.levels[0] if result.levels else 0), "wanting": wanting,
               "wall": wall, "cpu": cpu, "mb": (_peak_kb() - before) / 1024,
               "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "unplaced": len(result.unplaced),
               "stats": {k: v for k, v in result.stats.items() if k != "timings"}, "timings": result.stats["timings"]})


def run(target, *args) -> dict:
    """Run *target(*args, conn)* in a fresh process; return what it sends."""
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, there))
    proc.start()
    out = here.recv()
    proc.join()
    return out


def _median(runs: list[dict]) -> dict:
    """The run of median wall time (the lower middle one for an even count), its figures as they are."""
    return sorted(runs, key=lambda r: r["wall"])[(len(runs) - 1) // 2]


def _rows(family: str, n: int, res: dict, lp: dict) -> list[str]:
    bound = res["optimal"]["bound"]
    out = []
    for method in ("optimal", "greedy"):
        r = res[method]
        out.append(f"| {family} | {n} | {method} | {r['floor']} | {r['none']} ({100 * r['none'] / max(r['wanting'], 1):.1f} %) "
                   f"| {r['score'] / bound:.4f} | {r['wall']:.1f} | {r['wall'] / lp['wall']:.1f} | {r['mb']:.0f} |")
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the LP and both methods per family and size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default="scarce,regular")
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds per instance (LP, greedy, optimal each in a fresh process); the table shows the "
                             "run of median time of each, the notes every round's x LP")
    parser.add_argument("--verbose", action="store_true", help="also print stage timings and stats")
    args = parser.parse_args(argv)
    rows, notes = [], []
    for family in args.families.split(","):
        for n in (int(s) for s in args.sizes.split(",")):
            instance = FAMILIES[family](n, args.seed + n)
            print(f"{family} N={n}: {len(instance.pairs)} pairs, {len(instance.required)} required, "
                  f"{instance.tables} tables", file=sys.stderr)
            rounds = []
            for _ in range(max(args.repeat, 1)):  # interleaved, so that a busy spell hits all three alike
                rounds.append({"lp": run(_lp_child, instance),
                               **{method: run(_child, instance, method, args.time_limit) for method in ("greedy", "optimal")}})
            lp = _median([r["lp"] for r in rounds])
            res = {method: _median([r[method] for r in rounds]) for method in ("greedy", "optimal")}
            rows += _rows(family, n, res, lp)
            if args.verbose:
                for method, r in res.items():
                    print(method, r["timings"], r["stats"], file=sys.stderr)
            o, g = res["optimal"], res["greedy"]
            notes.append(f"{family} N={n}: {len(instance.pairs)} pairs, {instance.tables} tables x {instance.slots} slots; "
                         f"LP {lp['wall']:.2f} s ({lp['cpu']:.2f} s CPU); optimal {o['wall']:.2f} s "
                         f"({o['cpu']:.2f} s CPU, flow worker's included; worker's peak RSS {o['worker_mb']:.0f} MB); load average {os.getloadavg()[0]:.1f}; fair bound {o['bound']:.1f}, unfair bound {o['unfair']:.1f}; "
                         f"score optimal {o['score']:.1f}, greedy {g['score']:.1f} (given up for fairness: "
                         f"{max(g['score'] - o['score'], 0):.1f} to {o['unfair'] - o['score']:.1f})"
                         + (f"; medians of {len(rounds)} rounds, optimal x LP per round "
                            + ", ".join(f"{r['optimal']['wall'] / r['lp']['wall']:.2f}" for r in rounds) if len(rounds) > 1 else ""))
    print("| instance | N | method | floor | without a meeting | of fair bound | seconds | x LP | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
