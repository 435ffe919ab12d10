"""A visitor without an account reads the programme in Vietnamese, switches to Japan time,
bookmarks a seminar (kept in the browser) and downloads their agenda as an .ics file."""

from icalendar import Calendar

from tests.conftest import translated
from tests.programme_helpers import DAY1, build_programme


def test_vietnamese_programme_japan_time_bookmark_and_ics(live_server, page, app, tmp_path):
    ids = build_programme(app)
    page.goto(f"{live_server}/vi/programme/?day={DAY1}")
    assert page.locator("html").get_attribute("lang") == "vi"
    grid = page.locator("table.programme-grid")
    assert "Hợp tác Hải Phòng – Kitakyushu" in grid.inner_text()
    assert "09:00" in grid.inner_text() and "UTC+7" in page.inner_text("#zone-note")

    page.click(f"form.tz-switch >> text={translated(app, 'vi', 'Japan time')}")
    assert "UTC+9" in page.inner_text("#zone-note")
    assert "11:00" in page.locator("table.programme-grid").inner_text()  # 09:00 in Hanoi is 11:00 in Tokyo

    button = page.locator(f"td.session-cell button.bookmark[data-seminar='{ids['B']}']")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert translated(app, "vi", "On my agenda") in button.inner_text()
    stored = page.evaluate("() => window.localStorage.getItem('matchmaker.programme.bookmarks')")
    assert stored == f"[{ids['B']}]"

    page.click(f"nav.programme-nav >> text={translated(app, 'vi', 'Bookmarked seminars')}")
    page.wait_for_url(f"**/vi/programme/mine?ids={ids['B']}")
    assert "Hợp tác Hải Phòng – Kitakyushu" in page.inner_text("main")
    with page.expect_download() as download_info:
        page.click("#agenda-ics")
    path = tmp_path / "agenda.ics"
    download_info.value.save_as(path)
    calendar = Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Hợp tác Hải Phòng – Kitakyushu"
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Tokyo"
    assert event.decoded("DTSTART").hour == 11 and event.decoded("DTSTART").minute == 30
    page.screenshot(path=str(tmp_path / "programme-vi.png"), full_page=True)
