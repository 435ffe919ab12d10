"""In a real browser, in ja, vi and en: at an event with more companies than a page holds, an
organiser pages through the badge page, corrects a Latin name on the second page and is brought
back to that company on that page, then finds a person by name with the search form."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Badge
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, translated_plural


def _badge(app, company_id) -> Badge:
    with app.app_context():
        badge = db.session.scalar(select(Badge).where(Badge.company_id == company_id))
        db.session.expunge_all()
        return badge


@pytest.mark.parametrize("lang", LANGS)
def test_page_through_correct_on_page_two_and_search_a_person(app, live_server, new_page, make_company, make_organiser, lang):
    ids = [make_company(name=f"Green Works {n:03d}", country="VN" if n % 2 else "JP", contact_name=f"Person {n:03d}",
                        email=f"works{n}@example.com") for n in range(55)]
    page = new_page()
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    follow(page, f"/{lang}/event/badges/", "nav.subnav")
    assert page.locator("section.badge-company").count() == 50
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 55) in page.inner_html("#result-count")
    with page.expect_navigation():
        page.click("nav.pager a:text-is('2')")
    assert page.locator("section.badge-company").count() == 5 and "Person 053" in page.inner_text("main")

    badge = _badge(app, ids[53])
    page.fill(f"#b{badge.id}-name_latin", "Person Fifty-Three")
    with page.expect_navigation():
        page.click(f"#b{badge.id}-save")
    assert translated(app, lang, "Latin name saved: %(name)s", name="Person Fifty-Three") in page.inner_html("main")
    assert page.url.endswith(f"/{lang}/event/badges/?page=2#company-{ids[53]}")  # back on its page, at its section
    assert page.input_value(f"#b{badge.id}-name_latin") == "Person Fifty-Three"
    assert _badge(app, ids[53]).name_latin == "Person Fifty-Three"

    page.fill("#badge-search input[name=q]", "person 012")
    with page.expect_navigation():
        page.click("#badge-search button[type=submit]")
    assert page.locator("section.badge-company").count() == 1 and "Green Works 012" in page.inner_text("main")
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 1) in page.inner_html("#result-count")
