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

Fewer flows (issue 16 point 2; a flow at 20,000 companies takes 1-2 s):

* Kelley's point leans right: among the multipliers whose model value is within ``LEAN`` (5 %)
  of the gap between the best g and the model's minimum, the largest. To the right of its
  minimum g rises slowly (its slope is ``Y - c``, and few companies can be above a floor the
  schedule already reaches), to the left steeply, so Kelley's points crept up on the minimum from
  the left one flow at a time; an overshoot costs little and brings a cut from the right
  (scarce 20,000: 4 flows instead of 6; 5,000: 4 instead of 6; the bounds as tight or tighter).
  With one row the model and that point are read off the cut lines; with more it takes a second
  small LP, done only from ``LEAN_EDGES`` pairs (at 1,000 companies a flow costs about as much),
  and the selection's cut below is used only where the search leans;

* the selection flow's edge values are a feasible point of the relaxation, so its objective is an
  affine function below g (``_Bounder.minorant``): a cut for the model that costs no flow. Kelley's
  second flow used to go to the box's edge (every slope at 0 negative) only to learn about that;
* with a required-pairs row, the fair search starts where the unfair one ended, with level
  rewards 0: that flow's pair values, both arcs at their mean and the level arcs filled in order,
  are optimal there too (``_Bounder.lifted``), so the fair search does not solve it again;
* a flow does not depend on the floors, only its cut does (``Evaluation``). With a flow worker
  (``worker``: a second process), the search for the floors the schedule has before the repair
  starts then, its flows in the worker while this process repairs (``Speculation``); the final
  search re-reads those evaluations with the final floors and goes on from the model's minimum
  (usually no flow is left to do). Then each round of the final search also solves a second
  multiplier in the worker (``_towards``).

The large path also gives companies still without a meeting after the colouring their first one
(``first_meetings``) before the repair, which gets ``REPAIR_SHARE`` of the time spent so far
(half: the stages before it got faster, and the repair still needs the time its windows took)
and stops after a pass that gained less than ``REPAIR_SETTLE`` of the score: at 1,000 regular
companies the first pass gains about 1e-5 of it and a second pass, a sixth of the solve's time,
a fifth of that.
"""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from .flow import Solved, net_of, network
from .board import Board
from .fairness import levels
from .problem import POOL, Problem, top_score
from .worker import FlowWorker

BOUND_UNITS = 1e6  # bound flows: integer cost units per best score (rounding costs <= meetings / 1e6 of it)
FORCE = 50.0  # extra reward of a forced arc, in best scores (validity does not depend on it)
TOLERANCE = 1e-4  # stop the search when no multiplier in the box can lower the bound by more than this share
MAX_FLOWS = 20  # per bound
BOX = 4.0  # multipliers are searched in [0, BOX x best score]
LEAN = 0.05  # each point: the largest multipliers whose model value is within this share of the gap (module docstring)
LEAN_EDGES = 50_000  # with several rows, lean only from this many pairs: below, a flow costs about as much as the LP
TOWARDS = 0.1  # with a flow worker, each round's second multiplier: this share of the way to the nearest known point beyond
REPAIR_SHARE = 0.5  # the large path's repair may take this share of the time spent before it
REPAIR_SETTLE = 1e-4  # ... and ends after a pass that gained less than this share of the score (issue 16's target is 1e-3)
REPAIR_MIN_SECONDS = 0.0  # ... and at least this long (within the time limit). A repair cut short by the clock makes
# the schedule depend on the machine's speed; tests that replay recorded schedules raise this so the repair runs until a
# pass gains nothing


def applies(p: Problem) -> bool:
    """Whether the large path's flows are exact relaxations here (module docstring)."""
    return p.lexicographic and not p.interp.rows and p.m > 0 and all(o == (POOL,) for o in p.options)


@dataclass(frozen=True)
class Evaluation:
    """One flow of the bound search, independent of the floors: g(lambda) for any floors c is
    ``(reward - 2 sum rewards x c) / units`` with subgradient ``reached - c`` (``_Bounder.cut``)."""

    rewards: tuple[int, ...]  # per-side level rewards (and the required row's, last) in cost units
    reward: int  # the flow's optimum minus the forced arcs' extra reward, in cost units
    reached: tuple[float, ...]  # Y: companies at each level (and required pairs placed) in that flow


