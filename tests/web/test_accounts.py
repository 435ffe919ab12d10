"""Sessions that end, throttling that cannot lock a company out, registration that reveals no
account, invitations for imported companies, and the mail outbox (issue 11, points 5–7)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, User
from matchmaker.services.mail import read_outbox, send_mail
from tests.conftest import PASSWORD, translated, user_email
from tests.mailbox import empty_outbox, last_mail, link_in, mails_to
from tests.webforms import submit

NEW = {"company_name": "Hai Phong Green Water", "country": "VN", "email": "info@hpgw.example.vn",
       "password": "a long enough secret", "confirm": "a long enough secret"}


@pytest.fixture(autouse=True)
def fresh_outbox(app):
    empty_outbox(app)


def plain(app, lang, message, **variables) -> str:
    """*message* in *lang* as a mail shows it (not HTML-escaped)."""
    return html.unescape(translated(app, lang, message, **variables))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def make_imported(app):
    """Factory: a company as the organisers' import makes it: approved, a contact address, no user."""

    def make(name="Da Nang Clean Air", country="VN", email="contact@dnca.example.vn", languages="vi"):
        with app.app_context():
            company = Company(name=name, country=country, status="approved", languages=languages, contact_email=email)
            db.session.add(company)
            db.session.commit()
            return company.id

    return make


def sign_in(client, email, password=PASSWORD, remember=False, lang="en"):
    fields = {"email": email, "password": password}
    if remember:
        fields["remember"] = "y"
    return submit(client, f"/{lang}/auth/login", fields=fields)


def log_out(client):
    return submit(client, "/en/dashboard", "form[action$='/auth/logout']")


# --- sessions end when people end them ------------------------------------------------------

def test_copied_session_and_remember_cookies_stop_working_after_logout(app, client, make_company):
    email = user_email(app, make_company())
    assert sign_in(client, email, remember=True).headers["Location"] == "/en/dashboard"
    session_cookie, remember_cookie = client.get_cookie("session").value, client.get_cookie("remember_token").value
    log_out(client)
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        thief = app.test_client()
        thief.set_cookie(name, value)
        response = thief.get("/en/dashboard")
        assert response.status_code == 302 and "/en/auth/login" in response.headers["Location"], name
    assert client.get("/en/dashboard").status_code == 302


def test_copied_remember_cookie_works_before_logout(app, client, make_company):
    """The replay test above can fail: the same copied cookie opens the dashboard while signed in."""
    email = user_email(app, make_company(name="Osaka Water"))
    sign_in(client, email, remember=True)
    thief = app.test_client()
    thief.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert "Osaka Water" in thief.get("/en/dashboard").get_data(as_text=True)


def test_password_reset_ends_copied_remember_cookie(app, client, make_company):
    email = user_email(app, make_company())
    sign_in(client, email, remember=True)
    remember_cookie = client.get_cookie("remember_token").value
    other = app.test_client()
    submit(other, "/en/auth/forgot", fields={"email": email})
    page = other.get(link_in(last_mail(app, email), "/en/auth/reset/"))
    submit(other, page, fields={"password": "a brand new phrase", "confirm": "a brand new phrase"})
    thief = app.test_client()
    thief.set_cookie("remember_token", remember_cookie)
    assert thief.get("/en/dashboard").status_code == 302


# --- throttling that cannot lock a company out ----------------------------------------------

@pytest.fixture
def low_limit(app):
    app.config["LOGIN_LIMIT"] = "3 per 15 minutes"
    yield
    app.config["LOGIN_LIMIT"] = "10 per 15 minutes"


def client_at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def hammer(client, email, times=4):
    return [sign_in(client, email, "wrong password!").status_code for _ in range(times)]


def test_attacker_elsewhere_is_throttled_but_known_device_signs_in(app, make_company, low_limit):
    email = user_email(app, make_company())
    office = client_at(app, "203.0.113.10")
    assert sign_in(office, email).status_code == 302  # the office browser becomes a known device
    log_out(office)
    assert hammer(client_at(app, "198.51.100.66"), email) == [200, 200, 200, 429]
    assert sign_in(office, email).headers["Location"] == "/en/dashboard"


def test_new_device_at_another_address_still_signs_in(app, make_company, low_limit):
    email = user_email(app, make_company())
    hammer(client_at(app, "198.51.100.66"), email)
    assert sign_in(client_at(app, "192.0.2.5"), email).status_code == 302


def test_known_device_behind_the_attackers_address_signs_in(app, make_company, low_limit):
    """One office address (NAT) for the attacker and the company: the device cookie still counts apart."""
    email = user_email(app, make_company())
    device = client_at(app, "203.0.113.10")
    sign_in(device, email)
    log_out(device)
    assert hammer(client_at(app, "203.0.113.10"), email)[-1] == 429
    assert sign_in(device, email).status_code == 302


