"""Benchmark interpreters as a scheduled resource: optimal vs the greedy baseline, same run.

    python benchmarks/interpreters.py [--sizes 600,3000] [--time-limit 60] [--seed 11]

Instances (fixed seeds), as issue 14 describes them: 45 % Japanese companies (70 % speak only
Japanese, 30 % also English), 45 % Vietnamese (70 % only Vietnamese, 30 % also English), 10 %
from third countries (English only); 15 % of all companies attend online. 12 slots, N/4
tables, cap 6, each company unavailable in 15 % of the slots. Scores are (1 + cos)/2 of random
unit vectors in 32 dimensions; each company lists its 15 most similar companies of another
country (so most pairs are Japanese-Vietnamese and need an interpreter); 2 % of the pairs are
required. One interpreter per 15 companies: 70 % ja-vi, 15 % ja-en, 15 % vi-en; a quarter of
them work online; each is unavailable in 15 % of the slots.

Columns: "of bound" is the score over the fair bound of the optimal run (the LP with its
floors and the interpreter rows; greedy may pass 100 % since it is less fair); "no meeting"
counts companies that could have a meeting and have none (idle for want of a table, a partner
with room or an interpreter); "required" is placed / listed; "lost" the meetings the schedule
would gain, rearranged locally, if interpreters were not short (``Result.lost_to_interpreters``);
"seconds" the wall time of ``solve``; "x greedy" and "x LP" divide it by the greedy run's and by
the time HiGHS takes for the plain LP relaxation of meeting selection of the same instance
(``lp.relax(weighted=False)``, interpreter rows included), measured in the same run. Prints a
markdown table, then per size the levels reached (companies with >= 1, 2, ... meetings).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker.core.scheduling import Company, Instance, Interpreter, Pair, solve  # noqa: E402
from matchmaker.core.scheduling.lp import relax  # noqa: E402
from matchmaker.core.scheduling.model import pair_key  # noqa: E402
from matchmaker.core.scheduling.problem import prepare  # noqa: E402

SLOTS, CAP, DIM, TOP, P_UNAVAILABLE, P_REQUIRED, P_ONLINE = 12, 6, 32, 15, 0.15, 0.02, 0.15
COULD_MEET = {"no_table", "partners_full", "no_interpreter"}


def _languages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Country per company (0 Japan, 1 Vietnam, 2 elsewhere) and the languages it meets in."""
    country = rng.choice(3, size=n, p=[0.45, 0.45, 0.10])
    english = rng.random(n) < 0.3
    own = {0: "ja", 1: "vi", 2: "en"}
    return country, [frozenset({own[int(c)]} | ({"en"} if e else set())) for c, e in zip(country, english)]


def _pairs(rng: np.random.Generator, country: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each company's TOP most similar companies of another country, unique unordered pairs."""
    n = len(country)
    vectors = rng.normal(size=(n, DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    picks = np.empty((n, TOP), dtype=np.int64)
    for lo in range(0, n, 512):
        sim = vectors[lo:lo + 512] @ vectors.T
        sim[country[lo:lo + 512, None] == country[None, :]] = -np.inf
        picks[lo:lo + 512] = np.argpartition(-sim, TOP, axis=1)[:, :TOP]
    a, b = np.repeat(np.arange(n), TOP), picks.ravel()
    keys = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    ea, eb = keys // n, keys % n
    return ea, eb, (1.0 + np.einsum("ij,ij->i", vectors[ea], vectors[eb])) / 2.0


def _interpreters(rng: np.random.Generator, count: int) -> list[Interpreter]:
    kinds = [frozenset({"ja", "vi"}), frozenset({"ja", "en"}), frozenset({"vi", "en"})]
    kind = rng.choice(3, size=count, p=[0.7, 0.15, 0.15])
    online = rng.random(count) < 0.25
    away = rng.random((count, SLOTS)) < P_UNAVAILABLE
    return [Interpreter(f"i{k}", kinds[int(kind[k])], "online" if online[k] else "onsite",
                        frozenset(np.flatnonzero(away[k]).tolist())) for k in range(count)]


def make_instance(n: int, seed: int) -> Instance:
    """The synthetic event of the module docstring."""
    rng = np.random.default_rng(seed)
    country, languages = _languages(rng, n)
    ea, eb, scores = _pairs(rng, country)
    online = rng.random(n) < P_ONLINE
    away = rng.random((n, SLOTS)) < P_UNAVAILABLE
    required = rng.random(len(ea)) < P_REQUIRED
    ids = [f"c{i}" for i in range(n)]
    companies = [Company(ids[i], CAP, frozenset(np.flatnonzero(away[i]).tolist()), None, languages[i],
                         "online" if online[i] else "onsite") for i in range(n)]
    pairs = [Pair(ids[x], ids[y], float(s)) for x, y, s in zip(ea, eb, scores)]
    return Instance(SLOTS, n // 4, companies, pairs, [(ids[x], ids[y]) for x, y in zip(ea[required], eb[required])],
                    interpreters=_interpreters(rng, n // 15))


def _figures(instance: Instance, method: str, time_limit: float) -> dict:
    started = time.perf_counter()
    result = solve(instance, method, time_limit=time_limit)
    wall = time.perf_counter() - started
    met = {pair_key(x.a, x.b) for x in result.meetings}
    needed = sum(1 for x in result.meetings if x.interpreter is not None)
    return {"result": result, "wall": wall, "interpreted": needed,
            "required": sum(1 for a, b in instance.required if pair_key(a, b) in met),
            "none": sum(1 for why in result.idle.values() if why in COULD_MEET)}


def _lp_seconds(instance: Instance) -> float:
    """Wall time of the plain LP relaxation (the unit of "x LP")."""
    p = prepare(instance)
    started = time.perf_counter()
    relax(p, weighted=False, time_limit=600.0)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run greedy and optimal per size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="600,3000")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rows, notes = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        instance = make_instance(n, args.seed + n)
        lp = _lp_seconds(instance)
        runs = {method: _figures(instance, method, args.time_limit) for method in ("greedy", "optimal")}
        bound = runs["optimal"]["result"].bound
        for method in ("optimal", "greedy"):
            run = runs[method]
            r = run["result"]
            rows.append(f"| {n} | {method} | {r.score:.2f} | {100 * r.score / bound:.2f} % | {r.meetings_count} "
                        f"| {run['interpreted']} | {run['none']} | {run['required']} / {len(instance.required)} "
                        f"| {r.lost_to_interpreters} | {run['wall']:.1f} | {run['wall'] / runs['greedy']['wall']:.1f} "
                        f"| {run['wall'] / lp:.0f} |")
            notes.append(f"N={n} {method}: levels {r.levels}, stats: selection {r.stats.get('selection', '-')}, "
                         f"proven optimal {r.stats.get('proven_optimal', False)}, timings {r.stats.get('timings', {})}")
        slots = runs["optimal"]["result"].interpreter_slots[:3]
        notes.append(f"N={n}: {len(instance.pairs)} pairs, {len(instance.required)} required, "
                     f"{len(instance.interpreters)} interpreters, {instance.tables} tables; fair bound {bound:.2f}, "
                     f"without floors {runs['optimal']['result'].unfair_bound:.2f}; plain LP {lp:.2f} s; optimal: one more interpreter "
                     f"helps most in slots {', '.join(f'{s} ({k})' for s, k in slots) or '-'}")
    print("| N | method | score | of bound | meetings | interpreted | no meeting | required | lost | seconds | x greedy | x LP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
