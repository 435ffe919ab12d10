"""Organisers' edits of the concept glossary: checks in the reader's language, history, layering."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import ConceptChange, ConceptEdit, User
from matchmaker.services.concepts import glossary_edits as edits
from matchmaker.services.concepts.glossary import current_glossary, file_glossary
from matchmaker.services.validation import ValidationError


@pytest.fixture
def organiser(app, ctx, make_organiser):
    make_organiser()
    return db.session.scalar(select(User).where(User.role == "organiser"))


def data(ja="汚泥乾燥機", vi="máy sấy bùn\nmay say bun", en="sludge dryer", broader="", category="water", key="sludge-dryer"):
    return edits.ConceptData(category, {"ja": ja, "vi": vi, "en": en}, broader, key=key)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_added_concept_is_in_the_glossary_in_use_with_its_history(organiser):
    change = edits.save_concept(db.session, organiser, file_glossary(), data(broader="water"), "en")
    db.session.commit()
    glossary = current_glossary(db.session)
    assert glossary.label("sludge-dryer", "vi") == "máy sấy bùn"
    assert glossary.closure(["sludge-dryer"]) == {"sludge-dryer": 0, "water": 1}
    assert (change.action, change.before, change.after["en"], change.actor_email) == ("add", None, ["sludge dryer"], organiser.email)


def test_edit_keeps_before_and_after(organiser):
    before = current_glossary(db.session).concepts["methane-capture"].as_entry()
    forms = {lang: "\n".join(before[lang]) for lang in ("ja", "vi", "en")}
    forms["en"] += "\nCH4 recovery"
    edits.save_concept(db.session, organiser, file_glossary(), edits.ConceptData(before["category"], forms, " ".join(before["broader"])), "en",
                       key="methane-capture")
    db.session.commit()
    [change] = edits.concept_history(db.session, "methane-capture")
    assert change.before["en"] == before["en"]
    assert change.after["en"] == [*before["en"], "CH4 recovery"]
    assert "CH4 recovery" in current_glossary(db.session).concepts["methane-capture"].forms["en"]


@pytest.mark.parametrize("lang, expected", [
    ("ja", "「埋立地ガス発電」"), ("vi", "“埋立地ガス発電”"), ("en", "“埋立地ガス発電”"),
])
def test_a_form_of_another_concept_is_refused_in_the_readers_language(app, organiser, lang, expected):
    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        with pytest.raises(ValidationError) as caught:
            edits.save_concept(db.session, organiser, file_glossary(), data(ja="埋立地ガス発電"), lang)
    db.session.rollback()
    [problem] = caught.value.errors
    assert problem.field == "forms_ja"
    label = current_glossary(db.session).label("landfill-gas-power", lang)
    assert label in problem.message
    assert (_count(ConceptEdit), _count(ConceptChange)) == (0, 0)


def test_every_missing_language_is_named_at_once(organiser):
    with pytest.raises(ValidationError) as caught:
        edits.save_concept(db.session, organiser, file_glossary(), data(ja="", vi="  \n "), "en")
    assert {e.field for e in caught.value.errors} == {"forms_ja", "forms_vi"}
    assert "Japanese" in caught.value.errors[0].message
    db.session.rollback()
    assert _count(ConceptEdit) == 0


def test_broader_links_are_checked(organiser):
    with pytest.raises(ValidationError) as caught:
        edits.save_concept(db.session, organiser, file_glossary(), data(broader="no-such-topic"), "en")
    assert "no-such-topic" in caught.value.message
    entry = current_glossary(db.session).concepts["waste-to-energy"].as_entry()
    forms = {lang: "\n".join(entry[lang]) for lang in ("ja", "vi", "en")}
    with pytest.raises(ValidationError, match="circle"):  # landfill-gas-power is already below it
        edits.save_concept(db.session, organiser, file_glossary(), edits.ConceptData(entry["category"], forms, "landfill-gas-power"), "en",
                           key="waste-to-energy")


def test_retire_and_restore(organiser):
    edits.retire_concept(db.session, organiser, file_glossary(), "landfill-gas-recovery")
    db.session.commit()
    glossary = current_glossary(db.session)
    assert "landfill-gas-recovery" not in glossary
    assert glossary.concepts["landfill-gas-power"].broader == ("waste-to-energy",)  # the link to it is dropped
    edits.restore_concept(db.session, organiser, file_glossary(), "landfill-gas-recovery", "en")
    db.session.commit()
    assert "landfill-gas-recovery" in current_glossary(db.session)
    assert _count(ConceptEdit) == 0  # back to the files' own entry
    assert [c.action for c in edits.concept_history(db.session)] == ["restore", "retire"]


def test_a_new_key_must_be_free_and_well_formed(organiser):
    for key in ("Sludge Dryer", "methane-capture"):
        with pytest.raises(ValidationError) as caught:
            edits.save_concept(db.session, organiser, file_glossary(), data(key=key), "en")
        assert caught.value.field == "key"


def test_companies_cannot_edit_the_glossary(app, ctx, make_company):
    company_user = db.session.scalar(select(User).where(User.company_id == make_company()))
    with pytest.raises(PermissionError):
        edits.save_concept(db.session, company_user, file_glossary(), data(), "en")
