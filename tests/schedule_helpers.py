"""Helpers shared by the schedule tests: sessions, accepted requests, fixed candidate scores.

Plain functions called inside an application context (the ``ctx`` fixture or ``app.app_context()``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, ScheduledMeeting, User, pair_key, utcnow
from matchmaker.services.schedule import generation, sessions
from matchmaker.services.schedule.instance import Candidate


def organiser() -> User:
    """An organiser account (created once per test)."""
    user = db.session.scalar(select(User).where(User.email == "org@example.com"))
    if user is None:
        user = User(email="org@example.com", password_hash="!", role="organiser")
        db.session.add(user)
        db.session.flush()
    return user


def company_user(company_id: int) -> User:
    """The factory user of a company."""
    return db.session.scalar(select(User).where(User.company_id == company_id))


def new_session(**overrides) -> int:
    """A committed session (default 1 Dec 2026, 09:00-11:00 Vietnam time, 30-min slots, 2 tables)."""
    data = sessions.SessionData(**{**dict(name_en="Day 1 morning", day="2026-12-01", start="09:00", end="11:00",
                                          timezone="Asia/Ho_Chi_Minh", slot_minutes="30", buffer_minutes="0",
                                          tables="2"), **overrides})
    saved = sessions.save_session(db.session, organiser(), data)
    db.session.commit()
    return saved.session.id


def accept(a: int, b: int) -> None:
    """An accepted meeting request between companies *a* and *b*."""
    low, high = pair_key(a, b)
    db.session.add(MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high, status="accepted",
                                  expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()


def scores(mapping: dict[tuple[int, int], float]):
    """A candidate source returning fixed scores (instead of the embedding model)."""
    fixed = {pair_key(a, b): Candidate(s) for (a, b), s in mapping.items()}
    return lambda session, config, ms: dict(fixed)


def generate(app, ms_id: int, candidates=None, method: str = "optimal", time_limit: float = 10.0) -> str:
    """Start and run a generation synchronously; return its final status."""
    run = generation.start_generation(db.session, organiser(), ms_id, method=method, time_limit=time_limit)
    db.session.commit()
    status = generation.run_generation(app, run.id, candidates=candidates or scores({}))
    db.session.expire_all()
    return status


def meetings(ms_id: int, state: str = "draft") -> list[ScheduledMeeting]:
    """The session's meetings in *state*, by slot and table."""
    return list(db.session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms_id, ScheduledMeeting.state == state).order_by(ScheduledMeeting.slot_id, ScheduledMeeting.table_id)))


SCARCE_NAMES = {"h": "Hanoi Green Hub", "a": "Osaka Recycling", "b": "Da Nang Biogas", "c": "Kobe Filters", "d": "Can Tho Solar"}


def scarce_event(make_company) -> tuple[dict[str, int], dict[tuple[int, int], float]]:
    """Five companies and candidate scores for a session with one table and two slots.

    Everyone prefers the hub H. The unfair best (H-A, H-B: 1.85, also greedy's pick) leaves C
    and D without a meeting; the fair schedule (H-A, C-D: 1.30) leaves only B, for want of a table.
    """
    ids = {key: make_company(name=name, country="JP" if key in "ac" else "VN") for key, name in SCARCE_NAMES.items()}
    pairs = {("h", "a"): 0.95, ("h", "b"): 0.9, ("h", "c"): 0.85, ("h", "d"): 0.8, ("a", "b"): 0.3, ("c", "d"): 0.35}
    return ids, {(ids[x], ids[y]): s for (x, y), s in pairs.items()}
