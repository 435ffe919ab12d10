"""Concepts of offers and needs kept in the database: detected on save, recomputed when a text or
the glossary changes, a company's removals and additions kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.core.concepts import build_glossary
from matchmaker.extensions import db
from matchmaker.models import Company, ConceptDetection, Opportunity, OpportunityConcept, User
from matchmaker.services.companies import OpportunityData, delete_opportunity, save_opportunity
from matchmaker.services.concepts import glossary as glossary_module
from matchmaker.services.concepts import items as items_module
from matchmaker.services.concepts.edits import set_concept
from matchmaker.services.concepts.items import concepts_by_opportunity, refresh_concepts


def rows(opportunity_id: int) -> dict[str, str]:
    found = db.session.scalars(select(OpportunityConcept).where(OpportunityConcept.opportunity_id == opportunity_id))
    return {r.concept_key: r.source for r in found}


def company_user(company_id: int) -> User:
    return db.session.scalar(select(User).where(User.company_id == company_id))


def save(company_id: int, title: str, description: str = "", language: str = "ja", versions=None, opportunity=None):
    company = db.session.get(Company, company_id)
    data = OpportunityData(kind="offer", title=title, description=description, categories=["waste-to-energy"],
                           language=language, versions=versions)
    saved = save_opportunity(db.session, company, data, company_user(company_id), opportunity)
    db.session.commit()
    return saved


def test_saving_an_offer_detects_its_concepts_in_every_language(ctx, make_company):
    jp = make_company(name="北九州エコエナジー")
    offer = save(jp, "埋立地ガス（LFG）回収・発電システム", "メタンを回収して発電します。",
                 versions={"vi": ("Hệ thống thu hồi khí bãi chôn lấp", "Kèm theo giám sát MRV."), "en": ("", "")})
    found = rows(offer.id)
    assert found == {"landfill-gas-power": "auto", "landfill-gas-recovery": "auto", "mrv-transparency": "auto",
                     "methane-capture": "auto"}  # ja (メタンを回収 is メタン回収) + vi
    detection = db.session.get(ConceptDetection, offer.id)
    assert detection.glossary_version == glossary_module.current_glossary().version


def test_editing_the_text_detects_again_and_keeps_removed_and_added_concepts(ctx, make_company):
    jp = make_company(name="北九州エコエナジー")
    offer = save(jp, "埋立地ガス発電と太陽光発電")
    assert {"landfill-gas-power", "solar-pv"} <= set(rows(offer.id))
    user = company_user(jp)
    set_concept(db.session, user, offer, "solar-pv", present=False)
    set_concept(db.session, user, offer, "hydrogen", present=True)
    db.session.commit()
    save(jp, "埋立地ガス発電と太陽光発電（改訂）", opportunity=offer)
    assert rows(offer.id)["solar-pv"] == "removed"  # found again, but the company said no
    assert rows(offer.id)["hydrogen"] == "added"
    assert concepts_by_opportunity(db.session, [offer.id])[offer.id] == ("hydrogen", "landfill-gas-power")
    save(jp, "水素ステーション", opportunity=offer)
    after = rows(offer.id)
    assert "landfill-gas-power" not in after and after["solar-pv"] == "removed" and after["hydrogen"] == "added"


def test_nothing_is_detected_again_while_texts_and_glossary_stay(ctx, make_company):
    jp = make_company(name="北九州エコエナジー")
    save(jp, "メタン回収")
    assert refresh_concepts(db.session) == 0


def test_a_new_glossary_version_detects_every_offer_again(ctx, make_company, monkeypatch):
    jp = make_company(name="北九州エコエナジー")
    offer = save(jp, "メタン回収とごみ焼却")
    smaller = build_glossary([{"key": "incineration-only", "category": "waste-to-energy", "en": ["incinerator"],
                               "ja": ["焼却"], "vi": ["lò đốt"], "broader": []}], ["waste-to-energy"])
    monkeypatch.setattr(glossary_module, "current_glossary", lambda session=None: smaller)
    monkeypatch.setattr(items_module, "current_glossary", lambda session=None: smaller)
    assert refresh_concepts(db.session) == 1
    assert rows(offer.id) == {"incineration-only": "auto"}
    assert concepts_by_opportunity(db.session) == {offer.id: ("incineration-only",)}
    assert db.session.get(ConceptDetection, offer.id).glossary_version == smaller.version


def test_only_the_company_or_an_organiser_edits_concepts_and_only_glossary_keys(ctx, make_company, make_organiser):
    jp, vn = make_company(name="北九州エコエナジー"), make_company(name="Hai Phong Green", country="VN", languages="vi")
    offer = save(jp, "メタン回収")
    with pytest.raises(PermissionError):
        set_concept(db.session, company_user(vn), offer, "hydrogen", present=True)
    with pytest.raises(LookupError):
        set_concept(db.session, company_user(jp), offer, "perpetual-motion", present=True)
    organiser = db.session.scalar(select(User).where(User.email == make_organiser()))
    set_concept(db.session, organiser, offer, "hydrogen", present=True)
    db.session.commit()
    assert rows(offer.id)["hydrogen"] == "added"


def test_deleting_an_offer_deletes_its_concepts(ctx, make_company):
    jp = make_company(name="北九州エコエナジー")
    offer = save(jp, "メタン回収")
    offer_id = offer.id
    delete_opportunity(db.session, offer, company_user(jp))
    db.session.commit()
    assert rows(offer_id) == {} and db.session.get(ConceptDetection, offer_id) is None
    assert db.session.get(Opportunity, offer_id) is None
