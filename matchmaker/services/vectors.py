"""Stored embeddings of offers and needs: what is stale, and computing it.

Each offer/need keeps one vector under the configured model, with the model's id and a hash of
the text it was made from; a changed text or a changed model makes it stale. Needs are encoded
as e5 "query", offers as "passage" (``matchmaker.embeddings``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker import embeddings
from matchmaker.models import Opportunity, OpportunityEmbedding

log = logging.getLogger(__name__)
KIND_PROMPT = {"need": "query", "offer": "passage"}


def opportunity_text(opportunity: Opportunity) -> str:
    """The text that represents an offer/need for matching: its title, then its description."""
    return f"{opportunity.title}\n{opportunity.description}".strip()


def text_hash(opportunity: Opportunity) -> str:
    """A hash of what the vector depends on: kind (prompt) and text."""
    return hashlib.sha256(f"{opportunity.kind}\x00{opportunity_text(opportunity)}".encode()).hexdigest()


def is_current(opportunity: Opportunity, stored: OpportunityEmbedding | None, model_id: str) -> bool:
    """True when *stored* was made from this text by this model."""
    return stored is not None and stored.model_id == model_id and stored.text_hash == text_hash(opportunity)


def stale_opportunities(session: Session, model_id: str, only: list[int] | None = None) -> list[Opportunity]:
    """Offers/needs whose vector is missing or was made from another text or model."""
    stmt = select(Opportunity).order_by(Opportunity.id)
    if only is not None:
        stmt = stmt.where(Opportunity.id.in_(only))
    embedded = {e.opportunity_id: e for e in session.scalars(select(OpportunityEmbedding))}
    return [o for o in session.scalars(stmt) if not is_current(o, embedded.get(o.id), model_id)]


def embed(
    session: Session,
    opportunities: list[Opportunity],
    model: str | None,
    *,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Compute and store the vectors of *opportunities* under *model*; return how many.

    Raises ``embeddings.EmbeddingModelError`` when the model cannot be loaded.
    """
    model_id = embeddings.model_id(model)
    done = 0
    for kind, prompt in KIND_PROMPT.items():
        items = [o for o in opportunities if o.kind == kind]
        for start in range(0, len(items), batch_size):
            chunk = items[start:start + batch_size]
            texts = [opportunity_text(o) for o in chunk]
            vectors = embeddings.encode(texts, prompt, name_or_path=model, batch_size=batch_size)
            truncated = embeddings.truncation_info(texts, prompt, name_or_path=model)
            for opp, vector, cut in zip(chunk, vectors, truncated):
                _store(session, opp, vector, cut, model_id)
            done += len(chunk)
            if progress:
                progress(len(chunk))
    session.flush()
    return done


def _store(session: Session, opportunity: Opportunity, vector: np.ndarray, truncated: bool, model_id: str) -> None:
    row = session.get(OpportunityEmbedding, opportunity.id) or OpportunityEmbedding(opportunity_id=opportunity.id)
    row.model_id, row.text_hash, row.truncated = model_id, text_hash(opportunity), bool(truncated)
    row.dim, row.vector = int(vector.shape[0]), np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    session.add(row)


def embed_quietly(session: Session, opportunities: list[Opportunity], model: str | None) -> bool:
    """Embed right after a save; if the model is unavailable, log it and leave the item stale.

    The save itself must not fail because of the model: stale items are embedded by
    ``flask matches embed`` or the next suggestion computation.
    """
    try:
        embed(session, opportunities, model)
    except embeddings.EmbeddingModelError as error:
        log.warning("embedding postponed: %s", error)
        return False
    return True


def current_vectors(session: Session, model_id: str) -> dict[int, OpportunityEmbedding]:
    """Stored vectors made by *model_id*, by opportunity id (text freshness not checked)."""
    rows = session.scalars(select(OpportunityEmbedding).where(OpportunityEmbedding.model_id == model_id)
                           .options(selectinload(OpportunityEmbedding.opportunity)))
    return {row.opportunity_id: row for row in rows if row.text_hash == text_hash(row.opportunity)}
