"""Organisers' edits of the concept glossary, layered over its data files, with their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow
from matchmaker.models.user import User

CONCEPT_CHANGE_ACTIONS = ("add", "edit", "retire", "restore")


class ConceptEdit(db.Model):
    """The organisers' current version of one concept: it replaces the data files' entry of the
    same key (or adds a concept); a retired one leaves the glossary in use."""

    __tablename__ = "concept_edits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    # the plain entry: {"key", "category", "ja": [...], "vi": [...], "en": [...], "broader": [...]}
    entry: Mapped[dict] = mapped_column(JSON)
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConceptChange(db.Model):
    """One change of the glossary by an organiser: the entry before and after (None where there
    was none, or for a retired concept's after)."""

    __tablename__ = "concept_changes"
    __table_args__ = (CheckConstraint("action IN ('add', 'edit', 'retire', 'restore')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254), default="")  # kept when the account goes
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
