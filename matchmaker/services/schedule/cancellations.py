"""Calendar entries that went away, repeated for a while as cancelled.

A calendar program only removes an event it imported when a later copy of the file carries the
same UID with ``STATUS:CANCELLED`` and a higher SEQUENCE. So a meeting dropped from the
published schedule, or a deleted seminar, is recorded here and written into calendar files and
feeds for ``CALENDAR_CANCELLED_DAYS`` days.

An interpreter's calendar has its own UID per meeting (``interpreter_uid``); their cancelled
entries carry neither a company nor a user and are told apart from the public programme's by
that UID, so no schema change was needed for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from matchmaker.models import CalendarCancellation, ScheduledMeeting, utcnow

DEFAULT_KEEP_DAYS = 30
INTERPRETER_UID_PREFIX = "interp-"


def interpreter_uid(interpreter_id: int, meeting: ScheduledMeeting) -> str:
    """The UID of a meeting in one interpreter's calendar: ``interp-<id>-meeting-<session>-<low>-<high>@…``."""
    return f"{INTERPRETER_UID_PREFIX}{interpreter_id}-{meeting.uid}"


def _interpreter_rows(meetings: Iterable[ScheduledMeeting], sequence: int) -> list[CalendarCancellation]:
    """Cancelled entries for the interpreters of *meetings*; the summary names both companies."""
    return [CalendarCancellation(uid=interpreter_uid(m.interpreter_id, m), summary=f"{m.low.name} ↔ {m.high.name}"[:300],
                                 starts_at=m.slot.starts_at, ends_at=m.slot.ends_at, sequence=sequence)
            for m in meetings if m.interpreter_id is not None]


def cancel_meetings(session: Session, meetings: Iterable[ScheduledMeeting], sequence: int) -> None:
    """Record each published meeting as cancelled for both of its companies, with SEQUENCE *sequence*,
    and for its interpreter if it has one.

    The summary keeps the partner's name; the calendar writes "Cancelled: meeting with …" in the
    reader's language.
    """
    meetings = list(meetings)
    rows = [CalendarCancellation(uid=m.uid, company_id=cid, summary=m.partner_of(cid).name[:300],
                                 starts_at=m.slot.starts_at, ends_at=m.slot.ends_at, sequence=sequence)
            for m in meetings for cid in m.pair]
    session.add_all(rows + _interpreter_rows(meetings, sequence))


def cancel_interpreter_changes(session: Session, old: Iterable[ScheduledMeeting], new: Iterable, sequence: int) -> None:
    """Record, for each meeting of *old* kept in *new* (same pair) with another interpreter or none,
    a cancelled entry in the former interpreter's calendar. *new* holds meetings or row dicts
    with ``company_low``, ``company_high`` and ``interpreter_id`` (what a publication writes)."""
    def key(row):
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return (get("company_low"), get("company_high")), get("interpreter_id")

    now_serving = dict(key(row) for row in new)
    changed = [m for m in old if m.interpreter_id is not None and m.pair in now_serving
               and now_serving[m.pair] != m.interpreter_id]
    session.add_all(_interpreter_rows(changed, sequence))


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
    audience = [CalendarCancellation.company_id.is_(None) & CalendarCancellation.user_id.is_(None)
                & CalendarCancellation.uid.not_like(f"{INTERPRETER_UID_PREFIX}%")] \
        if company_id is None and user_id is None else []
    if company_id is not None:
        audience.append(CalendarCancellation.company_id == company_id)
    if user_id is not None:
        audience.append(CalendarCancellation.user_id == user_id)
    return list(session.scalars(select(CalendarCancellation).where(
        or_(*audience), CalendarCancellation.cancelled_at >= since).order_by(CalendarCancellation.id)))


def cancelled_for_interpreter(session: Session, interpreter_id: int, keep_days: int = DEFAULT_KEEP_DAYS,
                              now: datetime | None = None) -> list[CalendarCancellation]:
    """Recent cancelled entries of one interpreter's calendar (meetings they no longer serve); newest last."""
    since = (now or utcnow()) - timedelta(days=keep_days)
    return list(session.scalars(select(CalendarCancellation).where(
        CalendarCancellation.uid.like(f"{INTERPRETER_UID_PREFIX}{interpreter_id}-%"),
        CalendarCancellation.company_id.is_(None), CalendarCancellation.user_id.is_(None),
        CalendarCancellation.cancelled_at >= since).order_by(CalendarCancellation.id)))
