"""Journeys at scale, in ja, vi and en: an organiser pages through and searches the companies list;
a company changes its profile and then opens its suggestions, which show the change once the
background task has recomputed them (the page says so meanwhile and reloads itself)."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, Opportunity
from matchmaker.services import companies as company_svc
from matchmaker.services import match_store, suggestion_cache
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated_plural, user_email

pytestmark = pytest.mark.model


@pytest.fixture
def many(make_company, monkeypatch):
    """Seven companies on pages of three; one Vietnamese name to search for without its diacritics."""
    monkeypatch.setattr(company_svc, "REVIEW_PAGE_SIZE", 3)
    names = ["Alpha Solar", "Bravo Water", "Charlie Hydrogen", "Delta Recycling", "Echo Finance", "Hải Phòng Môi Trường", "Zulu Power"]
    return {name: make_company(name=name) for name in names}


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_pages_and_searches_the_companies(lang, live_server, page, app, make_organiser, many):
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 3 and "Alpha Solar" in rows.first.inner_text()
    follow(page, f"/{lang}/admin/companies?page=3", "nav.pager")
    assert page.locator("main table tbody tr").count() == 1 and "Zulu Power" in page.inner_text("main table")
    page.fill("#company-search input[name=q]", "hai phong moi truong")
    with page.expect_navigation():
        page.press("#company-search input[name=q]", "Enter")
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 1) in page.inner_text("#result-count")
    assert page.locator("main table tbody tr").count() == 1 and "Hải Phòng Môi Trường" in page.inner_text("main table")


@pytest.fixture
def pair(make_company, make_opportunity):
    """A Vietnamese city needing waste-to-energy, and a Japanese builder offering it."""
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi,en", email="hp@example.com")
    make_opportunity(hp, kind="need", language="en", categories=("waste-to-energy",),
                     title="Waste-to-energy plant for 500 tonnes of municipal waste a day")
    kk = make_company(name="Kitakyushu Eco Energy", country="JP", languages="ja,en", email="kk@example.com")
    make_opportunity(kk, kind="offer", language="en", categories=("waste-to-energy",),
                     title="Grate incinerators with power generation")
    return hp, kk


@pytest.mark.parametrize("lang", LANGS)
def test_a_company_sees_a_new_partner_after_a_profile_change(lang, live_server, page, app, make_company, make_opportunity,
                                                             monkeypatch, pair):
    hp, _kk = pair
    log_in(page, live_server, user_email(app, hp), lang)
    follow(page, f"/{lang}/matches/", "nav.main-nav")
    assert "Kitakyushu Eco Energy" in page.inner_text("main")
    # another company joins with an answering offer; the kept list is now of an older version
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT_STALE", 0)
    newcomer = make_company(name="Da Nang Clean Power", country="VN", languages="vi,en", email="dn@example.com")
    make_opportunity(newcomer, kind="offer", language="en", categories=("waste-to-energy",),
                     title="Waste-to-energy plants built and run for Vietnamese cities")
    page.goto(f"{live_server}/{lang}/matches/")
    # either the task already finished, or the page says it is updating and reloads itself until it has
    page.locator("main h2", has_text="Da Nang Clean Power").wait_for(timeout=120000)
    assert page.locator("#being-updated").count() == 0
    with app.app_context():
        kept = match_store.read(suggestion_cache.key_of(hp))
        assert kept[0] == match_store.matching_version(db.session, app.config)
        assert newcomer in kept[1].company_ids
        assert db.session.scalar(select(Opportunity.title).join(Company).where(Company.id == newcomer)).startswith("Waste-to-energy")
