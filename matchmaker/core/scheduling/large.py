"""Large plain sessions without an LP solver: the bounds from min-cost flows.

"Plain": the lexicographic objective, every meeting at a pool table, no interpreters — the
generated instances of issue 16 and any large session without exhibitors' fixed tables. There the
LP of meeting selection (``lp``) is the b-matching with one table row, whose double cover is the
flow of ``flow``, and HiGHS's interior point method on it takes far longer than the flow. So the
large path (``solver``) skips the LP: the selection is the flow's, and both bounds come from flows.

Unfair bound: the flow with no level rewards, pair rewards rounded *up* to ``1 / BOUND_UNITS`` of
the best score. Its optimum is the optimum of the double cover's LP, which every fractional
b-matching x maps onto (both arcs of a pair carry x), so it bounds every schedule's score. When
the required pairs placed are forced (every required pair left out is impossible), each forced
arc earns an extra ``M``, subtracted afterwards (``2 M x forced``): for any ``M >= 0`` the result
bounds every flow containing them, and a large ``M`` makes it tight.

Fair bound, by Lagrangian duality: the fair LP (``fairness``) maximises the score subject to
``sum_v y[v,k] >= c_k`` (the schedule's companies at level k) and, when some required pair was
left out for want of room, "at least as many required pairs as the schedule places". For any
multipliers ``lambda >= 0`` on those rows,

    g(lambda) = max over the relaxation of [score + sum_k lambda_k (Y_k - c_k)]

bounds it; the flow with ``lambda_k`` as level rewards (and the last one on required pairs)
computes that maximum (the parallel arcs give a company the best ``deg`` of the lambdas). g is
convex with subgradient ``Y_k - c_k``, Y_k counted on the flow's level arcs. Kelley's cutting
planes (a tiny LP over the cuts so far, multipliers in ``[0, BOX x top]``) choose the next
lambda, at most ``MAX_FLOWS`` flows per bound; every g evaluated is a valid bound and the least is
kept, ``stats["bound_gap"]`` says how far above the cutting-plane model's minimum it is. The
unfair bound is the same with no level rows; its multiplier on required pairs starts the fair
search. Without that row the unfair bound is the fair search's first flow, g(0) (level arcs
rewarded 0 change no optimum), so it costs no flow of its own. The search stops at a multiplier
no other in the box beats (each slope 0, or pointing out of the box at its edge): lambda = 0
when its flow already reaches every floor.

The large path also gives companies still without a meeting after the colouring their first one
(``first_meetings``) before the repair, which gets ``REPAIR_SHARE`` of the time spent so far
(half: the stages before it got faster, and the repair still needs the time its windows took).
"""

from __future__ import annotations

import bisect
import time

import numpy as np
from scipy.optimize import linprog

from .flow import network
from .board import Board
from .fairness import levels
from .problem import POOL, Problem, top_score

BOUND_UNITS = 1e6  # bound flows: integer cost units per best score (rounding costs <= meetings / 1e6 of it)
FORCE = 50.0  # extra reward of a forced arc, in best scores (validity does not depend on it)
TOLERANCE = 1e-4  # stop the search when no multiplier in the box can lower the bound by more than this share
MAX_FLOWS = 20  # per bound
BOX = 4.0  # multipliers are searched in [0, BOX x best score]
REPAIR_SHARE = 0.5  # the large path's repair may take this share of the time spent before it
REPAIR_MIN_SECONDS = 0.0  # ... and at least this long (within the time limit). A repair cut short by the clock makes
# the schedule depend on the machine's speed; tests that replay recorded schedules raise this so the repair runs until a
# pass gains nothing


def applies(p: Problem) -> bool:
    """Whether the large path's flows are exact relaxations here (module docstring)."""
    return p.lexicographic and not p.interp.rows and p.m > 0 and all(o == (POOL,) for o in p.options)


class _Bounder:
    """Evaluates g(lambda) (module docstring) in exact integer units."""

    def __init__(self, p: Problem, forced: np.ndarray, floors: tuple[int, ...], min_required: int | None) -> None:
        self.p = p
        self.top = top_score(p)
        self.units = BOUND_UNITS / self.top
        self.depth = len(floors)
        self.required = np.asarray(p.required, dtype=bool) if min_required else None
        self.floors = np.asarray([*floors, *([min_required] if min_required else [])], dtype=np.int64)
        force = int(np.ceil(FORCE * BOUND_UNITS))
        self.forced = int(forced.sum())
        self.edges = np.ceil(np.asarray(p.score, dtype=float) * self.units / 2).astype(np.int64) + np.where(forced, force, 0)
        self.force = force
        self.flows = 0
        self.at_zero: float | None = None  # g at lambda = 0, once evaluated

    def rewards(self, multipliers: np.ndarray) -> list[int]:
        """Integer per-side rewards of multipliers in score units (exact: g subtracts the same)."""
        return [int(round(value * self.units / 2)) for value in multipliers]

    def g(self, rewards: list[int]) -> tuple[float, np.ndarray]:
        """``(bound in score units, subgradient Y - c)`` for per-side-unit level rewards."""
        edges = self.edges if self.required is None else self.edges + np.where(self.required, rewards[-1], 0)
        solved = network(self.p, rewards[: self.depth], edges)
        self.flows += 1
        value = solved.reward - 2 * self.force * self.forced - 2 * sum(r * c for r, c in zip(rewards, self.floors.tolist()))
        reached = [units / 2.0 for units in solved.on_level]
        if self.required is not None:
            reached.append(float(solved.x[self.required].sum()))
        if not any(rewards):
            self.at_zero = value / self.units
        return value / self.units, np.asarray(reached) - self.floors


