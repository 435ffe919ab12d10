"""Slot and break maths of a matchmaking session: a wall-clock plan in, UTC slots out.

An organiser thinks in the event's local time ("Tuesday 1 December, 09:00 to 12:30 in Hanoi,
25-minute meetings, 5 minutes to change tables, coffee 10:30–10:45"); the database and the
scheduler think in UTC instants and slot numbers. ``build_slots`` turns a ``SessionPlan`` into
the ordered list of slot ``Interval`` s:

* the first slot starts at the session start; each next one starts ``buffer`` minutes after the
  previous one ends;
* a slot that would overlap a break starts at the end of that break instead (no buffer is
  added after a break: the break is the pause);
* a slot that would end after the session end is not made.

Bad plans raise ``PlanError(field, code, **params)``: the code is machine-readable (the web
layer translates it), ``field`` names the input at fault. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SLOT_MIN, SLOT_MAX, SLOT_STEP = 15, 60, 5  # minutes; a 17-minute slot does not "divide sensibly"
BUFFER_MAX = 30
MAX_SLOTS = 48

# Error codes of PlanError, one per thing a person can get wrong.
TIMEZONE = "timezone"
END_BEFORE_START = "end_before_start"
SLOT_LENGTH = "slot_length"
SLOT_STEP_CODE = "slot_step"
BUFFER = "buffer"
BREAK_FORMAT = "break_format"
BREAK_ORDER = "break_order"
BREAK_OUTSIDE = "break_outside"
BREAK_OVERLAP = "break_overlap"
NO_SLOTS = "no_slots"
TOO_MANY_SLOTS = "too_many_slots"


class PlanError(ValueError):
    """A session plan that cannot be used; ``code`` says why, ``params`` fill the message."""

    def __init__(self, field: str, code: str, **params: object):
        super().__init__(f"{field}: {code} {params}")
        self.field = field
        self.code = code
        self.params = params


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time ``[start, end)`` between two aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        """Whether the two spans share any instant (touching ends do not overlap)."""
        return self.start < other.end and other.start < self.end

    @property
    def minutes(self) -> int:
        """Length in whole minutes."""
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Break:
    """A pause inside a session, in local wall-clock time."""

    start: time
    end: time


@dataclass(frozen=True)
class SessionPlan:
    """What an organiser types: day, local start and end, slot length, buffer, breaks, zone."""

    day: date
    start: time
    end: time
    slot_minutes: int
    buffer_minutes: int = 0
    breaks: tuple[Break, ...] = ()
    timezone: str = "Asia/Ho_Chi_Minh"

    def __post_init__(self) -> None:
        object.__setattr__(self, "breaks", tuple(self.breaks))


def zone(name: str) -> ZoneInfo:
    """The IANA zone *name*, or PlanError("timezone") when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanError("timezone", TIMEZONE, zone=name) from None


def to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock time *wall* on *day* in zone *tz*."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(timezone.utc)


def _check_numbers(plan: SessionPlan) -> None:
    if not SLOT_MIN <= plan.slot_minutes <= SLOT_MAX:
        raise PlanError("slot_minutes", SLOT_LENGTH, min=SLOT_MIN, max=SLOT_MAX)
    if plan.slot_minutes % SLOT_STEP:
        raise PlanError("slot_minutes", SLOT_STEP_CODE, step=SLOT_STEP)
    if not 0 <= plan.buffer_minutes <= BUFFER_MAX:
        raise PlanError("buffer_minutes", BUFFER, max=BUFFER_MAX)


def _check_breaks(plan: SessionPlan) -> None:
    ordered = sorted(plan.breaks, key=lambda b: b.start)
    for item in ordered:
        label = f"{item.start:%H:%M}-{item.end:%H:%M}"
        if item.end <= item.start:
            raise PlanError("breaks", BREAK_ORDER, value=label)
        if item.start < plan.start or item.end > plan.end:
            raise PlanError("breaks", BREAK_OUTSIDE, value=label)
    for first, second in zip(ordered, ordered[1:]):
        if second.start < first.end:
            raise PlanError("breaks", BREAK_OVERLAP, value=f"{second.start:%H:%M}-{second.end:%H:%M}")


def check_plan(plan: SessionPlan) -> None:
    """Raise PlanError for the first thing wrong with *plan* (order: zone, times, numbers, breaks)."""
    zone(plan.timezone)
    if plan.end <= plan.start:
        raise PlanError("end", END_BEFORE_START)
    _check_numbers(plan)
    _check_breaks(plan)


def build_slots(plan: SessionPlan) -> list[Interval]:
    """The slots of *plan* in order, as UTC intervals; PlanError if the plan is bad or yields none."""
    check_plan(plan)
    tz = zone(plan.timezone)
    end = to_utc(plan.day, plan.end, tz)
    breaks = [Interval(to_utc(plan.day, b.start, tz), to_utc(plan.day, b.end, tz)) for b in plan.breaks]
    length, buffer = timedelta(minutes=plan.slot_minutes), timedelta(minutes=plan.buffer_minutes)
    slots: list[Interval] = []
    cursor = to_utc(plan.day, plan.start, tz)
    while cursor + length <= end:
        candidate = Interval(cursor, cursor + length)
        blocking = [b for b in breaks if b.overlaps(candidate)]
        if blocking:
            cursor = max(b.end for b in blocking)
            continue
        slots.append(candidate)
        if len(slots) > MAX_SLOTS:
            raise PlanError("end", TOO_MANY_SLOTS, max=MAX_SLOTS)
        cursor = candidate.end + buffer
    if not slots:
        raise PlanError("end", NO_SLOTS, minutes=plan.slot_minutes)
    return slots


_TIME = r"(\d{1,2})[:h.](\d{2})"
_BREAK_RE = re.compile(rf"^{_TIME}\s*[-–—~〜]\s*{_TIME}$")


def parse_breaks(text: str | None) -> tuple[Break, ...]:
    """Read breaks written one per line (or separated by commas) as ``12:00-13:00``.

    Full-width digits and colons are accepted (NFKC), as are the dashes and tildes people type
    in Japanese and Vietnamese ("12:00〜13:00", "12h00–13h00"). PlanError("breaks",
    "break_format") names the first entry that cannot be read.
    """
    breaks = []
    for raw in re.split(r"[\n,、;]+", unicodedata.normalize("NFKC", text or "")):
        entry = raw.strip()
        if not entry:
            continue
        match = _BREAK_RE.match(entry)
        try:
            if not match:
                raise ValueError(entry)
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            breaks.append(Break(time(h1, m1), time(h2, m2)))
        except ValueError:
            raise PlanError("breaks", BREAK_FORMAT, value=entry) from None
    return tuple(sorted(breaks, key=lambda b: b.start))


def format_breaks(breaks: Iterable[Break]) -> str:
    """The text form read by ``parse_breaks``, one break per line."""
    return "\n".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in sorted(breaks, key=lambda b: b.start))


def remap_unavailable(old: Sequence[Interval], new: Sequence[Interval], unavailable: Iterable[int]) -> set[int]:
    """New slot numbers that overlap any old slot marked unavailable (kept across a re-plan)."""
    busy = [old[i] for i in unavailable if 0 <= i < len(old)]
    return {j for j, slot in enumerate(new) if any(slot.overlaps(b) for b in busy)}


def span(slots: Sequence[Interval]) -> Interval:
    """The interval from the first slot's start to the last slot's end."""
    return Interval(slots[0].start, slots[-1].end)
