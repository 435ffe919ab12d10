"""Stored embeddings of offers and needs: what is stale, and computing it.

Every text of an offer/need keeps one vector under the configured model: the original and each
version its company wrote in another language (``ItemText``), with the model's id and a hash of
the text it was made from; a changed text or a changed model makes it stale. Needs are encoded
as e5 "query", offers as "passage" (``matchmaker.embeddings``).

What the model reads is the text *expanded*: a Japanese or Vietnamese text gets a last line with
its offer/need's topics (``opportunity_concepts``: found, or added by its company) named in the
other languages (``core.concepts.expanded``). ``expansion_hash`` keeps a hash of that line, so a
topic found, added or removed, or a glossary change of a name, makes the vector *outdated*: still
usable (its text has not changed), embedded again by the next pool build when few are
(``matching.build_snapshot``), by the organisers' "Analyse now" or ``flask matches embed``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker import embeddings
from matchmaker.core.concepts import Glossary, expanded, expansion_line
from matchmaker.models import Company, Opportunity, OpportunityEmbedding, OpportunityVersion
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.concepts.items import concepts_by_opportunity, refresh_concepts

if TYPE_CHECKING:
    from matchmaker.models.jobs import Job

log = logging.getLogger(__name__)
KIND_PROMPT = {"need": "query", "offer": "passage"}


@dataclass(frozen=True)
class ItemText:
    """One text of an offer/need: the original (``version`` None) or a version in another language."""

    opportunity: Opportunity
    version: OpportunityVersion | None = None

    @property
    def source(self) -> Opportunity | OpportunityVersion:
        return self.version or self.opportunity

    @property
    def language(self) -> str:
        return self.source.language

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def description(self) -> str:
        return self.source.description

    @property
    def kind(self) -> str:
        return self.opportunity.kind

    @property
    def company(self) -> Company:
        return self.opportunity.company

    @property
    def key(self) -> tuple[int, str]:
        """(opportunity id, language): the key of its stored vector."""
        return self.opportunity.id, self.language


def texts_of(opportunities: Iterable[Opportunity]) -> list[ItemText]:
    """Every text of each offer/need: the original first, then its versions by language."""
    return [text for o in opportunities for text in [ItemText(o), *(ItemText(o, v) for v in o.versions)]]


def opportunity_text(item: Opportunity | ItemText) -> str:
    """The text that represents an offer/need for matching: its title, then its description."""
    return f"{item.title}\n{item.description}".strip()


def text_hash(item: Opportunity | ItemText) -> str:
    """A hash of what the vector depends on: kind (prompt) and text."""
    return hashlib.sha256(f"{item.kind}\x00{opportunity_text(item)}".encode()).hexdigest()


@dataclass(frozen=True)
class Expansion:
    """The glossary and the topics of each offer/need (by id): what ``embedded_text`` appends."""

    glossary: Glossary
    concepts: dict[int, tuple[str, ...]]

    def line(self, item: ItemText) -> str:
        """The concept names appended to *item* (``core.concepts.expansion_line``)."""
        return expansion_line(self.glossary, item.language, self.concepts.get(item.opportunity.id, ()))

    def hash(self, item: ItemText) -> str:
        return hashlib.sha256(f"{item.language}\x00{self.line(item)}".encode()).hexdigest()


def expansion_for(session: Session, opportunities: Iterable[Opportunity] | None = None) -> Expansion:
    """The expansion of *opportunities* (default every offer/need), their topics detected first
    where their texts or the glossary changed."""
    glossary = current_glossary(session)
    chosen = None if opportunities is None else [o for o in opportunities if o.id is not None]
    refresh_concepts(session, chosen, glossary)
    ids = None if chosen is None else [o.id for o in chosen]
    return Expansion(glossary, concepts_by_opportunity(session, ids, glossary))


def embedded_text(item: ItemText, expansion: Expansion) -> str:
    """What the model reads for *item*: its text, then its topics in the other languages."""
    return expanded(opportunity_text(item), expansion.glossary, item.language, expansion.concepts.get(item.opportunity.id, ()))


def is_usable(item: ItemText, stored: OpportunityEmbedding | None, model_id: str) -> bool:
    """True when *stored* was made from this text by this model (its topics may have changed since)."""
    return stored is not None and stored.model_id == model_id and stored.text_hash == text_hash(item)


def is_current(item: ItemText, stored: OpportunityEmbedding | None, model_id: str, expansion: Expansion) -> bool:
    """True when *stored* was made from this text, expanded with its topics as they are, by this model."""
    return is_usable(item, stored, model_id) and stored.expansion_hash == expansion.hash(item)


def outdated(texts: Iterable[ItemText], usable: dict[tuple[int, str], OpportunityEmbedding], expansion: Expansion) -> list[ItemText]:
    """Those of *texts* whose usable vector (``current_vectors``) predates a change of their topics."""
    return [t for t in texts if t.key in usable and usable[t.key].expansion_hash != expansion.hash(t)]


def all_texts(session: Session, only: list[int] | None = None) -> list[ItemText]:
    """The texts of every offer/need (or of the opportunities *only*), by opportunity id."""
    stmt = select(Opportunity).options(selectinload(Opportunity.versions)).order_by(Opportunity.id)
    if only is not None:
        stmt = stmt.where(Opportunity.id.in_(only))
    return texts_of(session.scalars(stmt))


def stale_texts(session: Session, model_id: str, only: list[int] | None = None,
                expansion: Expansion | None = None) -> list[ItemText]:
    """Texts whose vector is missing, outdated, or was made from another text or model (*expansion*:
    the texts' topics, ``expansion_for`` when not given)."""
    embedded = {(e.opportunity_id, e.language): e for e in session.scalars(select(OpportunityEmbedding))}
    texts = all_texts(session, only)
    if expansion is None:
        expansion = expansion_for(session, None if only is None else {t.opportunity for t in texts})
    return [t for t in texts if not is_current(t, embedded.get(t.key), model_id, expansion)]


def embed(
    session: Session,
    texts: list[ItemText],
    model: str | None,
    *,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    expansion: Expansion | None = None,
) -> int:
    """Compute and store the vectors of *texts* (expanded: module docstring) under *model*; return
    how many.

    Vectors of languages an offer/need no longer has are dropped. Raises
    ``embeddings.EmbeddingModelError`` when the model cannot be loaded.
    """
    model_id = embeddings.model_id(model)
    if expansion is None:
        expansion = expansion_for(session, {t.opportunity for t in texts})
    done = 0
    for kind, prompt in KIND_PROMPT.items():
        items = [t for t in texts if t.kind == kind]
        for start in range(0, len(items), batch_size):
            chunk = items[start:start + batch_size]
            strings = [embedded_text(t, expansion) for t in chunk]
            vectors = embeddings.encode(strings, prompt, name_or_path=model, batch_size=batch_size)
            truncated = embeddings.truncation_info(strings, prompt, name_or_path=model)
            for text, vector, cut in zip(chunk, vectors, truncated):
                _store(session, text, vector, cut, model_id, expansion.hash(text))
            done += len(chunk)
            if progress:
                progress(len(chunk))
    _drop_unused(session, {t.opportunity for t in texts})
    session.flush()
    return done


def _store(session: Session, text: ItemText, vector: np.ndarray, truncated: bool, model_id: str, expansion_hash: str) -> None:
    row = session.get(OpportunityEmbedding, text.key) or OpportunityEmbedding(
        opportunity_id=text.opportunity.id, language=text.language)
    row.model_id, row.text_hash, row.truncated = model_id, text_hash(text), bool(truncated)
    row.expansion_hash = expansion_hash
    row.dim, row.vector = int(vector.shape[0]), np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    session.add(row)


def _drop_unused(session: Session, opportunities: set[Opportunity]) -> None:
    """Delete the vectors of languages these offers/needs are no longer written in."""
    if not opportunities:
        return
    keep = {t.key for t in texts_of(opportunities)}
    rows = session.scalars(select(OpportunityEmbedding).where(
        OpportunityEmbedding.opportunity_id.in_([o.id for o in opportunities])))
    for row in rows:
        if (row.opportunity_id, row.language) not in keep:
            session.delete(row)


def embed_quietly(session: Session, opportunities: list[Opportunity], model: str | None) -> bool:
    """Embed the stale texts of *opportunities* right after a save; if the model is unavailable,
    log it and leave them stale.

    The save itself must not fail because of the model: stale items are embedded by
    ``flask matches embed`` or the next suggestion computation.
    """
    try:
        session.flush()
        expansion = expansion_for(session, opportunities)
        stale = stale_texts(session, embeddings.model_id(model), only=[o.id for o in opportunities], expansion=expansion)
        embed(session, stale, model, expansion=expansion)
    except embeddings.EmbeddingModelError as error:
        log.warning("embedding postponed: %s", error)
        return False
    return True


def current_vectors(session: Session, model_id: str, texts: list[ItemText] | None = None) -> dict[tuple[int, str], OpportunityEmbedding]:
    """Stored vectors made by *model_id* from the current texts (those of *texts*, default every
    offer/need), by (opportunity id, language): usable ones, outdated topics included (``is_usable``)."""
    rows = list(session.scalars(select(OpportunityEmbedding).where(OpportunityEmbedding.model_id == model_id)))
    texts = {t.key: t for t in (all_texts(session) if texts is None else texts)}
    return {key: row for row in rows if (key := (row.opportunity_id, row.language)) in texts
            and is_usable(texts[key], row, model_id)}


def start_embedding(session: Session, actor) -> tuple[Job, bool]:
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
    """Background task: detect the concepts of changed offers/needs and embed every stale one,
    recording progress on the job row."""
    from matchmaker.extensions import db
    from matchmaker.models import utcnow
    from matchmaker.models.jobs import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        model = app.config["EMBEDDING_MODEL"]
        try:
            expansion = expansion_for(db.session)  # every offer/need's topics, detected again where they changed
            todo = [t.key for t in stale_texts(db.session, embeddings.model_id(model), expansion=expansion)]
            job.status, job.message = "running", f"0/{len(todo)}"
            db.session.commit()
            done = 0
            for start in range(0, len(todo), 64):
                keys = set(todo[start:start + 64])
                chunk = [t for t in all_texts(db.session, sorted({k[0] for k in keys})) if t.key in keys]
                done += embed(db.session, chunk, model, expansion=expansion)
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
