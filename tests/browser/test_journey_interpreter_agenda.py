"""Journey, in ja, vi and en: an interpreter opens the agenda link the organisers sent, reads their
meetings (both companies, the table, the online meeting's video link), switches to Japan time,
prints, and subscribes to the feed; a company's agenda names the interpreter and shows the link.

The published meetings are written straight into the database (tests/interpreter_helpers.py): the
generator that assigns interpreters and video links is tested on its own."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matchmaker.extensions import db
from matchmaker.models import ScheduledMeeting, utcnow
from tests.browser.journeys import JP_COMPANY, LANGS, VN_COMPANY, follow, log_in
from tests.conftest import translated, user_email
from tests.interpreter_helpers import VIDEO, make_interpreter, publish_meeting
from tests.schedule_helpers import new_session

TOKEN = "tok-lan-0123456789abcdef"
VN_ONLINE = "Can Tho Solar"
ICT, JST = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Asia/Tokyo")


@pytest.fixture
def interpreted(app, make_company):
    """JP↔VN at table 1 in slot 0 and JP↔VN_ONLINE online in slot 1, both interpreted by Lan."""
    jp = make_company(name=JP_COMPANY, country="JP", languages="ja", email="a@kitakyushu.example")
    vn = make_company(name=VN_COMPANY, country="VN", languages="vi", email="b@haiphong.example")
    online = make_company(name=VN_ONLINE, country="VN", languages="vi", email="c@cantho.example")
    with app.app_context():
        day = (utcnow() + timedelta(days=5)).date().isoformat()
        ms_id = new_session(day=day, venue="Melia Hanoi")
        lan = make_interpreter(token=TOKEN)
        at_table = publish_meeting(ms_id, jp, vn, slot=0, table=0, interpreter_id=lan.id)
        remote = publish_meeting(ms_id, jp, online, slot=1, table=None, interpreter_id=lan.id, video_url=VIDEO)
        return dict(jp=jp, online=online, lan=lan.id, at_table=at_table.id, remote=remote.id,
                    remote_start=remote.slot.starts_at, remote_uid=f"interp-{lan.id}-{remote.uid}")


@pytest.mark.parametrize("lang", LANGS)
def test_interpreter_reads_agenda_and_company_sees_interpreter_and_link(lang, live_server, page, new_page, app,
                                                                      interpreted):
    page.goto(f"{live_server}/{lang}/interpreter/{TOKEN}/")
    assert page.inner_text("#interpreter-title").endswith("Nguyen Thi Lan")
    table_item = page.inner_text(f"#interpreted-{interpreted['at_table']}")
    assert JP_COMPANY in table_item and VN_COMPANY in table_item
    assert translated(app, lang, "Table %(table)s", table="1") in table_item
    online_item = f"#interpreted-{interpreted['remote']}"
    assert VN_ONLINE in page.inner_text(online_item) and translated(app, lang, "Online") in page.inner_text(online_item)
    assert page.get_attribute(f"{online_item} .video-link a", "href") == VIDEO
    start = interpreted["remote_start"]
    assert start.astimezone(ICT).strftime("%H:%M") in page.inner_text(f"{online_item} .when")

    with page.expect_navigation():  # the zone switch works without an account
        page.click(f"form.tz-switch button[value='{JST.key}']")
    assert start.astimezone(JST).strftime("%H:%M") in page.inner_text(f"{online_item} .when")
    assert "UTC+9" in page.inner_text("main")

    follow(page, f"/{lang}/interpreter/{TOKEN}/print")
    assert VIDEO in page.inner_text("main") and VN_ONLINE in page.inner_text("main")
    follow(page, f"/{lang}/interpreter/{TOKEN}/")

    feed = page.request.get(page.get_attribute("#interpreter-feed", "href"))
    assert feed.headers["cache-control"] == "private, no-store"
    events = {str(e["UID"]): e for e in Calendar.from_ical(feed.body()).walk("VEVENT")}
    remote = events[interpreted["remote_uid"]]
    assert str(remote["LOCATION"]) == VIDEO and str(remote["URL"]) == VIDEO
    assert VN_ONLINE in str(remote["SUMMARY"]) and JP_COMPANY in str(remote["SUMMARY"])

    company = new_page()
    log_in(company, live_server, user_email(app, interpreted["online"]), lang)
    follow(company, f"/{lang}/agenda/", "nav.main-nav")
    item = f"#meeting-{interpreted['remote']}"
    text = company.inner_text(item)
    assert translated(app, lang, "Interpreter: %(name)s", name="Nguyen Thi Lan") in text
    assert company.inner_text(f"{item} .online-place") == translated(app, lang, "Online")
    assert company.get_attribute(f"{item} .video-link a", "href") == VIDEO
    with app.app_context():  # what the pages showed is what the database holds
        meeting = db.session.get(ScheduledMeeting, interpreted["remote"])
        assert meeting.interpreter_id == interpreted["lan"] and meeting.video_url == VIDEO and meeting.table_id is None
