"""A small event with known figures for the dashboard and report tests.

Plain functions called inside an application context (``ctx``), or with the app given.

Japanese offers: JP1, JP2, JP4 waste-to-energy; JP3 hydrogen. Vietnamese needs: VN1, VN2
waste-to-energy; VN3 hydrogen. TH1 (Thailand) lists nothing. Suggested pairs: 3 × 2 + 1 = 7.

Session 1 (2026-12-01, 4 slots × 2 tables, generation score 8 of bound 10): JP1-VN1 held,
JP2-VN1 held, JP4-VN2 held, JP3-VN3 no-show. Session 2 (2026-12-02): JP1-VN2 held, JP2-VN2
cancelled. Requests: JP1→VN1 accepted, JP2→VN1 pending, JP3→VN3 declined.
Ratings 5, 4 (JP1-VN1), 4 (JP2-VN1), 3 (JP4-VN2), 5 (JP1-VN2, session 2), all naming waste-to-energy.
Follow-up (waste-to-energy): JP1-VN1 up to MoU, JP2-VN1 contact, JP4-VN2 up to a proposal,
JP1-VN2 information.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (
    Category,
    FollowupStage,
    MeetingFeedback,
    MeetingRequest,
    ScheduleRun,
    ScheduledMeeting,
    pair_key,
    utcnow,
)
from tests.outcomes_helpers import published_meeting
from tests.schedule_helpers import new_session

WASTE = "waste-to-energy"


def _request(a: int, b: int, status: str) -> None:
    low, high = pair_key(a, b)
    db.session.add(MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high, status=status,
                                  expires_at=utcnow() + timedelta(days=7)))


def _feedback(meeting_id: int, company_id: int, rating: int) -> None:
    meeting = db.session.get(ScheduledMeeting, meeting_id)
    row = MeetingFeedback(meeting_id=meeting_id, company_id=company_id, session_id=meeting.session_id, rating=rating,
                          follow_up="yes")
    row.categories = [db.session.scalar(select(Category).where(Category.key == WASTE))]
    db.session.add(row)


def _stages(a: int, b: int, *stages: str) -> None:
    low, high = pair_key(a, b)
    waste = db.session.scalar(select(Category.id).where(Category.key == WASTE))
    for stage in stages:
        db.session.add(FollowupStage(pair_low=low, pair_high=high, stage=stage, happened_on=date(2027, 1, 10),
                                     category_id=waste, entered_by=a))


def known_event(make_company, make_opportunity) -> dict:
    """Build the event described above; return names -> ids (companies, sessions "s1", "s2")."""
    ids = {}
    for name, country in (("JP1", "JP"), ("JP2", "JP"), ("JP3", "JP"), ("JP4", "JP"), ("VN1", "VN"), ("VN2", "VN"),
                          ("VN3", "VN"), ("TH1", "TH")):
        ids[name] = make_company(f"{name} Co", country, email=f"{name.lower()}@example.com")
    for name, kind, key in (("JP1", "offer", WASTE), ("JP2", "offer", WASTE), ("JP4", "offer", WASTE),
                            ("JP3", "offer", "hydrogen"), ("VN1", "need", WASTE), ("VN2", "need", WASTE),
                            ("VN3", "need", "hydrogen")):
        make_opportunity(ids[name], title=f"{name} {kind}", kind=kind, categories=(key,))
    ids["s1"] = new_session(tables="2")
    ids["s2"] = new_session(name_en="Day 2 morning", day="2026-12-02", tables="2")
    meet = lambda a, b, status, ms, slot, table: published_meeting(ids[a], ids[b], status, ids[ms], slot, table)  # noqa: E731
    m11, m21 = meet("JP1", "VN1", "held", "s1", 0, 0), meet("JP2", "VN1", "held", "s1", 1, 0)
    m42 = meet("JP4", "VN2", "held", "s1", 0, 1)
    meet("JP3", "VN3", "no-show", "s1", 1, 1)
    m12 = meet("JP1", "VN2", "held", "s2", 0, 0)
    meet("JP2", "VN2", "cancelled", "s2", 1, 0)
    _request(ids["JP1"], ids["VN1"], "accepted")
    _request(ids["JP2"], ids["VN1"], "pending")
    _request(ids["JP3"], ids["VN3"], "declined")
    for meeting_id, company, rating in ((m11, "JP1", 5), (m11, "VN1", 4), (m21, "JP2", 4), (m42, "VN2", 3),
                                        (m12, "JP1", 5)):
        _feedback(meeting_id, ids[company], rating)
    _stages(ids["JP1"], ids["VN1"], "contact", "information", "feasibility", "agreement")
    _stages(ids["JP2"], ids["VN1"], "contact")
    _stages(ids["JP4"], ids["VN2"], "contact", "information", "feasibility", "agreement", "proposal")
    _stages(ids["JP1"], ids["VN2"], "contact", "information")
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    db.session.add(ScheduleRun(session_id=ids["s1"], status="done", score=8.0, bound=10.0, meetings_count=4,
                               finished_at=now))
    db.session.commit()
    return ids
