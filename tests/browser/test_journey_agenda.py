"""Journey (d), in ja, vi and en: both companies of a published meeting find it on their agenda,
switch between Vietnam and Japan time (the time moves by two hours and names its zone), and
download the agenda as an .ics file."""

from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matchmaker.extensions import db
from matchmaker.services.schedule.publish import publish_schedule
from tests.browser.journeys import JP_COMPANY, LANGS, VN_COMPANY, accepted_pair, follow, log_in
from tests.conftest import translated, user_email
from tests.schedule_helpers import generate, meetings, new_session, organiser, scores

A, B = JP_COMPANY, VN_COMPANY
ICT, JST = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Asia/Tokyo")


@pytest.fixture
def published(app, make_company):
    """A published schedule with one meeting between A and B; returns (a, b, its start in UTC)."""
    a, b = accepted_pair(app, make_company)
    with app.app_context():
        ms_id = new_session()
        assert generate(app, ms_id, candidates=scores({(a, b): 0.9})) == "done"
        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
        [meeting] = meetings(ms_id, "published")
        return a, b, meeting.slot.starts_at


def read_agenda(page, app, lang, partner, start, zone, label):
    """The agenda shows the meeting with *partner* at *start* in *zone*, and names the zone."""
    with page.expect_navigation():
        page.click(f"form.tz-switch button[value='{zone.key}']")
    main = page.inner_text("main")
    assert translated(app, lang, "Meeting with %(name)s", name=partner) in main
    assert start.astimezone(zone).strftime("%H:%M") in page.inner_text(".agenda-meeting .when")
    assert translated(app, lang, label) in main and ("UTC+7" if zone is ICT else "UTC+9") in main


def download_ics(page, tmp_path, name):
    with page.expect_download() as download:
        page.click("#agenda-download")
    path = tmp_path / name
    download.value.save_as(path)
    return Calendar.from_ical(path.read_bytes())


@pytest.mark.parametrize("lang", LANGS)
def test_both_companies_read_the_meeting_switch_zone_and_download_ics(lang, live_server, page, new_page, app, published, tmp_path):
    a, b, start = published
    start = start.replace(tzinfo=ZoneInfo("UTC")) if start.tzinfo is None else start
    for who, partner, browser_page in ((a, B, page), (b, A, new_page())):
        log_in(browser_page, live_server, user_email(app, who), lang)
        follow(browser_page, f"/{lang}/agenda/", "nav.main-nav")
        read_agenda(browser_page, app, lang, partner, start, ICT, "Vietnam time")
        read_agenda(browser_page, app, lang, partner, start, JST, "Japan time")

        [event] = download_ics(browser_page, tmp_path, f"agenda-{who}.ics").walk("VEVENT")
        assert partner in str(event["SUMMARY"])
        assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"  # the zone the reader chose
        assert event.decoded("DTSTART") == start.astimezone(JST)
