"""The repair loop: re-optimise small windows where the schedule can still improve.

An *opportunity* is an unplaced edge touching a company that is below its cap and still has a
free slot (or an unplaced required edge). Windows are pairs of slots, tried in order of how many
opportunities they could host. In a two-slot window every company has at most two meetings, so
the meetings form paths and cycles (the Kempe chains of edge colouring); the window frees the
chains through the opportunities' companies, plus a few meetings that could move from a full slot
to one with free tables, and lets the MILP of ``window`` rearrange them. Passes repeat until one
brings no gain or the deadline passes.
"""

from __future__ import annotations

import itertools
import random
import time

import numpy as np

from . import vectors
from .board import Board
from .window import Floors, Window, optimise_window


def deficient(board: Board) -> list[int]:
    """Companies below their cap that still have a free, available slot."""
    p = board.p
    return [v for v in range(p.n) if board.count[v] < p.cap[v] and p.avail[v] & ~board.busy[v]]


def opportunities(board: Board) -> list[int]:
    """Unplaced edges at a deficient company with a slot it could use, and unplaced required edges."""
    p = board.p
    if vectors.applies(p):
        return vectors.opportunities(p, board.count, board.busy, board.slot_of)
    found = {e for e in range(p.m) if p.required[e] and board.slot_of[e] < 0}
    for v in deficient(board):
        free = ~board.busy[v]
        found.update(e for e in p.incident[v] if board.slot_of[e] < 0 and p.allowed[e] & free)
    return sorted(found)


def _usable(board: Board, e: int) -> int:
    """Slots of opportunity *e* where a company short of meetings is free."""
    p = board.p
    mask = 0
    for v in (p.ea[e], p.eb[e]):
        if board.count[v] < p.cap[v]:
            mask |= p.allowed[e] & ~board.busy[v]
    return mask


def _slot_weights(board: Board, opps: list[int]) -> list[int]:
    p = board.p
    if vectors.applies(p):
        return vectors.slot_counts(vectors.usable(p, board.count, board.busy, np.asarray(opps, dtype=np.int64)), p.slots)
    weight = [0] * board.p.slots
    for e in opps:
        mask = _usable(board, e)
        for s in range(board.p.slots):
            weight[s] += mask >> s & 1
    return weight


def _windows(board: Board, opps: list[int], rng: random.Random) -> list[int]:
    """Slot-pair masks hosting at least one opportunity, most promising first."""
    weight = _slot_weights(board, opps)
    if board.p.slots == 1:
        return [1] if weight[0] else []
    pairs = [(a, b) for a, b in itertools.combinations(range(board.p.slots), 2) if weight[a] + weight[b]]
    rng.shuffle(pairs)
    pairs.sort(key=lambda ab: -(weight[ab[0]] + weight[ab[1]]))
    return [1 << a | 1 << b for a, b in pairs]


def _movers(board: Board, slots: int, rng: random.Random, limit: int = 8) -> set[int]:
    """Companies of a few meetings that could move from a full slot of the window to a freer one."""
    p, seeds = board.p, set()
    full = [s for s in range(p.slots) if slots >> s & 1 and board.pool_free[s] == 0]
    roomy = [s for s in range(p.slots) if slots >> s & 1 and board.pool_free[s] > 0]
    if not full or not roomy or not p.m:
        return seeds
    tries = (rng.randrange(p.m) for _ in range(50 * limit))
    for e in tries:
        if board.slot_of[e] in full and any(board.open_slots(e) >> s & 1 for s in roomy):
            seeds.update((p.ea[e], p.eb[e]))
            if len(seeds) >= 2 * limit:
                break
    return seeds


def _ball(board: Board, seeds: set[int], slots: int, max_meetings: int) -> set[int]:
    """Companies reached from *seeds* along meetings in *slots*, until *max_meetings* are inside."""
    p, inside, frontier, meetings = board.p, set(seeds), list(seeds), set()
    while frontier and len(meetings) < max_meetings:
        nxt = []
        for v in frontier:
            for e in p.incident[v]:
                if board.slot_of[e] >= 0 and slots >> board.slot_of[e] & 1 and e not in meetings:
                    meetings.add(e)
                    other = p.eb[e] if p.ea[e] == v else p.ea[e]
                    if other not in inside:
                        inside.add(other)
                        nxt.append(other)
        frontier = nxt
    return inside


def _interpreter_holders(board: Board, here: list[int], slots: int, limit: int = 10) -> set[int]:
    """Companies of the weakest interpreted meetings in *slots* holding interpreters *here* would need.

    Outside the window's companies every meeting stays, and so does its interpreter: without
    these the window could not trade an interpreter's fifth meeting for a company's first.
    """
    p = board.p
    rows = {r for e in here if p.itype[e] >= 0 for r in p.interp.rows_of_type[p.itype[e]]}
    if not rows:
        return set()
    holders = [g for g in board.placed() if slots >> board.slot_of[g] & 1 and p.itype[g] >= 0
               and rows.intersection(p.interp.rows_of_type[p.itype[g]])]
    holders.sort(key=lambda g: (min(board.count[p.ea[g]], board.count[p.eb[g]]) < 2, p.score[g]))
    return {v for g in holders[:limit] for v in (p.ea[g], p.eb[g])}