def _stationary(point: np.ndarray, slope: np.ndarray, box: float) -> bool:
    """Whether *point* minimises g over the box: each slope is 0, or points out of the box at its edge."""
    return bool(np.all((slope == 0) | ((slope > 0) & (point <= 0)) | ((slope < 0) & (point >= box))))


def _minimise(bounder: _Bounder, start: np.ndarray, deadline: float) -> tuple[float, list[float], float]:
    """Kelley's cutting planes on g over the box ``0 <= lambda <= BOX x top``.

    Returns ``(least g evaluated, its lambda, the cutting-plane model's minimum)``: the last is a
    lower bound on min g over the box, so their gap says how far the search got.
    """
    rows = len(bounder.floors)
    box = BOX * bounder.top
    cuts: list[tuple[np.ndarray, float, np.ndarray]] = []
    point = start
    best, best_point, model = float("inf"), point, -float("inf")
    while True:
        rewards = bounder.rewards(point)
        point = np.asarray(rewards, dtype=float) * 2 / bounder.units  # the multipliers evaluated exactly
        value, slope = bounder.g(rewards)
        cuts.append((point, value, slope))
        if value < best:
            best, best_point = value, point
        if _stationary(point, slope, box):  # no multiplier in the box does better: g is convex
            return best, best_point.tolist(), value
        if bounder.flows >= MAX_FLOWS or time.monotonic() >= deadline:
            return best, best_point.tolist(), model
        # min t  s.t.  t >= g_i + s_i (lambda - lambda_i), lambda in the box
        a_ub = np.array([[*c_slope, -1.0] for _, _, c_slope in cuts])
        b_ub = np.array([float(c_slope @ c_point) - c_value for c_point, c_value, c_slope in cuts])
        res = linprog(np.r_[np.zeros(rows), 1.0], A_ub=a_ub, b_ub=b_ub, bounds=[(0.0, box)] * rows + [(None, None)],
                      method="highs")
        if res.status != 0:
            return best, best_point.tolist(), model
        model = float(res.x[-1])
        if best - model <= TOLERANCE * abs(best):
            return best, best_point.tolist(), model
        point = np.asarray(res.x[:rows])


def bounds(p: Problem, count: list[int], forced: np.ndarray, min_required: int | None,
           seconds: float) -> tuple[float, float, dict]:
    """``(fair bound, unfair bound, stats)`` for a schedule with meeting counts *count*.

    *forced*: edges every feasible schedule contains; *min_required*: if set, the row "at least
    that many required pairs" (a multiplier like the levels'). Module docstring.
    """
    deadline = time.monotonic() + seconds
    floors = levels(p, count)
    bounder = _Bounder(p, forced, floors, min_required)
    if min_required is None:  # the unfair search is g at lambda = 0 with no level rows: the fair search's first flow
        fair, multipliers, model = _minimise(bounder, np.zeros(len(floors)), deadline)
        unfair, flows = bounder.at_zero, bounder.flows
    else:
        plain = _Bounder(p, forced, (), min_required)
        unfair, required, _ = _minimise(plain, np.zeros(len(plain.floors)), deadline)
        fair, multipliers, model = _minimise(bounder, np.asarray([0.0] * len(floors) + required), deadline)
        flows = plain.flows + bounder.flows
    return min(fair, unfair), unfair, {"bound_flows": flows, "bound_multipliers": multipliers,
                                       "bound_gap": round((fair - model) / max(abs(fair), 1e-9), 6)}


def first_meetings(board: Board) -> int:
    """Give companies still without a meeting their first one; return how many got one.

    For such a company v and a partner u below its limit (best pairs first), in a slot where both
    are free: a free table, or else the table of that slot's weakest optional meeting whose two
    companies keep at least one other meeting (it gives up one meeting so that v has one).
    """
    p = board.p
    weakest: list[list[tuple[float, int]]] = [[] for _ in range(p.slots)]
    for e in board.placed():
        if not p.required[e]:
            weakest[board.slot_of[e]].append((p.score[e], e))
    for meetings in weakest:
        meetings.sort()
    helped, spare = 0, {}  # spare: per slot, where its weakest spare meeting is (None: none)
    for v in p.wanting():
        if board.count[v]:
            continue
        for e in sorted(p.incident[v], key=lambda e: -p.score[e]):
            if board.has_room(e) and _place_first(board, e, weakest, spare):
                helped += 1
                spare.clear()  # four companies' counts changed: any slot's spare meeting may have
                break
    return helped


def _weakest_spare(board: Board, meetings: list[tuple[float, int]]) -> int | None:
    """Position in *meetings* (sorted by score) of the first whose two companies keep another meeting."""
    p = board.p
    return next((i for i, (_, g) in enumerate(meetings) if board.count[p.ea[g]] > 1 and board.count[p.eb[g]] > 1), None)


def _place_first(board: Board, e: int, weakest: list[list[tuple[float, int]]], spare: dict[int, int | None]) -> bool:
    """Place *e* in its first open slot with a free table or a spare meeting to give up (the weakest).

    *weakest*: per slot, its optional meetings sorted by (score, edge), so the first spare one
    is the weakest spare one; *spare*: per slot, its position, found once until the board changes.
    """
    p, mask = board.p, board.open_slots(e)
    while mask:
        s = (mask & -mask).bit_length() - 1
        mask &= mask - 1
        if not board.pool_free[s]:
            if s not in spare:
                spare[s] = _weakest_spare(board, weakest[s])
            if spare[s] is None:
                continue
            board.remove(weakest[s].pop(spare[s])[1])
        board.place(e, s, POOL)
        if not p.required[e]:
            bisect.insort(weakest[s], (p.score[e], e))
        return True
    return False
