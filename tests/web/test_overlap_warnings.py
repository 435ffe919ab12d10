"""Booking a seat at a seminar that overlaps one's published meeting, or bookmarking a seminar at
the time of another bookmarked one, asks before it happens (point 8 of issue 11)."""

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Bookmark, Reservation, Seminar, User
from tests.conftest import csrf_from, translated, user_email
from tests.programme_helpers import build_programme
from tests.services.test_programme_agenda import _published_meeting
from tests.webforms import submit


@pytest.fixture
def company_user(app, client, login, make_company):
    """A signed-in company user with a published meeting at the time of seminar A; returns (ids, user id)."""
    ids = build_programme(app)
    mine, partner = make_company(name="Kitakyushu Eco"), make_company(name="Hai Phong Green", country="VN")
    with app.app_context():
        _published_meeting(db.session.get(Seminar, ids["A"]), mine, partner)
        db.session.commit()
        user_id = db.session.scalar(select(User.id).where(User.company_id == mine))
    return ids, user_id, lambda lang="en": login(user_email(app, mine), lang=lang)


def _reservations(app, user_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Reservation.id)).where(Reservation.user_id == user_id,
                                                                            Reservation.status != "cancelled"))


def _bookmarks(app, user_id):
    with app.app_context():
        return sorted(db.session.scalars(select(Bookmark.seminar_id).where(Bookmark.user_id == user_id)))


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_booking_over_a_meeting_asks_first_then_books_anyway(client, app, company_user, lang):
    ids, user_id, login = company_user
    login(lang)
    question = submit(client, f"/{lang}/programme/seminars/{ids['A']}", "#seats form")
    page = question.get_data(as_text=True)
    assert question.status_code == 200 and translated(app, lang, "This overlaps your agenda") in page
    assert "Hai Phong Green" in page and translated(app, lang, "ICT") in page  # the meeting, with its time and zone
    assert _reservations(app, user_id) == 0  # nothing booked yet
    booked = submit(client, question, "form.confirm-form", button=translated(app, lang, "Reserve anyway"), follow_redirects=True)
    assert _reservations(app, user_id) == 1
    assert translated(app, lang, "Your seat is reserved.") in booked.get_data(as_text=True)


def test_cancelling_at_the_question_books_nothing(client, app, company_user):
    ids, user_id, login = company_user
    login()
    question = submit(client, f"/en/programme/seminars/{ids['A']}", "#seats form").get_data(as_text=True)
    assert f'href="/en/programme/seminars/{ids["A"]}"' in question.split('class="confirm-form"')[1]
    assert _reservations(app, user_id) == 0


def test_a_seat_without_overlap_is_booked_at_once(client, app, company_user):
    ids, user_id, login = company_user
    login()
    with app.app_context():
        db.session.get(Seminar, ids["C"]).capacity = 10
        db.session.commit()
    response = submit(client, f"/en/programme/seminars/{ids['C']}", "#seats form")
    assert response.status_code == 302 and _reservations(app, user_id) == 1


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_bookmarking_at_the_time_of_a_bookmarked_seminar_asks_first(client, app, company_user, lang):
    ids, user_id, login = company_user
    login(lang)
    with app.app_context():
        db.session.add(Bookmark(user_id=user_id, seminar_id=ids["B"]))  # B is 09:30–10:30, A 09:00–10:00
        db.session.commit()
    question = submit(client, f"/{lang}/programme/seminars/{ids['A']}", "form.bookmark-form")
    page = question.get_data(as_text=True)
    expected = translated(app, lang, "Overlaps “%(title)s” on your agenda, %(time)s.", title="Hợp tác Hải Phòng – Kitakyushu",
                          time="").split("Hợp tác")[0]
    assert expected in page and "Hợp tác Hải Phòng – Kitakyushu" in page and "Hai Phong Green" in page
    assert _bookmarks(app, user_id) == [ids["B"]]
    submit(client, question, "form.confirm-form", button=translated(app, lang, "Bookmark anyway"))
    assert _bookmarks(app, user_id) == sorted([ids["A"], ids["B"]])


def test_bookmarking_without_overlap_and_unbookmarking_do_not_ask(client, app, company_user):
    ids, user_id, login = company_user
    login()
    assert submit(client, f"/en/programme/seminars/{ids['C']}", "form.bookmark-form").status_code == 302
    assert _bookmarks(app, user_id) == [ids["C"]]
    assert submit(client, f"/en/programme/seminars/{ids['C']}", "form.bookmark-form").status_code == 302  # take it off
    assert _bookmarks(app, user_id) == []


def test_a_forged_confirmation_without_csrf_is_refused(client, app, company_user):
    ids, user_id, login = company_user
    login()
    response = client.post(f"/en/programme/seminars/{ids['A']}/reserve", data={"confirm": "1"})
    assert response.status_code in (302, 400) and _reservations(app, user_id) == 0
    token = csrf_from(client.get(f"/en/programme/seminars/{ids['A']}").get_data(as_text=True))
    client.post(f"/en/programme/seminars/{ids['A']}/reserve", data={"confirm": "1", "csrf_token": token})
    assert _reservations(app, user_id) == 1  # a confirmed form books (the person said so)
