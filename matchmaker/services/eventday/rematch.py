"""Same-day re-matching: mark a company absent, free its meetings, propose replacements.

``mark_absent(session, company_id, ms_id, from_time, reason, user, config=...)`` records an
``Absence`` from *from_time* (default now; never before the session's start) for the rest of the
session's day, frees the company's live meetings whose slot starts then or later (status
``no-show`` with its side, or ``cancelled`` when the reason is a cancellation; a ``freed``
``MeetingEvent``; the partner is told: ``meeting_freed``, in the app and by mail) and then runs
``propose_replacements``. Marking a company absent again is idempotent: the earlier absence is
kept (moved earlier when the new time is earlier), and only meetings still live are freed.

``propose_replacements`` solves the re-matching exactly (``core.scheduling.rematch``) for the
slots not yet started, among companies checked in on the day and free in the slot, with the
matching's pair scores, and writes one ``ReplacementProposal`` per replacement meeting (both
companies are told: ``replacement_proposed``). Confirming, accepting and declining live in
``services.eventday.replacements``; ``decline`` marks a proposal declined and proposes again.

``sweep_not_checked_in`` marks absent (reason ``not-checked-in``) every company with a live
meeting in a session of the day that has no check-in ``ABSENT_AFTER_MINUTES`` before its first
meeting; ``sweep_task`` is the same as a background job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.scheduling.rematch import Outcome, rematch
from matchmaker.models import (
    ABSENCE_REASONS,
    LIVE_MEETING_STATUSES,
    Absence,
    Company,
    MatchSession,
    ReplacementProposal,
    ScheduledMeeting,
    SessionSlot,
    User,
)
from matchmaker.services.eventday.meetings import change_status
from matchmaker.services.eventday.replacements import expire_stale, proposal_for
from matchmaker.services.eventday.rematch_state import absences, checked_in, day_state, session_bounds
from matchmaker.services.notifications import notify
from matchmaker.services.schedule.instance import company_filter, suggested_pairs
from matchmaker.services.validation import ValidationError
from matchmaker.services.eventday.clock import event_now

REMATCH_CANDIDATES = 40  # partners scored per company: more than the generator's 20, the room is smaller
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
Scores = Callable[[Session, Mapping, MatchSession], dict]


def matching_scores(session: Session, config: Mapping, ms: MatchSession) -> dict[tuple[int, int], float]:
    """The pair scores of the suggestions (the generator's candidates, more of them per company)."""
    found = suggested_pairs(session, {**config, "SCHEDULE_CANDIDATES": REMATCH_CANDIDATES}, ms)
    return {pair: candidate.score for pair, candidate in found.items()}


@dataclass
class Rematched:
    """What one re-matching did: the meetings freed, the proposals written, the core's outcome."""

    freed: list[ScheduledMeeting] = field(default_factory=list)
    proposals: list[ReplacementProposal] = field(default_factory=list)
    outcome: Outcome | None = None
    absence: Absence | None = None

    @property
    def refilled(self) -> int:
        """Lone partners given a proposal by this run."""
        return self.outcome.refilled if self.outcome else 0

    @property
    def possible(self) -> int:
        """The most lone partners any set of replacement meetings could have refilled."""
        return self.outcome.possible if self.outcome else 0


def _require_organiser(user: User | None) -> None:
    if user is not None and not user.is_organiser:
        raise PermissionError("organisers only")


def _start(ms: MatchSession, from_time: datetime | None, now: datetime) -> datetime:
    """The absence's start: *from_time* or now, not before the session starts nor after it ends."""
    begins, ends = session_bounds(ms)
    starts_at = max(from_time or now, begins)
    if starts_at >= ends:
        raise ValidationError("from_time", _("The session has ended by then: nothing is left to free."))
    return starts_at


def parse_local_time(ms: MatchSession, raw: str | None) -> datetime | None:
    """*raw* ("HH:MM", the session's local time on its day) as UTC; None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = _HHMM.match(raw)
    if not match:
        raise ValidationError("from_time", _("Write the time as HH:MM, for example 10:30."))
    local = datetime.combine(ms.day, time(int(match[1]), int(match[2])), ZoneInfo(ms.timezone))
    return local.astimezone(ZoneInfo("UTC"))


def _record(session: Session, ms: MatchSession, company_id: int, starts_at: datetime, reason: str,
            user: User | None) -> Absence:
    """The company's active absence, created or moved earlier (idempotent re-marking)."""
    absence = absences(session, ms.id).get(company_id)
    if absence is None:
        absence = Absence(session_id=ms.id, company_id=company_id, starts_at=starts_at, reason=reason,
                          created_by=user.id if user else None)
        session.add(absence)
        session.flush()
    elif starts_at < absence.starts_at:
        absence.starts_at = starts_at
    return absence


def free_meetings(session: Session, ms: MatchSession, company: Company, absence: Absence,
                  user: User | None) -> list[ScheduledMeeting]:
    """Free the company's live meetings of *ms* from the absence's start on; tell each partner."""
    meetings = session.scalars(
        select(ScheduledMeeting).join(SessionSlot, ScheduledMeeting.slot_id == SessionSlot.id)
        .where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published",
               ScheduledMeeting.status.in_(LIVE_MEETING_STATUSES), company_filter(company.id),
               SessionSlot.starts_at >= absence.starts_at)
        .order_by(SessionSlot.starts_at))
    freed = []
    for meeting in list(meetings):
        side = "low" if meeting.company_low == company.id else "high"
        new = "cancelled" if absence.reason == "cancelled" else "no-show"
        change = change_status(session, meeting, new, side=side if new == "no-show" else None,
                               user_id=user.id if user else None, company_id=company.id, kind="freed",
                               note=absence.reason)
        if change.changed:
            freed.append(meeting)
            partner = meeting.partner_of(company.id)
            notify(session, partner, "meeting_freed", partner_name=company.name, meeting_id=meeting.id)
    _expire_proposals_of(session, ms.id, company.id)
    return freed


