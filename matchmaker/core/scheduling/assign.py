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

from .board import Board
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


def _neighbours(board: Board, e: int, pending: list[set[int]]) -> list[tuple[int, float]]:
    """``(feasible slots, 1 / (their count - 1))`` of the companies' other pending meetings, in set order."""
    out = []
    for v in (board.p.ea[e], board.p.eb[e]):
        for g in pending[v]:
            if g != e:
                options = board.feasible_slots(g)
                out.append((options, 1.0 / max(1, options.bit_count() - 1)))
    return out


def _damage(neighbours: list[tuple[int, float]], s: int) -> float:
    bit, total = 1 << s, 0.0
    for options, weight in neighbours:
        if options & bit:
            total += weight
    return total


def _best_slot(board: Board, e: int, mask: int, pending: list[set[int]]) -> int:
    if not mask & (mask - 1):  # one slot: nothing to compare
        return mask.bit_length() - 1
    best, best_key = -1, None
    neighbours = _neighbours(board, e, pending)  # the board does not change while the slots are compared
    while mask:
        s = (mask & -mask).bit_length() - 1
        key = _damage(neighbours, s) - 0.05 * board.pool_free[s]
        if best_key is None or key < best_key:
            best, best_key = s, key
        mask &= mask - 1
    return best


def colour(board: Board, edges: list[int], deadline: float = float("inf")) -> list[int]:
    """Place *edges* on *board* (see module docstring); return those that found no slot.

    Past *deadline* the slot choice degrades to the first feasible slot (no damage scoring).
    """
    p = board.p
    pending: list[set[int]] = [set() for _ in range(p.n)]
    for e in edges:
        pending[p.ea[e]].add(e)
        pending[p.eb[e]].add(e)

    def entry(e: int) -> tuple:
        return (not p.required[e], board.feasible_slots(e).bit_count(), -p.value(e), e)

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
        mask = board.feasible_slots(e) if board.has_room(e) else 0
        if not mask:
            left.append(e)
            continue
        steps += 1
        late = late or (steps % 256 == 0 and time.monotonic() > deadline)
        s = (mask & -mask).bit_length() - 1 if late else _best_slot(board, e, mask, pending)
        board.place(e, s, board.table_at(e, s))
    return left
