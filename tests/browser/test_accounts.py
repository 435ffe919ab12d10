"""In Chromium, in ja, vi and en: a password reset by the mailed link; an organiser invites an
imported company whose contact sets a password and lands on its profile; registering with an
imported contact address reaches that company instead of creating a second one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from matchmaker.extensions import db
from matchmaker.models import Company, User
from tests.conftest import PASSWORD, translated, user_email
from tests.mailbox import empty_outbox, last_mail, link_in

LANGS = ["ja", "vi", "en"]
COMPANY_IN = {"ja": ("神戸リサイクル株式会社", "JP", "ja"), "vi": ("Công ty Không khí sạch Đà Nẵng", "VN", "vi"),
              "en": ("Bangkok Clean Energy", "TH", "en")}
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def watched(app):
    """Each journey reads only its own mail (the browser checks of tests/browser/conftest.py apply)."""
    empty_outbox(app)


@pytest.fixture
def make_imported(app):
    def make(lang):
        name, country, languages = COMPANY_IN[lang]
        email = f"contact-{lang}@imported.example"
        with app.app_context():
            company = Company(name=name, country=country, status="approved", languages=languages, contact_email=email)
            db.session.add(company)
            db.session.commit()
            return company.id, email

    return make


def log_in(page, base, email, password, lang):
    page.goto(f"{base}/{lang}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")


def choose_password(page, password):
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("#submit")


@pytest.mark.parametrize("lang", LANGS)
def test_password_reset_by_the_mailed_link(live_server, page, app, make_company, lang):
    email = user_email(app, make_company())
    page.goto(f"{live_server}/{lang}/auth/login")
    page.click(f"main a:has-text('{translated(app, lang, 'Forgot your password?')}')")
    page.fill("#email", email)
    page.click("#submit")
    sent = translated(app, lang, "If an account uses this address, a link to reset the password is on its way.")
    assert sent in page.inner_text("main")
    mail = last_mail(app, email)
    page.goto(live_server + link_in(mail, f"/{lang}/auth/reset/"))
    choose_password(page, NEW_PASSWORD)
    assert page.url.endswith(f"/{lang}/auth/login")
    assert translated(app, lang, "Your password has been changed. Please log in.") in page.inner_text("main")
    log_in(page, live_server, email, PASSWORD, lang)  # the old password no longer works
    assert translated(app, lang, "Wrong email or password.") in page.inner_text("main")
    log_in(page, live_server, email, NEW_PASSWORD, lang)
    assert page.url.endswith(f"/{lang}/dashboard")
    with app.app_context():
        assert check_password_hash(db.session.scalar(select(User.password_hash)), NEW_PASSWORD)
    page.goto(live_server + link_in(mail, "/auth/reset/"))  # the link worked once
    assert page.url.endswith(f"/{lang}/auth/forgot")


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_invites_an_imported_company_that_sets_a_password(live_server, page, app, make_organiser,
                                                                    make_imported, lang):
    company_id, contact = make_imported(lang)
    name = COMPANY_IN[lang][0]
    log_in(page, live_server, make_organiser(), PASSWORD, lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    assert translated(app, lang, "Not invited yet") in page.inner_text("#invitations")
    page.check(f"#invitations input[value='{company_id}']")
    page.click(f"#invitations button:has-text('{translated(app, lang, 'Invite the selected companies')}'), "
               f"#invitations input[value='{translated(app, lang, 'Invite the selected companies')}']")
    assert translated(app, lang, "%(num)d invitation sent.", num=1) in page.inner_text("main")
    assert translated(app, lang, "Not invited yet") not in page.inner_text("#invitations")

    page.context.clear_cookies()
    mail = last_mail(app, contact)
    assert name in mail["body"]
    page.goto(live_server + link_in(mail, f"/{lang}/auth/invitation/"))  # the company's own language
    assert name in page.inner_text("main")
    choose_password(page, NEW_PASSWORD)
    assert page.url.endswith(f"/{lang}/profile/")
    assert page.locator("html").get_attribute("lang") == lang
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == contact))
        assert user.company_id == company_id and check_password_hash(user.password_hash, NEW_PASSWORD)
    page.context.clear_cookies()
    page.goto(live_server + link_in(mail, "/auth/invitation/"))  # the link worked once
    assert page.url.endswith(f"/{lang}/auth/forgot")


@pytest.mark.parametrize("lang", LANGS)
def test_registering_with_an_imported_contact_reaches_that_company(live_server, page, app, make_imported, lang):
    company_id, contact = make_imported(lang)
    page.goto(f"{live_server}/{lang}/auth/register")
    page.fill("#company_name", "A second name for the same company")
    page.select_option("#country", COMPANY_IN[lang][1])
    page.fill("#email", contact)
    page.fill("#password", "a long enough secret")
    page.fill("#confirm", "a long enough secret")
    page.click("#submit")
    assert page.url.endswith(f"/{lang}/auth/login")
    assert contact in page.inner_text("main")
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == 1
        assert db.session.scalar(select(func.count(User.id))) == 0
    page.goto(live_server + link_in(last_mail(app, contact), "/auth/invitation/"))
    choose_password(page, NEW_PASSWORD)
    assert page.url.endswith(f"/{lang}/profile/")
    with app.app_context():
        assert db.session.scalar(select(User.company_id).where(User.email == contact)) == company_id
