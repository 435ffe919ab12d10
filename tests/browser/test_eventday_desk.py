"""The check-in desk in Chromium: a badge QR made by the product, shown to the page through
Chromium's fake camera, checks its company in; and a staff member's journey in ja, vi and en
(search a Vietnamese name typed without diacritics, check in, the counts follow, undo)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import segno
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import CheckIn
from matchmaker.services.eventday import checkin as desk
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _check_the_rest, _watch
from tests.browser.journeys import LANGS, log_in
from tests.checkin_helpers import make_badge, make_staff  # noqa: F401 - fixtures
from tests.conftest import translated

FRAME = (640, 480)


def write_y4m(path, picture: Image.Image, frames: int = 10) -> None:
    """*picture* on a white 640×480 frame, as a grey YUV 4:2:0 video Chromium's fake camera plays."""
    canvas = Image.new("L", FRAME, 255)
    canvas.paste(picture.convert("L"), ((FRAME[0] - picture.width) // 2, (FRAME[1] - picture.height) // 2))
    luma = np.asarray(canvas, dtype=np.uint8).tobytes()
    chroma = bytes([128]) * (FRAME[0] // 2 * FRAME[1] // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def badge_qr(url: str) -> Image.Image:
    """The badge's QR code as segno draws it (PNG), read back with Pillow."""
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=6, border=4)
    png.seek(0)
    return Image.open(png)


@pytest.fixture
def camera_page(browser, axe_script, page_checks, live_server):
    """Factory: a watched page of a Chromium whose camera shows the video file given."""
    launched = []

    def make(video, locale="en-GB"):
        chromium = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        context = chromium.new_context(locale=locale)
        context.grant_permissions(["camera"], origin=live_server)
        context.add_init_script(script=axe_script)
        launched.append((chromium, context))
        page = context.new_page()
        _watch(page, page_checks)
        page.set_default_timeout(20000)
        return page

    yield make
    for chromium, context in launched:
        _check_the_rest(context, page_checks)
        context.close()
        chromium.close()
    report = page_checks.report()
    assert not report, "the browser saw problems:\n" + report


def test_fake_camera_shows_a_badge_and_its_company_is_checked_in(app, live_server, camera_page, tmp_path,
                                                                 make_company, make_badge, make_staff):
    company = make_company(name="Kitakyushu Eco Energy")
    _, link = make_badge(company, name="山田 太郎", name_latin="Yamada Taro")
    video = tmp_path / "badge.y4m"
    write_y4m(video, badge_qr(live_server + link))
    page = camera_page(video)
    log_in(page, live_server, make_staff(), "en")
    assert page.url.endswith("/en/event/checkin/")
    # the page decodes the fake camera's frames in JavaScript: with four journeys at a time on two
    # cores a frame takes several times longer than alone, so the first read may take well over 20 s
    with page.expect_navigation(url=re.compile(r"/en/event/checkin/"), timeout=60_000):
        page.click("#camera-start")
    page.wait_for_selector("text=Checked in: 山田 太郎 (Kitakyushu Eco Energy)")
    assert "ICT" in page.inner_text(".flash")
    assert page.inner_text("[data-count=companies]") == "1 / 1"
    with app.app_context():
        rows = list(db.session.scalars(select(CheckIn)))
        assert len(rows) == 1 and rows[0].company_id == company and rows[0].method == "scan"
        assert desk.company_checked_in_at(db.session, company) is not None
    page.wait_for_timeout(1500)  # the camera is back on and still sees the badge: no second check-in
    with app.app_context():
        assert len(list(db.session.scalars(select(CheckIn)))) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_staff_journey_search_check_in_counts_undo(app, live_server, page, make_company, make_badge, make_staff, lang):
    company = make_company(name="Công ty Môi trường Đô thị Hải Phòng", country="VN", languages="vi")
    badge_id, _ = make_badge(company, name="Đặng Thị Hương", name_latin="")
    make_badge(make_company(name="北九州エコエナジー"), name="佐藤 花子", name_latin="Sato Hanako")
    log_in(page, live_server, make_staff(), lang)
    assert page.url.endswith(f"/{lang}/event/checkin/")
    assert page.inner_text("[data-count=people]") == "0 / 2"
    page.fill("#q", "dang thi huong")
    with page.expect_navigation():
        page.press("#q", "Enter")
    rows = page.locator("table.checkin-found tbody tr")
    assert rows.count() == 1 and "Đặng Thị Hương" in rows.inner_text()
    with page.expect_navigation():
        rows.locator("button").click()
    assert translated(app, lang, "Checked in: %(name)s (%(company)s) at %(time)s.", name="Đặng Thị Hương",
                      company="Công ty Môi trường Đô thị Hải Phòng", time="@").split("@")[0] in page.inner_text(".flash")
    assert page.inner_text("[data-count=people]") == "1 / 2"
    with app.app_context():
        assert desk.company_checked_in_at(db.session, company) is not None
    with page.expect_navigation():
        page.locator("table.checkin-found tbody tr button").click()
    assert translated(app, lang, "Check-in undone: %(name)s (%(company)s).", name="Đặng Thị Hương",
                      company="Công ty Môi trường Đô thị Hải Phòng") in page.inner_text(".flash")
    assert page.inner_text("[data-count=people]") == "0 / 2"
    with app.app_context():
        assert desk.company_checked_in_at(db.session, company) is None
        row = db.session.scalar(select(CheckIn))
        assert row.undone_at is not None and row.undone_by is not None
        # another desk checks her in: this page's counts follow without a reload
        from matchmaker.models import Badge
        desk.check_in_badge(db.session, db.session.get(Badge, badge_id), None, "scan")
        db.session.commit()
    expect(page.locator("[data-count=people]")).to_have_text("1 / 2", timeout=15000)  # the page polls every 5 s


def test_camera_reads_a_code_the_decoder_misses_at_full_size(app, live_server, camera_page, tmp_path, make_staff):
    """ZXing's detector misjudges the module size of this code (segno, scale 6) in a 640×480 frame
    read at full size (a few codes in a hundred at this size; this one found by trying 150 links):
    the page reads successive frames at smaller scales too, so the badge is still read. Not a badge
    of this event, so the desk says so and changes nothing."""
    video = tmp_path / "hard.y4m"
    write_y4m(video, badge_qr("http://127.0.0.1:5000/b/0000"))
    page = camera_page(video)
    log_in(page, live_server, make_staff(), "en")
    with page.expect_navigation(url=re.compile(r"/en/event/checkin/"), timeout=60_000):  # as above
        page.click("#camera-start")
    assert "This code is not a valid badge of this event. Nothing was changed." in page.inner_text(".flash")
    with app.app_context():
        assert list(db.session.scalars(select(CheckIn))) == []


def test_usb_scanner_types_the_link_and_enter(app, live_server, page, make_company, make_badge, make_staff):
    """A keyboard-wedge scanner: the focused field receives the link's keystrokes, then Enter."""
    company = make_company(name="Hải Phòng Green", country="VN")
    _, link = make_badge(company, name="Nguyễn Văn An", name_latin="Nguyen Van An")
    log_in(page, live_server, make_staff(), "vi")
    assert page.evaluate("document.activeElement.id") == "code"  # the field is focused on arrival
    page.keyboard.type(live_server + link, delay=2)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Nguyễn Văn An (Hải Phòng Green)" in page.inner_text(".flash")
    page.keyboard.type(live_server + link, delay=2)  # the field has the focus again: a second scan
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert translated(app, "vi", "%(name)s (%(company)s) was already checked in at %(time)s. Nothing was changed.",
                      name="Nguyễn Văn An", company="Hải Phòng Green", time="@").split("@")[0] in page.inner_text(".flash")
    with app.app_context():
        assert len(list(db.session.scalars(select(CheckIn)))) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_creates_a_staff_account(app, live_server, page, make_organiser, lang):
    from matchmaker.models import User

    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    with page.expect_navigation():
        page.click(f"nav.subnav a[href='/{lang}/admin/staff/']")
    page.fill("#name", "Lê Thị Hoa")
    page.fill("#email", "hoa@example.com")
    with page.expect_navigation():
        page.click("form.staff-form [type=submit]")
    assert translated(app, lang, "Staff account created for %(name)s; a link to choose a password was mailed to %(email)s.",
                      name="Lê Thị Hoa", email="hoa@example.com") in page.inner_text(".flash")
    assert "hoa@example.com" in page.inner_text("table.staff-list")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hoa@example.com"))
        assert user.role == "staff" and user.name == "Lê Thị Hoa"
