"""What companies did with their suggestions, kept per pair to learn from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

FEEDBACK_SIGNALS = ("declined", "hidden", "accepted")


class PairFeedback(db.Model):
    """A company's answer to a partner: it declined their meeting request, hid them from its
    suggestions, or accepted a request. Kept when a hide is taken back or a request expires:
    it is what happened, for learning; a declined pair is never suggested again."""

    __tablename__ = "pair_feedback"
    __table_args__ = (
        CheckConstraint("signal IN ('declined', 'hidden', 'accepted')", name="signal"),
        CheckConstraint("company_id <> partner_id", name="not_self"),
        Index("ix_pair_feedback_company_partner", "company_id", "partner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    signal: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
