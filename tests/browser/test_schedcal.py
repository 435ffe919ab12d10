"""In Chromium, in ja, vi and en: the organiser publishes a draft (the site asks first), undoes it
(nobody is told), publishes again; an empty draft offers no publish button."""

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import ScheduleNotification, utcnow
from tests.conftest import PASSWORD, translated
from tests.schedule_helpers import accept, generate, meetings, new_session


def log_in(page, base, email, lang):
    page.goto(f"{base}/{lang}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_publish_asks_first_and_can_be_undone(live_server, page, app, make_company, make_organiser, lang):
    a = make_company(name="北九州エコエナジー", country="JP", languages="ja")
    b = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session(name_ja="1日目 午前", name_vi="Ngày 1 buổi sáng", name_en="Day 1 morning")
        generate(app, ms_id)
        empty_id = new_session(day="2026-12-02")
    log_in(page, live_server, make_organiser(), lang)

    page.goto(f"{live_server}/{lang}/admin/schedule/{empty_id}/")
    assert page.locator("#publish").count() == 0
    assert translated(app, lang, "The draft is empty: generate it or add meetings before publishing.") in page.inner_text("main")

    page.goto(f"{live_server}/{lang}/admin/schedule/{ms_id}/")
    page.click("#publish")
    name = {"ja": "1日目 午前", "vi": "Ngày 1 buổi sáng", "en": "Day 1 morning"}[lang]
    assert page.inner_text("h1") == translated(app, lang, "Publish the draft of “%(session)s”?", session=name).replace("&#34;", '"')
    with app.app_context():
        assert meetings(ms_id, "published") == []  # asking changes nothing
    page.click("#confirm-publish-button")
    page.wait_for_selector("#undo-publish")
    with app.app_context():
        assert len(meetings(ms_id, "published")) == 1
        notices = list(db.session.scalars(select(ScheduleNotification)))
        assert len(notices) == 2 and all(n.deliver_at > utcnow() for n in notices)

    page.click("#undo-publish")
    page.wait_for_selector("#publish")
    assert translated(app, lang, "Publishing undone: the companies were not told.") in page.inner_text("main")
    assert page.locator("#undo-publish").count() == 0
    with app.app_context():
        assert meetings(ms_id, "published") == []
        assert db.session.scalar(select(func.count(ScheduleNotification.id))) == 0

    page.click("#publish")
    page.click(f"text={translated(app, lang, 'Cancel')}")  # backing out of the confirm page publishes nothing
    with app.app_context():
        assert meetings(ms_id, "published") == []
    page.click("#publish")
    page.click("#confirm-publish-button")
    page.wait_for_selector("#undo-publish")
    with app.app_context():
        assert len(meetings(ms_id, "published")) == 1
