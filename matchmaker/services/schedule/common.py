"""Helpers shared by the schedule services: loading, locking, labels, accepted counts."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, object_session

from matchmaker.timefmt import moment
from matchmaker.models import MatchSession, MeetingRequest, ScheduleRun, SessionCompany, SessionSlot, User, utcnow
from matchmaker.services.programme.common import pick_text, reader_language
from matchmaker.services.validation import ValidationError

STALE_GRACE = 120.0  # seconds after its time limit that a silent generation run counts as dead


class ScheduleBusy(ValidationError):
    """The session's draft is being generated: edits and publication wait for the run to end."""

    def __init__(self):
        super().__init__("session", _("A schedule is being generated for this session. Wait until it finishes."))


def require_organiser(actor: User) -> None:
    """Raise PermissionError unless *actor* is an organiser."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")


def load_session(session: Session, session_id: int | None) -> MatchSession:
    """The matchmaking session *session_id*, or LookupError."""
    found = session.get(MatchSession, session_id) if session_id is not None else None
    if found is None:
        raise LookupError("no such session")
    return found


def lock_session(session: Session, session_id: int) -> MatchSession:
    """Load the session row FOR UPDATE (PostgreSQL), so that draft writers take turns."""
    found = session.scalar(select(MatchSession).where(MatchSession.id == session_id).with_for_update())
    if found is None:
        raise LookupError("no such session")
    session.refresh(found)
    return found


def release_stale_lock(session: Session, ms: MatchSession, now: datetime) -> bool:
    """Free the lock of a run that ended without releasing it or went silent past its time limit.

    Returns whether the session is free now. The dead run is marked failed ("interrupted").
    """
    if ms.generation_lock is None:
        return True
    holder = session.get(ScheduleRun, ms.generation_lock)
    if holder is not None and holder.active:
        since = holder.started_at or holder.created_at
        if since + timedelta(seconds=holder.time_limit + STALE_GRACE) > now:
            return False
        holder.status, holder.error, holder.finished_at = "failed", "interrupted", now
    session.execute(update(MatchSession).where(MatchSession.id == ms.id, MatchSession.generation_lock == ms.generation_lock)
                    .values(generation_lock=None).execution_options(synchronize_session=False))
    session.flush()
    session.refresh(ms, ["generation_lock"])
    return True


def ensure_idle(ms: MatchSession) -> None:
    """Raise ScheduleBusy while a live generation run holds the session's lock.

    A lock left by a run that died is released on the way, so a killed generation does not block
    edits and publication of the draft it left intact.
    """
    if not release_stale_lock(object_session(ms), ms, utcnow()):
        raise ScheduleBusy()


def slot_label(slot: SessionSlot) -> str:
    """The slot's start in the viewer's zone, zone named (for messages)."""
    return moment(slot.starts_at)


def session_label(ms: MatchSession, reader: str | None = None) -> str:
    """The session's name in the reader's language (or the next one of its fallback chain), else its date and start."""
    name = pick_text(ms.texts("name"), reader or reader_language()).text
    return name or f"{ms.day:%Y-%m-%d} {ms.start_time:%H:%M}"


def table_label(name: str) -> str:
    """A table as people read it: the organiser's name as written ("Booth A", "テーブル1"), or
    "Table 3" when the name is only the number the site gave it."""
    return _("Table %(table)s", table=name) if name.isascii() and name.isdigit() else name


def meeting_location(table_name: str, venue: str) -> str:
    """Where a meeting takes place: its table, then the session's venue when one is given."""
    return ", ".join(part for part in (table_label(table_name), venue) if part)


def accepted_count(session: Session, company_id: int) -> int:
    """Accepted meeting requests of a company (meetings the schedule must place somewhere)."""
    return session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.status == "accepted",
        or_(MeetingRequest.pair_low == company_id, MeetingRequest.pair_high == company_id))) or 0


def room_elsewhere(session: Session, company_id: int, except_session: int) -> int:
    """Meetings a company can still have in the other sessions (its cap, or every slot)."""
    total = 0
    for ms in session.scalars(select(MatchSession).where(MatchSession.id != except_session)):
        row = session.get(SessionCompany, (ms.id, company_id))
        slots = len(ms.slots)
        total += slots if row is None or row.max_meetings is None else min(row.max_meetings, slots)
    return total


def check_cap(session: Session, ms: MatchSession, company, cap: int | None, field: str) -> None:
    """Refuse a cap that leaves no room for the company's accepted meetings across all sessions."""
    if cap is None:
        return
    accepted = accepted_count(session, company.id)
    room = room_elsewhere(session, company.id, ms.id) + min(cap, len(ms.slots))
    if room < accepted:
        raise ValidationError(field, _(
            "%(name)s has %(accepted)d accepted meetings: a maximum of %(cap)d leaves room for only %(room)d of them in all sessions.",
            name=company.name, accepted=accepted, cap=cap, room=room))


def parse_cap(raw: str | None, slots: int, field: str) -> int | None:
    """A cap typed in a form: '' means every slot (None), else a whole number 0..slots."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > slots:
        raise ValidationError(field, _("Enter a whole number from 0 to %(max)d, or leave it empty for no limit.", max=slots))
    return int(text)
