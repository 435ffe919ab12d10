"""Calendar entries that went away, repeated for a while as cancelled.

A calendar program only removes an event it imported when a later copy of the file carries the
same UID with ``STATUS:CANCELLED`` and a higher SEQUENCE. So a meeting dropped from the
published schedule, or a deleted seminar, is recorded here and written into calendar files and
feeds for ``CALENDAR_CANCELLED_DAYS`` days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from matchmaker.models import CalendarCancellation, ScheduledMeeting, utcnow

DEFAULT_KEEP_DAYS = 30


def cancel_meetings(session: Session, meetings: Iterable[ScheduledMeeting], sequence: int) -> None:
    """Record each published meeting as cancelled for both of its companies, with SEQUENCE *sequence*.

    The summary keeps the partner's name; the calendar writes "Cancelled: meeting with …" in the
    reader's language.
    """
    rows = [CalendarCancellation(uid=m.uid, company_id=cid, summary=m.partner_of(cid).name[:300],
                                 starts_at=m.slot.starts_at, ends_at=m.slot.ends_at, sequence=sequence)
            for m in meetings for cid in m.pair]
    session.add_all(rows)


def cancel_seminar(session: Session, seminar, title: str, followers: Iterable) -> None:
    """Record a published seminar that is deleted: for the public programme and for each follower."""
    sequence = seminar.sequence + 1
    audience = [None, *(user.id for user in followers)]
    session.add_all(CalendarCancellation(uid=seminar.uid, user_id=user_id, summary=title[:300], starts_at=seminar.starts_at,
                                         ends_at=seminar.ends_at, sequence=sequence) for user_id in audience)


def forget(session: Session, uids: Iterable[str]) -> None:
    """Drop the cancellations of *uids* (the events are back, e.g. after an undone publication)."""
    uids = list(uids)
    if uids:
        session.execute(delete(CalendarCancellation).where(CalendarCancellation.uid.in_(uids)))


def cancelled_for(session: Session, *, company_id: int | None = None, user_id: int | None = None,
                  keep_days: int = DEFAULT_KEEP_DAYS, now: datetime | None = None) -> list[CalendarCancellation]:
    """Recent cancellations meant for a company, a user, or (both None) the public programme; newest last."""
    since = (now or utcnow()) - timedelta(days=keep_days)
    audience = [CalendarCancellation.company_id.is_(None) & CalendarCancellation.user_id.is_(None)] \
        if company_id is None and user_id is None else []
    if company_id is not None:
        audience.append(CalendarCancellation.company_id == company_id)
    if user_id is not None:
        audience.append(CalendarCancellation.user_id == user_id)
    return list(session.scalars(select(CalendarCancellation).where(
        or_(*audience), CalendarCancellation.cancelled_at >= since).order_by(CalendarCancellation.id)))
