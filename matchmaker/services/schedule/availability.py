"""Companies mark, per session, the slots they cannot attend and the most meetings they want."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from matchmaker.models import (
    Company,
    MatchSession,
    ScheduledMeeting,
    SessionCompany,
    SessionSlot,
    Unavailability,
    User,
)
from matchmaker.services.schedule.common import check_cap, load_session, parse_cap, slot_label
from matchmaker.services.schedule.modes import apply_mode, parse_company_mode
from matchmaker.services.validation import ValidationError


@dataclass
class SessionAvailability:
    """One session as a company sees it on its availability grid."""

    session: MatchSession
    unavailable: set[int] = field(default_factory=set)  # slot numbers
    cap: int | None = None
    fixed: set[int] = field(default_factory=set)  # slot numbers holding a pinned or published meeting
    mode: str = "onsite"  # or "online": how the company attends this session


def _company(actor: User) -> Company:
    if actor.company is None:
        raise PermissionError("companies only")
    return actor.company


def _fixed_meetings(session: Session, ms_id: int, company_id: int) -> dict[int, SessionSlot]:
    """Slot number -> slot of the company's pinned draft and published meetings in the session."""
    rows = session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms_id,
        or_(ScheduledMeeting.state == "published", ScheduledMeeting.pinned.is_(True)),
        or_(ScheduledMeeting.company_low == company_id, ScheduledMeeting.company_high == company_id)))
    return {m.slot.number: m.slot for m in rows}


def availability_of(session: Session, company: Company) -> list[SessionAvailability]:
    """Every session in time order with the company's unavailable slots and cap."""
    out = []
    for ms in session.scalars(select(MatchSession).order_by(MatchSession.day, MatchSession.start_time)):
        numbers = set(session.scalars(select(SessionSlot.number).join(Unavailability).where(
            SessionSlot.session_id == ms.id, Unavailability.company_id == company.id)))
        row = session.get(SessionCompany, (ms.id, company.id))
        out.append(SessionAvailability(ms, numbers, row.max_meetings if row else None,
                                       set(_fixed_meetings(session, ms.id, company.id)), row.mode if row else "onsite"))
    return out


def _slot_numbers(raw: list[str], ms: MatchSession) -> set[int]:
    numbers = set()
    for item in raw:
        text = (item or "").strip()
        if not (text.isascii() and text.isdigit()) or int(text) >= len(ms.slots):
            raise ValidationError("unavailable", _("The slot “%(slot)s” does not exist in this session.", slot=text))
        numbers.add(int(text))
    return numbers


def set_availability(session: Session, actor: User, ms_id: int, unavailable: list[str], cap: str | None,
                     mode: str | None = None) -> bool:
    """Replace the actor's company's unavailable slots (slot numbers), cap and, given *mode*, how
    it attends session *ms_id* (on site or online). Returns whether the mode changed.

    Refused, with nothing saved, for a slot that does not exist, a cap below the company's
    accepted meetings, a slot holding a meeting the organisers fixed or published, or a mode
    that is neither on site nor online.
    """
    company = _company(actor)
    ms = load_session(session, ms_id)
    numbers = _slot_numbers(unavailable, ms)
    checked_mode = parse_company_mode(mode) if mode is not None else None
    limit = parse_cap(cap, len(ms.slots), "max_meetings")
    check_cap(session, ms, company, limit, "max_meetings")
    fixed = _fixed_meetings(session, ms.id, company.id)
    clash = sorted(numbers & set(fixed))
    if clash:
        raise ValidationError("unavailable", _(
            "You have a meeting fixed by the organisers at %(time)s. Ask them to move it before marking that time unavailable.",
            time=slot_label(fixed[clash[0]])))
    slot_ids = {s.number: s.id for s in ms.slots}
    session.execute(delete(Unavailability).where(
        Unavailability.company_id == company.id, Unavailability.slot_id.in_(list(slot_ids.values()))))
    session.add_all(Unavailability(slot_id=slot_ids[n], company_id=company.id) for n in sorted(numbers))
    row = session.get(SessionCompany, (ms.id, company.id)) or SessionCompany(session_id=ms.id, company_id=company.id)
    row.max_meetings = limit
    session.add(row)
    session.flush()
    changed = checked_mode is not None and apply_mode(session, ms.id, company.id, checked_mode)
    session.flush()
    return changed
