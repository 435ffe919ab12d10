"""The baseline: sort by score (required first), take the first feasible slot and table.

Kept honest on purpose: no look-ahead, no repair. It is what an organiser would do by hand
with a spreadsheet, and the yardstick the optimising method is measured against.
"""

from __future__ import annotations

from .board import Board
from .problem import Problem


def greedy_order(p: Problem) -> list[int]:
    """Edges in greedy order: pins (slot+table, slot, table), then required, then by score desc."""
    def key(e: int) -> tuple:
        pinned = (p.pin_slot[e] >= 0) * 2 + (p.pin_table[e] >= 0)
        rank = 0 if pinned else (1 if p.required[e] else 2)
        return (rank, -pinned, -p.score[e], e)
    return sorted(range(p.m), key=key)


def greedy(p: Problem) -> Board:
    """Place every edge in greedy order at its first feasible (lowest) slot and table.

    Optional pairs with a negative score are skipped: they would only lower the score.
    """
    board = Board(p)
    for e in greedy_order(p):
        if p.required[e] or p.score[e] >= 0:
            board.try_place(e)
    return board
