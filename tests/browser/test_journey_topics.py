"""Journeys in ja, vi and en: a company sees the topics found in its offer, removes a wrong one and
adds one through the glossary search; an organiser edits a topic and reads its history; a
Vietnamese company reads the reasons of its suggestion as shared topics."""

from __future__ import annotations

import pytest

from matchmaker import embeddings
from matchmaker.extensions import db
from matchmaker.models import Opportunity, OpportunityConcept, OpportunityEmbedding
from matchmaker.services import vectors
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.concepts.items import refresh_concepts
from tests.browser.journeys import LANGS, follow, landfill_pair, log_in
from tests.conftest import translated, user_email

SEARCH = {"ja": "ごみ発電", "vi": "điện rác", "en": "waste-to-energy"}


@pytest.fixture
def landfill(app, make_company, make_opportunity):
    pair = landfill_pair(make_company, make_opportunity)
    with app.app_context():
        refresh_concepts(db.session)
        db.session.commit()
    return pair


def label(app, key: str, lang: str) -> str:
    with app.app_context():
        return current_glossary(db.session).label(key, lang)


def source(app, opportunity_id: int, key: str) -> str | None:
    with app.app_context():
        row = db.session.get(OpportunityConcept, (opportunity_id, key))
        return row.source if row else None


def embedded(app, opportunity_id: int) -> tuple[bool, str]:
    """Whether the offer's stored vector was made from its text with its topics as they are now, and
    the line of topic names the model read after the text."""
    with app.app_context():
        item = vectors.ItemText(db.session.get(Opportunity, opportunity_id))
        expansion = vectors.expansion_for(db.session)
        stored = db.session.get(OpportunityEmbedding, item.key)
        model_id = embeddings.model_id(app.config["EMBEDDING_MODEL"])
        return vectors.is_current(item, stored, model_id, expansion), expansion.line(item)


@pytest.mark.parametrize("lang", LANGS)
def test_company_corrects_its_topics(lang, live_server, page, app, landfill):
    log_in(page, live_server, user_email(app, landfill["jp"]), lang)
    page.goto(f"{live_server}/{lang}/companies/{landfill['jp']}")
    offer = page.locator("article.opportunity")
    assert label(app, "landfill-gas-power", lang) in offer.inner_text()
    follow(page, f"/{lang}/profile/opportunities/{landfill['offer']}/topics/", "article.opportunity")

    methane = page.locator("li.topic", has_text=label(app, "methane", lang))
    with page.expect_navigation():
        methane.locator("button").click()
    assert source(app, landfill["offer"], "methane") == "removed"
    assert translated(app, lang, "Topic removed: it will not be found in this text again.") in page.inner_text("main")

    page.fill("#topic-q", SEARCH[lang])
    with page.expect_navigation():
        page.press("#topic-q", "Enter")
    result = page.locator("ul.topic-results li", has_text=label(app, "waste-to-energy", lang)).first
    with page.expect_navigation():
        result.locator("button").click()
    assert translated(app, lang, "Topic added.") in page.inner_text("main")
    assert source(app, landfill["offer"], "waste-to-energy") == "added"
    assert label(app, "waste-to-energy", lang) in page.locator("ul.topics.editable").inner_text()
    # the model reads the Japanese offer with its topics in Vietnamese and English, as corrected
    current, line = embedded(app, landfill["offer"])
    assert current and label(app, "waste-to-energy", "vi") in line and label(app, "methane", "vi") not in line


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_edits_a_topic_and_reads_its_history(lang, live_server, page, app, make_organiser):
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    follow(page, f"/{lang}/admin/concepts/", "nav.subnav")
    page.fill("#concept-q", "methane capture")
    with page.expect_navigation():
        page.press("#concept-q", "Enter")
    follow(page, f"/{lang}/admin/concepts/methane-capture/edit", "table.concepts")
    page.fill("#forms_en", page.input_value("#forms_en") + "\nCH4 recovery")
    with page.expect_navigation():
        page.click(".concept-form button[type=submit], .concept-form input[type=submit]")
    assert translated(app, lang, "Changed") in page.locator("table.concept-history").inner_text()
    assert "CH4 recovery" in page.locator("table.concept-history").inner_text()
    with app.app_context():
        assert "CH4 recovery" in current_glossary(db.session).concepts["methane-capture"].forms["en"]


@pytest.mark.parametrize("lang", LANGS)
def test_reasons_show_shared_topics(lang, live_server, page, app, landfill):
    log_in(page, live_server, user_email(app, landfill["vn"]), lang)
    follow(page, f"/{lang}/matches/", "nav.main-nav")
    first = page.locator("li.suggestion").first
    lines = [" ".join(text.split()) for text in first.locator("p.both").all_inner_texts()]
    assert len(lines) == 1, lines  # the shared topics once, not per reason and again below
    assert lines[0].startswith(translated(app, lang, "Both: %(topics)s", topics=label(app, "landfill-gas-power", lang)))
    assert "埋立ガス技研" in page.locator("li.suggestion").first.inner_text()


SPELLING_OFFER = {
    "title": "Điều hoà tiết kiệm điện cho nhà máy chế biến thuỷ sản",  # older tone placement: hoà, thuỷ
    "description": "Thay máy lạnh cũ bằng điều hoà inverter; rác hữu cơ được ủ phân tại chỗ, không cần đốt rác.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_topics_read_older_spellings_and_leave_out_what_the_offer_does_not_do(lang, live_server, page, app, make_company):
    """A Vietnamese company writes "điều hoà" (not "điều hòa") and "không cần đốt rác" (no need to
    burn waste): its offer gets air conditioning as a topic and not incineration."""
    company = make_company(name="Công ty Điện lạnh Cần Thơ", country="VN", languages="vi")
    log_in(page, live_server, user_email(app, company), lang)
    follow(page, f"/{lang}/dashboard", "nav.main-nav")
    follow(page, f"/{lang}/profile/opportunities/new?kind=offer", "main")
    page.fill("#title", SPELLING_OFFER["title"])
    page.fill("#description", SPELLING_OFFER["description"])
    page.select_option("#language", "vi")
    page.check("input[name=categories][value='energy-efficiency']")
    with page.expect_navigation():
        page.click("#submit", timeout=120000)  # the first text embedded may load the model
    assert SPELLING_OFFER["title"] in page.inner_text("main")
    with app.app_context():
        offer = db.session.scalar(db.select(Opportunity).where(Opportunity.company_id == company))
        found = {row.concept_key for row in db.session.scalars(
            db.select(OpportunityConcept).where(OpportunityConcept.opportunity_id == offer.id))}
        offer_id = offer.id
    assert {"air-conditioner", "inverter-air-conditioner", "organic-waste"} <= found
    assert "incineration" not in found

    page.goto(f"{live_server}/{lang}/companies/{company}")
    follow(page, f"/{lang}/profile/opportunities/{offer_id}/topics/", "article.opportunity")
    topics = page.locator("ul.topics.editable").inner_text()
    assert label(app, "inverter-air-conditioner", lang) in topics
    assert label(app, "incineration", lang) not in topics
