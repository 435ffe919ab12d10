"""What the re-matching reads from the database: who is present, free, capped; where tables are free.

``day_state(session, ms, now, scores)`` gathers, for the slots of session *ms* that have not
started at *now*, everything ``core.scheduling.rematch.Problem`` needs, plus the ids to turn its
numbers back into rows. A *place* is the partner of an absent company in a slot whose meeting is
no longer live, when that partner is itself checked in, present and free in the slot and not
already given an open proposal there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.core.scheduling.rematch import Place, Problem, pair_key
from matchmaker.models import (
    LIVE_MEETING_STATUSES,
    Absence,
    CheckIn,
    Company,
    MatchSession,
    ReplacementProposal,
    ScheduledMeeting,
    SessionCompany,
    SessionSlot,
    Unavailability,
)
from matchmaker.services.matching import pair_rules
from matchmaker.services.schedule.instance import left_out, met_elsewhere


def local_day_bounds(ms: MatchSession) -> tuple[datetime, datetime]:
    """The session's day, midnight to midnight in its zone, as UTC datetimes."""
    zone = ZoneInfo(ms.timezone)
    start = datetime.combine(ms.day, datetime.min.time(), zone)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(ZoneInfo("UTC"))


def session_bounds(ms: MatchSession) -> tuple[datetime, datetime]:
    """The session's start and end (its local times on its day) in UTC."""
    zone, utc = ZoneInfo(ms.timezone), ZoneInfo("UTC")
    return (datetime.combine(ms.day, ms.start_time, zone).astimezone(utc),
            datetime.combine(ms.day, ms.end_time, zone).astimezone(utc))


def checked_in(session: Session, ms: MatchSession) -> set[int]:
    """Companies with a live (not undone) check-in on the session's day."""
    start, end = local_day_bounds(ms)
    return set(session.scalars(select(CheckIn.company_id).where(
        CheckIn.undone_at.is_(None), CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end)))


def absences(session: Session, ms_id: int) -> dict[int, Absence]:
    """The session's active (not withdrawn) absences by company."""
    rows = session.scalars(select(Absence).where(Absence.session_id == ms_id, Absence.withdrawn_at.is_(None))
                           .order_by(Absence.starts_at))
    out: dict[int, Absence] = {}
    for row in rows:
        out.setdefault(row.company_id, row)
    return out


def open_proposals(session: Session, ms_id: int) -> list[ReplacementProposal]:
    """The session's proposals still waiting for a decision."""
    return list(session.scalars(select(ReplacementProposal).where(
        ReplacementProposal.session_id == ms_id, ReplacementProposal.status == "proposed")))


@dataclass
class DayState:
    """A ``Problem`` and the ids behind its numbers (slot number -> row, table number -> id)."""

    problem: Problem
    slots: dict[int, SessionSlot]
    table_ids: dict[int, int]
    absence_of_place: dict[tuple[int, int], int] = field(default_factory=dict)


def _live(session: Session, ms_id: int) -> list[ScheduledMeeting]:
    return list(session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms_id, ScheduledMeeting.state == "published",
        ScheduledMeeting.status.in_(LIVE_MEETING_STATUSES))))


def _places(session: Session, ms: MatchSession, future: dict[int, SessionSlot], away: dict[int, Absence],
            taken: set[tuple[int, int]]) -> tuple[list[Place], dict[tuple[int, int], int]]:
    freed = session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published",
        ScheduledMeeting.status.not_in(LIVE_MEETING_STATUSES),
        ScheduledMeeting.slot_id.in_([s.id for s in future.values()])))
    number = {s.id: n for n, s in future.items()}
    places, origin = [], {}
    for m in freed:
        slot = future[number[m.slot_id]]
        # an online meeting had no table: its partner, if it attends on site, may meet a
        # replacement at any free table (a partner attending online is not in ``free``)
        table = None if m.table_id is None else m.table.number
        for gone, alone in ((m.company_low, m.company_high), (m.company_high, m.company_low)):
            absence = away.get(gone)
            if absence is None or absence.starts_at > slot.starts_at or (slot.number, alone) in taken:
                continue
            places.append(Place(slot.number, alone, table))
            origin[(slot.number, alone)] = absence.id
    return places, origin


