"""A partial schedule under construction, with constant-time feasibility checks.

The board keeps, per company, a bit mask of busy slots and a meeting count; per slot, the number
of free pool tables (and a mask of slots with one left); per specific table (fixed tables,
pinned pool tables), a mask of the slots in which it is taken.
Meetings at pool tables get their table numbers only at the end (``numbered``): pool tables are
interchangeable, so counting them is enough while searching. Online meetings (table option
``ONLINE``) take no table. Per interpreter row (``interpreters``) and slot, the number of
interpreters still free, and per row a mask of slots with one left.
"""

from __future__ import annotations

import numpy as np

from .problem import ONLINE, POOL, Problem

POOL_ONLY = (POOL,)


class Board:
    """Placement state of every edge of a ``Problem``; see the module docstring."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.slot_of = [-1] * problem.m
        self.table_of = [-1] * problem.m
        self.busy = [0] * problem.n
        self.count = [0] * problem.n
        self.pool_free = [len(problem.pool)] * problem.slots
        self.pool_open = problem.full_mask if problem.pool else 0
        self.table_busy: dict[int, int] = {}
        self.hall_free = [list(row) for row in problem.interp.cap]
        self.hall_open = [sum(1 << s for s, free in enumerate(row) if free > 0) for row in problem.interp.cap]

    def copy(self) -> Board:
        """An independent copy."""
        other = Board.__new__(Board)
        other.p = self.p
        other.slot_of, other.table_of = list(self.slot_of), list(self.table_of)
        other.busy, other.count, other.pool_free = list(self.busy), list(self.count), list(self.pool_free)
        other.pool_open, other.table_busy = self.pool_open, dict(self.table_busy)
        other.hall_free, other.hall_open = [list(row) for row in self.hall_free], list(self.hall_open)
        return other

    def interpreter_slots(self, e: int) -> int:
        """Mask of slots where an interpreter for *e* is still free (all slots if none is needed)."""
        p = self.p
        mask = p.full_mask
        if p.itype[e] >= 0:
            for r in p.interp.rows_of_type[p.itype[e]]:
                mask &= self.hall_open[r]
        return mask

    def unlimit_interpreters(self, slots: int) -> None:
        """Pretend interpreters are never short in *slots* (for the shortage report)."""
        for r, row in enumerate(self.hall_free):
            self.hall_open[r] |= slots
            for s in range(self.p.slots):
                if slots >> s & 1:
                    row[s] = self.p.m + 1

    def _book_interpreter(self, e: int, s: int, delta: int) -> None:
        p = self.p
        if p.itype[e] < 0:
            return
        for r in p.interp.rows_of_type[p.itype[e]]:
            self.hall_free[r][s] += delta
            if self.hall_free[r][s] > 0:
                self.hall_open[r] |= 1 << s
            else:
                self.hall_open[r] &= ~(1 << s)

    def open_slots(self, e: int) -> int:
        """Mask of slots allowed for *e* where both companies are still free (tables ignored)."""
        return self.p.allowed[e] & ~self.busy[self.p.ea[e]] & ~self.busy[self.p.eb[e]]

    def has_room(self, e: int) -> bool:
        """Whether both companies of *e* are below their caps."""
        p = self.p
        return self.count[p.ea[e]] < p.cap[p.ea[e]] and self.count[p.eb[e]] < p.cap[p.eb[e]]

    def table_free(self, t: int, s: int) -> bool:
        """Whether table option *t* (``POOL`` or a table number) can take a meeting in slot *s*."""
        if t == POOL:
            return self.pool_free[s] > 0
        if t == ONLINE:
            return True
        if self.table_busy.get(t, 0) >> s & 1:
            return False
        return t not in self.p.pool_set or self.pool_free[s] > 0

    def feasible_slots(self, e: int) -> int:
        """Mask of slots where *e* could be placed now, tables included (caps not checked)."""
        mask = self.open_slots(e)
        if self.p.options[e] == POOL_ONLY and self.p.itype[e] < 0:  # the loop below, for the common case
            return mask & self.pool_open
        tables = 0
        for t in self.p.options[e]:
            if t == POOL:
                tables |= self.pool_open
            elif t == ONLINE:
                tables |= self.p.full_mask
            else:
                tables |= ~self.table_busy.get(t, 0) & (self.pool_open if t in self.p.pool_set else self.p.full_mask)
        return mask & tables & self.interpreter_slots(e)

    def table_at(self, e: int, s: int) -> int | None:
        """The first table option of *e* free in slot *s*, or None."""
        for t in self.p.options[e]:
            if self.table_free(t, s):
                return t
        return None

    def place(self, e: int, s: int, t: int) -> None:
        """Put edge *e* in slot *s* at table option *t* (the caller checked feasibility)."""
        p = self.p
        self.slot_of[e], self.table_of[e] = s, t
        for v in (p.ea[e], p.eb[e]):
            self.busy[v] |= 1 << s
            self.count[v] += 1
        if t == POOL or t in p.pool_set:
            self.pool_free[s] -= 1
            if not self.pool_free[s]:
                self.pool_open &= ~(1 << s)
        if t >= 0:
            self.table_busy[t] = self.table_busy.get(t, 0) | 1 << s
        self._book_interpreter(e, s, -1)

    def remove(self, e: int) -> None:
        """Take edge *e* out of the schedule."""
        p, s, t = self.p, self.slot_of[e], self.table_of[e]
        self.slot_of[e] = self.table_of[e] = -1
        for v in (p.ea[e], p.eb[e]):
            self.busy[v] &= ~(1 << s)
            self.count[v] -= 1
        if t == POOL or t in p.pool_set:
            self.pool_free[s] += 1
            self.pool_open |= 1 << s
        if t >= 0:
            self.table_busy[t] &= ~(1 << s)
        self._book_interpreter(e, s, +1)

    def try_place(self, e: int, slots: int | None = None) -> bool:
        """Place *e* in the lowest feasible slot (within mask *slots*); return success."""
        if not self.has_room(e):
            return False
        mask = self.open_slots(e) & self.interpreter_slots(e) & (self.p.full_mask if slots is None else slots)
        if self.p.options[e] == POOL_ONLY:  # the lowest slot with a free pool table, found by its mask
            mask &= self.pool_open
            if mask:
                self.place(e, (mask & -mask).bit_length() - 1, POOL)
            return bool(mask)
        while mask:
            s = (mask & -mask).bit_length() - 1
            t = self.table_at(e, s)
            if t is not None:
                self.place(e, s, t)
                return True
            mask &= mask - 1
        return False

    def placed(self) -> list[int]:
        """Edges in the schedule."""
        return np.flatnonzero(np.asarray(self.slot_of, dtype=np.int64) >= 0).tolist()

    def score(self) -> float:
        """Sum of the scores of the placed edges."""
        return sum(self.p.score[e] for e in self.placed())

    def fewest(self) -> int:
        """Fewest meetings of any company that wants meetings (0 if none wants any)."""
        return min((self.count[v] for v in self.p.wanting()), default=0)

    def required_placed(self) -> int:
        """Number of required edges in the schedule."""
        return sum(1 for e in self.placed() if self.p.required[e])

    def required_left_out(self) -> list[int]:
        """The required edges not in the schedule, in edge order."""
        return np.flatnonzero(np.asarray(self.p.required, dtype=bool) & (np.asarray(self.slot_of, dtype=np.int64) < 0)).tolist()

    def numbered(self) -> list[tuple[int, int, int | None]]:
        """``(edge, slot, table)`` for every placed edge, pool tables numbered lowest first.

        An online meeting's table is None.
        """
        busy = self.table_busy
        free = [iter([t for t in self.p.pool if not busy.get(t, 0) >> s & 1]) for s in range(self.p.slots)]
        out = []
        for e in sorted(self.placed(), key=lambda e: (self.slot_of[e], e)):
            s, t = self.slot_of[e], self.table_of[e]
            out.append((e, s, next(free[s]) if t == POOL else (None if t == ONLINE else t)))
        return out
