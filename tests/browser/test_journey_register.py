"""Journey (a), in ja, vi and en: a company registers, completes its profile, adds an offer and a
need; an organiser (in a second browser) approves it; the company sees a suggested partner and
requests a meeting."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, MeetingRequest
from tests.browser.journeys import LANGS, company_named, follow, log_in
from tests.mailbox import last_mail, link_in
from tests.conftest import translated

TEXTS = {
    "ja": {"name": "大阪ハイドロジェン株式会社", "city": "大阪", "about": "工場向けの水素燃料電池を設計・設置しています。",
           "offer": "工場向け定置用水素燃料電池", "need": "廃棄物発電プラントの共同開発パートナー"},
    "vi": {"name": "Công ty Năng lượng Sạch Đà Nẵng", "city": "Đà Nẵng", "about": "Chúng tôi lắp đặt pin nhiên liệu hydro cho nhà máy.",
           "offer": "Pin nhiên liệu hydro cố định cho nhà máy", "need": "Đối tác phát triển nhà máy điện rác"},
    "en": {"name": "Clean Hydrogen Works Ltd", "city": "Manchester", "about": "We design and install hydrogen fuel cells for factories.",
           "offer": "Stationary hydrogen fuel cells for factories", "need": "Partner for a waste-to-energy plant"},
}
PARTNER = "Hải Phòng Green Recycling"


@pytest.fixture
def partner(make_company, make_opportunity):
    """An approved Vietnamese company that offers waste-to-energy and needs hydrogen."""
    company_id = make_company(name=PARTNER, country="VN", languages="vi,en", email="partner@recycling.example")
    make_opportunity(company_id, title="Waste-to-energy plants for industrial parks", categories=("waste-to-energy",),
                     description="We build and run waste-to-energy plants that turn municipal waste into power.")
    make_opportunity(company_id, title="Hydrogen fuel cells for our plants", kind="need", categories=("hydrogen",),
                     description="We look for stationary hydrogen fuel cells to store surplus power.")
    return company_id


def register(page, base, lang, texts, app):
    page.goto(f"{base}/{lang}/")
    follow(page, f"/{lang}/auth/register", "header")
    page.fill("#company_name", texts["name"])
    page.select_option("#country", {"ja": "JP", "vi": "VN", "en": "GB"}[lang])
    page.fill("#email", f"contact-{lang}@hydrogen.example")
    page.fill("#password", "a long enough secret")
    page.fill("#confirm", "a long enough secret")
    with page.expect_navigation():
        page.press("#confirm", "Enter")  # a keyboard user submits with Enter
    assert page.url.endswith(f"/{lang}/auth/login")  # "look in your mailbox": the address is confirmed first
    mail = last_mail(app, f"contact-{lang}@hydrogen.example")
    page.goto(base + link_in(mail, f"/{lang}/auth/confirm/"))  # the mailed link
    with page.expect_navigation():
        page.click("main button[type=submit], main input[type=submit]")
    assert page.url.endswith(f"/{lang}/profile/")


def complete_profile(page, lang, texts):
    page.fill("#city", texts["city"])
    page.fill("#sector", "Energy")
    page.fill(f"#description_{lang}", texts["about"])
    with page.expect_navigation():
        page.click("#submit")
    assert texts["about"] in page.inner_text("main")


def add_opportunity(page, base, lang, kind, title, category):
    follow(page, f"/{lang}/dashboard", "nav.main-nav")
    follow(page, f"/{lang}/profile/opportunities/new?kind={kind}", "main")
    page.fill("#title", title)
    page.fill("#description", title + ".")
    page.check(f"input[name=categories][value='{category}']")
    with page.expect_navigation():
        page.click("#submit")
    assert title in page.inner_text("main")


def approve(organiser_page, app, lang, name):
    follow(organiser_page, f"/{lang}/dashboard", "nav.main-nav")
    follow(organiser_page, f"/{lang}/admin/companies?status=pending", "main")
    row = organiser_page.locator("tbody tr", has_text=name)
    with organiser_page.expect_navigation():
        row.locator("input[name=status][value=approved] + button").click()
    assert translated(app, lang, "%(name)s: status saved.", name=name) in organiser_page.inner_text("main")


@pytest.mark.parametrize("lang", LANGS)
def test_register_profile_offers_approval_suggestion_request(lang, live_server, page, new_page, app, partner, make_organiser):
    texts = TEXTS[lang]
    register(page, live_server, lang, texts, app)
    complete_profile(page, lang, texts)
    add_opportunity(page, live_server, lang, "offer", texts["offer"], "hydrogen")
    add_opportunity(page, live_server, lang, "need", texts["need"], "waste-to-energy")
    company = company_named(app, texts["name"])
    assert (company.status, company.city) == ("pending", texts["city"])
    with app.app_context():
        kinds = sorted(o.kind for o in db.session.get(Company, company.id).opportunities)
    assert kinds == ["need", "offer"]

    organiser = new_page(locale="en-GB")
    log_in(organiser, live_server, make_organiser(), lang)
    approve(organiser, app, lang, texts["name"])
    assert company_named(app, texts["name"]).status == "approved"

    follow(page, f"/{lang}/matches/", "nav.main-nav")
    suggestion = page.locator("li.suggestion", has_text=PARTNER)
    assert suggestion.count() == 1
    suggestion.locator("summary").click()
    message = suggestion.locator("textarea[name=message]")
    assert message.is_visible() and message.input_value()  # prefilled with the topic
    message.fill("Let us talk about waste-to-energy in Hai Phong.")
    with page.expect_navigation():
        suggestion.locator("form[action*='/meetings/request/'] button[type=submit]").click()
    assert page.url.endswith(f"/{lang}/meetings/")
    assert translated(app, lang, "Your request has been sent to %(name)s.", name=PARTNER) in page.inner_text("main")
    with app.app_context():
        sent = db.session.scalars(select(MeetingRequest)).all()
    assert [(r.requester_id, r.recipient_id, r.status, r.message) for r in sent] == [
        (company.id, partner, "pending", "Let us talk about waste-to-energy in Hai Phong.")]
