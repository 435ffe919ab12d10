"""The exact step: re-optimise a window of the schedule with a MILP (HiGHS via scipy).

A window is a set of slots and, optionally, a set of companies. Its meetings (those in the
window's slots touching the window's companies) are taken out; everything else stays fixed.
The MILP then chooses, among those meetings and the candidate pairs, what to put back where:

    z[e,s,t] = 1  if edge e meets in window slot s at table option t;
    y[v,k]        "company v has at least k meetings" (k up to len(bonus)), continuous.

    max  sum value(e) z  +  sum bonus[k] y
    s.t. per edge            sum z <= 1      (== 1 for a required meeting that was placed)
         per company, slot   sum z <= 1
         per company         sum z <= cap - meetings outside the window
         per slot            sum z at pool tables <= free pool tables
         per slot, table     sum z at that specific table <= 1
         per slot, interpreter row   sum z of its demand types <= interpreters still free
         per company         sum_k y[v,k] <= meetings outside + sum z   (k beyond those outside)
         floors (optional)   window score >= its current score;
                             meetings of v >= min(current, floor) for companies that want some

The current arrangement is a feasible solution, so the window never gets worse: the new one is
applied only if its objective is strictly higher. With all slots, no company filter and all
edges as candidates on an empty board, this is the full scheduling MILP.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .board import Board
from .problem import POOL


@dataclass
class Floors:
    """Optional side constraints: never lower the score; keep companies at ``fewest`` or more."""

    score: bool = True
    fewest: int = 0


@dataclass
class Window:
    """Slots (mask) and companies (None = all) to re-optimise; candidate edges to consider."""

    slots: int
    companies: set[int] | None = None
    candidates: list[int] | None = None  # None = every unplaced edge


class MilpModel:
    """Variables and sparse rows of one window MILP."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.vars: list[tuple[int, int, int]] = []
        self.cost: list[float] = []
        self.rows: dict[object, int] = {}
        self.upper: list[float] = []
        self.lower: list[float] = []
        self.entries: tuple[list[int], list[int], list[float]] = ([], [], [])

    def row(self, key: object, low: float, high: float) -> int:
        if key not in self.rows:
            self.rows[key] = len(self.upper)
            self.lower.append(low)
            self.upper.append(high)
        return self.rows[key]

    def add(self, row: int, col: int, coef: float = 1.0) -> None:
        self.entries[0].append(row)
        self.entries[1].append(col)
        self.entries[2].append(coef)


def _take_out(board: Board, window: Window) -> list[int]:
    p, inside = board.p, window.companies
    edges = board.placed() if inside is None else sorted({e for v in inside for e in p.incident[v]})
    return [e for e in edges if board.slot_of[e] >= 0 and window.slots >> board.slot_of[e] & 1]


def _candidates(board: Board, window: Window, freed: list[int]) -> list[int]:
    p = board.p
    pool = range(p.m) if window.candidates is None else window.candidates
    extra = [e for e in pool if board.slot_of[e] < 0 and board.has_room(e) and board.feasible_slots(e) & window.slots]
    return sorted(set(freed) | set(extra))


def add_edge_vars(model: MilpModel, e: int, slots: int, required_fixed: bool) -> None:
    board, p = model.board, model.board.p
    erow = model.row(("e", e), 1.0 if required_fixed else 0.0, 1.0)
    mask = board.feasible_slots(e) & slots
    while mask:
        s = (mask & -mask).bit_length() - 1
        mask &= mask - 1
        for t in p.options[e]:
            if not board.table_free(t, s):
                continue
            col = len(model.vars)
            model.vars.append((e, s, t))
            model.cost.append(p.score[e] if required_fixed else p.value(e))  # fixed: weight is a constant
            model.add(erow, col)
            for v in (p.ea[e], p.eb[e]):
                model.add(model.row(("vs", v, s), 0.0, 1.0), col)
                model.add(model.row(("v", v), 0.0, float(p.cap[v] - board.count[v])), col)
            if t == POOL or t in p.pool_set:
                model.add(model.row(("pool", s), 0.0, float(board.pool_free[s])), col)
            if t >= 0:
                model.add(model.row(("t", t, s), 0.0, 1.0), col)
            for r in p.interp.rows_of_type[p.itype[e]] if p.itype[e] >= 0 else ():
                model.add(model.row(("h", r, s), 0.0, float(board.hall_free[r][s])), col)


