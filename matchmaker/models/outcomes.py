"""After the meetings: feedback on a held meeting, the follow-up pipeline of a company pair.

``MeetingFeedback`` is one company's answer about one held published meeting (unique per
meeting and company: sending again updates it). Its ``rating`` and ``comment`` are for
organisers only (``services.outcomes.privacy``); the cooperation areas are ``Category`` rows.

``FollowupStage`` is one dated stage of a pair's pipeline (``FOLLOWUP_STAGES``, in order),
unique per pair and stage: entering a stage again corrects its date and note. Either company
of the pair may write it; both and the organisers read it.

``FeedbackInvitation`` and ``FollowupReminder`` remember which mails went out, so the jobs
that send them can run any number of times and send each mail once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow
from matchmaker.models.category import Category
from matchmaker.models.company import Company

FOLLOW_UP_ANSWERS = ("yes", "maybe", "no")
FOLLOWUP_STAGES = ("contact", "information", "feasibility", "agreement", "proposal", "project")

feedback_categories = Table(
    "feedback_categories",
    db.metadata,
    Column("feedback_id", ForeignKey("meeting_feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class MeetingFeedback(db.Model):
    """What one company says about one held meeting."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (
        UniqueConstraint("meeting_id", "company_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("follow_up IN ('yes', 'maybe', 'no')", name="follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("scheduled_meetings.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int]
    follow_up: Mapped[str] = mapped_column(String(5))
    next_step: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")  # for organisers only
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: sent by mail link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=feedback_categories, order_by="Category.position")


class FeedbackInvitation(db.Model):
    """The feedback mail about a meeting went to a company (sent once)."""

    __tablename__ = "feedback_invitations"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("scheduled_meetings.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowupStage(db.Model):
    """One dated stage of a company pair's follow-up, with a note both companies read."""

    __tablename__ = "followup_stages"
    __table_args__ = (
        UniqueConstraint("pair_low", "pair_high", "stage"),
        CheckConstraint("pair_low < pair_high", name="pair_order"),
        CheckConstraint("stage IN ('contact', 'information', 'feasibility', 'agreement', 'proposal', 'project')",
                        name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_low: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    pair_high: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(12))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    entered_by: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))  # the company that wrote it
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()
    author: Mapped[Company] = relationship(foreign_keys=[entered_by])

    @property
    def rank(self) -> int:
        """The stage's place in the pipeline, from 0 (contact made)."""
        return FOLLOWUP_STAGES.index(self.stage)


class FollowupReminder(db.Model):
    """The reminder to update a pair's follow-up went out at this milestone (months after the event)."""

    __tablename__ = "followup_reminders"

    pair_low: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    pair_high: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    months: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
