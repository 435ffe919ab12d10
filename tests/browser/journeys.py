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


def landfill_pair(make_company, make_opportunity) -> dict[str, int]:
    """A Japanese landfill-gas offer (埋立ガス技研) and a Vietnamese city's need for it: ids of both
    companies and of the offer."""
    jp = make_company(name="埋立ガス技研", country="JP", languages="ja", email="lfg@example.jp")
    offer = make_opportunity(jp, kind="offer", language="ja", categories=("waste-to-energy",),
                             title="埋立地ガス（LFG）回収・発電システム", description="処分場から出るメタンガスで発電します。")
    vn = make_company(name="Công ty Môi trường Đô thị Đà Nẵng", country="VN", languages="vi", email="urenco@dn.example")
    make_opportunity(vn, kind="need", language="vi", categories=("waste-to-energy",),
                     title="Thu hồi khí mê-tan từ bãi chôn lấp để phát điện")
    return {"jp": jp, "vn": vn, "offer": offer}
