"""The public value types of the scheduler: what goes in, what comes out.

All types are frozen dataclasses except ``Result`` (which carries mutable statistics). Company
ids are strings; slots and tables are integers counted from 0. A pair is unordered: ``Pair("a",
"b", s)`` and ``Pair("b", "a", s)`` are the same pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

# Machine-readable reasons for a required meeting that could not be placed. The web UI
# translates them; ``Unplaced.detail`` carries an English explanation for logs and the CLI.
NO_COMMON_FREE_SLOT = "no_common_free_slot"
NO_TABLE = "no_table"
OVER_CAP = "over_cap"
FORBIDDEN = "forbidden"
UNKNOWN_COMPANY = "unknown_company"
INFEASIBLE = "infeasible"
NO_INTERPRETER = "no_interpreter"
REASONS = (NO_COMMON_FREE_SLOT, NO_TABLE, OVER_CAP, FORBIDDEN, UNKNOWN_COMPANY, INFEASIBLE, NO_INTERPRETER)

# How a company attends a session, and where an interpreter works. A meeting with an online
# side is an online meeting: it takes no table. An online interpreter serves online meetings only.
ONSITE = "onsite"
ONLINE = "online"
MODES = (ONSITE, ONLINE)

METHODS = ("optimal", "greedy")


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Return the canonical (sorted) key of the unordered pair ``{a, b}``."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Company:
    """A participant: at most ``cap`` meetings, none in ``unavailable`` slots.

    ``table`` is the company's fixed table (an exhibitor at its booth): all its meetings
    take place there, and nobody else uses that table. ``languages`` are the languages it
    meets in (empty = not said: it never needs an interpreter); two companies that both say
    and share none need an interpreter. ``mode`` is ``"onsite"`` or ``"online"``.
    """

    id: str
    cap: int
    unavailable: frozenset[int] = frozenset()
    table: int | None = None
    languages: frozenset[str] = frozenset()
    mode: str = ONSITE

    def __post_init__(self) -> None:
        object.__setattr__(self, "unavailable", frozenset(self.unavailable))
        object.__setattr__(self, "languages", frozenset(self.languages))


@dataclass(frozen=True)
class Interpreter:
    """An interpreter between any two of ``languages``, free except in ``unavailable`` slots.

    One interpreter serves one meeting per slot: a meeting whose sides speak A and B (no
    common language) if they speak a language of A and a language of B. An ``"online"``
    interpreter serves online meetings only; an ``"onsite"`` one serves both kinds.
    """

    id: str
    languages: frozenset[str]
    mode: str = ONSITE
    unavailable: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", frozenset(self.languages))
        object.__setattr__(self, "unavailable", frozenset(self.unavailable))


@dataclass(frozen=True)
class Pair:
    """A listed candidate meeting between companies ``a`` and ``b`` worth ``score``."""

    a: str
    b: str
    score: float


@dataclass(frozen=True)
class Pin:
    """An accepted meeting fixed by an organiser to ``slot`` and/or ``table`` (None = free).

    A pinned pair is required: it is scheduled if at all possible, at the pinned place.
    """

    a: str
    b: str
    slot: int | None = None
    table: int | None = None


def _pairs(items: Iterable[Iterable[str]]) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(item) for item in items)  # type: ignore[misc]


@dataclass(frozen=True)
class Instance:
    """One scheduling problem.

    Only ``pairs``, ``required`` and pinned pairs may meet; ``forbidden`` pairs never meet.
    Sequences given to the constructor are stored as tuples.
    """

    slots: int
    tables: int
    companies: tuple[Company, ...]
    pairs: tuple[Pair, ...] = ()
    required: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()
    pins: tuple[Pin, ...] = ()
    interpreters: tuple[Interpreter, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "interpreters", tuple(self.interpreters))
        object.__setattr__(self, "companies", tuple(self.companies))
        object.__setattr__(self, "pairs", tuple(self.pairs))
        object.__setattr__(self, "required", _pairs(self.required))
        object.__setattr__(self, "forbidden", _pairs(self.forbidden))
        object.__setattr__(self, "pins", tuple(self.pins))


@dataclass(frozen=True)
class Meeting:
    """Companies ``a`` and ``b`` meet in ``slot`` at ``table`` (None: online, no table).

    ``interpreter`` is the id of the interpreter assigned to the meeting, or None.
    """

    a: str
    b: str
    slot: int
    table: int | None
    interpreter: str | None = None


@dataclass(frozen=True)
class Unplaced:
    """A required meeting that is not in the schedule; ``reason`` is one of ``REASONS``."""

    a: str
    b: str
    reason: str
    detail: str


@dataclass
class Result:
    """A schedule and how good it is.

    ``score`` is the sum of the scheduled pairs' scores and ``bound`` an upper bound on the
    score of any feasible schedule (see the package docstring), so ``fraction`` = score / bound
    is a guaranteed quality. ``fewest_meetings`` is the smallest number of meetings of any
    company that wants meetings (cap > 0, a free slot, and a pair that could be placed).
    ``stats`` holds diagnostics (stage timings, whether optimality was proven, ...).
    ``lost_to_interpreters`` counts the meetings the schedule would gain, rearranged locally,
    if interpreters were not short, ``score_lost_to_interpreters`` the score it would gain
    (with as many meetings or more, and the same fewest); ``interpreter_slots`` lists ``(slot, meetings)``: how many
    of that schedule's interpreted meetings in the slot the real interpreters cannot cover,
    most first (see ``staffing``).

    Fairness (see ``fairness``): ``floor`` is the fewest meetings of a company that has some
    and could have more; ``levels[k-1]`` how many companies wanting meetings have at least k;
    ``idle`` maps each company with no meeting to why (``fairness.idle``). ``bound`` is the fair
    bound (the LP with the same floors) and ``unfair_bound`` the bound without floors, so
    ``unfair_bound - score`` is the most score fairness can have cost.
    """

    meetings: list[Meeting]
    score: float
    bound: float
    unplaced: list[Unplaced]
    seconds: float
    method: str
    fewest_meetings: int
    stats: dict = field(default_factory=dict)
    lost_to_interpreters: int = 0
    interpreter_slots: list[tuple[int, int]] = field(default_factory=list)
    score_lost_to_interpreters: float = 0.0
    unfair_bound: float | None = None
    floor: int = 0
    levels: tuple[int, ...] = ()
    idle: dict[str, str] = field(default_factory=dict)

    @property
    def meetings_count(self) -> int:
        """The number of scheduled meetings."""
        return len(self.meetings)

    @property
    def fraction(self) -> float:
        """``score / bound`` (1.0 when the bound is 0)."""
        return self.score / self.bound if self.bound > 0 else 1.0
