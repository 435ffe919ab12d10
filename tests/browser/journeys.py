"""Steps the journeys share: logging in through the form, following the site's own links, reading the database."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company
from tests.conftest import PASSWORD

LANGS = ("ja", "vi", "en")


def log_in(page, base: str, email: str, lang: str, password: str = PASSWORD) -> None:
    """Open the login page from the header, type the credentials, submit with Enter."""
    page.goto(f"{base}/{lang}/")
    page.click(f"header a[href='/{lang}/auth/login']")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")


def follow(page, href: str, scope: str = "body") -> None:
    """Click the first link of *scope* that points to *href* and wait for the next page."""
    with page.expect_navigation():
        page.click(f"{scope} a[href='{href}'] >> nth=0")


def company_named(app, name: str) -> Company:
    """The company called *name*, read fresh from the database (detached: read attributes only)."""
    with app.app_context():
        company = db.session.scalar(select(Company).where(Company.name == name))
        assert company is not None, f"no company named {name!r}"
        db.session.expunge(company)
        return company


def fill_session_form(page, name: str, day: str, start: str, end: str, slot: str = "25", buffer: str = "5", tables: str = "2") -> None:
    """Type a matchmaking session into the organiser's session form and save it."""
    for selector, value in (("#name_en", name), ("#day", day), ("#start", start), ("#end", end),
                            ("#slot_minutes", slot), ("#buffer_minutes", buffer), ("#tables", tables)):
        page.fill(selector, value)
    with page.expect_navigation():
        page.click("#submit")


JP_COMPANY, VN_COMPANY = "北九州エコエナジー", "Hải Phòng Urban Environment"


def accepted_pair(app, make_company) -> tuple[int, int]:
    """A Japanese and a Vietnamese approved company whose meeting request was accepted."""
    from tests.schedule_helpers import accept

    a = make_company(name=JP_COMPANY, country="JP", languages="ja", email="a@kitakyushu.example")
    b = make_company(name=VN_COMPANY, country="VN", languages="vi", email="b@haiphong.example")
    with app.app_context():
        accept(a, b)
    return a, b