def slot_floors(board: Board) -> list[float]:
    """Per slot: the lowest score among its meetings if its pool is full, else -inf."""
    p, floor = board.p, [float("inf")] * board.p.slots
    for e in board.placed():
        floor[board.slot_of[e]] = min(floor[board.slot_of[e]], p.score[e])
    return [f if board.pool_free[s] == 0 else float("-inf") for s, f in enumerate(floor)]


def _promising(board: Board, opps: list[int], slots: int, floors: list[float], limit: int) -> list[int]:
    """Opportunities usable in *slots* whose value could beat the weakest meeting there."""
    p, ranked = board.p, []
    if vectors.applies(p):
        return _promising_by_arrays(board, np.asarray(opps, dtype=np.int64), slots, floors, limit)
    for e in opps:
        usable = _usable(board, e) & slots
        if not usable:
            continue
        worth = p.value(e) + sum(p.bonus[board.count[v]] for v in (p.ea[e], p.eb[e]) if board.count[v] < len(p.bonus))
        margin = max(worth - floors[s] for s in range(p.slots) if usable >> s & 1)
        if margin > 0:
            ranked.append((-margin, e))
    ranked.sort()
    return [e for _, e in ranked[:limit]]


def _promising_by_arrays(board: Board, opps: np.ndarray, slots: int, floors: list[float], limit: int) -> list[int]:
    """``_promising`` by array operations: the same edges in the same order."""
    p = board.p
    usable = vectors.usable(p, board.count, board.busy, opps) & slots
    some = usable != 0
    opps, usable = opps[some], usable[some]
    margin = vectors.gains(p, board.count, opps) - vectors.lowest(usable, floors)
    better = margin > 0
    opps, margin = opps[better], margin[better]
    return opps[np.lexsort((opps, -margin))][:limit].tolist()


def _window_for(board: Board, slots: int, opps: list[int], floors: list[float], rng: random.Random,
                max_meetings: int) -> Window:
    p = board.p
    here = _promising(board, opps, slots, floors, max_meetings)
    seeds = {v for e in here for v in (p.ea[e], p.eb[e])} | _movers(board, slots, rng)
    seeds |= _interpreter_holders(board, here, slots)
    in_window = p.instance.tables * slots.bit_count()
    companies = None if in_window <= max_meetings else _ball(board, seeds, slots, max_meetings)
    return Window(slots, companies, here)


def _one_pass(board: Board, deadline: float, floors: Floors | None, rng: random.Random, max_meetings: int,
              stats: dict, patience: int) -> tuple[float, bool]:
    """Try the windows of one pass; stop after *patience* windows in a row gained nothing."""
    opps = opportunities(board)
    floors_now = slot_floors(board)
    gained, idle = 0.0, 0
    for slots in _windows(board, opps, rng):
        left = deadline - time.monotonic()
        if left <= 0 or idle >= patience:
            break
        window = _window_for(board, slots, opps, floors_now, rng, max_meetings)
        gain = optimise_window(board, window, min(left, 2.0), floors)[0]
        gained += gain
        idle = 0 if gain > 1e-7 else idle + 1
        stats["windows"] += 1
    return gained, bool(opps)


def repair(board: Board, deadline: float, *, floors: Floors | None = None, seed: int = 0,
           max_meetings: int = 300, patience: int = 40, on_pass=None, settle: float = 0.0) -> dict:
    """Improve *board* in place with window MILPs until a pass gains nothing or *deadline*.

    A pass ends early after *patience* fruitless windows in a row. *settle*: the repair also ends
    after a pass that gained less than this share of the board's score (a pass that raises a
    company's level gains far more). Returns statistics.
    """
    # bandit B311: reproducible search order, not security
    rng = random.Random(seed)  # nosec B311
    stats = {"passes": 0, "windows": 0, "gain": 0.0}
    while time.monotonic() < deadline:
        gained, opps = _one_pass(board, deadline, floors, rng, max_meetings, stats, patience)
        stats["passes"] += 1
        stats["gain"] += gained
        if on_pass:
            on_pass(stats)
        if gained <= max(1e-7, settle * board.score()) or not opps:
            break
    return stats


def swap_in(board: Board, edges: list[int], deadline: float, floors: Floors | None, max_meetings: int = 300) -> float:
    """Re-optimise windows around *edges* (unplaced pairs) even where their companies are full.

    The repair only looks at companies short of meetings; a pair of two full companies enters
    only if each leaves a partner. For each slot pair (the slot, with one slot) where one of
    *edges* is allowed, the window frees the meetings of those slots (of the pairs' companies
    and their neighbours, up to *max_meetings*, when the slots hold more) and chooses again among
    every unplaced pair of its companies. Returns the gain; stops at *deadline*.
    """
    p = board.p
    masks = [1] if p.slots == 1 else [1 << a | 1 << b for a, b in itertools.combinations(range(p.slots), 2)]
    gained = 0.0
    for slots in masks:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        here = [e for e in edges if board.slot_of[e] < 0 and p.allowed[e] & slots][:max_meetings]
        if not here:
            continue
        if p.instance.tables * slots.bit_count() <= max_meetings:
            window = Window(slots)
        else:
            inside = _ball(board, {v for e in here for v in (p.ea[e], p.eb[e])}, slots, max_meetings)
            window = Window(slots, inside, sorted({e for v in inside for e in p.incident[v] if board.slot_of[e] < 0}))
        gained += optimise_window(board, window, min(left, 2.0), floors)[0]
    return gained
