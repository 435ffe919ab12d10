"""After the schedule: who interprets which meeting, and what the shortage of interpreters cost.

``assign``: per slot, a maximum bipartite matching between the meetings that need an
interpreter and the interpreters free in that slot who serve them. The board kept every slot
within the Hall rows (``interpreters``), so every such meeting gets one.

``shortage``: what the shortage of interpreters cost. On a copy of the finished board with
interpreters unlimited, the unplaced pairs needing one are placed greedily (required first,
then by score) and the repair step rearranges the schedule around them for a short budget:
the meetings gained are the meetings lost to the shortage. Per slot, how many of that
relaxed schedule's interpreted meetings the real interpreters free in the slot cannot cover
(the interpreters that slot lacks), most first; no slot when no meeting was lost (the relaxed
schedule may then swap pairs, but more interpreters would add no meeting).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from .board import Board
from .repair import repair
from .window import Floors


def _match(board: Board, edges: list[int], s: int) -> list[str | None]:
    """Interpreter id (or None) for each of *edges* in slot *s*: a maximum bipartite matching."""
    p = board.p
    interpreters = p.instance.interpreters
    free = [i for i, person in enumerate(interpreters) if s not in person.unavailable]
    rows, cols = [], []
    for row, e in enumerate(edges):
        for col, i in enumerate(free):
            if p.interp.serves(p.itype[e], i):
                rows.append(row)
                cols.append(col)
    graph = sp.csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(edges), len(free)))
    match = maximum_bipartite_matching(graph, perm_type="column")
    return [interpreters[free[col]].id if col >= 0 else None for col in match]


def _interpreted_by_slot(board: Board) -> dict[int, list[int]]:
    by_slot: dict[int, list[int]] = {}
    for e in board.placed():
        if board.p.itype[e] >= 0:
            by_slot.setdefault(board.slot_of[e], []).append(e)
    return by_slot


def assign(board: Board) -> dict[int, str]:
    """Edge -> interpreter id for every placed edge that needs one (module docstring)."""
    out: dict[int, str] = {}
    for s, edges in sorted(_interpreted_by_slot(board).items()):
        out.update((e, who) for e, who in zip(edges, _match(board, edges, s)) if who is not None)
    return out


def _candidates(board: Board) -> list[int]:
    p = board.p
    waiting = [e for e in range(p.m) if p.itype[e] >= 0 and board.slot_of[e] < 0 and board.has_room(e)
               and board.open_slots(e) and (p.required[e] or p.score[e] >= 0)]
    return sorted(waiting, key=lambda e: (not p.required[e], -p.score[e], e))


def _fill(board: Board, edges: list[int], slots: int) -> None:
    for e in edges:
        board.try_place(e, slots)


def shortage(board: Board, deadline: float) -> tuple[int, list[tuple[int, int]]]:
    """``(meetings lost to the interpreter shortage, [(slot, interpreters the slot lacks)])``.

    Slots are listed most lacking first, only those lacking one or more, and none when no
    meeting was lost. The repair of the
    relaxed copy stops at *deadline* (``time.monotonic()``).
    """
    p = board.p
    if not p.interp.rows:
        return 0, []
    everywhere = board.copy()
    edges = _candidates(everywhere)
    _fill(everywhere, edges, p.full_mask)  # normally nothing: what fits without more interpreters
    before = len(everywhere.placed())
    everywhere.unlimit_interpreters(p.full_mask)
    _fill(everywhere, [e for e in edges if everywhere.slot_of[e] < 0], p.full_mask)
    repair(everywhere, deadline, floors=Floors(score=True, fewest=everywhere.fewest()))
    lost = max(len(everywhere.placed()) - before, 0)
    if not lost:
        return 0, []
    per_slot = []
    for s, placed in sorted(_interpreted_by_slot(everywhere).items()):
        missing = sum(who is None for who in _match(everywhere, placed, s))
        if missing:
            per_slot.append((s, missing))
    per_slot.sort(key=lambda item: (-item[1], item[0]))
    return lost, per_slot
