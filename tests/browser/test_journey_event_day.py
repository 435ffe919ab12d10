"""The whole event day, in ja, vi and en, through the site's own links (after logging in).

The session is tomorrow, 09:00-11:00 ICT; the event clock (``MATCHMAKER_EVENT_CLOCK``, here its
offset) puts the site at 09:35 on that day, as a demo run on another day would. The organiser
prints the badges (the event PDF holds the Japanese and the Vietnamese names); staff check
companies in at the desk (search, and the badge link the QR code holds); a table host marks the
09:00 meeting held; the organiser marks the Vietnamese company absent, the re-matching proposes a
replacement for its partner among the companies checked in, the organiser confirms it; the partner's
agenda shows the replacement meeting and its calendar feed carries it with a SEQUENCE above the
publication's, and the freed meeting as STATUS:CANCELLED with its SEQUENCE bumped. The database is
checked after every step."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Absence, Badge, CheckIn, ReplacementProposal, ScheduledMeeting, utcnow
from matchmaker.services.eventday import tokens
from tests.browser.conftest import DOCUMENT_TIMEOUT
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, user_email
from tests.eventday_helpers import staff_user
from tests.rematch_helpers import day_session, local, publish

ABSENT, PARTNER, FILLER, OTHER = ("Công ty Môi trường Hà Nội", "北九州エコエナジー株式会社",
                                  "Công ty Tái chế Đà Nẵng", "大阪水素株式会社")
PARTNER_PERSON, FILLER_PERSON = "佐藤 花子", "Nguyễn Thị Lan"


@pytest.fixture
def event_day(app, make_company, make_opportunity):
    """Four companies and a published day: OTHER meets PARTNER at 09:00 and FILLER at 09:30; ABSENT
    meets PARTNER at 10:00 and OTHER at 10:30. PARTNER offers what FILLER needs. Clock: 09:35."""
    absent = make_company(name=ABSENT, country="VN", languages="vi", contact_name="Trần Văn Minh",
                          email="a@hanoi-env.example")
    partner = make_company(name=PARTNER, country="JP", languages="ja", contact_name=PARTNER_PERSON,
                           email="p@kitakyushu.example")
    filler = make_company(name=FILLER, country="VN", languages="vi", contact_name=FILLER_PERSON,
                          email="f@danang.example")
    other = make_company(name=OTHER, country="JP", languages="ja", contact_name="山本 健", email="o@osaka.example")
    make_opportunity(partner, "Waste-to-energy incineration plants", kind="offer", categories=("waste-to-energy",))
    make_opportunity(filler, "We need a waste-to-energy incineration plant", kind="need",
                     categories=("waste-to-energy",))
    make_opportunity(absent, "Landfill gas capture", kind="need", categories=("waste-to-energy",))
    make_opportunity(other, "Hydrogen fuel cells", kind="offer", categories=("hydrogen",))
    with app.app_context():
        ms = day_session()
        held = publish(ms, partner, other, 0, 0)
        publish(ms, filler, other, 1, 1)
        freed = publish(ms, absent, partner, 2, 0)
        publish(ms, absent, other, 3, 1)
        ids = {"ms": ms.id, "absent": absent, "partner": partner, "filler": filler, "other": other,
               "held": held.id, "held_table": held.table_id, "freed": freed.id, "start": local(ms, "09:35")}
        app.config["EVENT_CLOCK_OFFSET"] = local(ms, "09:35") - utcnow()
    yield ids
    app.config["EVENT_CLOCK_OFFSET"] = timedelta(0)


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _feed(page) -> dict[str, tuple[str, int, str]]:
    """The company's calendar feed: UID → (summary, SEQUENCE, STATUS)."""
    body = page.request.get(page.input_value("#feed input.feed-url")).body()
    return {str(e["UID"]): (str(e["SUMMARY"]), int(e.get("SEQUENCE", 0)), str(e.get("STATUS", "")))
            for e in Calendar.from_ical(body).walk("VEVENT")}


def _uid(feed: dict, name: str) -> str:
    [uid] = [uid for uid, (summary, _seq, _status) in feed.items() if name in summary]
    return uid


