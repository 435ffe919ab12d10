"""Numpy views of a problem's edges and a board's state, for the passes over every edge.

The refill (``solver``) and the repair's choice of windows and opportunities (``repair``) look
at every edge once per step; at 20,000 companies (about 400,000 edges) Python loops there took
seconds. These helpers compute the same numbers with array operations, in the same floating
point order (``value + (bonus_a + bonus_b)``), so that sorting by them gives the same order as
the loops did. Slot masks are int64: only for problems of at most ``MAX_SLOTS`` slots (callers
keep their loops beyond that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem
from .specs import MAX_SLOTS


@dataclass
class EdgeArrays:
    """A problem's edges as arrays: endpoints, required flags, slot masks, objective weights."""

    ea: np.ndarray
    eb: np.ndarray
    required: np.ndarray
    allowed: np.ndarray
    value: np.ndarray


def applies(p: Problem) -> bool:
    """Whether slot masks fit the arrays (module docstring)."""
    return p.slots <= MAX_SLOTS


def edge_arrays(p: Problem) -> EdgeArrays:
    """*p*'s edges as arrays, built once per problem (edges never change after ``prepare``)."""
    cached = p.__dict__.get("_edge_arrays")
    if cached is None or len(cached.ea) != p.m:
        required = np.asarray(p.required, dtype=bool)
        value = np.asarray(p.score, dtype=float) + np.where(required, p.required_weight, 0.0)
        cached = EdgeArrays(np.asarray(p.ea, dtype=np.int64), np.asarray(p.eb, dtype=np.int64), required,
                            np.asarray(p.allowed, dtype=np.int64), value)
        p.__dict__["_edge_arrays"] = cached
    return cached


def gains(p: Problem, count: list[int], edges: np.ndarray) -> np.ndarray:
    """Per edge of *edges*: its value plus the fairness bonus of each side's next meeting."""
    arrays = edge_arrays(p)
    bonus = np.asarray([*p.bonus, 0.0], dtype=float)
    level = np.minimum(np.asarray(count, dtype=np.int64), len(p.bonus))
    return arrays.value[edges] + (bonus[level[arrays.ea[edges]]] + bonus[level[arrays.eb[edges]]])


def usable(p: Problem, count: list[int], busy: list[int], edges: np.ndarray) -> np.ndarray:
    """Per edge of *edges*: the allowed slots where a side below its cap is free."""
    arrays = edge_arrays(p)
    short = np.asarray(count, dtype=np.int64) < np.asarray(p.cap, dtype=np.int64)
    free = ~np.asarray(busy, dtype=np.int64)
    allowed, a, b = arrays.allowed[edges], arrays.ea[edges], arrays.eb[edges]
    return np.where(short[a], allowed & free[a], 0) | np.where(short[b], allowed & free[b], 0)


def opportunities(p: Problem, count: list[int], busy: list[int], slot_of: list[int]) -> list[int]:
    """Unplaced edges usable by a deficient side (free in one of its slots), and unplaced required ones."""
    arrays = edge_arrays(p)
    cap, busy_now = np.asarray(p.cap, dtype=np.int64), np.asarray(busy, dtype=np.int64)
    count_now = np.asarray(count, dtype=np.int64)
    deficient = (count_now < cap) & (np.asarray(p.avail, dtype=np.int64) & ~busy_now != 0)
    open_a = deficient[arrays.ea] & (arrays.allowed & ~busy_now[arrays.ea] != 0)
    open_b = deficient[arrays.eb] & (arrays.allowed & ~busy_now[arrays.eb] != 0)
    unplaced = np.asarray(slot_of, dtype=np.int64) < 0
    return np.flatnonzero(unplaced & (arrays.required | open_a | open_b)).tolist()


def slot_counts(masks: np.ndarray, slots: int) -> list[int]:
    """How many of *masks* have each slot's bit."""
    return [int(np.count_nonzero(masks >> s & 1)) for s in range(slots)]


def lowest(masks: np.ndarray, values: list[float]) -> np.ndarray:
    """Per mask: the least of *values* over its slots (``inf`` for an empty mask)."""
    out = np.full(len(masks), np.inf)
    for s, value in enumerate(values):
        out = np.where(masks >> s & 1, np.minimum(out, value), out)
    return out
