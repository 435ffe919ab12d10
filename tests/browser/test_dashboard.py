"""In a real browser, in ja, vi and en: an organiser opens the dashboard from the organiser
navigation after the demo event's "after the event" data, finds every plot drawn (an SVG image
with content and alt text, its table beside it), narrows it to one session, and downloads the
report in both formats.

The demo event is loaded once and the three languages walk through it one after the other, each
in a fresh browser context: loading it (embedding every offer, generating two schedules) took
most of the journey's time, and three tests loading it at once on two cores took 100-190 s each.
"""

import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduledMeeting
from tests.browser.conftest import DOCUMENT_TIMEOUT
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated

KEYS = ("registrations", "supply", "funnel", "schedule", "attendance", "ratings", "pipeline", "areas")


def test_dashboard_plots_filters_and_report(live_server, new_page, app, make_organiser, tmp_path):
    loaded = app.test_cli_runner().invoke(args=["demo-data", "--after-event"])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        held = db.session.scalar(select(func.count(ScheduledMeeting.id)).where(
            ScheduledMeeting.state == "published", ScheduledMeeting.status == "held"))
        first = db.session.scalar(select(MatchSession).order_by(MatchSession.day, MatchSession.start_time))
        first_id, first_held = first.id, db.session.scalar(select(func.count(ScheduledMeeting.id)).where(
            ScheduledMeeting.state == "published", ScheduledMeeting.status == "held",
            ScheduledMeeting.session_id == first.id))
    organiser = make_organiser()
    for lang in LANGS:
        _walk_through(live_server, new_page(), app, organiser, tmp_path / lang, lang, held, first_id, first_held)


def _walk_through(live_server, page, app, organiser, folder, lang, held, first_id, first_held):
    folder.mkdir()
    log_in(page, live_server, organiser, lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    follow(page, f"/{lang}/admin/dashboard/", "nav.subnav")
    assert page.inner_text("h1") == translated(app, lang, "Dashboard")
    for key in KEYS:
        image = page.locator(f"#figure-{key} figure img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert len(image.get_attribute("alt")) > 30
        assert page.locator(f"#figure-{key} table tbody tr").count() > 0
    svg = page.request.get(live_server + page.locator("#figure-funnel img").get_attribute("src"))
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml") and "<path" in svg.text()
    funnel = page.inner_text("#figure-funnel table")
    assert f"{translated(app, lang, 'Meeting held')}\t{held}" in funnel

    page.select_option("#session", str(first_id))
    with page.expect_navigation():
        page.click("#dashboard-filters button[type=submit]")
    assert f"session={first_id}" in page.url
    assert f"{translated(app, lang, 'Meeting held')}\t{first_held}" in page.inner_text("#figure-funnel table")

    with page.expect_download(timeout=DOCUMENT_TIMEOUT) as pdf_download:
        page.click("#report-pdf", timeout=DOCUMENT_TIMEOUT)
    pdf_path = folder / "report.pdf"
    pdf_download.value.save_as(pdf_path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf_path).pages).split())
    assert translated(app, lang, "Japan–Vietnam Environment Week: report to the joint working group") in text
    assert f"{translated(app, lang, 'Meetings held')} {held}" in text
    with page.expect_download(timeout=DOCUMENT_TIMEOUT) as xlsx_download:
        page.click("#report-xlsx", timeout=DOCUMENT_TIMEOUT)
    book = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    values = {row[0]: row[1] for row in book[book.sheetnames[0]].iter_rows(min_row=3, values_only=True)}
    assert values[translated(app, lang, "Meetings held")] == held
