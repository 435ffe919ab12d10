"""Give a company left without a meeting its first one by moving an interpreter's meeting aside.

When interpreters are the scarce resource, a company whose every partner needs one can end
with nothing while the interpreters serve companies' second or fifth meetings. The repair
windows see this only when their MILP is small enough; this step looks at it directly. For
each company with no meeting, for each acceptable pair, in each slot the company is free:
if the partner, an interpreter or a table is missing there, take out one interpreted meeting of
that slot whose companies each keep a meeting (a partner's meeting included), place the
company's meeting, and put the ejected meeting back at any other feasible slot if one exists. This only ever raises the
number of companies with a meeting (the lexicographic key's first level after required pairs);
a required meeting is never ejected.
"""

from __future__ import annotations

from .board import Board


def _ejectable(board: Board, e: int, s: int) -> list[int]:
    """Interpreted, optional meetings of slot *s* whose companies keep a meeting if *e* comes in."""
    p = board.p
    sides = {p.ea[e], p.eb[e]}
    return [g for g in board.placed() if board.slot_of[g] == s and p.itype[g] >= 0 and not p.required[g]
            and all(v in sides or board.count[v] >= 2 for v in (p.ea[g], p.eb[g]))]


def _fits(board: Board, e: int, s: int) -> bool:
    return board.has_room(e) and bool(board.feasible_slots(e) >> s & 1)


def _swap_in(board: Board, e: int, s: int) -> bool:
    """Place *e* in slot *s*, ejecting one interpreted meeting of *s* if that is what it takes."""
    if _fits(board, e, s):
        board.place(e, s, board.table_at(e, s))
        return True
    for g in sorted(_ejectable(board, e, s), key=lambda g: board.p.score[g]):
        t = board.table_of[g]
        board.remove(g)
        if _fits(board, e, s):
            board.place(e, s, board.table_at(e, s))
            board.try_place(g)
            return True
        board.place(g, s, t)
    return False


def rescue_idle(board: Board) -> int:
    """Give companies with no meeting one each where possible (module docstring); return how many."""
    p, rescued = board.p, 0
    for v in p.wanting():
        if board.count[v]:
            continue
        for e in sorted(p.incident[v], key=lambda e: -p.score[e]):
            if p.score[e] < 0 and not p.required[e]:
                continue
            mask = p.allowed[e] & ~board.busy[v]
            placed = False
            while mask and not placed:
                s = (mask & -mask).bit_length() - 1
                mask &= mask - 1
                placed = _swap_in(board, e, s)
            if placed:
                rescued += 1
                break
    return rescued
