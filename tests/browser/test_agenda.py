"""In a real browser: an organiser sets up a session, generates (progress polled by schedule.js),
publishes; the company reads its agenda in Japanese, in Japan time, downloads the .ics, prints."""

from icalendar import Calendar

from matchmaker.extensions import db
from tests.browser.journeys import fill_session_form
from tests.conftest import PASSWORD, translated, user_email
from tests.schedule_helpers import accept


def log_in(page, base, email, lang):
    page.goto(f"{base}/{lang}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")


def test_generate_publish_and_read_the_agenda(live_server, page, app, make_company, make_organiser, tmp_path):
    a = make_company(name="北九州エコエナジー", country="JP", languages="ja")
    b = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        db.session.commit()
    log_in(page, live_server, make_organiser(), "en")
    page.goto(f"{live_server}/en/admin/schedule/new")
    fill_session_form(page, "Day 1 morning", "2026-12-01", "09:00", "10:00")
    page.click("text=Generate the draft >> nth=-1")
    page.wait_for_selector("#report", timeout=60000)  # schedule.js reloads the page when the run ends
    assert "北九州エコエナジー ↔ Hải Phòng Urban Environment" in page.inner_text("#grid")
    page.click("#publish")
    page.click("#confirm-publish-button")
    assert "Schedule published." in page.inner_text("main")

    page.context.clear_cookies()
    log_in(page, live_server, user_email(app, a), "ja")
    page.goto(f"{live_server}/ja/agenda/")
    page.click(f"form.tz-switch >> text={translated(app, 'ja', 'Japan time')}")
    main = page.inner_text("main")
    assert translated(app, "ja", "Meeting with %(name)s", name="Hải Phòng Urban Environment") in main
    assert translated(app, "ja", "Japan time") in main and "UTC+9" in main
    assert translated(app, "ja", "Interpreter needed: no common language") in main
    with page.expect_download() as download:
        page.click("#agenda-download")
    path = tmp_path / "agenda.ics"
    download.value.save_as(path)
    [event] = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert event.get("DTSTART").params["TZID"] == "Asia/Tokyo"
    with page.expect_navigation():  # count() does not wait: without this it can read the page still loading
        page.click("#agenda-print")
    page.emulate_media(media="print")
    assert page.locator("header.site-header").count() == 0 and page.locator(".print-table tbody tr").count() == 1
    page.pdf(path=str(tmp_path / "agenda.pdf"), format="A4")
    page.screenshot(path=str(app.instance_path) + "/agenda-print-ja.png", full_page=True)