@pytest.mark.parametrize("lang", LANGS)
def test_the_whole_event_day(lang, live_server, page, new_page, app, make_organiser, event_day, tmp_path):
    e = event_day

    # the partner subscribes to its calendar feed before the day
    partner = new_page()
    log_in(partner, live_server, user_email(app, e["partner"]), lang)
    follow(partner, f"/{lang}/agenda/", "nav.main-nav")
    _click(partner, "#feed form button[type=submit]")
    before = _feed(partner)
    freed_uid = _uid(before, ABSENT)
    assert before[freed_uid][2] != "CANCELLED"

    # 1. the organiser prints every badge
    log_in(page, live_server, make_organiser(), lang)
    follow(page, f"/{lang}/admin/companies", "header")
    follow(page, f"/{lang}/event/badges/", "nav.subnav")
    with page.expect_download(timeout=DOCUMENT_TIMEOUT) as download:
        page.click("#badges-event-pdf", timeout=DOCUMENT_TIMEOUT)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(download.value.path().read_bytes())).pages)
    assert PARTNER_PERSON in text and FILLER_PERSON in text and PARTNER in text
    with app.app_context():
        badges = {b.company_id: b for b in db.session.scalars(select(Badge))}
        assert set(badges) == {e["absent"], e["partner"], e["filler"], e["other"]}
        filler_link = tokens.checkin_path(badges[e["filler"]])  # what the QR code on her badge holds

    # 2. staff check companies in: by search, and by the badge's link
    staff = new_page()
    log_in(staff, live_server, staff_user(app), lang)
    assert staff.url.endswith(f"/{lang}/event/checkin/")
    for query in ("佐藤", "山本"):
        staff.fill("#q", query)
        with staff.expect_navigation():
            staff.press("#q", "Enter")
        _click(staff, "table.checkin-found tbody tr >> nth=0 >> button")
        assert translated(app, lang, "Checked in: %(name)s (%(company)s) at %(time)s.", name="@", company="@",
                          time="@").split("@")[0] in staff.inner_text(".flash")
    staff.goto(f"{live_server}{filler_link}")  # the camera of the desk phone opened the QR code
    assert FILLER_PERSON in staff.inner_text("main")
    _click(staff, "form.confirm-box [type=submit]")
    assert staff.inner_text("[data-count=companies]") == "3 / 4"
    with app.app_context():
        stamps = {c.company_id: c.checked_in_at for c in db.session.scalars(select(CheckIn))}
        assert set(stamps) == {e["partner"], e["other"], e["filler"]}
        assert all(abs(at - e["start"]) < timedelta(minutes=5) for at in stamps.values())  # the event clock

    # 3. a table host (the same staff member) marks the 09:00 meeting held
    follow(staff, f"/{lang}/event/attendance", "header")
    follow(staff, f"/{lang}/event/sessions/{e['ms']}/tables/", "main")
    follow(staff, f"/{lang}/event/sessions/{e['ms']}/tables/{e['held_table']}", "main")
    _click(staff, f"#meeting-{e['held']} button[value=held]")
    assert translated(app, lang, "Held") in staff.inner_text(f"#meeting-{e['held']} .host-status")
    with app.app_context():
        assert db.session.get(ScheduledMeeting, e["held"]).status == "held"

    # 4. the organiser marks the Vietnamese company absent and confirms the replacement
    follow(page, f"/{lang}/admin/schedule/", "nav.subnav")
    follow(page, f"/{lang}/admin/schedule/{e['ms']}/", "main")
    follow(page, f"/{lang}/event/sessions/{e['ms']}/", "main")
    assert page.locator("#event-clock").is_visible()
    page.select_option("#absent-company", str(e["absent"]))
    _click(page, "#absent-submit")
    assert ABSENT in page.inner_text("#absences")
    assert FILLER in page.inner_text("#open-proposals") and PARTNER in page.inner_text("#open-proposals")
    with app.app_context():
        absence = db.session.scalar(select(Absence))
        assert absence.company_id == e["absent"]
        assert timedelta(0) <= absence.starts_at - e["start"] < timedelta(minutes=5)  # "now" on the event clock
        assert db.session.get(ScheduledMeeting, e["freed"]).status == "no-show"
        assert db.session.get(ScheduledMeeting, e["held"]).status == "held"  # the past is kept
    _click(page, "#confirm-all")
    assert page.locator("#no-open-proposals").is_visible()
    with app.app_context():
        [made] = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.source == "replacement")).all()
        assert {made.company_low, made.company_high} == {e["partner"], e["filler"]}
        assert (made.state, made.status, made.slot.number) == ("published", "replacement", 2)
        assert {p.status for p in db.session.scalars(select(ReplacementProposal))} == {"confirmed"}

    # 5. the partner's agenda and calendar feed follow
    follow(partner, f"/{lang}/agenda/", "nav.main-nav")
    main = partner.inner_text("main")
    assert translated(app, lang, "Meeting with %(name)s", name=FILLER) in main
    assert translated(app, lang, "Cancelled: your partner cannot attend") in partner.inner_text(".meeting-freed")
    after = _feed(partner)
    assert after[freed_uid][1] > before[freed_uid][1] and after[freed_uid][2] == "CANCELLED"
    new_uid = _uid(after, FILLER)
    assert new_uid not in before and after[new_uid][1] > max(seq for _s, seq, _st in before.values())
    assert after[new_uid][2] != "CANCELLED"
