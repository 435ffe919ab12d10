"""Same-day re-matching: refill the slots freed by an absent company, exactly.

When a company goes absent its meetings are freed and each partner is left alone in that slot:
a ``Place(slot, company)``. A replacement meeting is a pair of companies that are both present
and free in the slot (at least one of them a lone partner), at a free table. The best set of
replacements is chosen by an integer program solved with HiGHS (``scipy.optimize.milp``),
lexicographically:

1. the largest number of lone partners given a meeting (a meeting between two lone partners
   refills two places) — that maximum is ``possible``;
2. among those, the largest total pair score.

Rules, all hard: only scored pairs meet (``scores``); never a forbidden pair nor a pair that
already met (``met``); a company has one meeting per slot, none in a slot it is unavailable in
(it is simply not in ``free[slot]``), at most ``caps[company]`` more meetings in the session; a
table hosts one meeting per slot. A company with a fixed table (``fixed``) meets only there;
two such companies meet at either one's table; a fixed table hosts only its owner's meetings.

``bound`` is an upper bound on the refills computed without the solver (each lone partner with
at least one possible partner, capped by its remaining meetings and by two places per free table
of the slot); ``possible <= bound`` always. ``greedy_refill`` is the obvious loop (best pair
first) kept as a baseline for tests and the benchmark.

Pure Python and numpy/scipy: no Flask, no database. Company ids are ints; slots and tables
are numbers in the session.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

POOL = -1  # table option of an edge: any free table nobody owns


@dataclass(frozen=True)
class Place:
    """A company left alone in ``slot`` by its partner's absence (``table``: where it was sitting)."""

    slot: int
    company: int
    table: int | None = None


@dataclass(frozen=True)
class Problem:
    """What is known when re-matching (see the module docstring).

    ``free``: slot -> companies present and without a live meeting in it (lone partners
    included); ``tables``: slot -> free table numbers; ``caps``: company -> meetings it may
    still have in the session (missing = none); ``scores``: (low, high) -> score.
    """

    places: tuple[Place, ...]
    free: dict[int, frozenset[int]]
    scores: dict[tuple[int, int], float]
    caps: dict[int, int]
    tables: dict[int, tuple[int, ...]]
    fixed: dict[int, int] = field(default_factory=dict)
    forbidden: frozenset[tuple[int, int]] = frozenset()
    met: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class Proposal:
    """A replacement meeting: companies ``a`` < ``b`` meet in ``slot`` at ``table``."""

    slot: int
    a: int
    b: int
    table: int
    score: float


@dataclass
class Outcome:
    """The proposals, how many lone partners they refill, the maximum (``possible``) and a bound."""

    proposals: list[Proposal]
    refilled: int
    possible: int
    bound: int
    lone: int
    seconds: float = 0.0
    optimal: bool = True


@dataclass(frozen=True)
class _Edge:
    slot: int
    a: int
    b: int
    option: int  # POOL or a fixed table number
    refills: int
    score: float


def pair_key(a: int, b: int) -> tuple[int, int]:
    """The (low, high) key of an unordered pair."""
    return (a, b) if a < b else (b, a)


def _options(p: Problem, slot: int, a: int, b: int, free_tables: set[int], owned: set[int]) -> list[int]:
    own = [p.fixed[c] for c in (a, b) if c in p.fixed]
    if own:
        return sorted({t for t in own if t in free_tables})
    return [POOL] if free_tables - owned else []


def _edges(p: Problem) -> list[_Edge]:
    """Every possible replacement: a lone partner and a scored, allowed, free partner in its slot."""
    lone = defaultdict(set)
    for place in p.places:
        lone[place.slot].add(place.company)
    owned = set(p.fixed.values())
    edges, seen = [], set()
    for slot, alone in sorted(lone.items()):
        free = p.free.get(slot, frozenset())
        free_tables = set(p.tables.get(slot, ()))
        for a in sorted(alone & free):
            if p.caps.get(a, 0) <= 0:
                continue
            for b in sorted(free - {a}):
                key = pair_key(a, b)
                if (slot, key) in seen or key not in p.scores or key in p.forbidden or key in p.met:
                    continue
                if p.caps.get(b, 0) <= 0:
                    continue
                seen.add((slot, key))
                refills = 1 + (b in alone)
                for option in _options(p, slot, *key, free_tables, owned):
                    edges.append(_Edge(slot, *key, option, refills, p.scores[key]))
    return edges


def _rows(p: Problem, edges: list[_Edge]) -> tuple[sp.csr_array, np.ndarray]:
    """``<=`` rows: company per slot, company cap, pair once, pool tables per slot, fixed table per slot."""
    index: dict[tuple, int] = {}
    rhs: list[float] = []
    entries_r, entries_c = [], []

    def add(key: tuple, limit: float, col: int) -> None:
        if key not in index:
            index[key] = len(rhs)
            rhs.append(limit)
        entries_r.append(index[key])
        entries_c.append(col)

    owned = set(p.fixed.values())
    slots_of_pair = defaultdict(set)
    for e in edges:
        slots_of_pair[(e.a, e.b)].add(e.slot)
    for col, e in enumerate(edges):
        for c in (e.a, e.b):
            add(("seat", e.slot, c), 1.0, col)
            add(("cap", c), float(p.caps.get(c, 0)), col)
        if len(slots_of_pair[(e.a, e.b)]) > 1:  # a pair possible in one slot only needs no row
            add(("pair", e.a, e.b), 1.0, col)
        if e.option == POOL:
            add(("pool", e.slot), float(len(set(p.tables.get(e.slot, ())) - owned)), col)
        else:
            add(("table", e.slot, e.option), 1.0, col)
    matrix = sp.csr_array((np.ones(len(entries_r)), (entries_r, entries_c)), shape=(len(rhs), len(edges)))
    return matrix, np.asarray(rhs)


