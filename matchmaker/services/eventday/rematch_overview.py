"""The organiser's event-day overview of a session: absences, freed meetings, proposals, figures.

Figures, counted per *place* (a partner left alone in a slot by an absent company):
``freed_count`` meetings freed; ``lone`` places; ``possible`` places that received a proposal
(each re-matching proposes the exact maximum, so this is how many could have been refilled);
``refilled`` places now holding a replacement meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    Absence,
    Company,
    MatchSession,
    MeetingEvent,
    ReplacementProposal,
    ScheduledMeeting,
)


@dataclass
class AbsenceRow:
    """One company away: since when and why."""

    company: Company
    starts_at: datetime
    reason: str


@dataclass
class FreedRow:
    """A meeting freed by an absence, with the partner left alone."""

    meeting: ScheduledMeeting
    absent: Company
    partner: Company


@dataclass
class Overview:
    """Everything the overview page shows, sorted."""

    absences: list[AbsenceRow] = field(default_factory=list)
    freed: list[FreedRow] = field(default_factory=list)
    open: list[ReplacementProposal] = field(default_factory=list)
    decided: list[ReplacementProposal] = field(default_factory=list)
    lone: int = 0
    refilled: int = 0
    possible: int = 0

    @property
    def freed_count(self) -> int:
        """How many meetings were freed."""
        return len(self.freed)


def _freed(session: Session, ms: MatchSession) -> list[FreedRow]:
    freed_ids = select(MeetingEvent.meeting_id).where(MeetingEvent.kind == "freed")
    rows = session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published",
        ScheduledMeeting.id.in_(freed_ids)).options(selectinload(ScheduledMeeting.slot)))
    events = {e.meeting_id: e.company_id for e in session.scalars(
        select(MeetingEvent).where(MeetingEvent.kind == "freed").order_by(MeetingEvent.id))}
    out = []
    for m in rows:
        gone = events.get(m.id)
        out.append(FreedRow(m, m.low if gone == m.company_low else m.high, m.partner_of(gone)))
    return sorted(out, key=lambda r: (r.meeting.slot.starts_at, r.meeting.table_id is None, r.meeting.table_id or 0))


def _proposals(session: Session, ms: MatchSession) -> list[ReplacementProposal]:
    return list(session.scalars(select(ReplacementProposal).where(ReplacementProposal.session_id == ms.id)
                                .options(selectinload(ReplacementProposal.low), selectinload(ReplacementProposal.high))
                                .order_by(ReplacementProposal.slot_id, ReplacementProposal.score.desc())))


def overview(session: Session, ms: MatchSession) -> Overview:
    """The session's re-matching so far (module docstring)."""
    absences = session.scalars(select(Absence).where(Absence.session_id == ms.id, Absence.withdrawn_at.is_(None))
                               .order_by(Absence.starts_at, Absence.id))
    view = Overview(absences=[AbsenceRow(session.get(Company, a.company_id), a.starts_at, a.reason) for a in absences])
    view.freed = _freed(session, ms)
    places = {(r.meeting.slot_id, r.partner.id) for r in view.freed}
    everything = _proposals(session, ms)
    view.open = [p for p in everything if p.status == "proposed"]
    view.decided = [p for p in everything if p.status != "proposed"]
    proposed = {(p.slot_id, c) for p in everything for c in (p.company_low, p.company_high)} & places
    made = {(p.slot_id, c) for p in everything if p.status == "confirmed"
            for c in (p.company_low, p.company_high)} & places
    view.lone, view.possible, view.refilled = len(places), len(proposed), len(made)
    return view

