"""Public programme pages, calendar files, bookmarks and reservations through the web."""

import re

from icalendar import Calendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Booth, Bookmark, Company, Reservation, Seminar, User
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme.exhibition import BoothData, save_booth, save_hall
from tests.conftest import csrf_from, translated, user_email
from tests.programme_helpers import DAY1, DAY2, build_programme, organiser
from tests.webforms import submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _fallback_badge(app, lang: str, language: str) -> str:
    return translated(app, lang, "in %(language)s", language=translated(app, lang, language))


def test_programme_in_vietnamese_picks_texts_and_marks_fallbacks(client, app):
    build_programme(app)
    page = _text(client.get(f"/vi/programme/?day={DAY1}"))
    assert "Hợp tác Hải Phòng – Kitakyushu" in page  # written in Vietnamese
    assert "JCM update" in page and "二国間クレジット制度の最新動向" not in page  # vi reader: English before Japanese
    assert _fallback_badge(app, "vi", "English") in page
    assert "Hydrogen for industry" not in page  # that is on day 2
    japanese = _text(client.get(f"/ja/programme/?day={DAY1}"))
    assert "二国間クレジット制度の最新動向" in japanese and _fallback_badge(app, "ja", "Vietnamese") in japanese


def test_times_follow_the_chosen_zone_and_name_it(client, app):
    build_programme(app)
    vietnam = _text(client.get(f"/en/programme/?day={DAY1}"))
    assert "09:00" in vietnam and "Vietnam time (UTC+7)" in vietnam
    client.get("/en/timezone", query_string={"tz": "Asia/Tokyo", "next": "/en/programme/"})
    japan = _text(client.get(f"/en/programme/?day={DAY1}"))
    assert "Japan time (UTC+9)" in japan and "11:00" in japan
    assert re.search(r"11:00–12:00 JST", japan)  # seminar A in the list view


def test_filters_and_search(client, app):
    build_programme(app)
    by_category = _text(client.get(f"/en/programme/?day={DAY1}&category=city-to-city&view=list"))
    assert "Hợp tác Hải Phòng" in by_category and "JCM update" not in by_category
    by_language = _text(client.get(f"/en/programme/?day={DAY1}&language=ja&view=list"))
    assert "JCM update" in by_language and "Hợp tác Hải Phòng" not in by_language
    search = _text(client.get(f"/en/programme/?day={DAY2}&q=HYDROGEN"))
    assert "Hydrogen for industry" in search
    nothing = _text(client.get(f"/ja/programme/?day={DAY1}&q=zzz"))
    assert translated(app, "ja", "No seminar matches these filters.") in nothing


def test_seminar_page_shows_languages_speakers_and_seats(client, app):
    ids = build_programme(app)
    page = _text(client.get(f"/en/programme/seminars/{ids['A']}"))
    assert "JCM update" in page and "佐藤 健一" in page and "Ministry of the Environment" in page
    assert "Spoken in Japanese" in page and "Interpretation into Vietnamese" in page
    assert "2 seats left" in page and "Log in to reserve a seat." in page
    vi = _text(client.get(f"/vi/programme/seminars/{ids['B']}"))
    assert "Nguyễn Thị Lan" in vi and "Chuyên gia chính sách khí hậu." in vi


def test_drafts_are_hidden_from_the_public(client, app, make_organiser, login):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        seminar = db.session.get(Seminar, ids["C"])
        seminar.published_at = None
        db.session.commit()
    assert client.get(f"/en/programme/seminars/{ids['C']}").status_code == 404
    assert "Hydrogen for industry" not in _text(client.get(f"/en/programme/?day={DAY2}"))
    login(make_organiser())
    assert "Hydrogen for industry" in _text(client.get(f"/en/programme/seminars/{ids['C']}"))


def test_calendar_feeds_parse_back(client, app):
    ids = build_programme(app)
    whole = client.get("/vi/programme.ics")
    assert whole.mimetype == "text/calendar" and whole.headers["X-Content-Type-Options"] == "nosniff"
    calendar = Calendar.from_ical(whole.data)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Hydrogen for industry", "Hợp tác Hải Phòng – Kitakyushu", "JCM update"]
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    one = Calendar.from_ical(client.get(f"/ja/programme/seminars/{ids['A']}.ics").data)
    (event,) = one.walk("VEVENT")
    with app.app_context():
        assert str(event["UID"]) == db.session.get(Seminar, ids["A"]).uid
    mine = Calendar.from_ical(client.get(f"/en/programme/mine.ics?ids={ids['B']},abc,{ids['C']},999").data)
    assert len(mine.walk("VEVENT")) == 2


def test_anonymous_agenda_lists_the_seminars_named_in_the_link(client, app):
    ids = build_programme(app)
    page = _text(client.get(f"/en/programme/mine?ids={ids['C']}"))
    assert "Hydrogen for industry" in page and "JCM update" not in page
    assert f"/en/programme/mine.ics?ids={ids['C']}" in page


