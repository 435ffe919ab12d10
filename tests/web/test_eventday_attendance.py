"""Table hosts mark meetings on their table's page; companies say they are running late or cancel
from their agenda; the partner sees it. Forms are submitted as the pages render them; hand-made
posts only in the hostile tests (marked)."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import MeetingEvent, Notification, ScheduledMeeting
from tests.conftest import csrf_from, translated, user_email
from tests.eventday_helpers import JP, VN, published_session, staff_user
from tests.webforms import submit


@pytest.fixture
def event(app, make_company):
    return published_session(app, make_company)


def _table_url(app, event, a, b, lang="en"):
    with app.app_context():
        meeting = event.meeting(a, b)
        return f"/{lang}/event/sessions/{event.session_id}/tables/{meeting.table_id}", meeting.id


def _status(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        return meeting.status, meeting.no_show_side


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_a_host_finds_the_table_and_marks_a_no_show(client, app, event, login, lang):
    login(staff_user(app), lang=lang)
    sessions = client.get(f"/{lang}/event/attendance").get_data(as_text=True)
    assert f"/{lang}/event/sessions/{event.session_id}/tables/" in sessions
    tables = client.get(f"/{lang}/event/sessions/{event.session_id}/tables/").get_data(as_text=True)
    url, meeting_id = _table_url(app, event, event.jp, event.vn, lang)
    assert url in tables
    page = client.get(url).get_data(as_text=True)
    assert JP in page and VN in page and translated(app, lang, "Not marked yet") in page
    response = submit(client, url, f"#meeting-{meeting_id} form", button=f"action=no-show-{_side(app, meeting_id, event.vn)}",
                      follow_redirects=True)
    assert _status(app, meeting_id) == ("no-show", _side(app, meeting_id, event.vn))
    html = response.get_data(as_text=True)
    assert translated(app, lang, "Saved.") in html
    assert translated(app, lang, "No-show: %(name)s", name=VN) in html
    assert "host@example.com" in html  # the history says who


def _side(app, meeting_id, company_id):
    with app.app_context():
        return "low" if db.session.get(ScheduledMeeting, meeting_id).company_low == company_id else "high"


def test_a_mistake_is_corrected_with_clear_the_mark(client, app, event, login):
    login(staff_user(app))
    url, meeting_id = _table_url(app, event, event.jp, event.vn)
    submit(client, url, f"#meeting-{meeting_id} form", button="action=cancelled")
    assert _status(app, meeting_id) == ("cancelled", None)
    submit(client, url, f"#meeting-{meeting_id} form", button="action=reset")
    assert _status(app, meeting_id) == ("scheduled", None)
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingEvent.id))) == 2


def test_the_second_host_is_told_what_the_first_did(client, app, event, login):
    login(staff_user(app))
    url, meeting_id = _table_url(app, event, event.jp, event.vn)
    stale = client.get(url)  # both hosts have the page open
    submit(client, url, f"#meeting-{meeting_id} form", button="action=held")
    response = submit(client, stale, f"#meeting-{meeting_id} form", button="action=cancelled", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Someone else marked this meeting first: Held." in html
    assert _status(app, meeting_id) == ("held", None)


def test_a_correction_refused_when_the_table_was_retaken_says_why(client, app, event, login):
    login(staff_user(app))
    url, meeting_id = _table_url(app, event, event.jp, event.vn)
    submit(client, url, f"#meeting-{meeting_id} form", button="action=cancelled")
    with app.app_context():  # another meeting moved onto the freed table in that slot
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        other = event.meeting(event.vn, event.sg)
        from matchmaker.models import MeetingSeat

        db.session.execute(MeetingSeat.__table__.delete().where(MeetingSeat.meeting_id == other.id))
        other.slot_id, other.table_id = meeting.slot_id, meeting.table_id
        db.session.commit()
    response = submit(client, url, f"#meeting-{meeting_id} form", button="action=held", follow_redirects=True)
    assert "This meeting cannot be restored" in response.get_data(as_text=True)
    assert _status(app, meeting_id) == ("cancelled", None)


def test_a_company_says_it_is_running_late_and_the_partner_sees_it(client, app, event, login):
    login(user_email(app, event.jp), lang="ja")
    with app.app_context():
        meeting_id = event.meeting(event.jp, event.vn).id
    response = submit(client, "/ja/agenda/", f"#meeting-{meeting_id} form.late-form", fields={f"late{meeting_id}-minutes": "15"},
                      follow_redirects=True)
    assert translated(app, "ja", "Your partner has been told that you are running late.") in response.get_data(as_text=True)
    assert translated(app, "ja", "You told your partner that you are running late: about %(minutes)d minutes.", minutes=15) \
        in response.get_data(as_text=True)
    client.post("/ja/auth/logout", data={"csrf_token": csrf_from(response.get_data(as_text=True))})
    login(user_email(app, event.vn), lang="vi")
    agenda = client.get("/vi/agenda/").get_data(as_text=True)
    assert translated(app, "vi", "%(name)s is running late: about %(minutes)d minutes.", name=JP, minutes=15) in agenda
    dashboard = client.get("/vi/dashboard").get_data(as_text=True)
    assert "15 phút" in dashboard and JP in dashboard


def test_a_company_cancels_with_a_reason_after_confirming(client, app, event, login):
    login(user_email(app, event.vn), lang="vi")
    with app.app_context():
        meeting = event.meeting(event.jp, event.vn)
        meeting_id, uid = meeting.id, meeting.uid
    agenda = client.get("/vi/agenda/").get_data(as_text=True)
    assert f"/vi/event/meetings/{meeting_id}/cancel" in agenda
    ask = client.get(f"/vi/event/meetings/{meeting_id}/cancel")
    assert translated(app, "vi", "Cancel your meeting with %(name)s?", name=JP) in ask.get_data(as_text=True)
    assert _status(app, meeting_id) == ("scheduled", None)  # asking changed nothing
    response = submit(client, ask, "#cancel-meeting-form", fields={"reason": "Xe bị hỏng"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert translated(app, "vi", "The meeting is cancelled. Your partner has been told.") in html
    assert f"<s>{translated(app, 'vi', 'Meeting with %(name)s', name=JP)}</s>" in html and "Xe bị hỏng" in html
    assert _status(app, meeting_id) == ("cancelled", None)
    printed = client.get("/vi/agenda/print").get_data(as_text=True)  # the desk's printout: struck through, no buttons
    assert f"<s>{translated(app, 'vi', 'Meeting with %(name)s', name=JP)}</s>" in printed and "late-form" not in printed
    ics = client.get("/vi/agenda/agenda.ics").data
    event_ = next(e for e in Calendar.from_ical(ics).walk("VEVENT") if str(e["UID"]) == uid)
    assert str(event_["STATUS"]) == "CANCELLED"
    with app.app_context():
        assert int(event_["SEQUENCE"]) == db.session.get(ScheduledMeeting, meeting_id).sequence
        notice = db.session.scalar(select(Notification).where(Notification.company_id == event.jp))
        assert (notice.kind, notice.reason, notice.meeting_id) == ("meeting_cancelled", "Xe bị hỏng", meeting_id)


def test_a_too_long_reason_is_refused_in_the_readers_language(client, app, event, login):
    login(user_email(app, event.jp), lang="ja")
    with app.app_context():
        meeting_id = event.meeting(event.jp, event.vn).id
    token = csrf_from(client.get(f"/ja/event/meetings/{meeting_id}/cancel").get_data(as_text=True))
    # hostile input: the page's textarea stops at 500 characters, a hand-made post does not
    response = client.post(f"/ja/event/meetings/{meeting_id}/cancel", data={"csrf_token": token, "reason": "あ" * 501})
    assert response.status_code == 200
    assert translated(app, "ja", "Use at most %(max)d characters (you gave %(count)d).", max=500, count=501) \
        in response.get_data(as_text=True)
    assert _status(app, meeting_id) == ("scheduled", None)


def test_cancelling_twice_tells_the_second_why(client, app, event, login):
    login(user_email(app, event.jp))
    with app.app_context():
        meeting_id = event.meeting(event.jp, event.vn).id
    ask = client.get(f"/en/event/meetings/{meeting_id}/cancel")
    submit(client, f"/en/event/meetings/{meeting_id}/cancel", "#cancel-meeting-form")
    again = submit(client, ask, "#cancel-meeting-form")
    assert "This meeting is cancelled already." in again.get_data(as_text=True)


# --- hostile input -------------------------------------------------------------------------------

def test_a_company_cannot_mark_or_change_another_companys_meeting(client, app, event, login):
    login(user_email(app, event.jp))
    token = csrf_from(client.get("/en/agenda/").get_data(as_text=True))
    with app.app_context():
        theirs = event.meeting(event.vn, event.sg)
        theirs_id, table_id = theirs.id, theirs.table_id
    # hostile input: another company's meeting id, posted by hand
    assert client.post(f"/en/event/meetings/{theirs_id}/late", data={f"late{theirs_id}-csrf_token": token,
                                                                      f"late{theirs_id}-minutes": "5"}).status_code == 404
    # hostile input: cancelling another company's meeting
    assert client.post(f"/en/event/meetings/{theirs_id}/cancel", data={"csrf_token": token, "reason": "x"}).status_code == 404
    assert client.get(f"/en/event/meetings/{theirs_id}/cancel").status_code == 404
    # hostile input: a company on the table hosts' page and its form
    assert client.get(f"/en/event/sessions/{event.session_id}/tables/{table_id}").status_code == 403
    assert client.post(f"/en/event/sessions/{event.session_id}/tables/{table_id}/meetings/{theirs_id}",
                       data={f"m{theirs_id}-csrf_token": token, f"m{theirs_id}-expected": "scheduled",
                             "action": "held"}).status_code == 403
    assert _status(app, theirs_id) == ("scheduled", None)
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingEvent.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_hostile_marks_change_nothing(client, app, event, login):
    login(staff_user(app))
    url, meeting_id = _table_url(app, event, event.jp, event.vn)
    token = csrf_from(client.get(url).get_data(as_text=True))
    with app.app_context():
        other = event.meeting(event.vn, event.sg)
    base = f"/en/event/sessions/{event.session_id}/tables"
    fields = {f"m{meeting_id}-csrf_token": token, f"m{meeting_id}-expected": "scheduled"}
    # hostile input: an action no button has
    response = client.post(f"{base}/{_table_of(app, meeting_id)}/meetings/{meeting_id}", data={**fields, "action": "vanish"},
                           follow_redirects=True)
    assert "Choose one of the buttons." in response.get_data(as_text=True)
    # hostile input: a meeting of another table, or another session's table
    if other.table_id != _table_of(app, meeting_id):
        assert client.post(f"{base}/{other.table_id}/meetings/{meeting_id}", data={**fields, "action": "held"}).status_code == 404
    assert client.post(f"/en/event/sessions/999/tables/{_table_of(app, meeting_id)}/meetings/{meeting_id}",
                       data={**fields, "action": "held"}).status_code == 404
    # hostile input: no CSRF token
    client.post(f"{base}/{_table_of(app, meeting_id)}/meetings/{meeting_id}", data={"action": "held"})
    assert _status(app, meeting_id) == ("scheduled", None)


def _table_of(app, meeting_id):
    with app.app_context():
        return db.session.get(ScheduledMeeting, meeting_id).table_id


def test_anonymous_visitors_go_to_the_login_page(client, event):
    response = client.get(f"/en/event/sessions/{event.session_id}/tables/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_organiser_reaches_the_tables_from_the_session_page(organiser_client, app, event):
    page = organiser_client.get(f"/en/admin/schedule/{event.session_id}/").get_data(as_text=True)
    assert f'href="/en/event/sessions/{event.session_id}/tables/"' in page
    assert organiser_client.get(f"/en/event/sessions/{event.session_id}/tables/").status_code == 200
