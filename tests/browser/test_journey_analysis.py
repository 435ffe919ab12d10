"""Journey in ja, vi and en: a company's topic changed after its offer was analysed; the organiser's
matches page says one offer was analysed before its topics last changed, the organiser runs the
analysis again, and the page then says every offer and need is analysed (the vector is current)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker import embeddings
from matchmaker.extensions import db
from matchmaker.models import Opportunity, OpportunityEmbedding, User
from matchmaker.services import matching, vectors
from matchmaker.services.concepts.edits import set_concept
from tests.browser.journeys import LANGS, follow, landfill_pair, log_in
from tests.conftest import translated, translated_plural

pytestmark = pytest.mark.model

OUTDATED = ("%(num)d offer or need was analysed before its topics last changed; analysing it again brings its matches up to date.",
            "%(num)d offers and needs were analysed before their topics last changed; analysing them again brings their "
            "matches up to date.")


@pytest.fixture
def analysed(app, make_company, make_opportunity):
    """A Japanese landfill-gas offer and a Vietnamese need, both analysed; then the offer loses a topic."""
    pair = landfill_pair(make_company, make_opportunity)
    jp, offer = pair["jp"], pair["offer"]
    with app.app_context():
        model = app.config["EMBEDDING_MODEL"]
        vectors.embed(db.session, vectors.stale_texts(db.session, embeddings.model_id(model)), model)
        user = db.session.scalar(select(User).where(User.company_id == jp))
        set_concept(db.session, user, db.session.get(Opportunity, offer), "methane", present=False)
        db.session.commit()
    return offer


def current(app, opportunity_id: int) -> bool:
    with app.app_context():
        item = vectors.ItemText(db.session.get(Opportunity, opportunity_id))
        stored = db.session.get(OpportunityEmbedding, item.key)
        return vectors.is_current(item, stored, embeddings.model_id(app.config["EMBEDDING_MODEL"]),
                                  vectors.expansion_for(db.session))


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_analyses_offers_whose_topics_changed(lang, live_server, page, app, make_organiser, monkeypatch, analysed):
    monkeypatch.setattr(matching, "INLINE_EMBED_LIMIT", 0)  # a large event: the page does not embed them itself
    assert not current(app, analysed)
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    follow(page, f"/{lang}/admin/matches", "nav.subnav")
    outdated = translated_plural(app, lang, *OUTDATED, 1)
    section = page.locator("#embedding")
    section.get_by_text(outdated).wait_for(timeout=60_000)  # the page reloads itself while the pairs are computed
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert translated(app, lang, "The analysis runs in the background; this page shows its progress.") in page.inner_text("main")
    analysed_all = translated(app, lang, "Every offer and need has been analysed with the current model.")
    for _ in range(60):  # the analysis runs in a thread of the server; the organiser reloads the page
        if analysed_all in section.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    assert analysed_all in section.inner_text() and outdated not in section.inner_text()
    assert current(app, analysed)
