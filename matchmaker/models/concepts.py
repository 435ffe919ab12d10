"""The glossary concepts of each offer/need: found in its texts, added or removed by its company."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

CONCEPT_SOURCES = ("auto", "added", "removed")


class OpportunityConcept(db.Model):
    """One concept of one offer/need.

    ``auto``: found in its texts (replaced at each detection); ``added``: chosen by its company
    or an organiser; ``removed``: found but refused by them, so a new detection leaves it out.
    The offer/need's concepts are its ``auto`` and ``added`` rows.
    """

    __tablename__ = "opportunity_concepts"
    __table_args__ = (CheckConstraint("source IN ('auto', 'added', 'removed')", name="source"),)

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    concept_key: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(10), default="auto")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConceptDetection(db.Model):
    """What an offer/need's ``auto`` concepts were found from: a hash of all its texts and the
    glossary version. Either changing makes them stale."""

    __tablename__ = "concept_detections"

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    glossary_version: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
