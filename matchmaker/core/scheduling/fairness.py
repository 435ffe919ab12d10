"""Fair under scarcity: the lexicographic objective, its weights, its figures and its bound.

The objective compares schedules by the key

    (required pairs placed, companies with >= 1 meeting, companies with >= 2, ..., >= L, score)

from left to right ("first every company that can have a meeting gets one, then a second, ...,
then the total score"). Only companies that want meetings count (``Problem.wanting``). It is
written as one weighted sum so that the MILP, the LP and the repair windows all optimise it:

    score  +  sum over companies v and levels k <= L of  w[k] * [meetings(v) >= k]
           +  R * (required pairs placed)

with ``w[L] = S + top`` where ``S`` bounds any change of the score (half the sum of every
company's best ``cap`` absolute scores) and ``top`` is the best score, ``w[k] = (W + 1) w[k+1]``
for ``W`` companies wanting meetings, and ``R = (W + 1) * L * w[1] + 2 S + top``. One more company at
level k then outweighs every possible change at the levels after it and of the score
(``w[k] > W w[k+1] + W w[k+2] + ... + S``), and one more required pair outweighs everything
else: the weighted optimum is the lexicographic optimum. When ``R`` would pass ``REQUIRED_PRECISION``
times the best score (very large sessions), it falls back to a weight that wins every local trade
(``10 (slots + 1) (top + 2 sum w)``): the colouring places required pairs first and the repair
windows keep every placed required pair, so they still come first. ``L`` is the number of levels whose
weights stay within ``PRECISION`` times the best score (double precision must still resolve the
score under them): on small sessions up to the largest cap, on large ones 1 or 2.

The fair bound (``fair_bound``) is the LP relaxation of the same problem *with the same
floors*: the b-matching and table rows of ``lp``, plus columns ``y[v,k]`` ("v has at least k
meetings", ``sum_k y[v,k] <= meetings(v)``) and rows ``sum_v y[v,k] >= c_k`` where ``c_k`` is
the number of companies the schedule brings to level k. Every schedule at least as fair as
the returned one at every level is feasible for it, so its optimum bounds their score; it is
certified by weak duality like the unfair bound.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from .lp import Relaxation, constraint_matrix, fair_columns, maximise
from .problem import LEXICOGRAPHIC, PRECISION, Problem, lexicographic_weights, score_span

__all__ = ["LEXICOGRAPHIC", "PRECISION", "lexicographic_weights", "score_span", "levels", "lex_key",
           "floor_reached", "idle", "fair_relaxation", "certify", "fair_bound"]


def levels(p: Problem, count: list[int], depth: int | None = None) -> tuple[int, ...]:
    """Companies wanting meetings with at least k meetings, for k = 1..depth (default L)."""
    depth = len(p.bonus) if depth is None else depth
    wanting = p.wanting()
    return tuple(sum(1 for v in wanting if count[v] >= k) for k in range(1, depth + 1))


def lex_key(board) -> tuple:
    """The lexicographic key of a ``Board`` (module docstring); larger is better."""
    return (board.required_placed(), *levels(board.p, board.count), round(board.score(), 9))


def floor_reached(p: Problem, count: list[int]) -> int:
    """The floor: fewest meetings of a company that has some and could have more.

    Companies with no meeting are the ones *below* the floor (``idle``); a company at its own
    limit (cap or free slots or partners) does not pull the floor down.
    """
    some = [v for v in p.wanting() if count[v] > 0]
    short = [count[v] for v in some if count[v] < min(p.cap[v], len(p.incident[v]))]
    return min(short or [count[v] for v in some] or [0])


def idle(board) -> dict[str, str]:
    """Why each company with no meeting has none, by id.

    ``cap_zero`` (a maximum of 0), ``unavailable`` (in every slot), ``no_partner`` (no
    acceptable pair that could meet), ``no_table`` (a partner had room and a common free slot
    but every table there was taken), ``no_interpreter`` (the same, but no interpreter for
    them was free there) or ``partners_full`` (its partners are at their limits or
    busy whenever it is free).
    """
    p, out = board.p, {}
    for v in range(p.n):
        if board.count[v]:
            continue
        if p.instance.companies[v].cap == 0:
            out[p.ids[v]] = "cap_zero"
        elif not p.avail[v]:
            out[p.ids[v]] = "unavailable"
        elif not p.incident[v] or not p.cap[v]:
            out[p.ids[v]] = "no_partner"
        elif any(board.has_room(e) and board.open_slots(e) & board.interpreter_slots(e) for e in p.incident[v]):
            out[p.ids[v]] = "no_table"
        elif any(board.has_room(e) and board.open_slots(e) for e in p.incident[v]):
            out[p.ids[v]] = "no_interpreter"
        else:
            out[p.ids[v]] = "partners_full"
    return out


def _floor_rows(p: Problem, matrix: sp.csc_array, rhs: np.ndarray, floors: tuple[int, ...]) -> tuple[sp.csc_array, np.ndarray]:
    """Append ``-sum_v y[v,k] <= -c_k`` for each level (y columns follow the edge columns)."""
    wanting, depth = len(p.wanting()), len(floors)
    cols = p.m + np.arange(wanting * depth)
    rows = np.tile(np.arange(depth), wanting)
    block = sp.csc_array((-np.ones(len(cols)), (rows, cols)), shape=(depth, matrix.shape[1]))
    # relax each floor by a hair: still valid (any schedule reaching c_k satisfies it) and robust
    return sp.vstack([matrix, block]).tocsc(), np.concatenate([rhs, -(np.asarray(floors, dtype=float) - 1e-6)])


def fair_relaxation(p: Problem, floors: tuple[int, ...], time_limit: float, min_required: int | None = None,
                    forced: np.ndarray | None = None) -> Relaxation:
    """Solve the LP of ``fair_bound`` (score only); x/u are None when HiGHS fails.

    *forced* edges are held at 1 in the LP itself, so that the duals ``certify`` uses are the
    optimal ones for the forced problem (the certificate is valid for any duals; these are the
    tightest).
    """
    matrix, rhs = constraint_matrix(p)
    if min_required:
        row = sp.csc_array(-np.asarray(p.required, dtype=float).reshape(1, -1))
        matrix, rhs = sp.vstack([matrix, row]).tocsc(), np.append(rhs, -float(min_required))
    full, full_rhs, _ = fair_columns(p, matrix, rhs)
    full, full_rhs = _floor_rows(p, full, full_rhs, floors)
    cost = np.concatenate([np.asarray(p.score, dtype=float), np.zeros(full.shape[1] - p.m)])
    if p.m == 0:
        return Relaxation(np.zeros(0), np.zeros(len(full_rhs)), full, full_rhs)
    lower = None
    if forced is not None and forced.any():
        lower = np.zeros(full.shape[1])
        lower[: p.m] = forced
    x, u = maximise(cost, full, full_rhs, time_limit, lower=lower)
    return Relaxation(x, u, full, full_rhs)


def certify(p: Problem, relaxation: Relaxation, forced: np.ndarray) -> float | None:
    """Weak-duality bound over every column (edges, then y's with cost 0); *forced* edges at 1."""
    if relaxation.u is None:
        return None
    cost = np.zeros(relaxation.matrix.shape[1])
    cost[: p.m] = p.score
    reduced = cost - relaxation.matrix.T @ relaxation.u
    is_forced = np.zeros(len(cost), dtype=bool)
    is_forced[: p.m] = forced
    gain = np.where(is_forced, reduced, np.maximum(reduced, 0.0))
    bound = float(relaxation.rhs @ relaxation.u + gain.sum())
    return bound + 1e-9 * max(1.0, abs(bound))


def fair_bound(p: Problem, board, forced: np.ndarray, min_required: int | None, time_limit: float) -> float | None:
    """The certified fair bound for schedules at least as fair as *board* (module docstring)."""
    if not p.bonus or not p.wanting():
        return None
    floors = levels(p, board.count)
    return certify(p, fair_relaxation(p, floors, time_limit, min_required, forced), forced)
