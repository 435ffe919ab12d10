"""After a glossary change: detect every offer/need's concepts again, in the request or as a job."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.models import Opportunity
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.concepts.items import refresh_concepts

INLINE_LIMIT = 500  # offers/needs detected again within the organiser's request; more go to a job
TASK = "matchmaker.services.concepts.recompute.recompute_task"


def recompute_inline(session: Session) -> bool:
    """Detect every offer/need's concepts again now when there are at most ``INLINE_LIMIT`` of
    them; False (nothing done) when there are more."""
    if (session.scalar(select(func.count()).select_from(Opportunity)) or 0) > INLINE_LIMIT:
        return False
    refresh_concepts(session, glossary=current_glossary(session))
    return True


def recompute_task(app) -> None:
    """Background job (``jobs.submit(app, TASK)``): detect every offer/need's concepts again."""
    from matchmaker.extensions import db

    with app.app_context():
        refresh_concepts(db.session, glossary=current_glossary(db.session))
        db.session.commit()
