"""After the schedule: who interprets which meeting, and what the shortage of interpreters cost.

``assign``: per slot, a maximum bipartite matching between the meetings that need an
interpreter and the interpreters free in that slot who serve them. The board kept every slot
within the Hall rows (``interpreters``), so every such meeting gets one.

``shortage``: what the shortage of interpreters cost. The finished schedule is copied onto the
same instance without languages or interpreters (interpreters unlimited: this also brings back
the pairs no interpreter was free to serve in any slot, which the real problem leaves out), and
there the unplaced pairs needing one are placed greedily (required first,
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

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from .board import Board
from .interpreters import can_serve, needs_interpreter
from .model import Instance
from .problem import LEXICOGRAPHIC, prepare, top_score
from .repair import repair, swap_in
from .window import Floors


def _matched(board: Board, instance: Instance, edges: list[int], s: int) -> list[str | None]:
    """Interpreter id (or None) for each of *edges* (meetings of *board* in slot *s*): a maximum
    bipartite matching with the interpreters of *instance* free in *s* who can serve them."""
    p, companies = board.p, instance.companies
    free = [person for person in instance.interpreters if s not in person.unavailable]
    rows, cols = [], []
    for row, e in enumerate(edges):
        for col, person in enumerate(free):
            if can_serve(person.languages, person.mode, companies[p.ea[e]], companies[p.eb[e]]):
                rows.append(row)
                cols.append(col)
    graph = sp.csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(edges), len(free)))
    match = maximum_bipartite_matching(graph, perm_type="column")
    return [free[col].id if col >= 0 else None for col in match]


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
        out.update((e, who) for e, who in zip(edges, _matched(board, board.p.instance, edges, s)) if who is not None)
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


def _unlimited(board: Board) -> Board:
    """*board*'s schedule on its instance with interpreters unlimited: the same instance with no
    languages and no interpreter (then every pair is scheduled as if one were free, including the
    pairs that no listed interpreter could serve at all, which the real problem leaves out), the
    same meetings at the same slots and tables. Its edges keep the instance's company indices."""
    p = board.p
    fairness = LEXICOGRAPHIC if p.lexicographic else tuple(b / top_score(p) for b in p.bonus)
    companies = [dataclasses.replace(c, languages=frozenset()) for c in p.instance.companies]
    q = prepare(dataclasses.replace(p.instance, companies=companies, interpreters=[]), fairness)
    index = {(min(a, b), max(a, b)): e for e, (a, b) in enumerate(zip(q.ea, q.eb))}
    relaxed = Board(q)
    for e in board.placed():
        relaxed.place(index[min(p.ea[e], p.eb[e]), max(p.ea[e], p.eb[e])], board.slot_of[e], board.table_of[e])
    return relaxed


def shortage(board: Board, deadline: float) -> Shortage:
    """The meetings and the score lost to the interpreter shortage, and ``(slot, interpreters
    the slot lacks)`` most lacking first, only those lacking one or more. The repair of the
    relaxed copy stops at *deadline* (``time.monotonic()``).
    """
    p = board.p
    if not p.instance.interpreters:
        return Shortage()
    everywhere = board.copy()
    _fill(everywhere, _candidates(everywhere), p.full_mask)  # normally nothing: what fits without more interpreters
    before, score = len(everywhere.placed()), _score(everywhere)
    relaxed = _unlimited(everywhere)
    q, companies = relaxed.p, p.instance.companies
    interpreted = [e for e in range(q.m) if needs_interpreter(companies[q.ea[e]], companies[q.eb[e]])]
    waiting = sorted((e for e in interpreted if relaxed.slot_of[e] < 0 and (q.required[e] or q.score[e] >= 0)),
                     key=lambda e: (not q.required[e], -q.score[e], e))
    _fill(relaxed, waiting, q.full_mask)
    floors = Floors(score=True, fewest=relaxed.fewest())
    repair(relaxed, deadline, floors=floors)
    # full companies trading a partner for a better one
    swap_in(relaxed, [e for e in waiting if relaxed.slot_of[e] < 0 and q.score[e] > 0], deadline, floors)
    lost = max(len(relaxed.placed()) - before, 0)
    gained = max(_score(relaxed) - score, 0.0)
    if not lost and gained <= MATERIAL * max(abs(score), 1e-9):
        return Shortage()
    by_slot: dict[int, list[int]] = {}
    for e in interpreted:
        if relaxed.slot_of[e] >= 0:
            by_slot.setdefault(relaxed.slot_of[e], []).append(e)
    lacking = ((s, _matched(relaxed, p.instance, edges, s).count(None)) for s, edges in sorted(by_slot.items()))
    per_slot = [(s, missing) for s, missing in lacking if missing]
    per_slot.sort(key=lambda item: (-item[1], item[0]))
    return Shortage(lost, gained, per_slot)
