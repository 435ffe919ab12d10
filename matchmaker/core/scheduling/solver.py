"""``solve``: prepare, bound, schedule (greedy or optimising), explain, report.

The optimising path is described in the package docstring; this module only sequences the
stages, keeps the clock, reports progress and builds the ``Result``.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from . import large, model as m, vectors
from .assign import colour, round_selection
from .board import Board
from .flow import flow_values, net_of, selection_rewards
from .fairness import LEXICOGRAPHIC, fair_bound, floor_reached, idle, levels, lex_key
from .greedy import greedy
from .lp import Relaxation, certified_bound, relax, simple_bound
from .problem import Problem, prepare
from .repair import repair
from .rescue import rescue_idle
from .selection import colour_exact, select_exact
from .staffing import assign, shortage
from .window import Floors, Window, optimise_window
from .worker import start as start_worker, wanted

Progress = Callable[[str, float], None]
EXACT_LIMIT = 4000  # window-MILP columns up to which the whole problem is solved as one MILP
SELECTION_LIMIT = 12000  # edges up to which the staged selection MILP is tried (interpreters scarce)
SELECTION_SHARE = 0.4  # of the time left: the staged selection MILP (interpreters scarce)
COLOUR_SHARE = 0.3  # of the time then left: the colouring MILP of the selection
FAIR_LP_FACTOR = 15.0  # the fair bound's LP (with floor rows) takes up to this many times the plain LP


class _Clock:
    """Wall-clock budget, stage timings and the caller's progress callback."""

    def __init__(self, time_limit: float, progress: Progress | None) -> None:
        self.start = time.monotonic()
        self.limit = time_limit
        self.deadline = self.start + time_limit
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._stage, self._since = "", self.start

    def left(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(self.deadline - time.monotonic(), 0.0)

    def report_reserve(self, lexicographic: bool) -> float:
        """Seconds kept for the report: the fair bound's LP takes a few times the first LP."""
        if not lexicographic:
            return 0.0
        return min(0.5 * self.limit, FAIR_LP_FACTOR * self.timings.get("bound", 0.0))

    def stage(self, name: str, fraction: float) -> None:
        """Close the current stage's timing, open *name*, report ``(name, fraction)``."""
        now = time.monotonic()
        if self._stage:
            self.timings[self._stage] = round(self.timings.get(self._stage, 0.0) + now - self._since, 4)
        self._stage, self._since = name, now
        self.tick(fraction)

    def tick(self, fraction: float) -> None:
        """Report progress within the current stage."""
        if self.progress is not None:
            self.progress(self._stage, min(max(fraction, 0.0), 1.0))


def _fairness_binds(p: Problem, x: np.ndarray) -> bool:
    """Whether some company gets fewer LP meetings than the fairness bonus cares about."""
    degree = np.zeros(p.n)
    ea, eb, _ = p.arrays()
    np.add.at(degree, ea, x)
    np.add.at(degree, eb, x)
    return any(degree[v] < min(len(p.bonus), p.cap[v], len(p.incident[v])) - 1e-6 for v in p.wanting())


def _fill(board: Board) -> None:
    """Cheap refill: try every unplaced edge, best marginal value first, in its first free slot."""
    p = board.p

    def gain(e: int) -> float:
        extra = sum(p.bonus[board.count[v]] for v in (p.ea[e], p.eb[e]) if board.count[v] < len(p.bonus))
        return p.value(e) + extra

    pool_only = large.applies(p)  # then a full pool means nothing more can be placed
    if vectors.applies(p):  # the same order as the sort below, by arrays
        unplaced = np.flatnonzero(np.asarray(board.slot_of, dtype=np.int64) < 0)
        todo = unplaced[np.lexsort((unplaced, -vectors.gains(p, board.count, unplaced)))].tolist()
    else:
        todo = sorted((e for e in range(p.m) if board.slot_of[e] < 0), key=lambda e: (-gain(e), e))
    for e in todo:
        if pool_only and not board.pool_open:
            break
        if board.has_room(e) and gain(e) > 0:  # try_place needs room: the test only skips the hopeless
            board.try_place(e)


def _exact_selection(p: Problem, clock: _Clock, stats: dict, start: Board) -> Board | None:
    """Under scarce interpreters: the staged selection MILP and the colouring MILP (``selection``).

    Only for lexicographic instances with interpreter rows (others are solved as before); None
    when the selection finds nothing within its share of the time.
    """
    if not (p.lexicographic and p.interp.rows) or p.m > SELECTION_LIMIT:
        return None
    clock.stage("select", 0.37)
    chosen = select_exact(p, time.monotonic() + SELECTION_SHARE * clock.left(), stats, lex_key(start))
    if chosen is None:
        return None
    clock.stage("assign", 0.4)
    board = Board(p)
    stats["uncoloured_exact"] = len(colour_exact(board, chosen, time.monotonic() + COLOUR_SHARE * clock.left()))
    _fill(board)
    stats["rescued_exact"] = rescue_idle(board)
    return board


def _at_fair_bound(p: Problem, board: Board, clock: _Clock, stats: dict) -> bool:
    """Whether the staged selection's *board* is proven lexicographically optimal: then skip the repair.

    It is when every stage closed (``selection``: what they reached is the best of the
    aggregated model, a relaxation, so of any schedule), the board reaches it (required edges
    and companies at each level), and its score reaches the fair bound for its levels (within 1e-6).
    """
    if stats.get("selection_stages_cut"):
        return False
    key = lex_key(board)
    reached = key[:-1] if any(p.required) else key[1:-1]
    if any(r < s for r, s in zip(reached, stats.get("selection_key", ()))):
        return False
    if board.required_left_out():
        return False
    forced = np.asarray(p.required, dtype=bool)
    bound = fair_bound(p, board, forced, None, min(clock.left(), max(1.0, 0.1 * clock.limit)))
    return bound is not None and board.score() >= bound - 1e-6 * max(1.0, abs(bound))


def _rounded(p: Problem, relaxation: Relaxation, baseline: Board, clock: _Clock, stats: dict,
             flows: large.Flows) -> Board:
    """The first schedule from a fractional selection (flow or LP), rounded and coloured.

    With a flow worker, the selection flow was sent to it before the greedy baseline (``solve``);
    its values are kept in *flows* for the bound search (``large.Flows``).
    """
    x = relaxation.x
    if p.lexicographic and not p.interp.rows:  # the flow knows no interpreter capacity: the LP does
        clock.stage("select", 0.3)
        x = flows.selection = flow_values(p) if flows.worker is None else flows.worker.result().x
        stats["selection"] = "flow"
    elif x is not None and p.bonus and _fairness_binds(p, x):
        clock.stage("select", 0.3)
        fair = relax(p, fair=True, time_limit=clock.left() / 3)
        x = fair.x if fair.x is not None else x
    clock.stage("assign", 0.35)
    if x is None:  # the LP ran out of time: start the repair from the baseline instead
        stats["lp_failed"] = True
        return baseline.copy()
    board = Board(p)
    stats["uncoloured"] = len(colour(board, round_selection(p, x), clock.deadline))
    _fill(board)
    if relaxation.matrix is None:  # the large path: no company without a meeting before the repair
        stats["first_meetings"] = large.first_meetings(board)
    if p.interp.rows:  # interpreters can strand a company the colouring could not reach
        stats["rescued"] = rescue_idle(board)
    return board


def _speculate(p: Problem, board: Board, clock: _Clock, flows: large.Flows) -> None:
    """On the large path with a flow worker, start the fair bound search for *board*'s floors
    (``large.Speculation``), when every required pair is placed (the bound then forces them)."""
    if flows.worker is None or flows.selection is None or board.required_left_out():
        return
    forced = np.asarray(p.required, dtype=bool)  # every required edge is placed
    flows.speculation = large.Speculation(p, list(board.count), forced, flows, clock.deadline)


def _two_phase(p: Problem, relaxation: Relaxation, baseline: Board, clock: _Clock, stats: dict, seed: int,
               flows: large.Flows) -> Board:
    board = _rounded(p, relaxation, baseline, clock, stats, flows)
    exact = _exact_selection(p, clock, stats, board)
    if exact is not None:  # a stage cut short by the clock can leave a poor incumbent: keep the better
        stats["selection"] = "staged_milp" if lex_key(exact) >= lex_key(board) else "rounded"
        board = exact if stats["selection"] == "staged_milp" else board
        if stats["selection"] == "staged_milp" and _at_fair_bound(p, board, clock, stats):
            stats["proven_optimal"] = True  # repair skipped: nothing can raise the key
            return board
    clock.stage("repair", 0.5)
    budget = clock.left()
    until, settle = clock.deadline - clock.report_reserve(p.lexicographic), 0.0
    if relaxation.matrix is None:  # the large path: the repair may take half as long as the rest, and settles
        _speculate(p, board, clock, flows)
        now = time.monotonic()
        until = min(until, now + max(large.REPAIR_SHARE * (now - clock.start), large.REPAIR_MIN_SECONDS))
        settle = large.REPAIR_SETTLE
    stats["repair"] = repair(board, until, seed=seed, settle=settle,
                             on_pass=lambda _: clock.tick(0.5 + 0.45 * (1 - clock.left() / max(budget, 1e-9))))
    return board


def _exact(p: Problem, clock: _Clock, stats: dict, start: Board | None = None, floors: Floors | None = None) -> Board:
    board = Board(p) if start is None else start
    _, stats["proven_optimal"] = optimise_window(board, Window(p.full_mask), clock.left(), floors, gap=0.0)
    return board


def _is_small(p: Problem) -> bool:
    columns = 0
    for e in range(p.m):  # stops as soon as the limit is passed: large problems need not count on
        columns += p.allowed[e].bit_count() * len(p.options[e])
        if columns > EXACT_LIMIT:
            return False
    return True


def _dominates(board: Board, other: Board) -> bool:
    if board.p.lexicographic:
        return lex_key(board) >= lex_key(other)
    return (board.required_placed() >= other.required_placed() and board.score() >= other.score() - 1e-9
            and board.fewest() >= other.fewest())


def _not_below(p: Problem, board: Board, baseline: Board, clock: _Clock, stats: dict, seed: int) -> Board:
    """*board* if it is no worse than *baseline*; else *baseline* improved under floors."""
    if _dominates(board, baseline) or board.required_placed() > baseline.required_placed():
        return board
    stats["restarted_from_greedy"] = True
    # lexicographic: the windows accept only improvements of the key, so no side constraints
    floors = None if p.lexicographic else Floors(score=True, fewest=baseline.fewest())
    improved = baseline.copy()
    if _is_small(p):
        return _exact(p, clock, stats, improved, floors)
    polish = min(clock.deadline, time.monotonic() + max(1.0, 0.2 * clock.limit))  # a polish, not a second run
    stats["repair_from_greedy"] = repair(improved, polish, floors=floors, seed=seed)
    return improved


def _optimal(p: Problem, relaxation: Relaxation, baseline: Board, clock: _Clock, stats: dict, seed: int,
             keep_baseline: bool, flows: large.Flows) -> Board:
    if _is_small(p):
        clock.stage("exact", 0.3)
        board = _exact(p, clock, stats)
    else:
        board = _two_phase(p, relaxation, baseline, clock, stats, seed, flows)
    if keep_baseline:
        board = _not_below(p, board, baseline, clock, stats, seed)
    for e in board.required_left_out():
        board.try_place(e)
    return board


def explain(board: Board, e: int) -> m.Unplaced:
    """Why required edge *e* is not on *board*, judged against the final schedule."""
    p = board.p
    a, b = p.ids[p.ea[e]], p.ids[p.eb[e]]
    full = [v for v in (p.ea[e], p.eb[e]) if board.count[v] >= p.cap[v]]
    if full:
        v = full[0]
        wanted = sum(p.required[g] for g in p.incident[v])
        detail = f"{p.ids[v]!r} already has {board.count[v]} meetings, its limit (cap and free slots) is {p.cap[v]}"
        return m.Unplaced(a, b, m.OVER_CAP, detail + (f"; it has {wanted} required meetings" if wanted > p.cap[v] else ""))
    where = f"pinned slot {p.pin_slot[e]}" if p.pin_slot[e] >= 0 else "every slot in which both are available"
    if not board.open_slots(e):
        return m.Unplaced(a, b, m.NO_COMMON_FREE_SLOT, f"{where} is taken by their other meetings")
    if not board.open_slots(e) & board.interpreter_slots(e):
        return m.Unplaced(a, b, m.NO_INTERPRETER, f"no interpreter for them is free in {where}")
    if not board.feasible_slots(e):
        what = f"pinned table {p.pin_table[e]} is taken" if p.pin_table[e] >= 0 else "no allowed table is free"
        return m.Unplaced(a, b, m.NO_TABLE, f"{what} in every slot where both are free")
    return m.Unplaced(a, b, m.INFEASIBLE, "not placed within the time limit")


def _bound(p: Problem, board: Board, relaxation: Relaxation, explained: list, clock: _Clock, stats: dict,
           flows: large.Flows) -> tuple[float, float]:
    """Certified upper bounds ``(fair, unfair)`` (package docstring, "The bound").

    If every required edge left out is impossible, the placed ones are forced to 1; otherwise
    the LP is re-solved with "at least as many required edges as this schedule has".
    """
    forced = np.zeros(p.m, dtype=bool)
    min_required = None
    if not explained:
        forced = np.asarray(p.required, dtype=bool) & (np.asarray(board.slot_of, dtype=np.int64) >= 0)
    if relaxation.matrix is None:  # the large path: bounds from flows (``large``)
        min_required = board.required_placed() if explained else None
        fair, unfair, more = large.bounds(p, board.count, forced, min_required, max(clock.left(), 5.0), flows)
        stats.update(more, bound_forces_required=bool(forced.any()), fair_bound_failed=False)
        unfair = min(unfair, simple_bound(p))
        return min(fair, unfair), unfair
    if explained and relaxation.u is not None:
        min_required = board.required_placed()
        relaxation = relax(p, weighted=False, min_required=min_required, time_limit=max(clock.left(), 5.0))
    stats["bound_forces_required"] = bool(forced.any())
    lp = certified_bound(p, relaxation, forced)
    unfair = min(simple_bound(p), lp) if lp is not None else simple_bound(p)
    fair_time = max(clock.left(), clock.report_reserve(True), 5.0)
    fair = fair_bound(p, board, forced, min_required, fair_time) if p.lexicographic else None
    stats["fair_bound_failed"] = p.lexicographic and fair is None
    return (unfair if fair is None else min(fair, unfair)), unfair


def _result(p: Problem, board: Board, relaxation: Relaxation, method: str, clock: _Clock, stats: dict,
            flows: large.Flows) -> m.Result:
    explained = [explain(board, e) for e in board.required_left_out()]
    bound, unfair = _bound(p, board, relaxation, explained, clock, stats, flows)
    staff = assign(board)
    meetings = [m.Meeting(p.ids[p.ea[e]], p.ids[p.eb[e]], s, t, staff.get(e)) for e, s, t in board.numbered()]
    short = shortage(board, time.monotonic() + min(max(clock.left(), 1.0), 0.1 * clock.limit + 1.0))
    clock.stage("done", 1.0)
    stats["timings"] = clock.timings
    return m.Result(meetings=meetings, score=float(sum(p.score[e] for e in board.placed())), bound=bound,
                    unplaced=p.structural + explained, seconds=round(time.monotonic() - clock.start, 4),
                    method=method, fewest_meetings=board.fewest(), stats=stats, unfair_bound=unfair,
                    floor=floor_reached(p, board.count), levels=levels(p, board.count, max(len(p.bonus), 2)),
                    idle=idle(board), lost_to_interpreters=short.meetings, interpreter_slots=short.slots,
                    score_lost_to_interpreters=round(short.score, 6))


def solve(instance: m.Instance, method: str = "optimal", time_limit: float = 30.0,
          progress: Progress | None = None, *, fairness: tuple[float, ...] | str = LEXICOGRAPHIC,
          keep_baseline: bool = True, seed: int = 0) -> m.Result:
    """Schedule *instance*; see the package docstring for the contract.

    Raises ValueError for malformed input (naming the field) or an unknown *method*.
    *progress* receives ``(stage, fraction)``; *time_limit* bounds the wall time in seconds
    (the greedy baseline and the final report always run, so keep a second or two spare).
    *fairness*: ``"lexicographic"`` (default, see ``fairness``) or the older weighted bonuses for
    a company's 1st, 2nd, ... meeting in units of the best score.
    *keep_baseline*: never return a schedule the greedy baseline beats: under the lexicographic
    objective "beats" means a larger key (required, levels, score), so a baseline that breaks
    the floor is never preferred for its score; under weighted bonuses, less score or a lower
    fewest-meetings figure (unless more required pairs are placed).
    """
    if method not in m.METHODS:
        raise ValueError(f"method: expected one of {', '.join(m.METHODS)}, got {method!r}")
    if not time_limit > 0:
        raise ValueError(f"time_limit: expected a positive number of seconds, got {time_limit!r}")
    if isinstance(fairness, str) and fairness != LEXICOGRAPHIC:
        raise ValueError(f"fairness: expected {LEXICOGRAPHIC!r} or a tuple of bonuses, got {fairness!r}")
    if not isinstance(fairness, str) and (any(not 0 <= f for f in fairness) or list(fairness) != sorted(fairness, reverse=True)):
        raise ValueError(f"fairness: expected non-negative, non-increasing bonuses, got {fairness!r}")
    clock = _Clock(time_limit, progress)
    clock.stage("prepare", 0.0)
    p = prepare(instance, fairness)
    clock.stage("bound", 0.05)
    flows = large.applies(p) and not _is_small(p)
    relaxation = Relaxation(None, None, None, None) if flows else relax(p, time_limit=clock.left() / 2)
    shared = large.Flows(start_worker(net_of(p)) if flows and wanted(p.m) else None)  # module ``worker``
    try:
        if shared.worker is not None and method != "greedy":  # the selection flow runs beside the greedy baseline
            shared.worker.submit(*selection_rewards(p))
        clock.stage("greedy", 0.25)
        baseline = greedy(p)
        stats: dict = {"greedy_score": baseline.score(), "greedy_fewest": baseline.fewest(),
                       "flow_worker": shared.worker is not None}
        board = baseline if method == "greedy" else _optimal(p, relaxation, baseline, clock, stats, seed, keep_baseline, shared)
        clock.stage("report", 0.97)
        result = _result(p, board, relaxation, method, clock, stats, shared)
        stats["flow_worker_failed"] = shared.worker is not None and shared.worker.failed
        return result
    finally:
        shared.close()
