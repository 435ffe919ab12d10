"""After the schedule: who interprets which meeting, and what the shortage of interpreters cost.

``assign``: per slot, a maximum bipartite matching between the meetings that need an
interpreter and the interpreters free in that slot who serve them. The board kept every slot
within the Hall rows (``interpreters``), so every such meeting gets one.

``shortage``: what the shortage of interpreters cost. On a copy of the finished board with
interpreters unlimited, the unplaced pairs needing one are placed greedily (required first,
then by score), the repair step rearranges the schedule around them and windows around the
pairs still waiting let full companies trade a partner for a better one, for a short budget:
the meetings gained are the meetings lost to the shortage, and the score the relaxed schedule
gains (it keeps the fewest meetings of a company, so fairness pays nothing for it) the score
lost to it: a shortage often costs no meeting but pairs companies with a second-best partner
who shares their language. Per slot, how many of that relaxed schedule's interpreted meetings
the real interpreters free in the slot cannot cover (the interpreters that slot lacks), most
first; no slot when the shortage cost neither a meeting nor ``MATERIAL`` of the score (the
repair may swap pairs for a gain too small to be worth an interpreter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from .board import Board
from .repair import repair, swap_in
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


MATERIAL = 0.001  # a score gain below this share of the schedule's score is not reported


@dataclass(frozen=True)
class Shortage:
    """What the interpreter shortage cost (module docstring); nothing when ``slots`` is empty."""

    meetings: int = 0
    score: float = 0.0
    slots: list[tuple[int, int]] = field(default_factory=list)


def _score(board: Board) -> float:
    return float(sum(board.p.score[e] for e in board.placed()))


def shortage(board: Board, deadline: float) -> Shortage:
    """The meetings and the score lost to the interpreter shortage, and ``(slot, interpreters
    the slot lacks)`` most lacking first, only those lacking one or more. The repair of the
    relaxed copy stops at *deadline* (``time.monotonic()``).
    """
    p = board.p
    if not p.interp.rows:
        return Shortage()
    everywhere = board.copy()
    edges = _candidates(everywhere)
    _fill(everywhere, edges, p.full_mask)  # normally nothing: what fits without more interpreters
    before, score = len(everywhere.placed()), _score(everywhere)
    everywhere.unlimit_interpreters(p.full_mask)
    _fill(everywhere, [e for e in edges if everywhere.slot_of[e] < 0], p.full_mask)
    floors = Floors(score=True, fewest=everywhere.fewest())
    repair(everywhere, deadline, floors=floors)
    waiting = sorted((e for e in range(p.m) if p.itype[e] >= 0 and everywhere.slot_of[e] < 0 and p.score[e] > 0),
                     key=lambda e: (-p.score[e], e))
    swap_in(everywhere, waiting, deadline, floors)  # full companies trading a partner for a better one
    lost = max(len(everywhere.placed()) - before, 0)
    gained = max(_score(everywhere) - score, 0.0)
    if not lost and gained <= MATERIAL * max(abs(score), 1e-9):
        return Shortage()
    per_slot = []
    for s, placed in sorted(_interpreted_by_slot(everywhere).items()):
        missing = sum(who is None for who in _match(everywhere, placed, s))
        if missing:
            per_slot.append((s, missing))
    per_slot.sort(key=lambda item: (-item[1], item[0]))
    return Shortage(lost, gained, per_slot)
