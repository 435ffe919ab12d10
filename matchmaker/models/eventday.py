"""The event day: badges, check-in, what happened to each published meeting, same-day re-matching.

A ``Badge`` is one person of a company (its contact, or someone an organiser adds) with a
random ``nonce``; the QR code on the badge holds a signed link carrying that nonce
(``services.eventday.tokens``). Revoking a badge sets ``revoked_at``; a new badge gets a new
nonce, so a lost badge stops working at once.

A ``CheckIn`` records that a badge was scanned at the desk. At most one live (not undone)
check-in exists per badge, enforced by a partial unique index, so two desks scanning the same
badge at once leave one row. A company counts as checked in from its first live check-in.

A published ``ScheduledMeeting`` carries its ``status`` (see ``MEETING_STATUSES``) and, for a
no-show, which side stayed away. Every change to a meeting on the day (status, running late,
cancelled by a company, freed, replaced) is a ``MeetingEvent`` row with who and when.

An ``Absence`` says a company is away from a time on for the rest of a session's day; freeing
its meetings produces ``ReplacementProposal`` rows for the partners left alone, which an
organiser confirms or both companies accept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow
from matchmaker.models.company import Company

# scheduled: nothing known yet; held: both came; no-show: one side (or both) did not come;
# cancelled: a company or an organiser called it off; replacement: a meeting made on the day
# to refill a freed slot (until it is marked held / no-show / cancelled).
MEETING_STATUSES = ("scheduled", "held", "no-show", "cancelled", "replacement")
# a meeting in one of these still occupies its table and its companies' seats
LIVE_MEETING_STATUSES = ("scheduled", "held", "replacement")
NO_SHOW_SIDES = ("low", "high", "both")
MEETING_EVENT_KINDS = ("status", "late", "cancelled", "freed", "replacement")
PROPOSAL_STATUSES = ("proposed", "confirmed", "declined", "expired")
ABSENCE_REASONS = ("no-show", "cancelled", "not-checked-in", "organiser")


class Badge(db.Model):
    """One person's badge: name in its own script and in Latin letters, and a revocable nonce."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120), default="")  # as the person writes it (山田 太郎, Nguyễn Văn An)
    name_latin: Mapped[str] = mapped_column(String(120), default="")  # Yamada Taro, Nguyen Van An
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship()

    @property
    def revoked(self) -> bool:
        """Whether the badge no longer checks anyone in."""
        return self.revoked_at is not None


def _live_checkin_index() -> Index:
    where = text("undone_at IS NULL")
    return Index("uq_checkins_live_badge", "badge_id", unique=True, sqlite_where=where, postgresql_where=where)


class CheckIn(db.Model):
    """A badge scanned (or found by name) at the desk; ``undone_at`` when the desk took it back."""

    __tablename__ = "checkins"
    __table_args__ = (_live_checkin_index(), Index("ix_checkins_company_id_undone_at", "company_id", "undone_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(10), default="scan")  # scan, search, cli
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    badge: Mapped[Badge] = relationship()


class MeetingEvent(db.Model):
    """One change to a published meeting on the day, with who made it and when.

    ``kind``: status (``old``/``new`` hold statuses), late (``minutes`` by ``company_id``),
    cancelled (by ``company_id``), freed (its company went absent), replacement (made from a
    proposal). ``user_id`` is None for the command line and scheduled jobs.
    """

    __tablename__ = "meeting_events"
    __table_args__ = (
        CheckConstraint("kind IN ('status', 'late', 'cancelled', 'freed', 'replacement')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("scheduled_meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    old: Mapped[str] = mapped_column(String(12), default="")
    new: Mapped[str] = mapped_column(String(12), default="")
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    minutes: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Absence(db.Model):
    """A company away from ``starts_at`` on, for the rest of the session's day."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("reason IN ('no-show', 'cancelled', 'not-checked-in', 'organiser')", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16), default="organiser")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the company turned up after all


class ReplacementProposal(db.Model):
    """A meeting proposed on the day for a freed slot; ``meeting_id`` once it is made."""

    __tablename__ = "replacement_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'confirmed', 'declined', 'expired')", name="status"),
        CheckConstraint("company_low < company_high", name="pair_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    absence_id: Mapped[int | None] = mapped_column(ForeignKey("absences.id", ondelete="SET NULL"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(ForeignKey("meeting_tables.id", ondelete="CASCADE"))
    company_low: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    company_high: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    accepted_low_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_high_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_meetings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    low: Mapped[Company] = relationship(foreign_keys=[company_low])
    high: Mapped[Company] = relationship(foreign_keys=[company_high])
