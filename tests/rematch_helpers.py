"""Helpers for the same-day re-matching tests: a published day, check-ins, fixed scores.

Plain functions called inside an application context.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (
    Badge,
    CheckIn,
    MatchSession,
    MeetingSeat,
    ReplacementProposal,
    ScheduledMeeting,
    pair_key,
)
from tests.schedule_helpers import new_session

UTC = timezone.utc


def day_session(day: date | None = None, tables: int = 4, **overrides) -> MatchSession:
    """A session 09:00–11:00 Vietnam time (4 slots of 30 min) on *day* (default: tomorrow)."""
    day = day or (datetime.now(UTC) + timedelta(days=1)).date()
    ms_id = new_session(day=day.isoformat(), tables=str(tables), **overrides)
    ms = db.session.get(MatchSession, ms_id)
    ms.publications = 1
    db.session.commit()
    return ms


def local(ms: MatchSession, hhmm: str) -> datetime:
    """*hhmm* on the session's day in Vietnam time, as UTC."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(ms.day.year, ms.day.month, ms.day.day, hours, minutes, tzinfo=UTC) - timedelta(hours=7)


def publish(ms: MatchSession, a: int, b: int, slot: int, table: int, score: float = 0.5) -> ScheduledMeeting:
    """A published meeting of *a* and *b* in slot number *slot* at table number *table*, with seats."""
    low, high = pair_key(a, b)
    meeting = ScheduledMeeting(session_id=ms.id, state="published", slot_id=ms.slots[slot].id,
                               table_id=ms.tables[table].id, company_low=low, company_high=high, score=score)
    db.session.add(meeting)
    db.session.flush()
    for company_id in (low, high):
        db.session.add(MeetingSeat(meeting_id=meeting.id, company_id=company_id, state="published",
                                   slot_id=ms.slots[slot].id))
    db.session.commit()
    return meeting


def check_in(ms: MatchSession, *company_ids: int, at: str = "08:00") -> None:
    """Each company checked in at the desk on the session's day."""
    for company_id in company_ids:
        badge = Badge(company_id=company_id, name="Guest", nonce=secrets.token_hex(16))
        db.session.add(badge)
        db.session.flush()
        db.session.add(CheckIn(badge_id=badge.id, company_id=company_id, checked_in_at=local(ms, at)))
    db.session.commit()


def fixed_scores(mapping: dict[tuple[int, int], float]):
    """A score source with fixed pair scores (instead of the embedding model)."""
    fixed = {pair_key(a, b): s for (a, b), s in mapping.items()}
    return lambda session, config, ms: dict(fixed)


def proposals(ms_id: int, status: str | None = None) -> list[ReplacementProposal]:
    """The session's proposals (of *status*), by slot and pair."""
    query = select(ReplacementProposal).where(ReplacementProposal.session_id == ms_id)
    if status:
        query = query.where(ReplacementProposal.status == status)
    return list(db.session.scalars(query.order_by(ReplacementProposal.slot_id, ReplacementProposal.company_low)))


def waste_day(app, make_company, make_opportunity, names=("Hanoi Waste", "Kitakyushu Eco", "Da Nang Recycling",
                                                          "Osaka Hydrogen")) -> dict:
    """A published day scored by the real model: A (to go absent) meets P at 09:00 (table 0) and G at
    10:00 (table 1); P offers a waste-to-energy plant that F needs; P, F and G are checked in."""
    a = make_company(name=names[0], country="VN", languages="vi", email="a@hanoi-waste.example")
    p = make_company(name=names[1], country="JP", languages="ja", email="p@kitakyushu.example")
    f = make_company(name=names[2], country="VN", languages="vi", email="f@danang.example")
    g = make_company(name=names[3], country="JP", languages="ja", email="g@osaka.example")
    make_opportunity(p, "Waste-to-energy incineration plants", kind="offer", categories=("waste-to-energy",))
    make_opportunity(f, "We need a waste-to-energy incineration plant", kind="need", categories=("waste-to-energy",))
    make_opportunity(a, "Landfill gas capture", kind="need", categories=("waste-to-energy",))
    make_opportunity(g, "Hydrogen fuel cells", kind="offer", categories=("hydrogen",))
    with app.app_context():
        ms = day_session()
        first = publish(ms, a, p, 0, 0)
        second = publish(ms, a, g, 2, 1)
        check_in(ms, p, f, g)
        return {"ms": ms.id, "a": a, "p": p, "f": f, "g": g, "meetings": [first.id, second.id],
                "start": local(ms, "09:00")}
