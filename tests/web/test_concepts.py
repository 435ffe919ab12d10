"""Topics on the pages: organisers edit the glossary, companies correct their topics, the
directory searches through the glossary, reasons name the shared topics."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import ConceptChange, ConceptEdit, OpportunityConcept
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.concepts.items import refresh_concepts
from tests.conftest import translated, user_email
from tests.webforms import submit

LANGS = ("ja", "vi", "en")


@pytest.fixture
def landfill(app, make_company, make_opportunity):
    """A Japanese landfill-gas company and a Vietnamese city that needs it, topics detected."""
    jp = make_company(name="埋立ガス技研", country="JP", languages="ja")
    offer = make_opportunity(jp, kind="offer", language="ja", categories=("waste-to-energy",),
                             title="埋立地ガス（LFG）回収・発電システム",
                             description="処分場から出るメタンガスで発電します。")
    vn = make_company(name="Công ty Môi trường Đô thị Đà Nẵng", country="VN", languages="vi")
    need = make_opportunity(vn, kind="need", language="vi", categories=("waste-to-energy",),
                            title="Thu hồi khí mê-tan từ bãi chôn lấp để phát điện")
    with app.app_context():
        refresh_concepts(db.session)
        db.session.commit()
    return {"jp": jp, "vn": vn, "offer": offer, "need": need}


def _label(app, key: str, lang: str) -> str:
    with app.app_context():
        return current_glossary(db.session).label(key, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_company_page_shows_topics_in_the_readers_language(client, app, landfill, lang):
    html = client.get(f"/{lang}/companies/{landfill['jp']}").get_data(as_text=True)
    assert _label(app, "landfill-gas-power", lang) in html
    if lang != "ja":  # the offer is in Japanese only: its gist in the reader's language
        assert translated(app, lang, "In short, in your language: %(topics)s", topics="").rstrip() in html


@pytest.mark.parametrize("lang", LANGS)
def test_company_removes_a_topic_and_adds_one_through_the_search(client, app, landfill, login, lang):
    login(user_email(app, landfill["jp"]), lang=lang)
    page = f"/{lang}/profile/opportunities/{landfill['offer']}/topics/"
    html = client.get(page).get_data(as_text=True)
    methane = _label(app, "methane", lang)
    assert methane in html
    removed = submit(client, page, "ul.topics form:has(input[value='methane'])")
    assert removed.status_code == 302
    with app.app_context():
        row = db.session.get(OpportunityConcept, (landfill["offer"], "methane"))
        assert row.source == "removed"
    query = {"ja": "ごみ発電", "vi": "điện rác", "en": "waste-to-energy"}[lang]
    results = submit(client, page, "form[role=search]", fields={"q": query})
    html = results.get_data(as_text=True)
    label = _label(app, "waste-to-energy", lang)
    assert label in html
    added = submit(client, results, "ul.topic-results form:has(input[value='waste-to-energy'])", follow_redirects=True)
    assert translated(app, lang, "Topic added.") in added.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OpportunityConcept, (landfill["offer"], "waste-to-energy")).source == "added"
        refresh_concepts(db.session, glossary=None)  # a new detection keeps both choices
        assert db.session.get(OpportunityConcept, (landfill["offer"], "methane")).source == "removed"


def test_another_companys_topics_are_not_reachable(client, app, landfill, login):
    login(user_email(app, landfill["vn"]))
    assert client.get(f"/en/profile/opportunities/{landfill['offer']}/topics/").status_code == 404


def test_directory_search_finds_a_japanese_text_through_the_glossary(client, landfill):
    html = client.get("/en/companies/?q=methane").get_data(as_text=True)
    assert "埋立ガス技研" in html  # its text says メタンガス, never "methane"
    html = client.get("/en/companies/?q=landfill+gas+power+generation").get_data(as_text=True)
    assert "埋立ガス技研" in html and "Đà Nẵng" in html


def test_directory_filter_by_topic_includes_narrower_topics(client, app, landfill, make_company, make_opportunity):
    other = make_company(name="Solar Works", country="SG", languages="en")
    make_opportunity(other, title="Rooftop solar PV", categories=("renewable-energy",))
    with app.app_context():
        refresh_concepts(db.session)
        db.session.commit()
    html = client.get("/en/companies/?concept=waste-to-energy").get_data(as_text=True)
    assert "埋立ガス技研" in html and "Solar Works" not in html
    page = client.get("/vi/companies/").get_data(as_text=True)
    assert _label(app, "landfill-gas-power", "vi") in page  # the filter lists topics in use


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_adds_a_topic_and_sees_its_history(organiser_client, app, lang):
    client = organiser_client
    saved = submit(client, f"/{lang}/admin/concepts/new", fields={
        "key": "sludge-dryer", "category": "water", "forms_ja": "汚泥乾燥機", "forms_vi": "máy sấy bùn\nmay say bun",
        "forms_en": "sludge dryer", "broader": "water"}, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert translated(app, lang, "Topic saved. Offers and needs are being analysed again for the changed glossary.") in html
    assert "organiser@example.com" in html and translated(app, lang, "Added") in html
    with app.app_context():
        assert current_glossary(db.session).label("sludge-dryer", "vi") == "máy sấy bùn"


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_edit_with_a_taken_form_is_refused_in_the_readers_language(organiser_client, app, lang):
    client = organiser_client
    page = f"/{lang}/admin/concepts/methane-capture/edit"
    html = client.get(page).get_data(as_text=True)
    assert "メタン回収" in html
    refused = submit(client, page, ".concept-form", fields={"forms_en": "methane capture\nlandfill gas power generation",
                                                            "forms_vi": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert _label(app, "landfill-gas-power", lang) in html
    assert translated(app, lang, "Give at least one Vietnamese form: the first one is the topic's name in Vietnamese.") in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConceptEdit)) == 0
        assert db.session.scalar(select(func.count()).select_from(ConceptChange)) == 0


def test_organiser_edit_recomputes_topics(organiser_client, app, landfill):
    page = "/en/admin/concepts/methane/edit"
    submit(organiser_client, page, ".concept-form", fields={"forms_en": "methane\nCH4\nmethane gas"})
    with app.app_context():
        assert db.session.get(OpportunityConcept, (landfill["offer"], "methane")) is not None
    retired = submit(organiser_client, page, f"form[action$='/retire']", follow_redirects=True)
    assert "Topic retired" in retired.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OpportunityConcept, (landfill["offer"], "methane")) is None
    html = organiser_client.get("/en/admin/concepts/history").get_data(as_text=True)
    assert "Retired" in html and "Changed" in html


def test_companies_cannot_open_the_glossary_editor(client, app, landfill, login):
    login(user_email(app, landfill["jp"]))
    assert client.get("/en/admin/concepts/").status_code == 403


@pytest.mark.model
@pytest.mark.parametrize("lang", LANGS)
def test_reasons_name_the_shared_topics_not_cosines_nor_the_readers_own_name(client, app, landfill, login, lang):
    import lxml.html

    login(user_email(app, landfill["vn"]), lang=lang)
    html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    reasons = tree.cssselect("ul.reasons")[0].text_content()
    suggestion = tree.cssselect("li.suggestion")[0]
    # the shared topics once, on one line, in the reader's language, the most telling first
    lines = [" ".join(p.text_content().split()) for p in suggestion.cssselect("p.both")]
    assert len(lines) == 1, lines
    assert lines[0].startswith(translated(app, lang, "Both: %(topics)s", topics=_label(app, "landfill-gas-power", lang)))
    names = lines[0][len(translated(app, lang, "Both: %(topics)s", topics="")):].split(" · ")
    assert len(names) == len(set(names)), names
    assert not suggestion.cssselect(".tag.topic")  # no second list of the same topics below
    assert "埋立ガス技研" in reasons
    assert "Đà Nẵng" not in reasons  # the reader's own company
    assert "0." not in reasons  # no raw similarity


def test_demo_company_pages_show_topics_in_three_languages(client, app):
    from matchmaker.models import Opportunity
    from matchmaker.services.demo import load_demo

    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        rows = db.session.execute(select(Opportunity.company_id, OpportunityConcept.concept_key)
                                  .join(OpportunityConcept, OpportunityConcept.opportunity_id == Opportunity.id)
                                  .where(OpportunityConcept.source == "auto")).all()
        glossary = current_glossary(db.session)
    assert len({company for company, _ in rows}) >= 10  # most demo companies have topics
    for company, key in rows[:5]:
        for lang in LANGS:
            html = client.get(f"/{lang}/companies/{company}").get_data(as_text=True)
            assert glossary.label(key, lang) in html