def test_account_from_one_address_is_throttled(app, make_company, low_limit):
    email = user_email(app, make_company())
    attacker = client_at(app, "198.51.100.66")
    assert hammer(attacker, email) == [200, 200, 200, 429]
    refused = sign_in(attacker, email)  # even the right password, from there
    assert refused.status_code == 429 and translated(app, "en", "Too many attempts") in refused.get_data(as_text=True)


def test_known_device_has_a_limit_of_its_own(app, make_company, low_limit):
    email = user_email(app, make_company())
    device = client_at(app, "203.0.113.10")
    sign_in(device, email)
    log_out(device)
    assert hammer(device, email) == [200, 200, 200, 429]


def test_forged_or_foreign_device_cookie_counts_as_unknown(app, make_company, low_limit):
    victim = user_email(app, make_company())
    attacker_account = user_email(app, make_company(name="Attacker Ltd"))
    attacker = client_at(app, "198.51.100.66")
    sign_in(attacker, attacker_account)  # a real device cookie, but for the attacker's own account
    log_out(attacker)
    assert hammer(attacker, victim)[-1] == 429
    forged = client_at(app, "198.51.100.67")
    forged.set_cookie("mm_device", "eyJhIjoieCIsImQiOiJ5In0.forged.signature")
    assert hammer(forged, victim)[-1] == 429


# --- registration reveals no account --------------------------------------------------------

def _answer(client, fields):
    response = submit(client, "/en/auth/register", fields=fields)
    page = re.sub(r'name="csrf_token"[^>]*>', "", client.get(response.headers["Location"]).get_data(as_text=True))
    return response.status_code, response.headers["Location"], page


def test_registering_a_taken_address_answers_like_a_new_one_and_mails_the_owner(app, make_company):
    make_company(email="owner@kee.example.jp")
    new = _answer(app.test_client(), NEW)
    taken = _answer(app.test_client(), {**NEW, "company_name": "Someone Else", "email": "OWNER@kee.example.jp"})
    assert new[:2] == taken[:2] == (302, "/en/auth/login")
    notice = translated(app, "en", "Thank you. We have sent a message to %(email)s: open the link in it to continue. "
                        "It may take a few minutes; look in the spam folder too.", email="{}")
    assert notice.format("info@hpgw.example.vn") in new[2] and notice.format("owner@kee.example.jp") in taken[2]
    assert new[2].replace("info@hpgw.example.vn", "X") == taken[2].replace("owner@kee.example.jp", "X")
    assert count(app, User) == 2 and count(app, Company) == 2  # the factory's and the new one
    mail = last_mail(app, "owner@kee.example.jp")
    assert "someone tried to register" in mail["subject"]
    assert "/en/auth/login" in mail["body"] and "/en/auth/forgot" in mail["body"]


def test_owner_is_told_in_their_own_language(app, make_company):
    make_company(email="owner@kee.example.jp")
    with app.app_context():
        db.session.scalar(select(User)).locale = "ja"
        db.session.commit()
    submit(app.test_client(), "/vi/auth/register", fields={**NEW, "email": "owner@kee.example.jp"})
    mail = last_mail(app, "owner@kee.example.jp")
    assert mail["subject"] == plain(app, "ja", "Japan–Vietnam Environment Week: someone tried to register with your address")
    assert "/ja/auth/forgot" in mail["body"]


def test_registration_errors_are_the_same_for_a_taken_address(app, client, make_company):
    make_company(email="owner@kee.example.jp")
    for email in ("owner@kee.example.jp", "fresh@example.com"):
        response = submit(client, "/en/auth/register", fields={**NEW, "email": email, "password": "short", "confirm": "short"})
        assert response.status_code == 200 and "Use at least 8 characters." in response.get_data(as_text=True)
    assert count(app, User) == 1 and not mails_to(app, "owner@kee.example.jp")


def test_registrations_that_mail_someone_are_limited_per_address(app, client, make_company):
    """Nobody can flood an owner's mailbox through the registration form; refused forms do not count."""
    make_company(email="owner@kee.example.jp")
    for _ in range(3):
        submit(client, "/en/auth/register", fields={**NEW, "password": "short", "confirm": "short"})
    statuses = [submit(client, "/en/auth/register", fields={**NEW, "email": "owner@kee.example.jp"}).status_code
                for _ in range(10)]
    assert statuses == [302] * 10
    assert submit(client, "/en/auth/register", fields={**NEW, "email": "owner@kee.example.jp"}).status_code == 429
    assert len(mails_to(app, "owner@kee.example.jp")) == 10