def test_signed_in_bookmarks_and_reservations(client, app, make_company, login):
    ids = build_programme(app)
    company_id = make_company()
    login(user_email(app, company_id))
    seminar = f"/en/programme/seminars/{ids['A']}"
    submit(client, seminar, "form.bookmark-form")
    response = submit(client, seminar, button="Reserve a seat", follow_redirects=True)
    assert "Your seat is reserved." in _text(response) and "You have a seat." in _text(response)
    mine = _text(client.get("/en/programme/mine"))
    assert "JCM update" in mine and "Seat reserved" in mine
    with app.app_context():
        user = db.session.scalar(select(User).where(User.company_id == company_id))
        assert db.session.get(Bookmark, (user.id, ids["A"])) is not None
    cancelled = submit(client, seminar, button="Cancel my reservation", follow_redirects=True)
    assert "Your reservation is cancelled." in _text(cancelled)
    with app.app_context():
        assert db.session.scalar(select(Reservation.status)) == "cancelled"
        assert db.session.get(Seminar, ids["A"]).seats_taken == 0


def test_full_seminar_puts_people_on_the_waiting_list(client, app, make_company, login):
    ids = build_programme(app)
    with app.app_context():
        db.session.get(Seminar, ids["A"]).seats_taken = 2
        db.session.commit()
    login(user_email(app, make_company()), lang="vi")
    page = client.get(f"/vi/programme/seminars/{ids['A']}")
    assert translated(app, "vi", "Join the waiting list") in _text(page)
    done = submit(client, page, button=translated(app, "vi", "Join the waiting list"), follow_redirects=True)
    assert translated(app, "vi", "The seminar is full: you are on the waiting list.") in _text(done)
    assert translated(app, "vi", "You are number %(position)d on the waiting list.", position=1) in _text(done)


def test_reserving_needs_an_account(client, app):
    ids = build_programme(app)
    page = client.get("/en/auth/login").get_data(as_text=True)  # any form gives an anonymous visitor a token
    # hostile input: an anonymous visitor is shown no reserve button
    response = client.post(f"/en/programme/seminars/{ids['A']}/reserve", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_moved_seminar_shows_changed_and_reaches_the_dashboard(client, app, make_company, login):
    ids = build_programme(app)
    company_id = make_company()
    with app.test_request_context("/en/"):
        user = db.session.scalar(select(User).where(User.company_id == company_id))
        db.session.add(Bookmark(user_id=user.id, seminar_id=ids["B"]))
        db.session.commit()
        seminar = db.session.get(Seminar, ids["B"])
        data = svc.SeminarData(day=DAY1.isoformat(), start="15:00", end="16:00", room_id=ids["r201"],
                               titles=seminar.texts("title"), spoken_language="vi", speaker_ids=[ids["lan"]])
        svc.save_seminar(db.session, organiser(), data, tz="Asia/Ho_Chi_Minh", seminar=seminar)
        db.session.commit()
    programme = _text(client.get(f"/en/programme/?day={DAY1}"))
    assert programme.count(">Changed<") >= 2  # the day tab and the seminar
    login(user_email(app, company_id))
    dashboard = _text(client.get("/en/dashboard"))
    assert "Hợp tác Hải Phòng – Kitakyushu" in dashboard and "has moved" in dashboard
    submit(client, "/en/dashboard", 'form[action="/en/programme/notices/dismiss"]')
    assert "has moved" not in _text(client.get("/en/dashboard"))


def test_exhibitors_and_hall_plan(client, app, make_company):
    approved = make_company(name="Hai Phong Green", country="VN", contact_email="green@example.vn")
    make_company(name="Pending Co", status="pending", contact_email="pending@example.jp")
    with app.test_request_context("/en/"):
        actor = organiser()
        hall = save_hall(db.session, actor, "Hall B", "1F")
        for number, email, name in (("B-10", "green@example.vn", ""), ("B-02", "pending@example.jp", ""), ("B-01", "", "JCM desk")):
            save_booth(db.session, actor, BoothData(hall.id, number, email, name, ["jcm"]))
        db.session.commit()
    listing = _text(client.get("/en/programme/exhibitors/"))
    assert "Hai Phong Green" in listing and "JCM desk" in listing and "Pending Co" not in listing
    assert f"/en/companies/{approved}" in listing
    assert "Hai Phong Green" not in _text(client.get("/en/programme/exhibitors/?q=desk"))
    plan = _text(client.get("/ja/programme/halls/"))
    assert plan.index("B-01") < plan.index("B-10") and "Pending Co" not in plan
    with app.app_context():
        assert db.session.scalar(select(Booth.company_id).where(Booth.number == "B-10")) == approved
        assert db.session.get(Company, approved).name == "Hai Phong Green"
