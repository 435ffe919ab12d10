"""A company (or an organiser) adds a glossary concept to an offer/need, or removes one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matchmaker.models import Opportunity, OpportunityConcept, User
from matchmaker.services.concepts.glossary import current_glossary


def _require_editor(actor: User, opportunity: Opportunity) -> None:
    if not (actor.is_organiser or actor.company_id == opportunity.company_id):
        raise PermissionError("not allowed to edit this offer/need")


def set_concept(session: Session, actor: User, opportunity: Opportunity, key: str, *, present: bool) -> OpportunityConcept:
    """Add (*present*) or remove concept *key* on *opportunity*; the choice outlives every new
    detection (an added concept stays, a removed one is not found again). A key the glossary
    does not have raises LookupError (forms offer only the glossary's keys)."""
    _require_editor(actor, opportunity)
    if key not in current_glossary(session):
        raise LookupError(f"no concept {key!r} in the glossary")
    row = session.get(OpportunityConcept, (opportunity.id, key)) or OpportunityConcept(
        opportunity_id=opportunity.id, concept_key=key)
    row.source = "added" if present else "removed"
    session.add(row)
    session.flush()
    return row