def _expire_proposals_of(session: Session, ms_id: int, company_id: int) -> None:
    for proposal in session.scalars(select(ReplacementProposal).where(
            ReplacementProposal.session_id == ms_id, ReplacementProposal.status == "proposed",
            (ReplacementProposal.company_low == company_id) | (ReplacementProposal.company_high == company_id))):
        proposal.status = "expired"
        proposal.decided_at = event_now()


def mark_absent(session: Session, company_id: int, ms_id: int, from_time: datetime | None = None,
                reason: str = "organiser", user: User | None = None, *, config: Mapping,
                scores: Scores | None = None, now: datetime | None = None, propose: bool = True) -> Rematched:
    """Mark the company absent from *from_time* (UTC; default now), free, re-match (module docstring).

    *propose* False leaves the re-matching to the caller (one run after marking several companies).

    Raises LookupError for an unknown session or company, ValidationError for a time after the
    session's end, PermissionError for a user who is not an organiser. Does not commit.
    """
    _require_organiser(user)
    if reason not in ABSENCE_REASONS:
        raise ValueError(f"unknown absence reason {reason!r}")
    now = now or event_now()
    ms = session.get(MatchSession, ms_id)
    company = session.get(Company, company_id)
    if ms is None:
        raise LookupError("no such session")
    if company is None:
        raise LookupError("no such company")
    absence = _record(session, ms, company.id, _start(ms, from_time, now), reason, user)
    freed = free_meetings(session, ms, company, absence, user)
    result = propose_replacements(session, ms, config=config, scores=scores, now=now) if propose else Rematched()
    result.freed, result.absence = freed, absence
    return result


