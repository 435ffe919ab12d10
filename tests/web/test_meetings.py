"""The meetings page: a company answers its requests with the forms the page renders."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest
from matchmaker.services.meetings import request_meeting
from tests.conftest import csrf_from, translated, user_email
from tests.schedule_helpers import company_user
from tests.webforms import Page, find_form, submit

REASONS = {"ja": "今回は日程が合いません。", "vi": "Lịch của chúng tôi đã kín trong tuần này.", "en": "Our week is full."}


@pytest.fixture
def inbox(app, make_company):
    """A Japanese company with two pending requests from Vietnamese companies: (recipient, first, second)."""
    recipient = make_company(name="北九州エコエナジー", country="JP", languages="ja,en")
    senders = [make_company(name=name, country="VN", languages="vi") for name in ("Hải Phòng Water", "Đà Nẵng Solar")]
    with app.app_context():
        ids = [request_meeting(db.session, company_user(sender), recipient, f"Xin chào từ {sender}", cap=5, expiry_hours=48).id
               for sender in senders]
        db.session.commit()
    return recipient, *ids


def _request(app, request_id):
    with app.app_context():
        return db.session.get(MeetingRequest, request_id)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_a_company_accepts_one_request_and_declines_the_other_with_a_reason(client, app, inbox, login, lang):
    recipient, first, second = inbox
    login(user_email(app, recipient), lang=lang)
    page = f"/{lang}/meetings/"
    accepted = submit(client, page, f"#request-{first} form.accept", button=translated(app, lang, "Accept"),
                      follow_redirects=True)
    html = accepted.get_data(as_text=True)
    assert accepted.request.path == page and translated(app, lang, "Request accepted.") in html
    assert _request(app, first).status == "accepted" and _request(app, second).status == "pending"

    declined = submit(client, accepted, f"#request-{second} form.decline", fields={"reason": REASONS[lang]},
                      button=translated(app, lang, "Decline"), follow_redirects=True)
    html = declined.get_data(as_text=True)
    assert translated(app, lang, "Request declined.") in html
    assert translated(app, lang, "Accepted") in html and translated(app, lang, "Declined") in html
    assert translated(app, lang, "Waiting for an answer") not in html
    assert translated(app, lang, "Reason:") in html and REASONS[lang] in html
    first_row, second_row = _request(app, first), _request(app, second)
    assert (first_row.status, first_row.reason) == ("accepted", "")
    assert (second_row.status, second_row.reason) == ("declined", REASONS[lang])
    assert second_row.responded_at is not None


def test_a_pending_request_offers_one_answer_per_button(client, app, inbox, login):
    recipient, first, _second = inbox
    login(user_email(app, recipient))
    html = client.get("/en/meetings/").get_data(as_text=True)
    for kind, value in (("accept", "accept"), ("decline", "decline")):
        form = find_form(Page("/en/meetings/", html), f"#request-{first} form.{kind}")
        assert [c.get("value") for c in form.iter() if c.get("name") == "answer"] == [value]
        assert form.find(".//button").get("value") == value


@pytest.mark.parametrize("answer", ["", "maybe"])
def test_an_invalid_answer_is_refused_with_a_message(client, app, inbox, login, answer):
    recipient, first, _second = inbox
    login(user_email(app, recipient), lang="vi")
    token = csrf_from(client.get("/vi/meetings/").get_data(as_text=True))
    # hostile input: no page sends an empty or unknown answer; the view must say so, not redirect silently
    response = client.post(f"/vi/meetings/{first}/answer", data={"csrf_token": token, "answer": answer}, follow_redirects=True)
    assert translated(app, "vi", "Choose Accept or Decline.") in response.get_data(as_text=True)
    assert _request(app, first).status == "pending"


def test_a_reason_longer_than_the_field_allows_is_refused(client, app, inbox, login):
    recipient, _first, second = inbox
    login(user_email(app, recipient), lang="ja")
    token = csrf_from(client.get("/ja/meetings/").get_data(as_text=True))
    # hostile input: the field's maxlength keeps a browser to 500 characters
    response = client.post(f"/ja/meetings/{second}/answer", data={"csrf_token": token, "answer": "decline", "reason": "長" * 501},
                           follow_redirects=True)
    assert response.status_code == 200 and _request(app, second).status == "pending"
    assert translated(app, "ja", "Use at most %(max)d characters (you gave %(count)d).", max=500, count=501) in \
        response.get_data(as_text=True)
