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


def start_embedding(session: Session, actor) -> tuple["Job", bool]:
    """Create the job that embeds every stale offer/need (organisers only).

    Returns the job and whether it is new; a job already queued or running is returned instead.
    """
    from matchmaker.models.jobs import Job

    if not actor.is_organiser:
        raise PermissionError("organisers only")
    running = session.scalar(select(Job).where(Job.kind == "embed", Job.status.in_(("queued", "running"))))
    if running is not None:
        return running, False
    job = Job(kind="embed", created_by=actor.id)
    session.add(job)
    session.flush()
    return job, True


def embed_job(app, job_id: int) -> None:
    """Background task: embed every stale offer/need, recording progress on the job row."""
    from matchmaker.extensions import db
    from matchmaker.models import utcnow
    from matchmaker.models.jobs import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        model = app.config["EMBEDDING_MODEL"]
        try:
            todo = stale_opportunities(db.session, embeddings.model_id(model))
            job.status, job.message = "running", f"0/{len(todo)}"
            db.session.commit()
            done = 0
            for start in range(0, len(todo), 64):
                chunk = [db.session.merge(o) for o in todo[start:start + 64]]
                done += embed(db.session, chunk, model)
                job.progress, job.message = done / max(1, len(todo)), f"{done}/{len(todo)}"
                db.session.commit()
            job.status, job.progress, job.finished_at = "done", 1.0, utcnow()
        except Exception as error:  # the job row must say what happened, whatever it was
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.status, job.message, job.finished_at = "failed", str(error)[:2000], utcnow()
        db.session.commit()


def latest_job(session: Session, kind: str):
    """The most recent job of *kind*, or None."""
    from matchmaker.models.jobs import Job

    return session.scalar(select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(1))