def _add_fairness(model: MilpModel, before: list[int], floors: Floors | None, freed_score: float) -> None:
    board, p = model.board, model.board.p
    touched = sorted({v for e, _, _ in model.vars for v in (p.ea[e], p.eb[e])})
    wanting = set(p.wanting())
    link_cols: dict[int, list[int]] = {v: [] for v in touched}
    for col, (e, _, _) in enumerate(model.vars):
        link_cols[p.ea[e]].append(col)
        link_cols[p.eb[e]].append(col)
    for v in touched:
        outside = board.count[v]
        k_range = range(outside, len(p.bonus))
        if k_range and v in wanting:
            row = model.row(("y", v), -np.inf, 0.0)
            for col in link_cols[v]:
                model.add(row, col, -1.0)
            for k in k_range:
                col = len(model.vars)
                model.vars.append((-1, v, k))
                model.cost.append(p.bonus[k])
                model.add(row, col)
        if floors is not None and v in wanting and min(before[v], floors.fewest) > outside:
            row = model.row(("floor", v), float(min(before[v], floors.fewest) - outside), np.inf)
            for col in link_cols[v]:
                model.add(row, col)
    if floors is not None and floors.score:
        row = model.row(("score",), freed_score - 1e-9, np.inf)
        for col, (e, _, _) in enumerate(model.vars):
            if e >= 0:
                model.add(row, col, p.score[e])


def _current_solution(model: MilpModel, freed: list[int], slot: dict, table: dict) -> np.ndarray:
    p, board = model.board.p, model.board
    x = np.zeros(len(model.vars))
    where = {(e, slot[e], table[e]) for e in freed}
    back = Counter(v for e in freed for v in (p.ea[e], p.eb[e]))
    for col, (e, s, t) in enumerate(model.vars):
        x[col] = float((e, s, t) in where) if e >= 0 else float(board.count[s] + back[s] > t)
    return x


def solve_model(model: MilpModel, time_limit: float, gap: float) -> tuple[np.ndarray | None, bool]:
    """HiGHS on *model*: ``(values or None, proven optimal)`` (also the staged selection's solver)."""
    n = len(model.vars)
    matrix = sp.csr_array((model.entries[2], (model.entries[0], model.entries[1])), shape=(len(model.upper), n))
    integrality = np.array([1 if e >= 0 else 0 for e, _, _ in model.vars])
    res = milp(-np.asarray(model.cost), integrality=integrality, bounds=Bounds(0, 1),
               constraints=LinearConstraint(matrix, model.lower, model.upper),
               options={"time_limit": max(time_limit, 0.05), "mip_rel_gap": gap, "presolve": True})
    return (None if res.x is None else np.asarray(res.x)), res.status == 0


def apply_values(board: Board, chosen: list[tuple[int, int, int]]) -> bool:
    """Place *chosen* after checking each placement; on any conflict undo and return False."""
    done = []
    for e, s, t in chosen:
        if not (board.has_room(e) and (board.open_slots(e) & board.interpreter_slots(e)) >> s & 1
                and board.table_free(t, s)):
            for d in done:
                board.remove(d)
            return False
        board.place(e, s, t)
        done.append(e)
    return True


def picked(model: MilpModel, x: np.ndarray) -> list[tuple[int, int, int]]:
    """The ``(edge, slot, table)`` variables of *model* set to 1 in *x*."""
    return [var for var, val in zip(model.vars, x) if var[0] >= 0 and val > 0.5]


def optimise_window(board: Board, window: Window, time_limit: float,
                    floors: Floors | None = None, gap: float = 1e-7) -> tuple[float, bool]:
    """Re-optimise *window* on *board* in place (module docstring); *gap*: relative MIP gap.

    Returns ``(objective gain, proven optimal)``; the gain is 0.0 when nothing better was found
    (then the board is exactly as before).
    """
    p = board.p
    before = list(board.count)
    freed = _take_out(board, window)
    slot = {e: board.slot_of[e] for e in freed}
    table = {e: board.table_of[e] for e in freed}
    for e in freed:
        board.remove(e)
    model = MilpModel(board)
    for e in _candidates(board, window, freed):
        add_edge_vars(model, e, window.slots, required_fixed=p.required[e] and e in slot)
    _add_fairness(model, before, floors, sum(p.score[e] for e in freed))
    current = _current_solution(model, freed, slot, table)
    if not model.vars:
        return 0.0, True
    x, proven = solve_model(model, time_limit, gap)
    cost = np.asarray(model.cost)
    gain = -np.inf if x is None else float(cost @ x - cost @ current)
    if gain > 1e-7 and apply_values(board, picked(model, x)):
        return gain, proven
    if not apply_values(board, picked(model, current)):
        raise RuntimeError("internal error: the previous arrangement of a window did not fit back")
    return 0.0, proven and x is not None
