"""What a company is told: approval, meeting requests received and answered.

A notice stores facts (kind, the other company's name, the reason), not a sentence: each reader
sees it in the language of the page, and the mail is written in the recipient's language.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

NOTICE_KINDS_COMPANY = ("approved", "request_received", "request_accepted", "request_declined",
                        # the event day (models.eventday): a partner running late or cancelling, a
                        # meeting freed because the partner is absent, a replacement proposed / made
                        "meeting_late", "meeting_cancelled", "meeting_freed", "replacement_proposed",
                        "replacement_made")


class Notification(db.Model):
    """One notice for a company's dashboard (unread until someone of the company marks it read)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('approved', 'request_received', 'request_accepted', 'request_declined', "
                        "'meeting_late', 'meeting_cancelled', 'meeting_freed', 'replacement_proposed', "
                        "'replacement_made')", name="kind"),
        Index("ix_notifications_company_unread", "company_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_requests.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_meetings.id", ondelete="SET NULL"))
    partner_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
