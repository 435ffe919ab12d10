"""What the model reads: an offer/need's text with its topics named in the other languages."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from matchmaker import embeddings
from matchmaker.extensions import db
from matchmaker.models import Opportunity, OpportunityEmbedding, User
from matchmaker.services import matching, vectors
from matchmaker.services.concepts.edits import set_concept
from matchmaker.services.concepts.glossary import current_glossary

NEED = "Thu hồi khí mê-tan từ bãi chôn lấp để phát điện"


def _vector(opportunity_id: int, language: str) -> OpportunityEmbedding:
    return db.session.get(OpportunityEmbedding, (opportunity_id, language))


def _encode(app, text: str, kind: str) -> np.ndarray:
    return embeddings.encode([text], kind, name_or_path=app.config["EMBEDDING_MODEL"])[0]


def test_a_vietnamese_need_is_embedded_with_its_topics_in_japanese_and_english(app, make_company, make_opportunity):
    need = make_opportunity(make_company(name="Đà Nẵng", country="VN", languages="vi"), kind="need", language="vi",
                            title=NEED)
    english = make_opportunity(make_company(name="Green Ltd", country="GB", languages="en"), kind="offer",
                               language="en", title="Landfill gas power generation")
    with app.app_context():
        model = app.config["EMBEDDING_MODEL"]
        todo = vectors.stale_texts(db.session, embeddings.model_id(model))
        vectors.embed(db.session, todo, model)
        db.session.commit()
        glossary = current_glossary(db.session)
        line = f"{glossary.label('landfill-gas-power', 'ja')} · {glossary.label('landfill-gas-power', 'en')}"
        item = vectors.ItemText(db.session.get(Opportunity, need))
        expansion = vectors.expansion_for(db.session)
        assert expansion.line(item) == line and vectors.embedded_text(item, expansion) == f"{NEED}\n{line}"
        stored = _vector(need, "vi").as_array()
        assert np.allclose(stored, _encode(app, vectors.embedded_text(item, expansion), "query"), atol=1e-5)
        assert not np.allclose(stored, _encode(app, NEED, "query"), atol=1e-3)
        # an English text is read as written
        assert np.allclose(_vector(english, "en").as_array(), _encode(app, "Landfill gas power generation", "passage"),
                           atol=1e-5)
        assert vectors.stale_texts(db.session, embeddings.model_id(model)) == []


def test_a_topic_removed_outdates_the_vector_which_stays_usable_until_embedded_again(app, make_company, make_opportunity):
    vn = make_company(name="Đà Nẵng", country="VN", languages="vi")
    need = make_opportunity(vn, kind="need", language="vi", title=NEED)
    with app.app_context():
        model = app.config["EMBEDDING_MODEL"]
        model_id = embeddings.model_id(model)
        vectors.embed(db.session, vectors.stale_texts(db.session, model_id), model)
        db.session.commit()
        before = _vector(need, "vi").as_array().copy()
        user = db.session.scalar(select(User).where(User.company_id == vn))
        set_concept(db.session, user, db.session.get(Opportunity, need), "landfill-gas-power", present=False)
        db.session.commit()
        item = vectors.ItemText(db.session.get(Opportunity, need))
        expansion = vectors.expansion_for(db.session)
        assert need not in expansion.concepts and expansion.line(item) == ""
        stored = _vector(need, "vi")
        assert vectors.is_usable(item, stored, model_id) and not vectors.is_current(item, stored, model_id, expansion)
        assert [t.key for t in vectors.stale_texts(db.session, model_id)] == [(need, "vi")]
        # past the inline limit the pool keeps the outdated vector rather than leaving the need out
        kept = matching.build_snapshot(db.session, model, embed_limit=0)
        assert kept.stale == 0 and [t.key for t in kept.texts] == [(need, "vi")]
        assert np.allclose(_vector(need, "vi").as_array(), before)
        # within it, the pool embeds it again, without the removed topic's names: the text as written
        matching.build_snapshot(db.session, model)
        after = _vector(need, "vi")
        assert vectors.is_current(item, after, model_id, expansion) and not np.allclose(after.as_array(), before, atol=1e-4)
        assert np.allclose(after.as_array(), _encode(app, NEED, "query"), atol=1e-5)