@dataclass
class Flows:
    """What the large path's stages share: the flow worker (``worker``; None: flows run here), the
    selection flow's edge values once known, and a bound search started early (``Speculation``)."""

    worker: FlowWorker | None = None
    selection: np.ndarray | None = None
    speculation: Speculation | None = None

    def close(self) -> None:
        """Wait for the early search (its flows may still run in the worker), then end the worker."""
        if self.speculation is not None:
            self.speculation.join()
        if self.worker is not None:
            self.worker.close()


class _Bounder:
    """Evaluates g(lambda) (module docstring) in exact integer units."""

    def __init__(self, p: Problem, forced: np.ndarray, floors: tuple[int, ...], min_required: int | None) -> None:
        self.p = p
        self.net = net_of(p)
        self.top = top_score(p)
        self.units = BOUND_UNITS / self.top
        self.depth = len(floors)
        self.required = np.asarray(p.required, dtype=bool) if min_required else None
        self.floors = np.asarray([*floors, *([min_required] if min_required else [])], dtype=np.int64)
        force = int(np.ceil(FORCE * BOUND_UNITS))
        self.forced = int(forced.sum())
        self.forced_mask = forced
        self.edges = np.ceil(np.asarray(p.score, dtype=float) * self.units / 2).astype(np.int64) + np.where(forced, force, 0)
        self.force = force
        self.flows = 0
        self.at_zero: float | None = None  # g at lambda = 0, once evaluated
        self.evaluations: list[Evaluation] = []
        self.leans = len(self.floors) == 1 or p.m >= LEAN_EDGES  # ``LEAN``; with it, the selection's cut (``minorants``)
        self.values: dict[tuple[int, ...], np.ndarray] = {}  # edge values of each flow, kept without level rows only

    def same_flows(self, other: _Bounder) -> bool:
        """Whether *other* solves the same flows for the same rewards (its floors may differ)."""
        return (self.depth == other.depth and (self.required is None) == (other.required is None)
                and np.array_equal(self.forced_mask, other.forced_mask))

    def rewards(self, multipliers: np.ndarray) -> list[int]:
        """Integer per-side rewards of multipliers in score units (exact: g subtracts the same)."""
        return [int(round(value * self.units / 2)) for value in multipliers]

    def job(self, rewards: list[int]) -> tuple[list[int], np.ndarray]:
        """``(level rewards, edge rewards)`` of the flow that evaluates g at *rewards*."""
        edges = self.edges if self.required is None else self.edges + np.where(self.required, rewards[-1], 0)
        return rewards[: self.depth], edges

    def evaluation(self, rewards: list[int], solved: Solved) -> Evaluation:
        """The floor-free record of the optimal flow of ``job(rewards)``."""
        self.flows += 1
        reached = [units / 2.0 for units in solved.on_level]
        if self.required is not None:
            reached.append(float(solved.x[self.required].sum()))
        found = Evaluation(tuple(rewards), solved.reward - 2 * self.force * self.forced, tuple(reached))
        self.evaluations.append(found)
        if not self.depth:
            self.values[found.rewards] = solved.x
        return found

    def cut(self, found: Evaluation) -> tuple[float, np.ndarray]:
        """``(bound in score units, subgradient Y - c)`` of an evaluation, for this bounder's floors."""
        value = found.reward - 2 * sum(r * c for r, c in zip(found.rewards, self.floors.tolist()))
        if not any(found.rewards):
            self.at_zero = value / self.units
        return value / self.units, np.asarray(found.reached) - self.floors

    def g(self, rewards: list[int], worker: FlowWorker | None = None) -> tuple[float, np.ndarray]:
        """``(bound in score units, subgradient Y - c)`` for per-side-unit level rewards (flow in *worker* if given)."""
        if worker is None:
            return self.cut(self.evaluation(rewards, network(self.net, *self.job(rewards))))
        worker.submit(*self.job(rewards))
        return self.cut(self.evaluation(rewards, worker.result()))

    def _filled(self, x: np.ndarray) -> list[float]:
        """Y of the flow in which both arcs of a pair carry ``x_e`` and each company's level arcs
        the first ``deg - k`` units (clipped to [0, 1])."""
        degree = np.bincount(self.net.ea, weights=x, minlength=self.p.n) + np.bincount(self.net.eb, weights=x, minlength=self.p.n)
        levels = np.where(self.net.wanting, np.minimum(self.net.cap, self.depth), 0)
        reached = [float(np.clip(degree - k, 0.0, 1.0)[levels > k].sum()) for k in range(self.depth)]
        if self.required is not None:
            reached.append(float(x[self.required].sum()))
        return reached

    def lifted(self, plain: _Bounder, multiplier: list[float]) -> tuple[Evaluation, ...]:
        """The search without level rows (*plain*) evaluated this search's start: as an evaluation here.

        With every level reward 0, the flow with both arcs of a pair at ``x_e`` (the two arcs'
        mean, as good and as feasible) and the level arcs filled in order is optimal here too, with
        the same objective: one flow fewer. None when *plain* did not evaluate *multiplier*.
        """
        rewards = tuple(plain.rewards(np.asarray(multiplier)))
        found = next((f for f in plain.evaluations if f.rewards == rewards), None)
        if found is None or rewards not in plain.values or not self.same_flows_but_levels(plain):
            return ()
        return (Evaluation((0,) * self.depth + rewards, found.reward, tuple(self._filled(plain.values[rewards]))),)

    def same_flows_but_levels(self, plain: _Bounder) -> bool:
        """Whether *plain* is this search without level rows (the same pairs forced, a required row in both)."""
        return (plain.depth == 0 and self.required is not None and plain.required is not None
                and np.array_equal(self.forced_mask, plain.forced_mask))

    def minorants(self, x: np.ndarray | None) -> tuple:
        """``(minorant(x),)`` when the search leans (and *x* is known), else none: on its own, with
        several rows, Kelley's LP followed that cut to worse points (scarce 1,000: 7 flows, not 4)."""
        return (self.minorant(x),) if x is not None and self.leans else ()

    def minorant(self, x: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        """A cut ``(0, value, slope)`` below g from a fractional b-matching *x* of the double cover's LP.

        Both arcs of a pair carry ``x_e``, each company's level arcs the first ``deg - k`` units
        (clipped to [0, 1]): a feasible flow, so ``value + slope . lambda`` (its objective at
        lambda) never exceeds g(lambda). For the cutting-plane model only, never a bound.
        """
        reached = self._filled(x)
        value = 2 * float(x @ self.edges) - 2 * self.force * self.forced  # a forced pair below 1 loses its extra reward
        return np.zeros(len(self.floors)), value / self.units, np.asarray(reached) - self.floors


def _stationary(point: np.ndarray, slope: np.ndarray, box: float) -> bool:
    """Whether *point* minimises g over the box: each slope is 0, or points out of the box at its edge."""
    return bool(np.all((slope == 0) | ((slope > 0) & (point <= 0)) | ((slope < 0) & (point >= box))))


def _towards(point: np.ndarray, cuts: list, box: float) -> np.ndarray:
    """The second multiplier of a round: per row, ``TOWARDS`` of the way from *point* to the nearest
    evaluated multiplier beyond it whose slope there is positive (else to the box's edge).

    Kelley's points tend to stay on one side of the minimum while the far cut is far (the box's
    edge); a point a little further brings a cut from the other side close.
    """
    beyond = np.full(len(point), box)
    for c_point, _, c_slope in cuts:
        closer = (c_slope > 0) & (c_point > point) & (c_point < beyond)
        beyond[closer] = c_point[closer]
    return point + TOWARDS * (beyond - point)


def _minimise(bounder: _Bounder, start: np.ndarray, deadline: float, worker: FlowWorker | None = None,
              seeds: tuple[Evaluation, ...] = (), minorants: tuple = (), pair: bool = False) -> tuple[float, list[float], float]:
    """Kelley's cutting planes on g over the box ``0 <= lambda <= BOX x top``, each point leaning
    right (``LEAN``, module docstring).

    Returns ``(least g evaluated, its lambda, the cutting-plane model's minimum)``: the last is a
    lower bound on min g over the box, so their gap says how far the search got. *seeds*:
    evaluations already made (an early search's, ``Speculation``), cuts and bounds for these
    floors too; then the search starts from the model's minimum instead of *start*. *minorants*:
    cuts below g that are no bound (``_Bounder.minorant``). Without *pair*, flows run in the
    *worker* if given (an early search's thread), else here. With *pair* (and a *worker*), each round
    also evaluates a second multiplier in the worker while this process evaluates Kelley's: the
    box's far corner in the first round (Kelley's next point when every slope at the start is
    negative), then ``_towards``. Every evaluation is a valid bound and a valid cut either way.
    """
    rows = len(bounder.floors)
    box = BOX * bounder.top
    cuts: list[tuple[np.ndarray, float, np.ndarray]] = list(minorants)
    best, best_point, model = float("inf"), start, -float("inf")
    for found in seeds:
        at_point = np.asarray(found.rewards, dtype=float) * 2 / bounder.units
        value, slope = bounder.cut(found)
        cuts.append((at_point, value, slope))
        if value < best:
            best, best_point = value, at_point
        if _stationary(at_point, slope, box):
            return value, at_point.tolist(), value
    point = None if seeds else start
    second = np.where(start > 0, start, box) if pair and worker is not None and not seeds else None
    while True:
        if point is None:
            found_model = _model(cuts, rows, box, best, bounder.leans)
            if found_model is None:
                return best, best_point.tolist(), model
            model, point = found_model
            if best - model <= TOLERANCE * abs(best):
                return best, best_point.tolist(), model
            second = _towards(point, cuts, box) if pair and worker is not None else None
        rewards = bounder.rewards(point)
        evaluate = [rewards]
        if second is not None and bounder.rewards(second) != rewards:
            evaluate.append(bounder.rewards(second))
            worker.submit(*bounder.job(evaluate[1]))
        found = [bounder.g(rewards, None if pair else worker)]
        if len(evaluate) > 1:
            found.append(bounder.cut(bounder.evaluation(evaluate[1], worker.result())))
        for at, (value, slope) in zip(evaluate, found):
            at_point = np.asarray(at, dtype=float) * 2 / bounder.units  # the multipliers evaluated exactly
            cuts.append((at_point, value, slope))
            if value < best:
                best, best_point = value, at_point
            if _stationary(at_point, slope, box):  # no multiplier in the box does better: g is convex
                return value, at_point.tolist(), value
        if bounder.flows >= MAX_FLOWS or time.monotonic() >= deadline:
            return best, best_point.tolist(), model
        point = None


def _model(cuts: list, rows: int, box: float, best: float, lean: bool = True) -> tuple[float, np.ndarray] | None:
    """``(the cutting-plane model's minimum over the box, the next point)``; None if the LP fails.

    The next point leans right: the largest multipliers whose model value stays within ``LEAN``
    of the gap between *best* and the minimum. With one row both are read off the lines
    (``_model_line``); with more, two small LPs, or only Kelley's (the point of the minimum)
    unless *lean*.
    """
    if rows == 1:
        return _model_line(cuts, box, best)
    # min t  s.t.  t >= g_i + s_i (lambda - lambda_i), lambda in the box
    a_ub = np.array([[*c_slope, -1.0] for _, _, c_slope in cuts])
    b_ub = np.array([float(c_slope @ c_point) - c_value for c_point, c_value, c_slope in cuts])
    res = linprog(np.r_[np.zeros(rows), 1.0], A_ub=a_ub, b_ub=b_ub, bounds=[(0.0, box)] * rows + [(None, None)],
                  method="highs")
    if res.status != 0:
        return None
    model, point = float(res.x[-1]), np.asarray(res.x[:rows])
    if not lean:
        return model, point
    level = model + LEAN * (best - model)
    leaning = linprog(-np.ones(rows), A_ub=a_ub[:, :-1], b_ub=b_ub + level, bounds=[(0.0, box)] * rows, method="highs")
    return model, (np.asarray(leaning.x) if leaning.status == 0 else point)


def _model_line(cuts: list, box: float, best: float) -> tuple[float, np.ndarray]:
    """``_model`` for one row: the upper envelope of the cut lines is convex, so its minimum over
    ``[0, box]`` is at an end or where two lines cross, and the largest point below a level is
    where the first rising line reaches it."""
    lines = [(float(c_value - c_slope[0] * c_point[0]), float(c_slope[0])) for c_point, c_value, c_slope in cuts]

    def envelope(at: float) -> float:
        return max(offset + slope * at for offset, slope in lines)

    candidates = [0.0, box]
    for i, (a_offset, a_slope) in enumerate(lines):
        for b_offset, b_slope in lines[i + 1:]:
            if a_slope != b_slope and 0.0 < (at := (b_offset - a_offset) / (a_slope - b_slope)) < box:
                candidates.append(at)
    lowest = min(candidates, key=lambda at: (envelope(at), at))
    model = envelope(lowest)
    level = model + LEAN * (best - model)
    reach = [(level - offset) / slope for offset, slope in lines if slope > 0]
    return model, np.array([min([box, *reach]) if reach else box]).clip(lowest, box)


class Speculation:
    """The fair bound search started before the repair, in a thread whose flows run in the worker.

    A flow does not depend on the floors (only its cut does: ``Evaluation``), so a search for the
    floors the schedule has when the repair starts evaluates multipliers near the ones the final
    floors need. ``bounds`` takes its evaluations as seeds when the flows are the same (forced
    pairs, rows) and goes on from there. The thread only waits for the worker and solves the small
    model: it takes little from the repair.
    """

    def __init__(self, p: Problem, count: list[int], forced: np.ndarray, flows: Flows, deadline: float) -> None:
        self.bounder = _Bounder(p, forced, levels(p, count), None)
        self._minorants = self.bounder.minorants(flows.selection)
        self._thread = threading.Thread(target=self._run, args=(flows.worker, deadline), name="bound-speculation", daemon=True)
        self.error: BaseException | None = None
        self._thread.start()

    def _run(self, worker: FlowWorker, deadline: float) -> None:
        try:
            _minimise(self.bounder, np.zeros(len(self.bounder.floors)), deadline, worker, minorants=self._minorants)
        except BaseException as exc:  # noqa: BLE001 - reported by seeds(): the final search then starts afresh
            self.error = exc

    def join(self) -> None:
        """Wait until the search ends."""
        self._thread.join()

    def seeds(self, bounder: _Bounder) -> tuple[Evaluation, ...]:
        """The early search's evaluations if *bounder* solves the same flows (else none)."""
        self.join()
        if self.error is not None or not bounder.same_flows(self.bounder):
            return ()
        return tuple(self.bounder.evaluations)


def bounds(p: Problem, count: list[int], forced: np.ndarray, min_required: int | None,
           seconds: float, flows: Flows | None = None) -> tuple[float, float, dict]:
    """``(fair bound, unfair bound, stats)`` for a schedule with meeting counts *count*.

    *forced*: edges every feasible schedule contains; *min_required*: if set, the row "at least
    that many required pairs" (a multiplier like the levels'); *flows*: the flow worker, the
    selection's edge values and an early search, when the large path has them (``Flows``).
    Module docstring.
    """
    deadline = time.monotonic() + seconds
    flows = flows or Flows()
    worker, early = flows.worker, flows.speculation
    floors = levels(p, count)
    bounder = _Bounder(p, forced, floors, min_required)
    minorants = bounder.minorants(flows.selection)
    seeds = early.seeds(bounder) if early is not None else ()
    if min_required is None:  # the unfair search is g at lambda = 0 with no level rows: the fair search's first flow
        fair, multipliers, model = _minimise(bounder, np.zeros(len(floors)), deadline, worker, seeds, minorants, pair=True)
        unfair, searched = bounder.at_zero, bounder.flows
        if unfair is None:  # the early search stopped before lambda = 0 was needed: g(0) is still the unfair bound
            unfair = bounder.g([0] * len(floors))[0]
    else:
        plain = _Bounder(p, forced, (), min_required)
        plain_minorants = plain.minorants(flows.selection)
        unfair, required, _ = _minimise(plain, np.zeros(len(plain.floors)), deadline, worker, (), plain_minorants, pair=True)
        seeds += bounder.lifted(plain, required)
        fair, multipliers, model = _minimise(bounder, np.asarray([0.0] * len(floors) + required), deadline, worker, seeds,
                                             minorants, pair=True)
        searched = plain.flows + bounder.flows
    early_flows = early.bounder.flows if early is not None else 0
    return min(fair, unfair), unfair, {"bound_flows": searched + early_flows, "bound_flows_early": early_flows,
                                       "bound_seeds": len(seeds), "bound_multipliers": multipliers,
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
