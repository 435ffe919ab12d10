"""Journey, in ja, vi and en: a table host marks meetings on a phone (390×844) — a no-show, then a
correction to held; a company says it is running late for one meeting and cancels another with a
reason; the partners read it on their agenda (struck through, with the reason) and in their
notices. Asserted on the next page and in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingEvent, ScheduledMeeting
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, user_email
from tests.eventday_helpers import JP, SG, published_session, staff_user

PHONE = {"width": 390, "height": 844}


def _meeting(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        return meeting.status, meeting.no_show_side


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


@pytest.fixture
def event(app, make_company):
    return published_session(app, make_company)


@pytest.mark.parametrize("lang", LANGS)
def test_host_marks_company_is_late_and_cancels_partner_reads_it(lang, live_server, new_page, app, event):
    with app.app_context():
        host_meeting = event.meeting(event.vn, event.sg)
        late_meeting, cancel_meeting = event.meeting(event.jp, event.vn), event.meeting(event.jp, event.sg)
        hm, table_id, sg_side = host_meeting.id, host_meeting.table_id, "low" if host_meeting.company_low == event.sg else "high"
        lm, cm = late_meeting.id, cancel_meeting.id

    # the table host, on a phone
    host = new_page()
    host.set_viewport_size(PHONE)
    # an organiser as host: a staff account's dashboard is ev-desk's part (web tests cover the staff role)
    log_in(host, live_server, staff_user(app, role="organiser"), lang)
    host.goto(f"{live_server}/{lang}/event/attendance")
    follow(host, f"/{lang}/event/sessions/{event.session_id}/tables/", "main")
    follow(host, f"/{lang}/event/sessions/{event.session_id}/tables/{table_id}", "main")
    card = f"#meeting-{hm}"
    for button in host.locator(f"{card} button").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # touch targets
        assert box["x"] + box["width"] <= PHONE["width"]  # nothing off the screen
    _click(host, f"{card} button[value=no-show-{sg_side}]")
    assert translated(app, lang, "No-show: %(name)s", name=SG) in host.inner_text(card)
    assert _meeting(app, hm) == ("no-show", sg_side)
    _click(host, f"{card} button[value=held]")  # the company was there after all
    assert translated(app, lang, "Held") in host.inner_text(f"{card} .host-status")
    assert "host@example.com" in host.inner_text(f"{card} .host-history")
    assert _meeting(app, hm) == ("held", None)

    # the Japanese company: running late for one meeting, cancels the other
    company = new_page()
    log_in(company, live_server, user_email(app, event.jp), lang)
    follow(company, f"/{lang}/agenda/", "nav.main-nav")
    company.select_option(f"#late{lm}-minutes", "10")
    _click(company, f"#late{lm}-submit")
    assert translated(app, lang, "Your partner has been told that you are running late.") in company.inner_text("main")
    follow(company, f"/{lang}/event/meetings/{cm}/cancel", f"#meeting-{cm}")
    assert translated(app, lang, "Cancel your meeting with %(name)s?", name=SG) in company.inner_text("h1")
    company.fill("#reason", "Chuyến bay bị hoãn")
    _click(company, "#cancel-meeting-form button[type=submit], #cancel-meeting-form input[type=submit]")
    assert translated(app, lang, "The meeting is cancelled. Your partner has been told.") in company.inner_text("main")
    assert company.locator(f"#meeting-{cm} h3 s").count() == 1
    with app.app_context():
        late = db.session.scalar(select(MeetingEvent).where(MeetingEvent.kind == "late"))
        assert (late.meeting_id, late.minutes, late.company_id) == (lm, 10, event.jp)
    assert _meeting(app, cm) == ("cancelled", None)

    # the partners read it on their agenda and in their notices
    vn = new_page()
    log_in(vn, live_server, user_email(app, event.vn), lang)
    notices = vn.inner_text("#notices")
    assert JP in notices and "10" in notices
    follow(vn, f"/{lang}/agenda/", "nav.main-nav")
    assert translated(app, lang, "%(name)s is running late: about %(minutes)d minutes.", name=JP, minutes=10) \
        in vn.inner_text(f"#meeting-{lm}")
    sg = new_page()
    log_in(sg, live_server, user_email(app, event.sg), lang)
    assert JP in sg.inner_text("#notices") and "Chuyến bay bị hoãn" in sg.inner_text("#notices")
    follow(sg, f"/{lang}/agenda/", "nav.main-nav")
    cancelled = sg.inner_text(f"#meeting-{cm}")
    assert "Chuyến bay bị hoãn" in cancelled and translated(app, lang, "%(name)s cancelled this meeting.", name=JP) in cancelled
    assert sg.locator(f"#meeting-{cm} h3 s").count() == 1
