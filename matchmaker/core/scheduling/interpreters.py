"""Interpreters as a resource with a capacity per slot, made exact by Hall's condition.

A meeting needs an interpreter when both companies say their languages and share none. Its
*demand type* is (languages of one side, languages of the other, online or not); interpreters
fall into *classes* of equal languages and mode. A class serves a type when it speaks a
language of each side and is on site or the meeting is online. ``nbhd[t]`` is the bit mask of
the classes serving type ``t``.

Within one slot, interpreters can be matched to the interpreted meetings iff Hall's condition
holds: for every set of meetings, at least as many interpreters are free who serve one of them.
The worst sets are "every meeting whose type is served only by classes in N", so one row per
class set N suffices:

    meetings in slot s of the types t with nbhd[t] within N  <=  free interpreters of N in s

N ranges over unions of the types' neighbourhoods; a union that is not exactly the union of
the types inside it, or whose types split into groups sharing no class, is implied by smaller
rows and dropped. With a handful of languages there are a handful of rows. The board, the
window MILP and the LP bound all count meetings against these rows, so a schedule that obeys
them always has an interpreter assignment (``staffing.assign``, a bipartite matching per slot).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import model as m


def needs_interpreter(a: m.Company, b: m.Company) -> bool:
    """Whether companies *a* and *b* both say their languages and share none."""
    return bool(a.languages) and bool(b.languages) and not a.languages & b.languages


def can_serve(languages: frozenset[str], mode: str, a: m.Company, b: m.Company) -> bool:
    """Whether an interpreter of *languages* and *mode* can serve a meeting of *a* and *b*: a
    language of each side, and on site only when neither company attends online."""
    online = m.ONLINE in (a.mode, b.mode)
    return (online or mode == m.ONSITE) and bool(languages & a.languages) and bool(languages & b.languages)


def _connected(types: list[int], nbhd: list[int]) -> bool:
    """Whether the types' neighbourhoods form one group when types sharing a class are joined."""
    reach, left = nbhd[types[0]], set(types[1:])
    grew = True
    while grew and left:
        grew = False
        for t in list(left):
            if nbhd[t] & reach:
                reach |= nbhd[t]
                left.discard(t)
                grew = True
    return not left


@dataclass
class Plan:
    """Interpreter classes, demand types and Hall rows of one instance (module docstring)."""

    slots: int
    classes: list[tuple[frozenset[str], str]] = field(default_factory=list)
    class_of: list[int] = field(default_factory=list)  # per interpreter (instance order)
    free: list[list[int]] = field(default_factory=list)  # per class, per slot: interpreters free
    type_keys: dict[tuple, int] = field(default_factory=dict)
    nbhd: list[int] = field(default_factory=list)  # per type: mask of serving classes
    slot_ok: list[int] = field(default_factory=list)  # per type: slots with a serving interpreter free
    rows: list[int] = field(default_factory=list)  # per row: class mask N
    cap: list[list[int]] = field(default_factory=list)  # per row, per slot
    rows_of_type: list[tuple[int, ...]] = field(default_factory=list)

    def _cap(self, classes: int, s: int) -> int:
        return sum(self.free[c][s] for c in range(len(self.classes)) if classes >> c & 1)

    def type_for(self, a: m.Company, b: m.Company) -> int:
        """The demand type of a meeting of *a* and *b* (registered on first use), -1 if none."""
        if not needs_interpreter(a, b):
            return -1
        online = m.ONLINE in (a.mode, b.mode)
        sides = sorted((tuple(sorted(a.languages)), tuple(sorted(b.languages))))
        key = (sides[0], sides[1], online)
        if key not in self.type_keys:
            mask = 0
            for c, (languages, mode) in enumerate(self.classes):
                if can_serve(languages, mode, a, b):
                    mask |= 1 << c
            self.type_keys[key] = len(self.nbhd)
            self.nbhd.append(mask)
            self.slot_ok.append(sum(1 << s for s in range(self.slots) if self._cap(mask, s) > 0))
        return self.type_keys[key]

    def serves(self, t: int, interpreter: int) -> bool:
        """Whether the interpreter at position *interpreter* serves demand type *t*."""
        return bool(self.nbhd[t] >> self.class_of[interpreter] & 1)

    def finish(self, used: set[int]) -> None:
        """Build the Hall rows over the demand types in *used* (those of viable edges)."""
        distinct = sorted({self.nbhd[t] for t in used if self.nbhd[t]})
        unions: set[int] = set()
        for mask in distinct:
            unions |= {u | mask for u in unions} | {mask}
        for union in sorted(unions):
            inside = [t for t in sorted(used) if self.nbhd[t] and self.nbhd[t] & ~union == 0]
            covered = 0
            for t in inside:
                covered |= self.nbhd[t]
            if covered == union and _connected(inside, self.nbhd):
                self.rows.append(union)
                self.cap.append([self._cap(union, s) for s in range(self.slots)])
        self.rows_of_type = [tuple(r for r, union in enumerate(self.rows) if mask and mask & ~union == 0)
                             for mask in self.nbhd]


def build_plan(instance: m.Instance) -> Plan:
    """The interpreter classes of *instance* and their free interpreters per slot."""
    plan = Plan(instance.slots)
    index: dict[tuple[frozenset[str], str], int] = {}
    for interpreter in instance.interpreters:
        key = (interpreter.languages, interpreter.mode)
        if key not in index:
            index[key] = len(plan.classes)
            plan.classes.append(key)
            plan.free.append([0] * instance.slots)
        c = index[key]
        plan.class_of.append(c)
        for s in range(instance.slots):
            plan.free[c][s] += s not in interpreter.unavailable
    return plan
