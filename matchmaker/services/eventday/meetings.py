"""One way to change a published meeting on the day, shared by table hosts, companies and re-matching.

``change_status`` is a compare-and-set: it writes only if the meeting still has the status the
caller saw, so two table hosts marking the same meeting at once leave one consistent state (the
second is told what the first did). A meeting that stops being live (cancelled, no-show) gives up
its seats, so its companies and its table can take a replacement in that slot; its calendar
SEQUENCE goes up so that feeds and downloaded copies update. Every change is a ``MeetingEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from matchmaker.models import (
    LIVE_MEETING_STATUSES,
    MEETING_STATUSES,
    NO_SHOW_SIDES,
    MeetingEvent,
    MeetingSeat,
    ScheduledMeeting,
    utcnow,
)


@dataclass(frozen=True)
class Change:
    """What ``change_status`` did: ``changed`` False when another change came first (``current`` is then its status)."""

    changed: bool
    current: str


def change_status(session: Session, meeting: ScheduledMeeting, new: str, *, expected: str | None = None,
                  side: str | None = None, user_id: int | None = None, company_id: int | None = None,
                  kind: str = "status", note: str = "") -> Change:
    """Set a published meeting's status if it is still *expected* (default: what the caller loaded).

    *side* says who stayed away for a no-show (low, high, both); *kind* is the event recorded
    (status, cancelled, freed, replacement). Does not commit.
    """
    if new not in MEETING_STATUSES:
        raise ValueError(f"unknown meeting status {new!r}")
    if new == "no-show" and side not in NO_SHOW_SIDES:
        raise ValueError("a no-show says which side stayed away")
    old = meeting.status if expected is None else expected
    now = utcnow()
    result = session.execute(
        update(ScheduledMeeting)
        .where(ScheduledMeeting.id == meeting.id, ScheduledMeeting.status == old,
               ScheduledMeeting.state == "published")
        .values(status=new, no_show_side=side if new == "no-show" else None, status_changed_at=now,
                sequence=ScheduledMeeting.sequence + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(meeting)
    if result.rowcount != 1:
        return Change(False, meeting.status)
    if new not in LIVE_MEETING_STATUSES:
        session.execute(delete(MeetingSeat).where(MeetingSeat.meeting_id == meeting.id))
    session.add(MeetingEvent(meeting_id=meeting.id, kind=kind, old=old, new=new, company_id=company_id,
                             user_id=user_id, note=note, created_at=now))
    return Change(True, new)
