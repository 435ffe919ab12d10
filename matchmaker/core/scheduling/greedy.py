"""The baseline: sort by score (required first), take the first feasible slot and table.

Kept honest on purpose: no look-ahead, no repair. It is what an organiser would do by hand
with a spreadsheet, and the yardstick the optimising method is measured against.
"""

from __future__ import annotations

import numpy as np

from .board import Board
from .problem import Problem


def greedy_order(p: Problem) -> list[int]:
    """Edges in greedy order: pins (slot+table, slot, table), then required, then by score desc (then index)."""
    pinned = (np.asarray(p.pin_slot, dtype=np.int64) >= 0) * 2 + (np.asarray(p.pin_table, dtype=np.int64) >= 0)
    rank = np.where(pinned > 0, 0, np.where(np.asarray(p.required, dtype=bool), 1, 2))
    score = np.asarray(p.score, dtype=float)
    return np.lexsort((np.arange(p.m), -score, -pinned, rank)).tolist()


def greedy(p: Problem) -> Board:
    """Place every edge in greedy order at its first feasible (lowest) slot and table.

    Optional pairs with a negative score are skipped: they would only lower the score.
    """
    board = Board(p)
    count, cap = board.count, p.cap
    for e in greedy_order(p):
        a, b = p.ea[e], p.eb[e]
        if count[a] < cap[a] and count[b] < cap[b] and (p.required[e] or p.score[e] >= 0):
            board.try_place(e)  # it checks the caps too: the test above only skips the hopeless
    return board
