"""The check-in desk and the badge link through the pages: scan, search, undo, counts, access."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import CheckIn
from tests.checkin_helpers import make_badge, make_staff  # noqa: F401 - fixtures
from tests.conftest import PASSWORD, csrf_from, translated, user_email
from tests.webforms import submit

DESK = "/{lang}/event/checkin/"


def _rows(app, live_only=False) -> int:
    with app.app_context():
        stmt = select(func.count(CheckIn.id))
        return db.session.scalar(stmt.where(CheckIn.undone_at.is_(None)) if live_only else stmt)


@pytest.fixture
def staff_client(client, make_staff, login):
    login(make_staff())
    return client


def _scan(client, code, lang="en"):
    return submit(client, DESK.format(lang=lang), "#scan-form", fields={"code": code}, follow_redirects=True)


def _clock(app, lang, moment) -> str:
    """The time as the desk writes it to a reader of *lang* ('13:30 ICT', '13:30 giờ Việt Nam')."""
    from flask import g

    from matchmaker.eventday.desk_views import clock_with_zone

    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        return clock_with_zone(moment)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_scan_checks_in_then_says_already(app, staff_client, make_company, make_badge, lang):
    company = make_company(name="Kitakyushu Eco Energy")
    _, link = make_badge(company)
    html = _scan(staff_client, "http://localhost" + link, lang).get_data(as_text=True)
    assert _rows(app) == 1
    with app.app_context():
        at = db.session.scalar(select(CheckIn.checked_in_at))
    assert translated(app, lang, "Checked in: %(name)s (%(company)s) at %(time)s.", name="山田 太郎",
                      company="Kitakyushu Eco Energy", time=_clock(app, lang, at)) in html
    assert translated(app, lang, "Check-in desk") in html
    html = _scan(staff_client, link, lang).get_data(as_text=True)
    assert translated(app, lang, "%(name)s (%(company)s) was already checked in at %(time)s. Nothing was changed.",
                      name="山田 太郎", company="Kitakyushu Eco Energy", time=_clock(app, lang, at)) in html
    assert _rows(app) == 1
    if lang == "en":
        assert re.search(r"at \d\d:\d\d ICT", html)


@pytest.mark.parametrize("kind, message", [
    ("forged", "This code is not a valid badge of this event. Nothing was changed."),
    ("revoked", "This badge has been revoked. Nothing was changed: ask the organisers."),
    ("unknown", "This badge is no longer valid: it was replaced or deleted. Nothing was changed."),
    ("other-event", "This badge belongs to another event. Nothing was changed."),
])
@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_bad_badges_say_why_and_change_nothing(app, staff_client, make_company, make_badge, kind, message, lang):
    company = make_company()
    _, link = make_badge(company, revoked=kind == "revoked")
    code = {"forged": link[:-3] + "xyz", "unknown": link.replace("/b/", "/b/") }.get(kind, link)
    if kind == "unknown":
        with app.app_context():
            from matchmaker.models import Badge
            db.session.scalar(select(Badge)).nonce = "another"
            db.session.commit()
    if kind == "other-event":
        app.config["EVENT_KEY"] = "last-year"
    try:
        html = _scan(staff_client, code, lang).get_data(as_text=True)
    finally:
        app.config["EVENT_KEY"] = "jv-environment-week"
    assert translated(app, lang, message) in html
    assert _rows(app) == 0


def test_expired_badge(app, staff_client, make_company, make_badge):
    import time

    _, link = make_badge(make_company())
    app.config["BADGE_MAX_AGE_DAYS"] = 0
    try:
        time.sleep(1.1)
        html = _scan(staff_client, link).get_data(as_text=True)
    finally:
        app.config["BADGE_MAX_AGE_DAYS"] = 180
    assert "This badge has expired." in html and _rows(app) == 0


def test_search_check_in_and_undo(app, staff_client, make_company, make_badge):
    company = make_company(name="Hải Phòng Green", country="VN")
    make_badge(company, name="Đặng Thị Hương", name_latin="Dang Thi Huong")
    make_badge(make_company(name="Other"), name="佐藤 花子", name_latin="Sato Hanako")
    page = submit(staff_client, DESK.format(lang="vi"), "form[role=search]", fields={"q": "dang thi huong"})
    html = page.get_data(as_text=True)
    assert "Đặng Thị Hương" in html and "佐藤 花子" not in html
    done = submit(staff_client, page, "table.checkin-found form", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert translated(app, "vi", "Checked in: %(name)s (%(company)s) at %(time)s.", name="Đặng Thị Hương",
                      company="Hải Phòng Green", time="X").split("X")[0] in html
    assert _rows(app, live_only=True) == 1
    assert done.request.args.get("q") == "dang thi huong"  # back to the same search
    undone = submit(staff_client, done, "table.checkin-found form", follow_redirects=True)
    assert translated(app, "vi", "Check-in undone: %(name)s (%(company)s).", name="Đặng Thị Hương",
                      company="Hải Phòng Green") in undone.get_data(as_text=True)
    assert _rows(app, live_only=True) == 0 and _rows(app) == 1
    with app.app_context():
        row = db.session.scalar(select(CheckIn))
        assert row.undone_by is not None and row.method == "search"


def test_search_without_hits_and_recent_undo(app, staff_client, make_company, make_badge):
    _, link = make_badge(make_company())
    page = submit(staff_client, DESK.format(lang="en"), "form[role=search]", fields={"q": "nobody here"})
    assert "Nobody with a badge matches “nobody here”." in page.get_data(as_text=True)
    desk = _scan(staff_client, link)
    undone = submit(staff_client, desk, "table.checkin-recent form", follow_redirects=True)
    assert "Check-in undone: 山田 太郎" in undone.get_data(as_text=True)
    assert "Nobody is checked in yet." in undone.get_data(as_text=True)
    # the same undo form again (a second desk had it open): a clear message, nothing changes
    again = submit(staff_client, desk, "table.checkin-recent form", follow_redirects=True)
    assert "There is no check-in to undo here" in again.get_data(as_text=True)
    assert _rows(app) == 1


def test_counts_json_follows_check_ins(app, staff_client, make_company, make_badge):
    _, link = make_badge(make_company(name="A"))
    make_badge(make_company(name="B"))
    assert staff_client.get("/en/event/checkin/counts.json").get_json() == {
        "people": {"checked_in": 0, "expected": 2}, "companies": {"checked_in": 0, "expected": 2}}
    html = _scan(staff_client, link).get_data(as_text=True)
    assert 'data-count="people">1 / 2<' in html
    assert staff_client.get("/en/event/checkin/counts.json").get_json()["people"] == {"checked_in": 1, "expected": 2}


def test_desk_page_may_use_the_camera_and_keeps_the_csp(staff_client, client):
    response = staff_client.get("/en/event/checkin/")
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    html = response.get_data(as_text=True)
    assert "/static/vendor/zxing/zxing.min.js" in html and "/static/js/checkin.js" in html
    with client.get("/static/vendor/zxing/zxing.min.js") as script:
        assert script.status_code == 200 and b"QRCodeReader" in script.data
    assert "camera=()" in client.get("/en/").headers["Permissions-Policy"]


def test_who_may_open_the_desk(app, client, make_company, make_organiser, login):
    for url in ("/en/event/checkin/", "/en/event/checkin/counts.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(user_email(app, make_company()))
    assert client.get("/en/event/checkin/").status_code == 403
    assert client.get("/en/event/checkin/counts.json").status_code == 403
    client.post("/en/auth/logout", data={"csrf_token": csrf_from(client.get("/en/").get_data(as_text=True))})
    login(make_organiser())
    assert "Check-in desk" in client.get("/en/event/checkin/").get_data(as_text=True)


def test_hostile_posts_change_nothing(app, staff_client, make_company, make_badge):
    badge_id, link = make_badge(make_company())
    token = csrf_from(staff_client.get("/en/event/checkin/").get_data(as_text=True))
    # hostile input: no CSRF token
    assert staff_client.post("/en/event/checkin/scan", data={"code": link}).status_code == 400
    for data in ({"badge": "9999"}, {"badge": "-1"}, {"badge": "x"}, {}):
        # hostile input: badge ids no search shows
        response = staff_client.post("/en/event/checkin/badge", data={**data, "csrf_token": token}, follow_redirects=True)
        assert "This badge was not found. Nothing was changed." in response.get_data(as_text=True)
    for data in ({"checkin": "9999"}, {"checkin": "abc"}, {}):
        # hostile input: check-in ids that do not exist
        response = staff_client.post("/en/event/checkin/undo", data={**data, "csrf_token": token}, follow_redirects=True)
        assert "There is no check-in to undo here" in response.get_data(as_text=True)
    # hostile input: an enormous code
    response = staff_client.post("/en/event/checkin/scan", data={"code": "/b/" + "x" * 50000, "csrf_token": token},
                                 follow_redirects=True)
    assert response.status_code == 200 and "not a valid badge" in response.get_data(as_text=True)
    assert _rows(app) == 0


# ---- the badge link /b/<token>

def test_badge_link_asks_staff_to_confirm(app, staff_client, make_company, make_badge):
    _, link = make_badge(make_company(name="Kitakyushu Eco Energy"))
    page = staff_client.get(link)
    html = page.get_data(as_text=True)
    assert "Check this person in?" in html and "山田 太郎" in html and "Not checked in yet." in html
    assert _rows(app) == 0  # opening the link changes nothing
    done = submit(staff_client, page, "form.confirm-box", follow_redirects=True)
    assert "Checked in: 山田 太郎 (Kitakyushu Eco Energy)" in done.get_data(as_text=True)
    assert _rows(app) == 1
    html = staff_client.get(link).get_data(as_text=True)
    assert "Checked in at" in html and "Check this person in?" not in html


def test_badge_link_for_a_company_and_a_visitor(app, client, make_company, make_badge, login):
    mine = make_company(name="Mine Co")
    _, own_link = make_badge(mine)
    _, other_link = make_badge(make_company(name="Other Co"), name="Trần Văn Bình", name_latin="Tran Van Binh")
    html = client.get(other_link).get_data(as_text=True)
    assert "Please show this badge at the check-in desk" in html and "Trần Văn Bình" not in html
    login(user_email(app, mine))
    html = client.get(own_link).get_data(as_text=True)
    assert "Please show this badge at the check-in desk" in html and "Not checked in yet." in html
    assert "Check this person in?" not in html
    assert "Trần Văn Bình" not in client.get(other_link).get_data(as_text=True)
    token = csrf_from(html)
    # hostile input: a company posts the staff confirmation
    assert client.post(own_link, data={"csrf_token": token}).status_code == 403
    assert _rows(app) == 0


@pytest.mark.parametrize("junk", ["x", "%00", "..%2F..%2Fetc", "A" * 3000, "e30.e30.e30", "%F0%9F%92%A9", "'%3B--"])
def test_junk_badge_links_never_fail(app, client, staff_client, make_company, junk):
    response = staff_client.get("/b/" + junk)
    assert response.status_code in (200, 400, 404)  # 400: the site refuses NUL bytes in any URL
    if response.status_code == 200:
        assert "This code is not a valid badge of this event." in response.get_data(as_text=True)
    token = csrf_from(staff_client.get("/en/event/checkin/").get_data(as_text=True))
    # hostile input: confirming a junk badge
    response = staff_client.post("/b/" + junk, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code in (200, 400, 404) and _rows(app) == 0


def test_staff_opening_a_badge_link_logged_out_logs_in_and_comes_back(app, client, make_company, make_badge, make_staff):
    _, link = make_badge(make_company())
    page = client.get(link)
    login_link = lxml.html.fromstring(page.get_data(as_text=True)).cssselect("main a[href*='/auth/login']")[0].get("href")
    back = submit(client, login_link, fields={"email": make_staff(), "password": PASSWORD}, follow_redirects=True)
    assert back.request.path == link and "Check this person in?" in back.get_data(as_text=True)
    assert _rows(app) == 0


# ---- the command line

def test_cli_checkin(app, runner, make_company, make_badge):
    import json

    company = make_company()
    badge_id, link = make_badge(company)
    first = runner.invoke(args=["event", "checkin", "https://event.example" + link])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["outcome"] == "checked-in" and data["badge"] == badge_id and data["company"] == company
    assert data["already"] is False and data["checked_in_at"]
    again = runner.invoke(args=["event", "checkin", link.rsplit("/", 1)[1]])
    assert again.exit_code == 0 and json.loads(again.output)["already"] is True
    assert json.loads(again.output)["checked_in_at"] == data["checked_in_at"]
    assert _rows(app) == 1
    with app.app_context():
        assert db.session.scalar(select(CheckIn.method)) == "cli"


@pytest.mark.parametrize("kind", ["forged", "revoked", "unknown", "other-event"])
def test_cli_refuses_bad_tokens(app, runner, make_company, make_badge, kind):
    import json

    _, link = make_badge(make_company(), revoked=kind == "revoked")
    code = link + "x" if kind == "forged" else link
    if kind == "unknown":
        with app.app_context():
            from matchmaker.models import Badge
            db.session.scalar(select(Badge)).nonce = "another"
            db.session.commit()
    if kind == "other-event":
        app.config["EVENT_KEY"] = "last-year"
    try:
        result = runner.invoke(args=["event", "checkin", code])
    finally:
        app.config["EVENT_KEY"] = "jv-environment-week"
    assert result.exit_code != 0
    assert json.loads(result.output)["outcome"] == kind
    assert _rows(app) == 0


def test_desk_finds_contacts_whose_badges_nobody_printed(app, staff_client, make_company, make_badge):
    """A contact of an approved company gets a badge at the desk, as on the badge page: found by name, counted."""
    make_company(name="Hải Phòng Xanh", country="VN", contact_name="Nguyễn Văn An")
    make_company(name="Pending Co", status="pending", contact_name="Pending Person")
    make_badge(make_company(name="Printed"), name="佐藤 花子", name_latin="Sato Hanako")
    page = submit(staff_client, DESK.format(lang="vi"), "form[role=search]", fields={"q": "nguyen van an"})
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Hải Phòng Xanh" in html
    assert 'data-count="people">0 / 2<' in html  # the pending company's contact is not expected
    done = submit(staff_client, page, "table.checkin-found form", follow_redirects=True)
    assert _rows(app, live_only=True) == 1 and 'data-count="people">1 / 2<' in done.get_data(as_text=True)
    assert staff_client.get("/vi/event/checkin/counts.json").get_json()["companies"] == {"checked_in": 1, "expected": 2}
