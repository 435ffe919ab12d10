"""Pages with many forms render each form well: no element id twice on a page, and no form that
sends a name twice where its view reads one value (the defect that made Accept/Decline do nothing)."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, ScheduledMeeting
from matchmaker.services.meetings import request_meeting
from tests.conftest import user_email
from tests.programme_helpers import build_programme
from tests.schedule_helpers import accept, company_user, generate, new_session
from tests.webforms import FormError, Page, check_all_forms, duplicate_ids


@pytest.fixture
def busy_event(app, make_company):
    """A Japanese company with three incoming requests, one outgoing and one accepted meeting in a
    generated draft; two pending companies; a published programme. Returns the ids by name."""
    ids = {"jp": make_company(name="Kitakyushu Eco", country="JP", languages="ja")}
    for name in ("Hai Phong Water", "Da Nang Solar", "Can Tho Biogas", "Vung Tau Wind", "Hue Recycling"):
        ids[name] = make_company(name=name, country="VN", languages="vi")
    for name in ("Pending One", "Pending Two"):
        ids[name] = make_company(name=name, country="VN", status="pending")
    with app.app_context():
        for name in ("Da Nang Solar", "Can Tho Biogas", "Vung Tau Wind"):
            request_meeting(db.session, company_user(ids[name]), ids["jp"], f"Hello from {name}", cap=10, expiry_hours=48)
        request_meeting(db.session, company_user(ids["jp"]), ids["Hue Recycling"], "よろしくお願いします", cap=10, expiry_hours=48)
        db.session.commit()
        accept(ids["jp"], ids["Hai Phong Water"])  # an earlier request, accepted
        ids["session"] = new_session()
        new_session(name_en="Day 2 morning", day="2026-12-02")
        generate(app, ids["session"])
        ids["meeting"] = db.session.scalar(select(ScheduledMeeting.id))
    ids.update({f"seminar {k}": v for k, v in build_programme(app).items()})
    return ids


def company_pages(ids):
    return ["/ja/meetings/", "/vi/meetings/", "/en/meetings/", "/en/agenda/", "/ja/agenda/", "/vi/agenda/availability",
            "/en/dashboard", "/en/profile/", "/en/profile/opportunities/new?kind=offer", f"/en/companies/{ids['jp']}",
            "/en/programme/", f"/en/programme/seminars/{ids['seminar A']}", "/en/programme/mine"]


def organiser_pages(ids):
    session = f"/en/admin/schedule/{ids['session']}"
    return ["/en/admin/companies", "/en/admin/companies?status=pending", "/en/admin/categories", "/en/admin/import",
            "/en/admin/schedule/", f"{session}/", f"{session}/edit", f"{session}/tables", f"{session}/companies",
            f"/en/admin/schedule/meetings/{ids['meeting']}", "/en/admin/programme/", "/en/admin/programme/rooms",
            "/en/admin/programme/speakers", "/en/admin/programme/exhibition", "/en/admin/programme/seminars/new",
            f"/en/admin/programme/seminars/{ids['seminar A']}", "/en/admin/programme/import", "/en/admin/programme/rooms/new",
            "/en/admin/programme/speakers/new", "/en/admin/programme/booths/new"]


PUBLIC_PAGES = ["/en/", "/ja/auth/login", "/vi/auth/register", "/en/auth/forgot", "/en/companies/", "/ja/programme/"]


def assert_forms_well_made(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert "<form" in html, url
    check_all_forms(Page(url, html))


def test_company_pages_repeat_no_id_and_no_field(client, app, busy_event, login):
    login(user_email(app, busy_event["jp"]), lang="ja")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(MeetingRequest.id)).where(MeetingRequest.status == "pending")) == 4
    for url in company_pages(busy_event):
        assert_forms_well_made(client, url)


def test_organiser_pages_repeat_no_id_and_no_field(client, app, busy_event, make_organiser, login):
    login(make_organiser())
    for url in organiser_pages(busy_event):
        assert_forms_well_made(client, url)


def test_public_pages_repeat_no_id_and_no_field(client, busy_event):
    for url in PUBLIC_PAGES:
        assert_forms_well_made(client, url)


def test_the_guards_catch_a_repeated_id_and_a_field_sent_twice():
    """The checks above can fail: the page of the original defect fails them."""
    defect = ('<main><form method="post"><input type="hidden" name="csrf_token" id="csrf_token" value="t">'
              '<input type="hidden" name="answer" value=""><input type="hidden" name="answer" value="accept">'
              '<button>Accept</button></form></main>')
    with pytest.raises(FormError, match="answer"):
        check_all_forms(Page("/p", defect))
    assert duplicate_ids(defect + defect) == ["csrf_token"]
    with pytest.raises(FormError, match="csrf_token"):
        check_all_forms(Page("/p", defect.replace('name="answer" value=""', 'name="x"') * 2))
    boxes = '<main><form><input type="checkbox" name="c" value="1" checked><input type="checkbox" name="c" value="2" checked></form></main>'
    check_all_forms(Page("/p", boxes))  # a checkbox group sends one value per ticked box
