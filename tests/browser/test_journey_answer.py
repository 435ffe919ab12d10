"""Journey (b), in ja, vi and en: the recipient of two meeting requests accepts one and declines the
other with a reason; each requester reads the answer on its own meetings page."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest
from matchmaker.services import meetings as meet_svc
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, user_email
from tests.schedule_helpers import company_user

REASON = {"ja": "今回は日程が合いません。", "vi": "Lịch của chúng tôi đã kín trong tuần này.", "en": "Our week is already full."}


@pytest.fixture
def requests(app, make_company):
    """Two companies each sent a request to a third one; returns (recipient, accepted one, declined one)."""
    recipient = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi,ja,en", email="urenco@hp.example")
    first = make_company(name="北九州エコエナジー", country="JP", languages="ja", email="kitakyushu@eco.example")
    second = make_company(name="Osaka Water Partners", country="JP", languages="en", email="water@osaka.example")
    with app.app_context():
        for requester in (first, second):
            meet_svc.request_meeting(db.session, company_user(requester), recipient, "Can we meet on day one?",
                                     cap=10, expiry_hours=72)
        db.session.commit()
    return recipient, first, second


def statuses(app):
    with app.app_context():
        rows = db.session.scalars(select(MeetingRequest).order_by(MeetingRequest.requester_id)).all()
        return {r.requester_id: (r.status, r.reason) for r in rows}


@pytest.mark.parametrize("lang", LANGS)
def test_accept_one_request_and_decline_another_with_a_reason(lang, live_server, page, new_page, app, requests):
    recipient, first, second = requests
    log_in(page, live_server, user_email(app, recipient), lang)
    follow(page, f"/{lang}/meetings/", "nav.main-nav")

    accepted = page.locator("article.request", has_text="北九州エコエナジー")
    with page.expect_navigation():
        accepted.locator("form:not(.decline) button[type=submit]").click()
    assert translated(app, lang, "Request accepted.") in page.inner_text("main")
    assert statuses(app)[first] == ("accepted", "")

    declined = page.locator("article.request", has_text="Osaka Water Partners")
    declined.locator("input[name=reason]").fill(REASON[lang])
    with page.expect_navigation():
        declined.locator("input[name=reason]").press("Enter")  # the reason field submits its own form
    assert translated(app, lang, "Request declined.") in page.inner_text("main")
    assert statuses(app) == {first: ("accepted", ""), second: ("declined", REASON[lang])}
    declined = page.locator("article.request", has_text="Osaka Water Partners")
    assert REASON[lang] in declined.inner_text() and declined.locator("form").count() == 0

    requester = new_page()
    log_in(requester, live_server, user_email(app, second), lang)
    follow(requester, f"/{lang}/meetings/", "nav.main-nav")
    mine = requester.locator("article.request", has_text="Hải Phòng Urban Environment")
    assert translated(app, lang, "Declined") in mine.inner_text() and REASON[lang] in mine.inner_text()