def day_state(session: Session, ms: MatchSession, now: datetime, scores: dict[tuple[int, int], float]) -> DayState:
    """Everything the core needs for the slots of *ms* not started at *now* (module docstring)."""
    future = {s.number: s for s in ms.slots if s.starts_at > now}
    away = absences(session, ms.id)
    proposals = open_proposals(session, ms.id)
    live = _live(session, ms.id)
    number_of = {s.id: s.number for s in ms.slots}
    table_no = {t.id: t.number for t in ms.tables}
    busy, used_tables, count = defaultdict(set), defaultdict(set), defaultdict(int)
    for m in live:
        busy[number_of[m.slot_id]] |= {m.company_low, m.company_high}
        if m.table_id is not None:  # an online meeting takes no table
            used_tables[number_of[m.slot_id]].add(table_no[m.table_id])
        count[m.company_low] += 1
        count[m.company_high] += 1
    for p in proposals:
        busy[number_of[p.slot_id]] |= {p.company_low, p.company_high}
        used_tables[number_of[p.slot_id]].add(table_no[p.table_id])
        count[p.company_low] += 1
        count[p.company_high] += 1
    # a company attending online cannot be sent to a table: re-matching proposes table meetings only
    present = _present(session, ms, away) - _online_companies(session, ms.id)
    unavailable = defaultdict(set)
    for company_id, slot_id in session.execute(select(Unavailability.company_id, Unavailability.slot_id)
                                               .where(Unavailability.slot_id.in_(list(number_of)))):
        unavailable[number_of[slot_id]].add(company_id)
    free = {}
    for n, slot in future.items():
        here = {c for c in present if away.get(c) is None or away[c].starts_at > slot.starts_at}
        free[n] = frozenset(here - busy[n] - unavailable[n])
    taken = {(number_of[p.slot_id], c) for p in proposals for c in (p.company_low, p.company_high)}
    places, origin = _places(session, ms, future, away, taken)
    places = [p for p in places if p.company in free[p.slot]]  # a partner not checked in is not waiting
    caps = _caps(session, ms, present, count)
    tables = {n: tuple(sorted(set(table_no.values()) - used_tables[n])) for n in future}
    fixed = {t.company_id: t.number for t in ms.tables if t.company_id is not None}
    problem = Problem(tuple(places), free, scores, caps, tables, fixed,
                      forbidden=frozenset(p for p, rule in pair_rules(session).items() if rule == "forbid"),
                      met=frozenset(_met(session, ms.id)))
    return DayState(problem, future, {t.number: t.id for t in ms.tables}, origin)


def _online_companies(session: Session, ms_id: int) -> set[int]:
    """Companies that attend the session online."""
    return set(session.scalars(select(SessionCompany.company_id).where(SessionCompany.session_id == ms_id,
                                                                        SessionCompany.mode == "online")))


def _present(session: Session, ms: MatchSession, away: dict[int, Absence]) -> set[int]:
    """Approved companies of the session that are checked in (absence is judged per slot)."""
    approved = set(session.scalars(select(Company.id).where(Company.status == "approved")))
    return (checked_in(session, ms) & approved) - left_out(session, ms.id)


def _caps(session: Session, ms: MatchSession, companies: set[int], count: dict[int, int]) -> dict[int, int]:
    wish = dict(session.execute(select(SessionCompany.company_id, SessionCompany.max_meetings)
                                .where(SessionCompany.session_id == ms.id)).all())
    slots = len(ms.slots)
    return {c: max(0, (slots if wish.get(c) is None else wish[c]) - count[c]) for c in companies}


def _met(session: Session, ms_id: int) -> set[tuple[int, int]]:
    """Pairs not to propose: meeting in any schedule, or a proposal here that was declined or is open."""
    here = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high)
                           .where(ScheduledMeeting.session_id == ms_id))
    declined = session.execute(select(ReplacementProposal.company_low, ReplacementProposal.company_high).where(
        ReplacementProposal.session_id == ms_id,
        or_(ReplacementProposal.status == "declined", ReplacementProposal.status == "proposed")))
    return met_elsewhere(session, ms_id) | {pair_key(a, b) for a, b in [*here, *declined]}