def _milp(cost: np.ndarray, constraints: list[LinearConstraint], time_limit: float):
    return milp(-cost, integrality=np.ones(len(cost)), bounds=Bounds(0, 1), constraints=constraints,
                options={"time_limit": max(time_limit, 0.05), "mip_rel_gap": 0.0, "presolve": True})


def _solve_exact(p: Problem, edges: list[_Edge], time_limit: float) -> tuple[list[_Edge], int, bool]:
    """Stage 1: most refills; stage 2: best score keeping that many. Returns (chosen, possible, proven)."""
    matrix, rhs = _rows(p, edges)
    seats = LinearConstraint(matrix, -np.inf, rhs)
    refills = np.array([e.refills for e in edges], dtype=float)
    started = time.perf_counter()
    first = _milp(refills, [seats], time_limit)
    if first.x is None:
        return [], 0, False
    possible = int(round(-first.fun))
    keep = LinearConstraint(refills.reshape(1, -1), possible - 0.5, np.inf)
    scores = np.array([e.score for e in edges], dtype=float)
    second = _milp(scores, [seats, keep], time_limit - (time.perf_counter() - started))
    x = first.x if second.x is None else second.x
    chosen = [e for e, v in zip(edges, x) if v > 0.5]
    proven = first.status == 0 and second.status == 0
    return chosen, possible if proven else sum(e.refills for e in chosen), proven


def _place_tables(p: Problem, chosen: list[_Edge]) -> list[Proposal]:
    """Concrete tables: a fixed table as chosen; a pool edge gets the lone partner's old table if free."""
    owned = set(p.fixed.values())
    old = {(pl.slot, pl.company): pl.table for pl in p.places}
    left = {slot: sorted(set(ts) - owned) for slot, ts in p.tables.items()}
    out = []
    for e in sorted(chosen, key=lambda e: (e.slot, e.option == POOL, -e.score, e.a, e.b)):
        table = e.option
        if table == POOL:
            wish = [old.get((e.slot, c)) for c in (e.a, e.b)]
            table = next((t for t in wish if t in left[e.slot]), left[e.slot][0])
            left[e.slot].remove(table)
        out.append(Proposal(e.slot, e.a, e.b, table, e.score))
    return sorted(out, key=lambda r: (r.slot, r.table))


def refill_bound(p: Problem, edges: list[_Edge] | None = None) -> int:
    """An upper bound on the refills, without a solver (see the module docstring)."""
    edges = _edges(p) if edges is None else edges
    reachable = {(e.slot, c) for e in edges for c in (e.a, e.b)}
    places = {(pl.slot, pl.company) for pl in p.places} & reachable
    per_company, per_slot = defaultdict(int), defaultdict(int)
    for slot, company in places:
        per_company[company] += 1
        per_slot[slot] += 1
    by_company = sum(min(n, p.caps.get(c, 0)) for c, n in per_company.items())
    by_slot = sum(min(n, 2 * len(p.tables.get(s, ()))) for s, n in per_slot.items())
    return min(by_company, by_slot)


def rematch(p: Problem, time_limit: float = 10.0) -> Outcome:
    """The exact re-matching of *p* (module docstring). ``optimal`` is False after a time-out."""
    started = time.perf_counter()
    lone = len({(pl.slot, pl.company) for pl in p.places})
    edges = _edges(p)
    bound = refill_bound(p, edges)
    if not edges:
        return Outcome([], 0, 0, bound, lone, time.perf_counter() - started)
    chosen, possible, proven = _solve_exact(p, edges, time_limit)
    proposals = _place_tables(p, chosen)
    refilled = sum(e.refills for e in chosen)
    return Outcome(proposals, refilled, possible, bound, lone, time.perf_counter() - started, proven)


def greedy_refill(p: Problem) -> Outcome:
    """The baseline: take the edges best first (two refills, then one; higher score first) while they fit."""
    started = time.perf_counter()
    edges = _edges(p)
    owned = set(p.fixed.values())
    seats, used = set(), defaultdict(int)
    pool = {s: len(set(ts) - owned) for s, ts in p.tables.items()}
    taken_tables, chosen, pairs = set(), [], set()
    for e in sorted(edges, key=lambda e: (-e.refills, -e.score, e.slot, e.a, e.b)):
        if (e.a, e.b) in pairs or {(e.slot, e.a), (e.slot, e.b)} & seats or any(used[c] >= p.caps.get(c, 0) for c in (e.a, e.b)):
            continue
        if e.option == POOL and pool.get(e.slot, 0) <= 0 or (e.slot, e.option) in taken_tables:
            continue
        if e.option == POOL:
            pool[e.slot] -= 1
        else:
            taken_tables.add((e.slot, e.option))
        seats |= {(e.slot, e.a), (e.slot, e.b)}
        pairs.add((e.a, e.b))
        used[e.a] += 1
        used[e.b] += 1
        chosen.append(e)
    refilled = sum(e.refills for e in chosen)
    lone = len({(pl.slot, pl.company) for pl in p.places})
    return Outcome(_place_tables(p, chosen), refilled, refilled, refill_bound(p, edges), lone,
                   time.perf_counter() - started, optimal=False)
