"""Replacement proposals: confirm (organiser), accept or decline (each company), expire when stale.

A proposal becomes a meeting only whole: ``make_meeting`` re-checks everything in the same
transaction (slot not started, both companies present and free, the table free, the pair not
already meeting) and inserts the published ``ScheduledMeeting`` (``source='replacement'``,
``status='replacement'``) and both seats inside a savepoint; the database's unique indexes catch a
concurrent writer. Anything wrong marks the proposal ``expired`` instead: never a half-made
meeting. A decline marks it ``declined`` and re-runs the proposals (the next best partner, the
declined pair excluded; ``rematch.decline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.models import (
    LIVE_MEETING_STATUSES,
    MatchSession,
    MeetingEvent,
    MeetingSeat,
    MeetingTable,
    ReplacementProposal,
    ScheduledMeeting,
    SessionSlot,
    User,
)
from matchmaker.services.eventday.rematch_state import absences, checked_in
from matchmaker.services.notifications import notify
from matchmaker.services.eventday.clock import event_now


def _stale(session: Session, proposal: ReplacementProposal, now: datetime, present: set[int], away: dict) -> bool:
    """Whether the proposal can no longer be met: slot started, someone absent or busy, table taken."""
    slot = session.get(SessionSlot, proposal.slot_id)
    if slot.starts_at <= now:
        return True
    pair = (proposal.company_low, proposal.company_high)
    if any(c not in present or (c in away and away[c].starts_at <= slot.starts_at) for c in pair):
        return True
    busy = (ScheduledMeeting.slot_id == proposal.slot_id) & ScheduledMeeting.status.in_(LIVE_MEETING_STATUSES) & or_(
        ScheduledMeeting.table_id == proposal.table_id,
        ScheduledMeeting.company_low.in_(pair), ScheduledMeeting.company_high.in_(pair))
    same_pair = ((ScheduledMeeting.session_id == proposal.session_id) & (ScheduledMeeting.company_low == pair[0])
                 & (ScheduledMeeting.company_high == pair[1]))
    clash = select(func.count(ScheduledMeeting.id)).where(ScheduledMeeting.state == "published", or_(busy, same_pair))
    return bool(session.scalar(clash))


def expire_stale(session: Session, ms: MatchSession, now: datetime | None = None) -> int:
    """Mark ``expired`` the open proposals of *ms* that can no longer be met; return how many."""
    now = now or event_now()
    present, away = checked_in(session, ms), absences(session, ms.id)
    count = 0
    for proposal in session.scalars(select(ReplacementProposal).where(
            ReplacementProposal.session_id == ms.id, ReplacementProposal.status == "proposed")):
        if _stale(session, proposal, now, present, away):
            proposal.status, proposal.decided_at = "expired", now
            count += 1
    return count


def _claim(session: Session, proposal: ReplacementProposal, now: datetime) -> bool:
    """Compare-and-set ``proposed`` -> ``confirmed``: of two confirmations at once, one goes on."""
    claimed = session.execute(update(ReplacementProposal)
                              .where(ReplacementProposal.id == proposal.id, ReplacementProposal.status == "proposed")
                              .values(status="confirmed", decided_at=now)
                              .execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(proposal)
    return claimed


def make_meeting(session: Session, proposal: ReplacementProposal, user: User | None,
                 now: datetime | None = None) -> ScheduledMeeting | None:
    """Turn an open proposal into a published meeting, or expire it (module docstring)."""
    now = now or event_now()
    if not _claim(session, proposal, now):
        return None
    ms = session.get(MatchSession, proposal.session_id)
    if _stale(session, proposal, now, checked_in(session, ms), absences(session, ms.id)):
        proposal.status = "expired"
        return None
    meeting = ScheduledMeeting(session_id=ms.id, state="published", slot_id=proposal.slot_id,
                               table_id=proposal.table_id, company_low=proposal.company_low,
                               company_high=proposal.company_high, score=proposal.score, source="replacement",
                               status="replacement", sequence=ms.publications + 1, status_changed_at=now)
    try:
        with session.begin_nested():
            session.add(meeting)
            session.flush()
            for company_id in proposal.company_low, proposal.company_high:
                session.add(MeetingSeat(meeting_id=meeting.id, company_id=company_id, state="published",
                                        slot_id=proposal.slot_id))
            session.flush()
    except IntegrityError:  # someone took the table or a company's seat in the meantime
        proposal.status, proposal.decided_at = "expired", now
        return None
    session.add(MeetingEvent(meeting_id=meeting.id, kind="replacement", old="", new="replacement",
                             user_id=user.id if user else None, created_at=now))
    proposal.status, proposal.meeting_id = "confirmed", meeting.id
    proposal.decided_by, proposal.decided_at = (user.id if user else None), now
    for company, partner in ((proposal.low, proposal.high), (proposal.high, proposal.low)):
        notify(session, company, "replacement_made", partner_name=partner.name, meeting_id=meeting.id)
    return meeting


def confirm(session: Session, proposal_id: int, user: User, now: datetime | None = None) -> ScheduledMeeting | None:
    """An organiser confirms one proposal: the meeting, or None when it had become stale."""
    if not user.is_organiser:
        raise PermissionError("organisers only")
    proposal = session.get(ReplacementProposal, proposal_id)
    if proposal is None:
        raise LookupError("no such proposal")
    return make_meeting(session, proposal, user, now)


@dataclass
class Confirmed:
    """How many open proposals became meetings, and how many had gone stale."""

    made: int
    expired: int


def confirm_all(session: Session, ms_id: int, user: User, now: datetime | None = None) -> Confirmed:
    """An organiser confirms every open proposal of the session at once."""
    if not user.is_organiser:
        raise PermissionError("organisers only")
    made = expired = 0
    for proposal in session.scalars(select(ReplacementProposal).where(
            ReplacementProposal.session_id == ms_id, ReplacementProposal.status == "proposed")
            .order_by(ReplacementProposal.score.desc(), ReplacementProposal.id)).all():
        if make_meeting(session, proposal, user, now) is None:
            expired += 1
        else:
            made += 1
    return Confirmed(made, expired)


def proposal_for(session: Session, proposal_id: int, actor: User) -> ReplacementProposal:
    proposal = session.get(ReplacementProposal, proposal_id)
    if proposal is None:
        raise LookupError("no such proposal")
    if actor.is_organiser:
        return proposal
    if actor.company_id is None or actor.company_id not in (proposal.company_low, proposal.company_high):
        raise PermissionError("not your proposal")
    return proposal


def accept(session: Session, proposal_id: int, actor: User, now: datetime | None = None) -> str:
    """A company accepts; the meeting is made once both have. Returns the proposal's status then."""
    now = now or event_now()
    proposal = proposal_for(session, proposal_id, actor)
    if actor.company_id is None:
        raise PermissionError("companies accept for themselves")
    if proposal.status != "proposed":
        return proposal.status
    # one UPDATE per answer: two companies accepting at once both see the other's answer afterwards
    column = "accepted_low_at" if actor.company_id == proposal.company_low else "accepted_high_at"
    mine = getattr(ReplacementProposal, column)
    session.execute(update(ReplacementProposal).where(ReplacementProposal.id == proposal.id, mine.is_(None))
                    .values({column: now}).execution_options(synchronize_session=False))
    session.refresh(proposal)
    if proposal.status == "proposed" and proposal.accepted_low_at and proposal.accepted_high_at:
        make_meeting(session, proposal, actor, now)
    return proposal.status


@dataclass
class Offer:
    """An open proposal as a company sees it on its agenda."""

    proposal: ReplacementProposal
    slot: SessionSlot
    table: str
    partner_name: str
    accepted: bool  # this company has already accepted; waiting for the partner


def open_for_company(session: Session, company_id: int, now: datetime | None = None) -> list[Offer]:
    """The company's open proposals whose slot has not started, by time."""
    now = now or event_now()
    rows = session.scalars(select(ReplacementProposal).join(SessionSlot, ReplacementProposal.slot_id == SessionSlot.id)
                           .where(ReplacementProposal.status == "proposed", SessionSlot.starts_at > now,
                                  or_(ReplacementProposal.company_low == company_id,
                                      ReplacementProposal.company_high == company_id))
                           .order_by(SessionSlot.starts_at))
    offers = []
    for p in rows:
        mine_low = p.company_low == company_id
        offers.append(Offer(p, session.get(SessionSlot, p.slot_id), session.get(MeetingTable, p.table_id).name,
                            (p.high if mine_low else p.low).name,
                            bool(p.accepted_low_at if mine_low else p.accepted_high_at)))
    return offers
