"""Journey (c), in ja, vi and en: the organiser sets up a matchmaking session; both companies of an
accepted request mark when they are not available; the organiser generates the draft, reviews
the meeting, publishes the schedule and exports it."""

import csv
import io

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduledMeeting, SessionSlot, Unavailability
from tests.browser.journeys import JP_COMPANY, LANGS, VN_COMPANY, accepted_pair, fill_session_form, follow, log_in
from tests.conftest import translated, user_email

A, B = JP_COMPANY, VN_COMPANY


@pytest.fixture
def pair(app, make_company):
    return accepted_pair(app, make_company)


def create_session(page, lang):
    follow(page, f"/{lang}/admin/companies", "nav.main-nav")
    follow(page, f"/{lang}/admin/schedule/", "main nav.subnav")
    follow(page, f"/{lang}/admin/schedule/new", "main")
    fill_session_form(page, "Day 1 morning", "2026-12-01", "09:00", "10:30")


def mark_unavailable(page, base, app, company_id, lang, slot_number):
    log_in(page, base, user_email(app, company_id), lang)
    follow(page, f"/{lang}/agenda/", "nav.main-nav")
    follow(page, f"/{lang}/agenda/availability", "main")
    page.check(f"input[type=checkbox][value='{slot_number}']")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert translated(app, lang, "Availability saved.") in page.inner_text("main")
    assert page.is_checked(f"input[type=checkbox][value='{slot_number}']")


def unavailable_slots(app):
    with app.app_context():
        rows = db.session.execute(select(Unavailability.company_id, SessionSlot.number).join(SessionSlot)).all()
        return sorted(tuple(row) for row in rows)


def meetings(app, state):
    with app.app_context():
        rows = db.session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high, SessionSlot.number)
                                  .join(SessionSlot).where(ScheduledMeeting.state == state)).all()
        return [tuple(row) for row in rows]


def generate_and_review(page, lang):
    page.click("#run form [type=submit]")
    page.wait_for_selector("#report", timeout=60000)  # schedule.js reloads the page when the run ends
    cell = page.locator("#grid td", has_text=A)
    assert B in cell.inner_text()
    follow(page, cell.locator("a").get_attribute("href"), "#grid")  # the draft meeting's own page
    main = page.inner_text("main")
    assert A in main and B in main
    with page.expect_navigation():
        page.go_back()


def export_csv(page, lang, tmp_path):
    with page.expect_download() as download:
        page.click("#handouts a[href*='export.csv']")
    path = tmp_path / "schedule.csv"
    download.value.save_as(path)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("lang", LANGS)
def test_session_availability_generate_review_publish_export(lang, live_server, page, new_page, app, pair, make_organiser, tmp_path):
    a, b = pair
    log_in(page, live_server, make_organiser(), lang)
    create_session(page, lang)
    assert translated(app, lang, "Session saved.") in page.inner_text("main")
    with app.app_context():
        ms = db.session.scalar(select(MatchSession))
        assert (ms.name, len(ms.slots), len(ms.tables)) == ("Day 1 morning", 3, 2)
    session_url = page.url

    mark_unavailable(new_page(), live_server, app, a, lang, 0)  # 09:00 (slots count from 0)
    mark_unavailable(new_page(), live_server, app, b, lang, 2)  # 10:00
    assert unavailable_slots(app) == [(a, 0), (b, 2)]

    page.goto(session_url)
    generate_and_review(page, lang)
    assert meetings(app, "draft") == [(a, b, 1)]  # the one slot both have free: 09:30
    with page.expect_navigation():
        page.click("#publish")  # publishing asks first
    with page.expect_navigation():
        page.click("#confirm-publish-button")
    assert translated(app, lang, "Schedule published. The companies are told in %(minutes)d minutes unless you undo it.",
                      minutes=app.config["PUBLISH_UNDO_MINUTES"]) in page.inner_text("main")
    assert meetings(app, "published") == [(a, b, 1)]

    header, *rows = export_csv(page, lang, tmp_path)
    assert translated(app, lang, "Company A") in header
    [row] = rows
    assert (row[2], row[3], row[4], row[6], row[8]) == ("2026-12-01", "09:30", "09:55", A, B)
