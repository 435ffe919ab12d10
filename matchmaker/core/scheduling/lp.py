"""The LP relaxation of meeting selection: a fractional b-matching, its certified bound.

Rows (all ``<=``): one per company (meetings <= min(cap, free slots)); one for the pool
(meetings at pool tables <= pool tables x slots); one per fixed table (meetings that can only
sit there <= slots in which one of its owners is available); one per interpreter row (meetings
of its demand types <= its free interpreters summed over the slots). Online meetings take no
table row. Columns: one ``x_e`` in [0, 1] per
edge; with ``fair=True`` also ``y[v,k]`` in [0, 1] ("v has at least k meetings") with
``sum_k y[v,k] <= sum_{e at v} x_e`` and objective weight ``bonus[k]``.

The bound is not the solver's objective value but a weak-duality certificate recomputed here
from the row duals ``u >= 0``:  ``rhs . u + sum_e max over x_e of (w_e - A_e . u) x_e``, where
the max is over [0, 1], or over {1} for edges forced into every feasible schedule. It is an
upper bound on the score of every schedule for ANY ``u >= 0``, so solver tolerances, time
limits or the required-pair weights of the objective can loosen it but never make it invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .problem import ONLINE, POOL, Problem, best_sums, score_span


@dataclass
class Relaxation:
    """A solved LP: edge values ``x`` (None if the solver failed) and row duals ``u`` (>= 0)."""

    x: np.ndarray | None
    u: np.ndarray | None
    matrix: sp.csc_array
    rhs: np.ndarray


def _table_rows(p: Problem) -> tuple[list[int], list[int], list[float]]:
    """(row offset, edge) entries and right-hand sides of the pool, fixed-table and interpreter rows."""
    rows, cols, rhs = [], [], [float(len(p.pool) * p.slots)]
    fixed_row: dict[int, int] = {}
    for e, opts in enumerate(p.options):
        if opts == (ONLINE,):
            continue
        if opts == (POOL,) or opts[0] in p.pool_set:
            rows.append(0)
        elif len(opts) == 1:
            if opts[0] not in fixed_row:
                fixed_row[opts[0]] = len(rhs)
                owners = [v for v in range(p.n) if p.fixed[v] == opts[0]]
                rhs.append(float(reduce(or_, (p.avail[v] for v in owners), 0).bit_count()))
            rows.append(fixed_row[opts[0]])
        else:
            continue
        cols.append(e)
    first = len(rhs)
    rhs += [float(sum(free)) for free in p.interp.cap]
    for e, t in enumerate(p.itype):
        for r in p.interp.rows_of_type[t] if t >= 0 else ():
            rows.append(first + r)
            cols.append(e)
    return rows, cols, rhs


def constraint_matrix(p: Problem) -> tuple[sp.csc_array, np.ndarray]:
    """The ``<=`` rows over the edge columns and their right-hand sides."""
    ea, eb, _ = p.arrays()
    edges = np.arange(p.m)
    t_rows, t_cols, t_rhs = _table_rows(p)
    rows = np.concatenate([ea, eb, p.n + np.asarray(t_rows, dtype=np.int64)])
    cols = np.concatenate([edges, edges, np.asarray(t_cols, dtype=np.int64)])
    shape = (p.n + len(t_rhs), p.m)
    matrix = sp.csc_array((np.ones(len(rows)), (rows, cols)), shape=shape)
    return matrix, np.concatenate([np.asarray(p.cap, dtype=float), t_rhs])


def fair_columns(p: Problem, matrix: sp.csc_array, rhs: np.ndarray) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
    """Append the fairness columns/rows: returns (matrix, rhs, column costs of the new columns)."""
    wanting = p.wanting()
    k = len(p.bonus)
    ycols = len(wanting) * k
    ea, eb, _ = p.arrays()
    pos = {v: i for i, v in enumerate(wanting)}
    edge_rows, edge_cols = [], []
    for e in range(p.m):
        for v in (ea[e], eb[e]):
            if v in pos:
                edge_rows.append(pos[v])
                edge_cols.append(e)
    link = sp.csc_array((-np.ones(len(edge_rows)), (edge_rows, edge_cols)), shape=(len(wanting), p.m))
    ylink = sp.csc_array((np.ones(ycols), (np.repeat(np.arange(len(wanting)), k), np.arange(ycols))),
                         shape=(len(wanting), ycols))
    top = sp.hstack([matrix, sp.csc_array((matrix.shape[0], ycols))])
    full = sp.vstack([top, sp.hstack([link, ylink])]).tocsc()
    return full, np.concatenate([rhs, np.zeros(len(wanting))]), np.tile(np.asarray(p.bonus, dtype=float), len(wanting))


def _at_least_required(p: Problem, matrix: sp.csc_array, rhs: np.ndarray, count: int) -> tuple[sp.csc_array, np.ndarray]:
    """Append the row ``sum of required x >= count``, written as ``-sum <= -count``."""
    row = sp.csc_array(-np.asarray(p.required, dtype=float).reshape(1, -1))
    return sp.vstack([matrix, row]).tocsc(), np.append(rhs, -float(count))


def relax(p: Problem, *, fair: bool = False, weighted: bool = True, min_required: int | None = None,
          time_limit: float = 30.0) -> Relaxation:
    """Solve the LP maximising score (+ required weight if *weighted*, + bonus if *fair*).

    *min_required* adds the row "at least that many required edges". Never raises on solver
    trouble: ``x``/``u`` are None when HiGHS gives no solution.
    """
    matrix, rhs = constraint_matrix(p)
    if min_required:
        matrix, rhs = _at_least_required(p, matrix, rhs, min_required)
    cost = np.asarray([p.value(e) if weighted else p.score[e] for e in range(p.m)], dtype=float)
    a_ub, b_ub = matrix, rhs
    if fair and p.bonus:
        a_ub, b_ub, ycost = fair_columns(p, matrix, rhs)
        cost = np.concatenate([cost, ycost])
    if p.m == 0:
        return Relaxation(np.zeros(0), np.zeros(len(rhs)), matrix, rhs)
    x, u = maximise(cost, a_ub, b_ub, time_limit)
    if x is None or u is None:
        return Relaxation(None, None, matrix, rhs)
    return Relaxation(x[: p.m], u[: len(rhs)], matrix, rhs)


def maximise(cost: np.ndarray, a_ub: sp.csc_array, b_ub: np.ndarray, time_limit: float,
             method: str = "highs-ipm", lower: np.ndarray | None = None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``max cost.x, a_ub x <= b_ub, lower <= x <= 1``: ``(x, row duals >= 0)``, or Nones on failure.

    *lower* defaults to 0 (forced edges of a bound get 1).
    """
    bounds = (0, 1) if lower is None else np.column_stack([lower, np.ones(len(cost))])
    res = linprog(-cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method=method, options={"time_limit": max(time_limit, 0.1)})
    if res.status != 0 or res.x is None:
        return None, None
    return np.asarray(res.x), np.maximum(-np.asarray(res.ineqlin.marginals), 0.0)


def certified_bound(p: Problem, relaxation: Relaxation, forced: np.ndarray) -> float | None:
    """The weak-duality bound (module docstring) for schedules containing all *forced* edges."""
    if relaxation.u is None:
        return None
    _, _, w = p.arrays()
    reduced = w - relaxation.matrix.T @ relaxation.u
    gain = np.where(forced, reduced, np.maximum(reduced, 0.0))
    bound = float(relaxation.rhs @ relaxation.u + gain.sum())
    # Weak duality holds for any u >= 0, so only rounding can undercut it: round outwards so
    # that floating point never puts the bound a hair below a schedule's score.
    return bound + 1e-9 * max(1.0, abs(bound))


def simple_bound(p: Problem) -> float:
    """A bound needing no LP: every company's best ``cap`` positive scores, halved, summed."""
    scores = np.asarray(p.score, dtype=float)
    if not (scores < 0).any():  # the same sums as the score span's, which ``prepare`` computed
        return score_span(p)
    return best_sums(p, np.maximum(scores, 0.0))
