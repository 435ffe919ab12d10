"""Benchmark the scheduler on reproducible synthetic events: optimal vs the greedy baseline.

    python benchmarks/schedule.py [--sizes 200,1000,5000] [--time-limit 30] [--seed 7]

Instances (fixed seeds): N companies, 16 slots, N/4 tables, cap 8; each company unavailable in
each slot with probability 0.2; scores (1 + cos)/2 of random unit vectors in 32 dimensions;
each company lists its 20 most similar companies (pairs are the union, unordered); 5 % of the
pairs are required. Each method runs in a fresh child process fed the same instance, so
"peak MB" is the growth of the child's peak resident set (``getrusage`` ``ru_maxrss``) during
``solve`` alone. "of bound" divides by the tighter of the two certified bounds (both are upper
bounds on any feasible schedule). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker.core.scheduling import Company, Instance, Pair, solve  # noqa: E402

SLOTS, CAP, DIM, TOP, P_UNAVAILABLE, P_REQUIRED = 16, 8, 32, 20, 0.2, 0.05


def _top_candidates(vectors: np.ndarray, k: int, chunk: int = 512) -> np.ndarray:
    """Indices of each row's k most similar other rows (computed in chunks to save memory)."""
    n = len(vectors)
    out = np.empty((n, k), dtype=np.int64)
    for lo in range(0, n, chunk):
        sim = vectors[lo:lo + chunk] @ vectors.T
        sim[np.arange(len(sim)), np.arange(lo, lo + len(sim))] = -np.inf
        out[lo:lo + chunk] = np.argpartition(-sim, k, axis=1)[:, :k]
    return out


def make_instance(n: int, seed: int) -> Instance:
    """The synthetic event described in the module docstring."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    top = _top_candidates(vectors, min(TOP, n - 1))
    a = np.repeat(np.arange(n), top.shape[1])
    b = top.ravel()
    keys = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    ea, eb = keys // n, keys % n
    scores = (1.0 + np.einsum("ij,ij->i", vectors[ea], vectors[eb])) / 2.0
    unavailable = rng.random((n, SLOTS)) < P_UNAVAILABLE
    required = rng.random(len(ea)) < P_REQUIRED
    ids = [f"c{i}" for i in range(n)]
    companies = [Company(ids[i], CAP, frozenset(np.flatnonzero(unavailable[i]).tolist())) for i in range(n)]
    pairs = [Pair(ids[x], ids[y], float(s)) for x, y, s in zip(ea, eb, scores)]
    return Instance(SLOTS, n // 4, companies, pairs, [(ids[x], ids[y]) for x, y in zip(ea[required], eb[required])])


def _child(instance: Instance, method: str, time_limit: float, conn) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = solve(instance, method, time_limit=time_limit)
    wall = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    conn.send({"score": result.score, "bound": result.bound, "meetings": result.meetings_count,
               "fewest": result.fewest_meetings, "wall": wall, "mb": grown / 1024, "unplaced": len(result.unplaced),
               "stats": {k: v for k, v in result.stats.items() if k != "timings"}, "timings": result.stats["timings"]})


def run(instance: Instance, method: str, time_limit: float) -> dict:
    """Solve in a fresh process; return the figures."""
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(instance, method, time_limit, there))
    proc.start()
    out = here.recv()
    proc.join()
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run both methods per size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200,1000,5000")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="also print stage timings and stats")
    args = parser.parse_args(argv)
    rows, notes = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        instance = make_instance(n, args.seed + n)
        print(f"N={n}: {len(instance.pairs)} pairs, {len(instance.required)} required, {instance.tables} tables", file=sys.stderr)
        res = {method: run(instance, method, args.time_limit) for method in ("greedy", "optimal")}
        bound = min(r["bound"] for r in res.values())
        for method in ("optimal", "greedy"):
            r = res[method]
            rows.append(f"| {n} | {method} | {r['score']:.2f} | {100 * r['score'] / bound:.3f} % | {r['meetings']} "
                        f"| {r['fewest']} | {r['unplaced']} | {r['wall']:.2f} | {r['mb']:.0f} |")
            if args.verbose:
                print(method, r["timings"], r["stats"], file=sys.stderr)
        ratio = res["optimal"]["score"] / res["greedy"]["score"]
        limit = min(min(c.cap, SLOTS - len(c.unavailable)) for c in instance.companies)
        notes.append(f"N={n}: {len(instance.pairs)} pairs, {len(instance.required)} required; bound {bound:.2f}; "
                     f"optimal/greedy score ratio {ratio:.4f}; smallest min(cap, free slots) of a company: {limit}")
    print("| N | method | score | of bound | meetings | fewest | unplaced | seconds | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print("\n".join(notes))
    print("seconds: wall time of solve() (greedy's includes its LP bound); peak MB: ru_maxrss growth during solve()")


if __name__ == "__main__":
    main()
