"""The concepts of each offer/need: detected from all its texts, kept in ``opportunity_concepts``.

Detection reads the original and every version in another language, so a Japanese offer with
a Vietnamese version has the concepts of both. It is redone when any of those texts, or the
glossary, changed (``ConceptDetection`` keeps the texts' hash and the glossary version): the
``auto`` rows are replaced, ``added`` ones kept, and a concept its company ``removed`` stays
removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.core.concepts import Glossary, detect
from matchmaker.models import ConceptDetection, Opportunity, OpportunityConcept
from matchmaker.services.concepts.glossary import current_glossary


def texts_of(opportunity: Opportunity) -> list[str]:
    """Every text of *opportunity*: the original's title and description, then each version's."""
    sources = [opportunity, *sorted(opportunity.versions, key=lambda v: v.language)]
    return [part for source in sources for part in (source.title, source.description)]


def texts_hash(opportunity: Opportunity) -> str:
    """A hash of every text of *opportunity* (what its detected concepts depend on)."""
    return hashlib.sha256("\x00".join(t or "" for t in texts_of(opportunity)).encode("utf-8")).hexdigest()


def refresh_concepts(session: Session, opportunities: Iterable[Opportunity] | None = None,
                     glossary: Glossary | None = None) -> int:
    """Detect again the concepts of the offers/needs (default: all) whose texts or glossary
    changed since their last detection; return how many were detected again."""
    glossary = glossary or current_glossary(session)
    session.flush()
    if opportunities is None:
        opportunities = session.scalars(select(Opportunity).options(selectinload(Opportunity.versions)))
    opportunities = [o for o in opportunities if o.id is not None]
    detections = _by_opportunity(session, ConceptDetection, [o.id for o in opportunities])
    stale = [o for o in opportunities if not _current(detections.get(o.id), o, glossary)]
    if not stale:
        return 0
    rows = _rows_of(session, [o.id for o in stale])
    for opportunity in stale:
        _store(session, opportunity, glossary, rows.get(opportunity.id, []), detections.get(opportunity.id))
    session.flush()
    return len(stale)


def _current(detection: ConceptDetection | None, opportunity: Opportunity, glossary: Glossary) -> bool:
    return (detection is not None and detection.glossary_version == glossary.version
            and detection.text_hash == texts_hash(opportunity))


def _by_opportunity(session: Session, model, ids: list[int]) -> dict:
    found = {}
    for start in range(0, len(ids), 500):
        found |= {r.opportunity_id: r for r in session.scalars(select(model).where(model.opportunity_id.in_(ids[start:start + 500])))}
    return found


def _rows_of(session: Session, ids: list[int]) -> dict[int, list[OpportunityConcept]]:
    rows: dict[int, list[OpportunityConcept]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in session.scalars(select(OpportunityConcept).where(OpportunityConcept.opportunity_id.in_(chunk))):
            rows.setdefault(row.opportunity_id, []).append(row)
    return rows


def _store(session: Session, opportunity: Opportunity, glossary: Glossary, rows: list[OpportunityConcept],
           detection: ConceptDetection | None) -> None:
    """Replace the auto rows of *opportunity* by what *glossary* finds in its texts now."""
    found = set(detect(glossary, *texts_of(opportunity)))
    for row in rows:  # added and removed rows stay as they are
        if row.source == "auto" and row.concept_key not in found:
            session.delete(row)
    existing = {r.concept_key for r in rows}
    for key in found - existing:
        session.add(OpportunityConcept(opportunity_id=opportunity.id, concept_key=key, source="auto"))
    detection = detection or ConceptDetection(opportunity_id=opportunity.id)
    detection.text_hash, detection.glossary_version = texts_hash(opportunity), glossary.version
    session.add(detection)


def concepts_by_opportunity(session: Session, ids: Iterable[int] | None = None,
                            glossary: Glossary | None = None) -> dict[int, tuple[str, ...]]:
    """The concepts of each offer/need (its auto and added rows that the glossary knows), keys
    sorted; offers/needs without any are left out. *ids* None: every offer/need."""
    glossary = glossary or current_glossary(session)
    stmt = select(OpportunityConcept.opportunity_id, OpportunityConcept.concept_key).where(
        OpportunityConcept.source != "removed")
    wanted = None if ids is None else set(ids)
    found: dict[int, set[str]] = {}
    for opportunity_id, key in session.execute(stmt.order_by(OpportunityConcept.opportunity_id)):
        if (wanted is None or opportunity_id in wanted) and key in glossary:
            found.setdefault(opportunity_id, set()).add(key)
    return {i: tuple(sorted(keys)) for i, keys in found.items()}
