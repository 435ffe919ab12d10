"""``flask event attendance SESSION_ID --json``, ``flask schedule publish SESSION_ID`` and the demo's
published matchmaking session."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Badge, CheckIn, MatchSession, ScheduledMeeting, ScheduleNotification, utcnow
from matchmaker.services.eventday import attendance
from tests.eventday_helpers import published_session, staff_user
from tests.schedule_helpers import generate, new_session, scores


def test_attendance_prints_the_documented_json(runner, app, make_company):
    event = published_session(app, make_company)
    with app.app_context():
        meeting = event.meeting(event.jp, event.sg)
        badge = Badge(company_id=event.sg, name="Tan Wei Ling", nonce="n-sg")
        db.session.add(badge)
        db.session.flush()
        arrived = utcnow().replace(microsecond=0)
        db.session.add(CheckIn(badge_id=badge.id, company_id=event.sg, checked_in_at=arrived))
        from matchmaker.models import User

        host = db.session.scalar(select(User).where(User.email == staff_user(app)))
        attendance.mark_meeting(db.session, host, meeting.id, "held", "scheduled")
        db.session.commit()
        expected_meeting = {"id": meeting.id, "a": meeting.company_low, "b": meeting.company_high,
                            "slot": meeting.slot.number, "table": meeting.table.name, "status": "held"}
    result = runner.invoke(args=["event", "attendance", str(event.session_id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"companies", "meetings"}
    assert {c["id"]: c["checked_in_at"] for c in data["companies"]} == {
        event.jp: None, event.vn: None, event.sg: arrived.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert all(set(c) == {"id", "name", "checked_in_at"} for c in data["companies"])
    assert expected_meeting in data["meetings"] and len(data["meetings"]) == 3
    assert {m["status"] for m in data["meetings"]} == {"held", "scheduled"}


def test_attendance_of_an_unknown_session_fails_with_a_message(runner):
    result = runner.invoke(args=["event", "attendance", "42", "--json"])
    assert result.exit_code != 0 and "No matchmaking session has the id 42." in result.output


def test_schedule_publish_publishes_the_draft_and_prints_json(runner, app, make_company):
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        ms_id = new_session()
        assert generate(app, ms_id, scores({(a, b): 0.9})) == "done"
    result = runner.invoke(args=["schedule", "publish", str(ms_id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"session": ms_id, "meetings": 1, "companies_told": 2}
    with app.app_context():
        assert db.session.scalar(select(func.count(ScheduledMeeting.id)).where(ScheduledMeeting.state == "published")) == 1
        assert db.session.get(MatchSession, ms_id).published_at is not None
        assert db.session.scalar(select(func.count(ScheduleNotification.id))) == 2


def test_schedule_publish_refuses_an_unknown_session_or_an_empty_draft(runner, app):
    unknown = runner.invoke(args=["schedule", "publish", "77"])
    assert unknown.exit_code != 0 and "No matchmaking session has the id 77." in unknown.output
    with app.app_context():
        ms_id = new_session()
    empty = runner.invoke(args=["schedule", "publish", str(ms_id)])
    assert empty.exit_code != 0 and "The draft is empty" in empty.output
    with app.app_context():
        assert db.session.get(MatchSession, ms_id).published_at is None


def test_demo_data_publishes_a_generated_session_the_organiser_sees(runner, app, client, login):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Matchmaking session 1 generated and published." in result.output
    with app.app_context():
        ms = db.session.get(MatchSession, 1)
        assert ms.published_at is not None and str(ms.day) == "2026-12-09"
        published = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.session_id == 1,
                                                                      ScheduledMeeting.state == "published")).all()
        assert len(published) >= 40 and all(m.status == "scheduled" for m in published)
        assert len({c for m in published for c in m.pair}) >= 35  # nearly every demo company has an agenda
        first = published[0].low.users[0].email
    login("organiser@demo.example", password="environment-week")
    page = client.get("/en/admin/schedule/1/").get_data(as_text=True)
    assert "Business matching – Day 1 afternoon" in page and "/en/event/sessions/1/tables/" in page
    client.post("/en/auth/logout", data={"csrf_token": _token(client)})
    login(first, password="environment-week")
    agenda = client.get("/en/agenda/").get_data(as_text=True)
    assert "Meeting with" in agenda and "Business matching – Day 1 afternoon" in agenda


def _token(client):
    from tests.conftest import csrf_from

    return csrf_from(client.get("/en/dashboard").get_data(as_text=True))
