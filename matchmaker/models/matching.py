"""Embeddings of offers and needs, meeting requests, and the organiser's pair rules."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow
from matchmaker.models.company import Company, Opportunity

REQUEST_STATUSES = ("pending", "accepted", "declined", "cancelled", "expired")
OPEN_STATUSES = ("pending", "accepted")
PAIR_RULES = ("pin", "forbid")


class OpportunityEmbedding(db.Model):
    """The sentence embedding of one offer/need text under one model.

    One row per language the offer/need is written in: the original (``language`` equal to the
    opportunity's) and each ``OpportunityVersion``.
    """

    __tablename__ = "opportunity_embeddings"
    # the suggestions page's fingerprint (count and latest change per model) reads this index only
    __table_args__ = (Index("ix_opportunity_embeddings_model_id_updated_at", "model_id", "updated_at"),)

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    # a hash of the concept names appended to the text before embedding (``services.vectors``);
    # None: embedded before the expansion existed
    expansion_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    dim: Mapped[int]
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    truncated: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opportunity: Mapped[Opportunity] = relationship()

    def as_array(self) -> np.ndarray:
        """The vector as float32."""
        return np.frombuffer(self.vector, dtype=np.float32, count=self.dim)


def _open_pair_index() -> Index:
    where = text("status IN ('pending', 'accepted')")
    return Index("uq_meeting_requests_open_pair", "pair_low", "pair_high", unique=True,
                 sqlite_where=where, postgresql_where=where)


class MeetingRequest(db.Model):
    """A company asks another for a meeting; the other accepts or declines before it expires.

    At most one open (pending or accepted) request exists per unordered pair of companies: the
    database enforces it with a partial unique index on (pair_low, pair_high).
    """

    __tablename__ = "meeting_requests"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        CheckConstraint("pair_low < pair_high", name="pair_order"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired')", name="status"),
        _open_pair_index(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    pair_low: Mapped[int]
    pair_high: Mapped[int]
    message: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    requester: Mapped[Company] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Company] = relationship(foreign_keys=[recipient_id])

    def partner_of(self, company_id: int) -> Company:
        """The other side of the request, seen from *company_id*."""
        return self.recipient if self.requester_id == company_id else self.requester


class HiddenSuggestion(db.Model):
    """A partner a company chose not to see among its suggestions."""

    __tablename__ = "hidden_suggestions"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PairRule(db.Model):
    """An organiser's decision on a pair: always suggest and schedule it (pin), or never (forbid)."""

    __tablename__ = "pair_rules"
    __table_args__ = (
        UniqueConstraint("company_low", "company_high"),
        CheckConstraint("company_low < company_high", name="pair_order"),
        CheckConstraint("rule IN ('pin', 'forbid')", name="rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_low: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    company_high: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    low: Mapped[Company] = relationship(foreign_keys=[company_low])
    high: Mapped[Company] = relationship(foreign_keys=[company_high])


def pair_key(a: int, b: int) -> tuple[int, int]:
    """The unordered pair (low, high) of two company ids."""
    return (a, b) if a < b else (b, a)
