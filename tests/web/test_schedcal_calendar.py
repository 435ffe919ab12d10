"""Calendars: what went away stays as cancelled for a while, one UID domain, venue, agenda link, table names, charset."""

import pytest
from icalendar import Calendar

from matchmaker.extensions import db
from matchmaker.models import MatchSession, Seminar, User
from matchmaker.services.programme import seminars as programme_svc
from matchmaker.services.programme import attendance
from matchmaker.services.schedule import publish
from tests.conftest import translated, user_email
from tests.programme_helpers import build_programme
from tests.schedule_helpers import accept, generate, meetings, new_session, organiser
from tests.webforms import submit


def events(response) -> dict:
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"  # the charset once
    return {str(e["UID"]): e for e in Calendar.from_ical(response.get_data()).walk("VEVENT")}


@pytest.fixture
def published(app, make_company):
    """A published meeting in a session held at a named venue, its tables named by the organiser."""
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session(venue="Hall B, Hanoi Convention Centre", table_names="テーブル1\n2")
        generate(app, ms_id)
        publish.publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    return ms_id, a, b


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_meeting_carries_venue_table_as_written_and_agenda_link(client, app, published, login, lang):
    ms_id, a, b = published
    login(user_email(app, a), lang=lang)
    [event] = events(client.get(f"/{lang}/agenda/agenda.ics")).values()
    with app.app_context():
        [m] = meetings(ms_id, "published")
        table = m.table.name
    location = str(event["LOCATION"])
    assert location.endswith(", Hall B, Hanoi Convention Centre")
    if table == "テーブル1":
        assert location.startswith("テーブル1,") and "Table テーブル1" not in location and "テーブルテーブル" not in location
    else:
        assert location.startswith(translated(app, lang, "Table %(table)s", table="2") + ",")
    assert str(event["URL"]).endswith("/agenda/")
    assert str(event["UID"]).endswith("@jv-environment-week")


def test_dropped_meeting_stays_cancelled_with_a_higher_sequence(client, app, published, login):
    ms_id, a, b = published
    login(user_email(app, b), lang="vi")
    [before] = events(client.get("/vi/agenda/agenda.ics")).values()
    with app.app_context():
        publish.withdraw_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    after = events(client.get("/vi/agenda/agenda.ics"))
    cancelled = after[str(before["UID"])]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) > int(before["SEQUENCE"])
    title = translated(app, "vi", "Meeting with %(name)s", name="Kitakyushu Eco")
    assert str(cancelled["SUMMARY"]) == translated(app, "vi", "Cancelled: %(title)s", title=title)
    with app.app_context():  # published again: the live event replaces the cancelled one
        publish.publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    again = events(client.get("/vi/agenda/agenda.ics"))[str(before["UID"])]
    assert "STATUS" not in again


def test_cancellations_leave_the_feed_after_the_keep_days(client, app, published, login):
    ms_id, a, _b = published
    login(user_email(app, a))
    with app.app_context():
        publish.withdraw_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    app.config["CALENDAR_CANCELLED_DAYS"] = 0
    try:
        assert events(client.get("/en/agenda/agenda.ics")) == {}
    finally:
        app.config["CALENDAR_CANCELLED_DAYS"] = 30


def test_deleted_seminar_stays_cancelled_in_programme_and_my_calendar(client, app, make_company, login):
    ids = build_programme(app)
    company = make_company(name="Da Nang Port", country="VN", languages="vi")
    email = user_email(app, company)
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        seminar = db.session.get(Seminar, ids["C"])
        attendance.set_bookmark(db.session, user, seminar, on=True)
        db.session.commit()
        uid, sequence = seminar.uid, seminar.sequence
    assert uid.endswith("@jv-environment-week")  # the meetings' domain
    login(email, lang="ja")
    assert "STATUS" not in events(client.get("/ja/programme.ics"))[uid]
    with app.app_context():
        programme_svc.delete_seminar(db.session, organiser(), db.session.get(Seminar, ids["C"]))
        db.session.commit()
    for url in ("/ja/programme.ics", "/ja/programme/mine.ics", "/ja/agenda/agenda.ics"):
        event = events(client.get(url))[uid]
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) > sequence, url


def test_session_form_takes_the_venue(client, app, make_organiser, login):
    login(make_organiser())
    response = submit(client, "/en/admin/schedule/new", "main form", fields={
        "name_en": "Day 1", "venue": "Hall B", "day": "2026-12-01", "start": "09:00", "end": "10:00",
        "slot_minutes": "25", "buffer_minutes": "5", "tables": "2"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(MatchSession).one().venue == "Hall B"
