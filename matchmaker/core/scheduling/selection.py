"""Exact selection when interpreters are scarce: the b-matching MILP, solved level by level.

With interpreters short, which meetings get one decides who has a meeting at all, and the
rounding of a fractional selection loses meetings at exactly those companies. Here the
selection is an integer programme over the rows of ``lp`` (company caps, tables, interpreter
Hall rows summed over slots) with integral level columns ``y[v,k]`` ("v has at least k
meetings": ``sum_k y[v,k] <= meetings(v)`` and ``y[v,k] <= y[v,k-1]``, so a level counts only
companies that really reach it). It is solved in stages, each keeping what the previous ones
reached as a floor: required pairs, then companies at level 1, 2, ..., L, then the score -- the
lexicographic key of ``fairness`` without its large weights, which the MILP solver would round.

``colour_exact`` then gives the chosen meetings slots and tables with one MILP over the chosen
edges only (``z[e,s,t]``, the rows of ``window``: one meeting per company and slot, tables,
interpreters per Hall row and slot), maximising the meetings placed (required ones first).
Whatever it cannot place is left to the refill, the rescue and the repair.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .board import Board
from .lp import constraint_matrix, fair_columns
from .problem import Problem
from .window import MilpModel, add_edge_vars, apply_values, picked, solve_model

GAP = 1e-4  # relative MIP gap of each stage
COLOUR_GAP = 1e-7  # of the colouring: small enough that one more meeting placed always counts


def monotone_rows(p: Problem, columns: int) -> sp.csc_array:
    """``y[v,k] - y[v,k-1] <= 0`` for every company wanting meetings and level k >= 2.

    The level columns follow the edge columns, company by company (``lp.fair_columns``).
    """
    depth = len(p.bonus)
    rows, cols, vals = [], [], []
    for i in range(len(p.wanting())):
        base = p.m + i * depth
        for k in range(1, depth):
            r = len(rows) // 2
            rows += [r, r]
            cols += [base + k, base + k - 1]
            vals += [1.0, -1.0]
    return sp.csc_array((vals, (rows, cols)), shape=(len(rows) // 2, columns))


def level_model(p: Problem) -> tuple[sp.csc_array, np.ndarray]:
    """The ``<=`` rows of the selection MILP over columns (edges, then ``y`` by company, level)."""
    matrix, rhs = constraint_matrix(p)
    if p.bonus:
        matrix, rhs, _ = fair_columns(p, matrix, rhs)
        mono = monotone_rows(p, matrix.shape[1])
        matrix, rhs = sp.vstack([matrix, mono]).tocsc(), np.concatenate([rhs, np.zeros(mono.shape[0])])
    return matrix, rhs


def _stage_costs(p: Problem, columns: int) -> list[np.ndarray]:
    """Objective vectors of the stages: required, each level, score."""
    depth, wanting = len(p.bonus), len(p.wanting())
    out = []
    required = np.zeros(columns)
    required[: p.m] = np.asarray(p.required, dtype=float)
    if required.any():
        out.append(required)
    for k in range(depth):
        level = np.zeros(columns)
        level[p.m + k + depth * np.arange(wanting)] = 1.0
        out.append(level)
    score = np.zeros(columns)
    score[: p.m] = p.score
    out.append(score)
    return out


def _true_value(p: Problem, cost: np.ndarray, x: np.ndarray, stage: int, required_stage: bool) -> float:
    """The stage's value recomputed from the edges chosen (levels from real degrees)."""
    chosen = x[: p.m] > 0.5
    if required_stage and stage == 0:
        return float(np.asarray(p.required)[chosen].sum())
    k = stage - required_stage
    if k < len(p.bonus):
        degree = np.zeros(p.n)
        ea, eb, _ = p.arrays()
        np.add.at(degree, ea[chosen], 1)
        np.add.at(degree, eb[chosen], 1)
        return float(sum(1 for v in p.wanting() if degree[v] >= k + 1))
    return float(cost[: p.m][chosen].sum())


