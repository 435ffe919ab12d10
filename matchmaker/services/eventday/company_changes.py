"""A company changes one of its published meetings on the day: running late, or cancelling it.

Only a company of the meeting may do either (any other meeting id is "not found"). The partner
gets a notice on its dashboard and a mail to each of its users in their language (after the
commit); the change is a ``MeetingEvent`` with who and when. Cancelling goes through
``meetings.change_status`` (so the seats are freed and the calendar SEQUENCE goes up: calendar
files and feeds then show the meeting as cancelled). ``day_notes`` gives the agenda what the
partner said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.models import MeetingEvent, ScheduledMeeting, User
from matchmaker.services import notifications
from matchmaker.services.eventday.meetings import change_status
from matchmaker.services.validation import ValidationError, text
from matchmaker.services.eventday.clock import event_now

LATE_MINUTES = (5, 10, 15, 30)
REASON_MAX = 500


def company_meeting(session: Session, actor: User, meeting_id: int) -> ScheduledMeeting:
    """A published meeting of the actor's company, or LookupError (also for another company's)."""
    if actor.company_id is None:
        raise PermissionError("only companies change their own meetings")
    meeting = session.get(ScheduledMeeting, meeting_id)
    if meeting is None or meeting.state != "published" or actor.company_id not in meeting.pair:
        raise LookupError("no such meeting of this company")
    return meeting


def _check_changeable(meeting: ScheduledMeeting, now: datetime) -> None:
    if meeting.status in ("cancelled", "no-show"):
        raise ValidationError("meeting", _("This meeting is cancelled already."))
    if meeting.status == "held":
        raise ValidationError("meeting", _("This meeting has taken place already."))
    if meeting.slot.ends_at <= now:
        raise ValidationError("meeting", _("This meeting is over."))


def report_late(session: Session, actor: User, meeting_id: int, minutes: str | int,
                now: datetime | None = None) -> MeetingEvent:
    """Record that the actor's company will be *minutes* late for a meeting; tell the partner. Does not commit."""
    meeting = company_meeting(session, actor, meeting_id)
    try:
        minutes = int(str(minutes).strip())
    except ValueError:
        minutes = -1
    if minutes not in LATE_MINUTES:
        raise ValidationError("minutes", _("Choose how late: 5, 10, 15 or 30 minutes."))
    _check_changeable(meeting, now or event_now())
    event = MeetingEvent(meeting_id=meeting.id, kind="late", company_id=actor.company_id, user_id=actor.id,
                         minutes=minutes, created_at=now or event_now())
    session.add(event)
    company = actor.company
    notifications.notify(session, meeting.partner_of(company.id), "meeting_late", partner_name=company.name,
                         reason=str(minutes), meeting=meeting)
    session.flush()
    return event


def cancel_meeting(session: Session, actor: User, meeting_id: int, reason: str | None = "",
                   now: datetime | None = None) -> ScheduledMeeting:
    """Cancel a meeting of the actor's company (with an optional reason); tell the partner. Does not commit."""
    meeting = company_meeting(session, actor, meeting_id)
    reason = text("reason", reason, max_length=REASON_MAX, required=False)
    _check_changeable(meeting, now or event_now())
    change = change_status(session, meeting, "cancelled", kind="cancelled", company_id=actor.company_id,
                           user_id=actor.id, note=reason)
    if not change.changed:  # a table host or the partner came first
        raise ValidationError("meeting", _("This meeting was changed meanwhile; look at it again."))
    company = actor.company
    notifications.notify(session, meeting.partner_of(company.id), "meeting_cancelled", partner_name=company.name,
                         reason=reason, meeting=meeting)
    session.flush()
    return meeting


@dataclass
class DayNote:
    """What the agenda says beside a meeting: the latest "running late" of each side, why it was cancelled."""

    late_mine: int | None = None
    late_partner: int | None = None
    cancelled_by: str = ""
    reason: str = ""


def day_notes(session: Session, meetings: list[ScheduledMeeting], company_id: int) -> dict[int, DayNote]:
    """Notes for *company_id*'s agenda, by meeting id (only meetings with something to say)."""
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    by_id = {m.id: m for m in meetings}
    notes: dict[int, DayNote] = {}
    for event in session.scalars(select(MeetingEvent).where(MeetingEvent.meeting_id.in_(ids),
                                                            MeetingEvent.kind.in_(("late", "cancelled")))
                                 .order_by(MeetingEvent.created_at, MeetingEvent.id)):
        note = notes.setdefault(event.meeting_id, DayNote())
        if event.kind == "late":
            if event.company_id == company_id:
                note.late_mine = event.minutes
            else:
                note.late_partner = event.minutes
        else:
            meeting = by_id[event.meeting_id]
            note.cancelled_by = _cancelled_by(meeting, event, company_id)
            note.reason = event.note
    return notes


def _cancelled_by(meeting: ScheduledMeeting, event: MeetingEvent, company_id: int) -> str:
    if event.company_id == company_id:
        return _("You cancelled this meeting.")
    if event.company_id in meeting.pair:
        return _("%(name)s cancelled this meeting.", name=meeting.partner_of(company_id).name)
    return _("The organisers cancelled this meeting.")