def test_confirmation_link_tampered_or_expired_is_refused(app, client):
    submit(client, "/en/auth/register", fields=NEW)
    link = link_in(last_mail(app, NEW["email"]), "/en/auth/confirm/")
    assert client.get(link[:-2] + "zz").headers["Location"] == "/en/auth/login"
    app.config["INVITE_MAX_AGE"], saved = -1, app.config["INVITE_MAX_AGE"]
    try:
        assert client.get(link).headers["Location"] == "/en/auth/login"
    finally:
        app.config["INVITE_MAX_AGE"] = saved
    assert client.get(link).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.confirmed)) is False


def test_password_reset_confirms_an_unconfirmed_address(app, client):
    """Whoever lost the confirmation mail can use "forgot password": that link proves the mailbox too."""
    submit(client, "/en/auth/register", fields=NEW)
    submit(client, "/en/auth/forgot", fields={"email": NEW["email"]})
    page = client.get(link_in(last_mail(app, NEW["email"]), "/en/auth/reset/"))
    submit(client, page, fields={"password": "a brand new phrase", "confirm": "a brand new phrase"})
    assert sign_in(client, NEW["email"], "a brand new phrase").headers["Location"] == "/en/dashboard"


# --- imported companies get in --------------------------------------------------------------

def test_registering_with_an_imported_contact_invites_that_company(app, client, make_imported):
    company_id = make_imported()
    response = submit(client, "/en/auth/register", fields={**NEW, "company_name": "Da Nang Clean Air JSC",
                                                          "email": "contact@dnca.example.vn"})
    assert response.headers["Location"] == "/en/auth/login"
    assert count(app, Company) == 1 and count(app, User) == 0  # no second, pending company
    mail = last_mail(app, "contact@dnca.example.vn")
    assert mail["subject"] == plain(app, "vi", "Japan–Vietnam Environment Week: your company's account")
    page = client.get(link_in(mail, "/vi/auth/invitation/"))
    assert "Da Nang Clean Air" in page.get_data(as_text=True)
    done = submit(client, page, fields={"password": "our own passphrase", "confirm": "our own passphrase"})
    assert done.headers["Location"] == "/vi/profile/"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.company_id, user.locale, user.confirmed) == ("contact@dnca.example.vn", company_id, "vi", True)


def test_forgot_password_reaches_an_imported_company(app, client, make_imported):
    make_imported()
    response = submit(client, "/en/auth/forgot", fields={"email": "Contact@DNCA.example.vn"})
    assert response.headers["Location"] == "/en/auth/login"
    assert "/vi/auth/invitation/" in last_mail(app, "contact@dnca.example.vn")["body"]
    with app.app_context():
        assert db.session.scalar(select(Company.invited_at)) is not None


def test_invitation_link_works_once(app, client, make_imported):
    make_imported()
    submit(client, "/en/auth/forgot", fields={"email": "contact@dnca.example.vn"})
    link = link_in(last_mail(app, "contact@dnca.example.vn"), "/auth/invitation/")
    submit(client, link, fields={"password": "our own passphrase", "confirm": "our own passphrase"})
    again = app.test_client().get(link)
    assert again.status_code == 302 and again.headers["Location"] == "/vi/auth/forgot"
    assert count(app, User) == 1


def test_invitation_link_expires_and_a_newer_one_replaces_it(app, client, make_imported):
    make_imported()
    submit(client, "/en/auth/forgot", fields={"email": "contact@dnca.example.vn"})
    first = link_in(last_mail(app, "contact@dnca.example.vn"), "/auth/invitation/")
    app.config["INVITE_MAX_AGE"], saved = -1, app.config["INVITE_MAX_AGE"]
    try:
        assert client.get(first).status_code == 302
    finally:
        app.config["INVITE_MAX_AGE"] = saved
    assert client.get(first).status_code == 200
    with app.app_context():  # a second invitation a little later
        company = db.session.scalar(select(Company))
        company.invited_at = company.invited_at.replace(year=2020)
        db.session.commit()
    assert client.get(first).status_code == 302