def _ceilings(p: Problem, required_stage: bool) -> list[float]:
    """What each stage but the last can reach at most: every required edge, every company at level k."""
    out = [float(sum(p.required))] if required_stage else []
    reach = [min(p.cap[v], len(p.incident[v])) for v in p.wanting()]
    return out + [float(sum(1 for r in reach if r >= k)) for k in range(1, len(p.bonus) + 1)]


def select_exact(p: Problem, deadline: float, stats: dict, start: tuple | None = None) -> list[int] | None:
    """Edges chosen by the staged MILP (module docstring), or None if a stage found nothing in time.

    Each stage gets an equal share of the time left to *deadline* (``time.monotonic()``).
    ``stats["selection_key"]`` gets what the stages before the score reached (required edges if
    any are required, then companies at each level). *start*: the lexicographic key of a schedule already found (``fairness.lex_key``); a stage
    whose ceiling that schedule reaches is not solved, its ceiling becomes the floor.
    """
    if not p.m:
        return []
    matrix, rhs = level_model(p)
    columns = matrix.shape[1]
    costs = _stage_costs(p, columns)
    required_stage = bool(np.any(p.required))
    ceilings = _ceilings(p, required_stage)
    reached = None if start is None else (start if required_stage else start[1:])
    floors: list[tuple[np.ndarray, float]] = []
    x = None
    for stage, cost in enumerate(costs):
        if reached is not None and stage < len(ceilings) and reached[stage] >= ceilings[stage]:
            floors.append((cost, ceilings[stage] - 0.5))
            stats.setdefault("selection_key", []).append(int(ceilings[stage]))
            stats.setdefault("selection_stages_skipped", []).append(stage)
            continue
        left = (deadline - time.monotonic()) / (len(costs) - stage)
        if left <= 0.05:
            return None
        a_ub = sp.vstack([matrix] + [sp.csc_array(-row.reshape(1, -1)) for row, _ in floors]).tocsc()
        b_ub = np.concatenate([rhs, [-value for _, value in floors]])
        res = milp(-cost, integrality=np.ones(columns), bounds=Bounds(0, 1), constraints=LinearConstraint(a_ub, -np.inf, b_ub),
                   options={"time_limit": left, "mip_rel_gap": GAP})
        if res.x is None:
            stats["selection_failed_stage"] = stage
            return None
        if res.status != 0:
            stats.setdefault("selection_stages_cut", []).append(stage)
        x = np.asarray(res.x)
        value = _true_value(p, cost, x, stage, required_stage)
        if stage < len(ceilings):
            stats.setdefault("selection_key", []).append(int(value))
        # floors from the real degrees: y[v,k] = [degree >= k] meets them, so the next stage is feasible
        floors.append((cost, value - 1e-6 * max(1.0, abs(value)) if stage == len(costs) - 1 else value - 0.5))
    return [e for e in range(p.m) if x is not None and x[e] > 0.5]


def colour_exact(board: Board, edges: list[int], deadline: float) -> list[int]:
    """Give *edges* slots and tables on *board* by one MILP (module docstring); return those left out."""
    p = board.p
    model = MilpModel(board)
    for e in edges:
        add_edge_vars(model, e, p.full_mask, required_fixed=False)
    top = max([abs(s) for s in p.score] + [1.0])
    heavy = 2.0 * len(edges) + 2.0
    model.cost = [(heavy if p.required[e] else 1.0) + 0.5 * p.score[e] / top for e, _, _ in model.vars]
    left = deadline - time.monotonic()
    if model.vars and left > 0.05:
        x, _ = solve_model(model, left, COLOUR_GAP)
        if x is not None and not apply_values(board, picked(model, x)):
            raise RuntimeError("internal error: the colouring MILP chose conflicting placements")
    return [e for e in edges if board.slot_of[e] < 0]
