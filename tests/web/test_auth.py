"""Registration, login, logout, password reset, organiser creation."""

import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, User
from tests.conftest import PASSWORD, csrf_from, translated, user_email
from tests.mailbox import last_mail, link_in, mails_to
from tests.webforms import submit

LOGOUT = 'form[action$="/auth/logout"]'
GOOD = {"company_name": "Hai Phong Green Water", "country": "VN", "email": "info@hpgw.example.vn",
        "password": "a long enough secret", "confirm": "a long enough secret"}


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_register_creates_pending_company_that_confirms_by_mail(client, app):
    response = submit(client, "/vi/auth/register", fields=GOOD)
    assert response.headers["Location"] == "/vi/auth/login"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "info@hpgw.example.vn"))
        assert user.role == "company" and user.locale == "vi" and not user.confirmed
        assert user.company.name == "Hai Phong Green Water" and user.company.status == "pending"
        assert user.password_hash != GOOD["password"] and user.password_hash.startswith("scrypt:")
    assert client.get("/vi/dashboard").status_code == 302  # not signed in before confirming
    mail = last_mail(app, "info@hpgw.example.vn")
    assert mail["subject"] == translated(app, "vi", "Japan–Vietnam Environment Week: confirm your email address")
    page = client.get(link_in(mail, "/vi/auth/confirm/"))
    assert "info@hpgw.example.vn" in page.get_data(as_text=True)
    confirmed = submit(client, page)
    assert confirmed.headers["Location"] == "/vi/profile/"
    assert "Hai Phong Green Water" in client.get("/vi/dashboard").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.confirmed)) is True
    assert client.get(link_in(mail, "/vi/auth/confirm/")).headers["Location"] == "/vi/auth/login"  # once


def test_unconfirmed_user_signing_in_gets_a_new_link(client, app):
    submit(client, "/en/auth/register", fields=GOOD)
    before = len(mails_to(app, GOOD["email"]))
    response = submit(client, "/en/auth/login", fields={"email": GOOD["email"], "password": GOOD["password"]})
    assert response.headers["Location"] == "/en/auth/login"
    assert client.get("/en/dashboard").status_code == 302
    assert len(mails_to(app, GOOD["email"])) == before + 1


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"email": "not-an-email"}, ("This is not a valid email address.", {})),
        ({"password": "short", "confirm": "short"}, ("Use at least 8 characters.", {})),
        ({"company_name": ""}, ("This field is required.", {})),
        ({"company_name": "x" * 201}, ("Use at most %(max)d characters (you gave %(count)d).", {"max": 200, "count": 201})),
        ({"confirm": "something else"}, ("The passwords do not match.", {})),
    ],
)
def test_register_rejects_bad_input_in_vietnamese(client, app, change, field_message):
    response = submit(client, "/vi/auth/register", fields={**GOOD, **change})
    html = response.get_data(as_text=True)
    expected = translated(app, "vi", field_message[0], **field_message[1])
    assert response.status_code == 200
    assert expected in html and expected != field_message[0]
    with app.app_context():
        assert count(User) == 0 and count(Company) == 0  # nothing half-saved


def test_register_refuses_a_country_not_on_the_list(client, app):
    token = csrf_from(client.get("/vi/auth/register").get_data(as_text=True))
    # hostile input: the country select offers no "XX"
    response = client.post("/vi/auth/register", data={**GOOD, "country": "XX", "csrf_token": token})
    expected = translated(app, "vi", "Unknown country code “%(code)s”: use two letters such as JP or VN.", code="XX")
    assert response.status_code == 200 and expected in response.get_data(as_text=True)
    with app.app_context():
        assert count(User) == 0 and count(Company) == 0


def test_post_without_csrf_token_is_refused(client, app):
    # hostile input: a post from another site carries no CSRF token
    response = client.post("/en/auth/register", data=GOOD)
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert count(User) == 0


def test_login_wrong_password_then_right(client, app, make_company):
    email = user_email(app, make_company())
    bad = submit(client, "/en/auth/login", fields={"email": email, "password": "wrong password"})
    assert "Wrong email or password." in bad.get_data(as_text=True)
    good = submit(client, bad, fields={"email": email, "password": PASSWORD})
    assert good.headers["Location"] == "/en/dashboard"


def test_login_next_must_stay_on_site(client, app, make_company):
    email = user_email(app, make_company())
    page = "/en/auth/login?next=//evil.example/x"
    response = submit(client, page, fields={"email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/en/dashboard"


def test_logout_ends_session(client, app, make_company, login):
    login(user_email(app, make_company()))
    submit(client, "/en/dashboard", LOGOUT)
    assert client.get("/en/dashboard").headers["Location"].startswith("/en/auth/login")


def _reset_link(caplog, client, email):
    caplog.clear()
    with caplog.at_level("INFO", logger="matchmaker.mail"):
        submit(client, "/en/auth/forgot", fields={"email": email})
    match = re.search(r"http://localhost(/en/auth/reset/\S+)", caplog.text)
    assert match, caplog.text
    return match.group(1)


def test_password_reset_is_single_use(client, app, make_company, caplog):
    email = user_email(app, make_company())
    link = _reset_link(caplog, client, email)
    response = submit(client, link, fields={"password": "brand new secret", "confirm": "brand new secret"})
    assert response.headers["Location"] == "/en/auth/login"
    again = client.get(link)
    assert again.headers["Location"] == "/en/auth/forgot"
    ok = submit(client, "/en/auth/login", fields={"email": email, "password": "brand new secret"})
    assert ok.status_code == 302


def test_password_reset_token_expires(client, app, make_company):
    from matchmaker.services.accounts import make_reset_token, verify_reset_token

    make_company()
    with app.app_context():
        user = db.session.scalar(select(User))
        token = make_reset_token(user, "test-secret")
        assert verify_reset_token(db.session, token, "test-secret", max_age=3600) == user
        assert verify_reset_token(db.session, token + "x", "test-secret", max_age=3600) is None
        import time

        time.sleep(1.1)
        assert verify_reset_token(db.session, token, "test-secret", max_age=0) is None


def test_forgot_answers_the_same_for_unknown_address(client, caplog):
    with caplog.at_level("INFO", logger="matchmaker.mail"):
        response = submit(client, "/en/auth/forgot", fields={"email": "nobody@example.com"})
    assert response.headers["Location"] == "/en/auth/login"
    assert "reset" not in caplog.text


def test_password_change_ends_other_sessions(app, make_company, login, client):
    from matchmaker.services.accounts import set_password

    email = user_email(app, make_company())
    login(email)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        set_password(db.session, user, "another secret phrase")
        db.session.commit()
    assert client.get("/en/dashboard").status_code == 302


def test_create_organiser_command(runner, app):
    result = runner.invoke(args=["users", "create-organiser", "boss@moe.example.jp", "--password", "long password 1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "boss@moe.example.jp")) == "organiser"
    bad = runner.invoke(args=["users", "create-organiser", "boss@moe.example.jp", "--password", "long password 1"])
    assert bad.exit_code != 0 and "already exists" in bad.output
