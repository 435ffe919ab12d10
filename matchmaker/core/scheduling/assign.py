"""From LP values to a schedule: round the b-matching, then colour it with slots.

Rounding takes edges by decreasing LP value (then objective weight) while both companies have
room; an LP vertex of a b-matching is half-integral, so little is lost here.

Colouring is a DSatur-style constructive step: always place next the pending meeting with the
fewest feasible slots (required ones first), in the slot that hurts its neighbours least: the
"damage" of slot s is the sum over the companies' other pending meetings that could also use s
of 1 / (their remaining options), minus a small preference for slots with many free tables
(keeps the per-slot table load balanced). Meetings left over go to the repair step.
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from .board import POOL_ONLY, Board
from .problem import Problem


def round_selection(p: Problem, x: np.ndarray) -> list[int]:
    """Edges chosen from LP values *x*: greedy by (x, weight) within caps; required first."""
    order = sorted((e for e in range(p.m) if x[e] > 1e-6), key=lambda e: (-round(float(x[e]), 6), -p.value(e), e))
    load = [0] * p.n
    chosen = []
    for e in order:
        a, b = p.ea[e], p.eb[e]
        if load[a] < p.cap[a] and load[b] < p.cap[b]:
            load[a] += 1
            load[b] += 1
            chosen.append(e)
    return chosen


def _feasible(board: Board):
    """``board.feasible_slots``, or for a problem of pool tables without interpreters the same mask
    computed without its method calls (the colouring asks it tens of times per meeting)."""
    p = board.p
    if any(t >= 0 for t in p.itype) or any(o != POOL_ONLY for o in p.options):
        return board.feasible_slots
    allowed, busy, ea, eb = p.allowed, board.busy, p.ea, p.eb

    def feasible(e: int) -> int:
        return allowed[e] & ~(busy[ea[e]] | busy[eb[e]]) & board.pool_open

    return feasible


_WEIGHT = [1.0 / max(1, k - 1) for k in range(65)]  # a pending meeting with k feasible slots weighs 1 / (k - 1)
_SLOTS_IN: dict[int, tuple[int, ...]] = {}  # slot mask -> its slots, lowest first (filled as masks occur)


def _slots_in(mask: int) -> tuple[int, ...]:
    found = _SLOTS_IN[mask] = tuple(s for s in range(mask.bit_length()) if mask >> s & 1)
    return found


def _best_slot(board: Board, e: int, mask: int, pending: list[set[int]], feasible) -> int:
    """The slot of *mask* whose damage to the companies' other pending meetings (module docstring),
    less its free-table preference, is least (the lowest such slot on ties)."""
    if not mask & (mask - 1):  # one slot: nothing to compare
        return mask.bit_length() - 1
    p, slots_in = board.p, _SLOTS_IN
    damage = [0.0] * p.slots  # per slot, the weights added in the order of the pending sets
    for v in (p.ea[e], p.eb[e]):
        for g in pending[v]:
            if g != e:
                options = feasible(g)
                hit = options & mask
                if hit:
                    weight = _WEIGHT[options.bit_count()]
                    for s in slots_in.get(hit) or _slots_in(hit):
                        damage[s] += weight
    best, best_key = -1, None
    for s in slots_in.get(mask) or _slots_in(mask):
        key = damage[s] - 0.05 * board.pool_free[s]
        if best_key is None or key < best_key:
            best, best_key = s, key
    return best


def colour(board: Board, edges: list[int], deadline: float = float("inf")) -> list[int]:
    """Place *edges* on *board* (see module docstring); return those that found no slot.

    Past *deadline* the slot choice degrades to the first feasible slot (no damage scoring).
    """
    p = board.p
    feasible = _feasible(board)
    pending: list[set[int]] = [set() for _ in range(p.n)]
    for e in edges:
        pending[p.ea[e]].add(e)
        pending[p.eb[e]].add(e)

    def entry(e: int) -> tuple:
        return (not p.required[e], feasible(e).bit_count(), -p.value(e), e)

    heap = [entry(e) for e in edges]
    heapq.heapify(heap)
    left: list[int] = []
    steps, late = 0, False
    while heap:
        item = heapq.heappop(heap)
        e = item[-1]
        if e not in pending[p.ea[e]]:
            continue
        fresh = entry(e)
        if fresh != item:
            heapq.heappush(heap, fresh)
            continue
        pending[p.ea[e]].discard(e)
        pending[p.eb[e]].discard(e)
        mask = feasible(e) if board.has_room(e) else 0
        if not mask:
            left.append(e)
            continue
        steps += 1
        late = late or (steps % 256 == 0 and time.monotonic() > deadline)
        s = (mask & -mask).bit_length() - 1 if late else _best_slot(board, e, mask, pending, feasible)
        board.place(e, s, board.table_at(e, s))
    return left
