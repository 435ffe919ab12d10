"""Organisers create and remove event-day staff; staff set a password by mail, land on the desk,
and can open nothing but the event-day pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import User
from tests.checkin_helpers import make_staff  # noqa: F401 - fixture
from tests.conftest import translated
from tests.mailbox import empty_outbox, last_mail, link_in
from tests.webforms import submit

STAFF = "/{lang}/admin/staff/"


def _staff(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.email, u.name) for u in db.session.scalars(select(User).where(User.role == "staff"))]


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_organiser_creates_staff_who_sets_a_password_and_lands_on_the_desk(app, organiser_client, lang):
    empty_outbox(app)
    page = submit(organiser_client, STAFF.format(lang=lang), "form.staff-form",
                  fields={"name": "Lê Thị Hoa", "email": "Hoa@Example.com"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert translated(app, lang, "Staff account created for %(name)s; a link to choose a password was mailed to %(email)s.",
                      name="Lê Thị Hoa", email="hoa@example.com") in html
    assert "hoa@example.com" in html and _staff(app) == [("hoa@example.com", "Lê Thị Hoa")]
    mail = last_mail(app, "hoa@example.com")
    assert "Lê Thị Hoa" in mail["body"]
    submit(organiser_client, page, "form[action$='/auth/logout']")
    reset = link_in(mail, "/auth/reset/")
    submit(organiser_client, reset, fields={"password": "a long staff password", "confirm": "a long staff password"})
    landed = submit(organiser_client, f"/{lang}/auth/login", fields={"email": "hoa@example.com", "password": "a long staff password"},
                    follow_redirects=True)
    assert landed.request.path == f"/{lang}/event/checkin/"
    html = landed.get_data(as_text=True)
    assert translated(app, lang, "Check-in desk") in html
    nav = html.split('class="main-nav"')[1].split("</nav>")[0]
    assert translated(app, lang, "Companies") not in nav and translated(app, lang, "Programme") not in nav


def test_staff_form_errors(app, organiser_client, make_company):
    make_company(email="taken@example.com")
    response = submit(organiser_client, STAFF.format(lang="vi"), "form.staff-form", fields={"name": "", "email": "not an address"})
    html = response.get_data(as_text=True)
    assert translated(app, "vi", "This field is required.") in html
    assert translated(app, "vi", "This is not a valid email address.") in html
    response = submit(organiser_client, STAFF.format(lang="en"), "form.staff-form", fields={"name": "X" * 121, "email": "taken@example.com"})
    html = response.get_data(as_text=True)
    assert "An account with this email address already exists." in html and "Use at most 120 characters" in html
    assert _staff(app) == []


def test_send_a_new_link_and_remove(app, organiser_client, make_staff):
    make_staff(email="desk1@example.com", name="Desk One")
    empty_outbox(app)
    page = organiser_client.get(STAFF.format(lang="en"))
    sent = submit(organiser_client, page, "table.staff-list form", index=0, follow_redirects=True)
    assert "A new link was mailed to desk1@example.com." in sent.get_data(as_text=True)
    assert "/auth/reset/" in last_mail(app, "desk1@example.com")["body"]
    removed = submit(organiser_client, sent, "table.staff-list form", index=1, follow_redirects=True)
    assert "Staff account removed: Desk One (desk1@example.com)." in removed.get_data(as_text=True)
    assert _staff(app) == [] and "No staff accounts yet." in removed.get_data(as_text=True)
    # the same page's remove form again: the account is gone, nothing else happens
    again = submit(organiser_client, sent, "table.staff-list form", index=1, follow_redirects=True)
    assert "This staff account does not exist (any more)." in again.get_data(as_text=True)


def test_remove_touches_only_staff_accounts(app, organiser_client, make_company):
    from tests.conftest import csrf_from

    make_company(email="company@example.com")
    with app.app_context():
        company_user = db.session.scalar(select(User).where(User.email == "company@example.com")).id
        organiser = db.session.scalar(select(User).where(User.role == "organiser")).id
    token = csrf_from(organiser_client.get(STAFF.format(lang="en")).get_data(as_text=True))
    for user_id in (company_user, organiser, 9999):
        # hostile input: ids of accounts that are not staff
        response = organiser_client.post("/en/admin/staff/remove", data={"user": str(user_id), "csrf_token": token},
                                         follow_redirects=True)
        assert "This staff account does not exist (any more)." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, company_user) and db.session.get(User, organiser)


def test_staff_page_is_organisers_only(app, client, make_staff, login):
    login(make_staff())
    assert client.get("/en/admin/staff/").status_code == 403