def propose_replacements(session: Session, ms: MatchSession, *, config: Mapping, scores: Scores | None = None,
                         now: datetime | None = None) -> Rematched:
    """Expire stale proposals, solve the re-matching, write and announce the new proposals."""
    now = now or event_now()
    expire_stale(session, ms, now)
    session.flush()
    state = day_state(session, ms, now, {})
    if not state.problem.places:
        return Rematched(outcome=rematch(state.problem))
    state = day_state(session, ms, now, (scores or matching_scores)(session, config, ms))
    outcome = rematch(state.problem)
    written = []
    for row in outcome.proposals:
        origin = state.absence_of_place.get((row.slot, row.a)) or state.absence_of_place.get((row.slot, row.b))
        proposal = ReplacementProposal(session_id=ms.id, absence_id=origin, slot_id=state.slots[row.slot].id,
                                       table_id=state.table_ids[row.table], company_low=row.a, company_high=row.b,
                                       score=row.score, created_at=now)
        session.add(proposal)
        written.append(proposal)
    session.flush()
    for proposal in written:
        for company, partner in ((proposal.low, proposal.high), (proposal.high, proposal.low)):
            notify(session, company, "replacement_proposed", partner_name=partner.name)
    return Rematched(proposals=written, outcome=outcome)


def decline(session: Session, proposal_id: int, actor: User, *, config: Mapping, scores: Scores | None = None,
            now: datetime | None = None) -> str:
    """A company (or an organiser) declines; the next best proposals are made. Returns the status."""
    now = now or event_now()
    proposal = proposal_for(session, proposal_id, actor)
    if proposal.status != "proposed":
        return proposal.status
    proposal.status, proposal.decided_by, proposal.decided_at = "declined", actor.id, now
    session.flush()
    propose_replacements(session, session.get(MatchSession, proposal.session_id), config=config, scores=scores, now=now)
    return proposal.status


def _first_meetings(session: Session, ms: MatchSession) -> dict[int, datetime]:
    """Each company's first live meeting start in *ms*."""
    rows = session.execute(
        select(ScheduledMeeting.company_low, ScheduledMeeting.company_high, SessionSlot.starts_at)
        .join(SessionSlot, ScheduledMeeting.slot_id == SessionSlot.id)
        .where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published",
               ScheduledMeeting.status.in_(LIVE_MEETING_STATUSES)))
    first: dict[int, datetime] = {}
    for low, high, starts_at in rows:
        for company_id in (low, high):
            if company_id not in first or starts_at < first[company_id]:
                first[company_id] = starts_at
    return first


def sweep_not_checked_in(session: Session, ms: MatchSession, *, config: Mapping, scores: Scores | None = None,
                         now: datetime | None = None) -> list[int]:
    """Mark absent the companies of *ms* not checked in ``ABSENT_AFTER_MINUTES`` before their first meeting.

    Returns their ids. A company already absent, or whose first meeting is further away, is
    left alone. Does not commit.
    """
    now = now or event_now()
    begins, ends = session_bounds(ms)
    if now >= ends:
        return []
    window = timedelta(minutes=int(config.get("ABSENT_AFTER_MINUTES", 15)))
    present, away = checked_in(session, ms), absences(session, ms.id)
    late = sorted(c for c, first in _first_meetings(session, ms).items()
                  if first - window <= now and c not in present and c not in away)
    for company_id in late:
        mark_absent(session, company_id, ms.id, now, "not-checked-in", None, config=config, now=now, propose=False)
    if late:
        propose_replacements(session, ms, config=config, scores=scores, now=now)
    return late


def sessions_of_today(session: Session, now: datetime | None = None) -> list[MatchSession]:
    """Sessions that start within 12 hours or are running at *now*."""
    now = now or event_now()
    found = session.scalars(select(MatchSession).where(MatchSession.day >= (now - timedelta(days=1)).date(),
                                                       MatchSession.day <= (now + timedelta(days=1)).date()))
    return [ms for ms in found if session_bounds(ms)[0] - timedelta(hours=12) <= now < session_bounds(ms)[1]]


def sweep_task(app) -> int:
    """Background job (``jobs.submit(app, "matchmaker.services.eventday.rematch.sweep_task")``): sweep today's sessions."""
    from matchmaker.extensions import db

    with app.app_context():
        marked = 0
        for ms in sessions_of_today(db.session):
            marked += len(sweep_not_checked_in(db.session, ms, config=app.config))
            db.session.commit()
        return marked