@pytest.mark.parametrize("password, confirm, message", [
    ("short", "short", "Use at least 8 characters."),
    ("a long enough secret", "another secret", "The passwords do not match."),
])
def test_invitation_form_errors(app, client, make_imported, password, confirm, message):
    make_imported()
    submit(client, "/en/auth/forgot", fields={"email": "contact@dnca.example.vn"})
    link = link_in(last_mail(app, "contact@dnca.example.vn"), "/auth/invitation/")
    response = submit(client, link, fields={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert translated(app, "vi", message) in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_tampered_invitation_link_is_refused(app, client, make_imported):
    make_imported()
    submit(client, "/en/auth/forgot", fields={"email": "contact@dnca.example.vn"})
    link = link_in(last_mail(app, "contact@dnca.example.vn"), "/auth/invitation/")
    assert client.get(link[:-3] + "xyz").status_code == 302


# --- organisers invite ----------------------------------------------------------------------

def test_organiser_invites_selected_companies_each_in_its_language(app, client, login, make_organiser, make_imported, make_company):
    jp = make_imported(name="Kobe Recycling", country="JP", email="info@kobe.example.jp", languages="ja,en")
    make_imported(name="Da Nang Clean Air", email="contact@dnca.example.vn")
    make_company(name="Has A Login")
    login(make_organiser())
    page = client.get("/en/admin/companies")
    listing = page.get_data(as_text=True)
    assert "Kobe Recycling (info@kobe.example.jp)" in listing and "Has A Login (" not in listing
    assert listing.count(translated(app, "en", "Not invited yet")) == 4  # list and table, two companies
    response = submit(client, page, "form[action$='/admin/companies/invite']", fields={"companies": [str(jp)]},
                      button="Invite the selected companies", follow_redirects=True)
    assert translated(app, "en", "%(num)d invitation sent.", num=1) in response.get_data(as_text=True)
    mail = last_mail(app, "info@kobe.example.jp")
    assert mail["subject"] == plain(app, "ja", "Japan–Vietnam Environment Week: your company's account")
    assert "Kobe Recycling" in mail["body"] and "/ja/auth/invitation/" in mail["body"]
    assert not mails_to(app, "contact@dnca.example.vn")
    assert listing.count(translated(app, "en", "Not invited yet")) - 2 == response.get_data(as_text=True).count(
        translated(app, "en", "Not invited yet"))


def test_organiser_invites_all_not_yet_invited(app, client, login, make_organiser, make_imported):
    make_imported(name="Kobe Recycling", country="JP", email="info@kobe.example.jp", languages="ja")
    make_imported(name="Da Nang Clean Air", email="contact@dnca.example.vn")
    login(make_organiser())
    submit(client, "/en/admin/companies", "form[action$='/admin/companies/invite']", fields={"companies": []},
           button="Invite all not yet invited")
    assert len(mails_to(app, "info@kobe.example.jp")) == len(mails_to(app, "contact@dnca.example.vn")) == 1
    again = submit(client, "/en/admin/companies", "form[action$='/admin/companies/invite']",
                   button="Invite all not yet invited", follow_redirects=True)
    assert translated(app, "en", "%(num)d invitations sent.", num=0) in again.get_data(as_text=True)
    assert len(mails_to(app, "info@kobe.example.jp")) == 1


def test_inviting_none_ticked_says_so(app, client, login, make_organiser, make_imported):
    make_imported()
    login(make_organiser())
    response = submit(client, "/en/admin/companies", "form[action$='/admin/companies/invite']",
                      button="Invite the selected companies", follow_redirects=True)
    assert translated(app, "en", "Tick the companies to invite first.") in response.get_data(as_text=True)
    assert not mails_to(app, "contact@dnca.example.vn")


def test_company_users_cannot_invite(app, client, login, make_company, make_imported):
    company_id = make_imported()
    login(user_email(app, make_company()))
    token = client.get("/en/dashboard").get_data(as_text=True)
    from tests.conftest import csrf_from

    response = client.post("/en/admin/companies/invite", data={"csrf_token": csrf_from(token), "companies": str(company_id),
                                                               "invite_selected": "x"})
    assert response.status_code == 403 and not mails_to(app, "contact@dnca.example.vn")


# --- the outbox -----------------------------------------------------------------------------

def test_mail_without_smtp_goes_to_the_outbox_file(tmp_path):
    outbox = tmp_path / "mail" / "outbox.log"
    config = {"MAIL_OUTBOX": str(outbox), "MAIL_FROM": "matchmaker@localhost"}
    send_mail(config, "a@example.com", "件名：テスト", "一行目\nhttps://example.com/ja/auth/reset/abc")
    send_mail(config, "b@example.com", "Second", "Body two")
    messages = read_outbox(str(outbox))
    assert [(m["to"], m["subject"]) for m in messages] == [("a@example.com", "件名：テスト"), ("b@example.com", "Second")]
    assert messages[0]["body"] == "一行目\nhttps://example.com/ja/auth/reset/abc"
    assert oct(outbox.stat().st_mode & 0o777) == "0o600"


def test_mail_outbox_command_names_the_file(app, runner):
    result = runner.invoke(args=["mail-outbox"])
    assert result.exit_code == 0 and app.config["MAIL_OUTBOX"] in result.output
    assert app.config["MAIL_OUTBOX"].startswith(app.instance_path)
