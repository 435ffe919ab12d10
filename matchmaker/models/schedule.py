"""Matchmaking sessions and their meeting schedule.

A ``MatchSession`` (one block of business meetings on one day) has ``SessionSlot`` rows (UTC
start/end, numbered from 0), ``MeetingTable`` rows (numbered from 0, optionally the fixed table of
one company) and ``SessionBreak`` rows. Companies give a cap per session (``SessionCompany``)
and the slots they cannot attend (``Unavailability``).

A ``ScheduleRun`` is one generation; it writes ``ScheduledMeeting`` rows in the ``draft`` state.
Publishing copies the draft to the ``published`` state, the only one attendees see. The
database enforces the hard constraints of each state: a table hosts one meeting per slot
(unique state, slot, table) and a company sits at one meeting per slot (one ``MeetingSeat`` per
company and meeting, unique state, slot, company; the seat copies its meeting's state and slot
through a composite foreign key with ON UPDATE CASCADE, so a moved meeting moves its seats).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from sqlalchemy import (
    false,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UID_DOMAIN, UTCDateTime, utcnow
from matchmaker.models.company import Company, Opportunity
from matchmaker.models.interpreters import Interpreter

SCHEDULE_STATES = ("draft", "published")
_LIVE = "status IN ('scheduled', 'held', 'replacement')"
RUN_STATUSES = ("queued", "running", "done", "failed")
RUN_METHODS = ("optimal", "greedy")
NOTIFICATION_KINDS = ("published", "changed", "withdrawn")


class MatchSession(db.Model):
    """One block of business meetings: a day, local start and end, slot length, buffer, zone.

    ``generation_lock`` holds the id of the run allowed to write the draft (taken with a
    conditional UPDATE, so two runs never write at once); ``publications`` counts publications
    and becomes the SEQUENCE of calendar entries that change.
    """

    __tablename__ = "match_sessions"
    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 15 AND 60", name="slot_minutes"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 30", name="buffer_minutes"),
        CheckConstraint("end_time > start_time", name="times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(120), default="")
    name_vi: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")  # where the tables are, for calendars and sheets
    day: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(40))
    # video links of online meetings: "template" (``video_template`` with ``{room}``, filled with an
    # unguessable room name per meeting) or "pool" (``video_pool``: one link a line, each used by
    # one meeting per slot); "" = none configured
    video_source: Mapped[str] = mapped_column(String(10), default="", server_default="")
    video_template: Mapped[str] = mapped_column(String(300), default="", server_default="")
    video_pool: Mapped[str] = mapped_column(Text, default="", server_default="")
    slot_minutes: Mapped[int]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    generation_lock: Mapped[int | None]
    publications: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undo_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last publication can be undone until then
    undo_json: Mapped[str] = mapped_column(Text, default="")  # what was published before it, to put back
    draft_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last edit by hand of the draft
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    breaks: Mapped[list[SessionBreak]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="SessionBreak.start_time")
    slots: Mapped[list[SessionSlot]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="SessionSlot.number")
    tables: Mapped[list[MeetingTable]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True, order_by="MeetingTable.number")

    def texts(self, field: str = "name") -> dict[str, str]:
        """The per-language values of *field* (``name``), as seminars give theirs."""
        return {lang: getattr(self, f"{field}_{lang}") for lang in ("ja", "vi", "en")}

    @property
    def name(self) -> str:
        """Any one of the names (English first), for logs and places without a reader."""
        return self.name_en or self.name_ja or self.name_vi

    def __repr__(self) -> str:
        return f"<MatchSession {self.id} {self.day} {self.start_time}-{self.end_time}>"


class SessionBreak(db.Model):
    """A pause (lunch, coffee) inside a session, in the session's local time."""

    __tablename__ = "session_breaks"
    __table_args__ = (CheckConstraint("end_time > start_time", name="times"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    session: Mapped[MatchSession] = relationship(back_populates="breaks")


class SessionSlot(db.Model):
    """One meeting slot of a session, numbered from 0 in time order."""

    __tablename__ = "session_slots"
    __table_args__ = (
        UniqueConstraint("session_id", "number"),
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("number >= 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"))
    number: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[MatchSession] = relationship(back_populates="slots")


class MeetingTable(db.Model):
    """A table of a session; ``company_id`` makes it that company's fixed table (its booth)."""

    __tablename__ = "meeting_tables"
    __table_args__ = (
        UniqueConstraint("session_id", "number"),
        UniqueConstraint("session_id", "name"),
        UniqueConstraint("session_id", "company_id"),
        CheckConstraint("number >= 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))

    session: Mapped[MatchSession] = relationship(back_populates="tables")
    company: Mapped[Company | None] = relationship()


class SessionCompany(db.Model):
    """A company's wish for one session: at most ``max_meetings`` meetings (None = every slot).

    ``excluded`` is the organisers' choice to leave the company out of this session.
    """

    __tablename__ = "session_companies"
    __table_args__ = (
        CheckConstraint("max_meetings IS NULL OR max_meetings >= 0", name="max_meetings"),
        CheckConstraint("mode IN ('onsite', 'online')", name="mode"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    max_meetings: Mapped[int | None]
    excluded: Mapped[bool] = mapped_column(default=False, server_default=false())
    mode: Mapped[str] = mapped_column(String(10), default="onsite", server_default="onsite")  # or "online"


class Unavailability(db.Model):
    """A slot in which a company cannot meet anyone."""

    __tablename__ = "unavailabilities"

    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True)


class ScheduleRun(db.Model):
    """One generation of a session's draft: its state, progress and report."""

    __tablename__ = "schedule_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("method IN ('optimal', 'greedy')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    method: Mapped[str] = mapped_column(String(10), default="optimal")
    time_limit: Mapped[float] = mapped_column(default=30.0)
    stage: Mapped[str] = mapped_column(String(20), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]
    bound: Mapped[float | None]
    meetings_count: Mapped[int | None]
    fewest_meetings: Mapped[int | None]
    seconds: Mapped[float | None]
    floor_reached: Mapped[int | None]  # fewest meetings of a company that has some and could have more
    unfair_bound: Mapped[float | None]  # the bound without fairness floors
    greedy_score: Mapped[float | None]  # the greedy baseline's score on the same data
    unplaced_json: Mapped[str] = mapped_column(Text, default="[]")
    idle_json: Mapped[str] = mapped_column(Text, default="{}")  # company id -> why it got no meeting
    lost_to_interpreters: Mapped[int | None]  # meetings the interpreters' capacity cost
    score_lost_to_interpreters: Mapped[float | None]  # ... and score, with as many meetings (staffing.shortage)
    # [[slot number, interpreters it lacks to hold the meetings lost], ...], most first
    interpreter_slots_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    error: Mapped[str] = mapped_column(Text, default="")

    @property
    def unplaced(self) -> list[dict]:
        """Required meetings left out: ``[{"a": company id, "b": company id, "reason": code}]``."""
        return json.loads(self.unplaced_json or "[]")

    @property
    def idle(self) -> dict[int, str]:
        """Approved companies the run gave no meeting, with the reason code (see ``instance.idle_reasons``)."""
        return {int(cid): reason for cid, reason in json.loads(self.idle_json or "{}").items()}

    @property
    def fraction(self) -> float | None:
        """Score divided by the bound (1.0 when the bound is 0), None before the run ends."""
        if self.score is None or self.bound is None:
            return None
        return self.score / self.bound if self.bound > 0 else 1.0

    @property
    def fairness_cost(self) -> tuple[float, float] | None:
        """Score given up for fairness: (at least, at most), None when the run did not record it.

        At least what the greedy baseline (a real, less fair schedule) scores more; at most the
        bound without floors minus the score.
        """
        if self.score is None or self.unfair_bound is None or self.greedy_score is None:
            return None
        return max(self.greedy_score - self.score, 0.0), max(self.unfair_bound - self.score, 0.0)

    @property
    def active(self) -> bool:
        """Whether the run is still queued or running."""
        return self.status in ("queued", "running")


class ScheduledMeeting(db.Model):
    """Two companies meet in one slot at one table, in the draft or the published schedule.

    An online meeting (a side attends the session online) has no table and a ``video_url``. A
    meeting of companies that share no language has an ``interpreter_id``; NULL there is
    "interpreter needed" (``services.schedule.instance.lacks_interpreter``).
    """

    __tablename__ = "scheduled_meetings"
    __table_args__ = (
        # a table hosts one live meeting per slot; a cancelled or no-show meeting leaves it free
        Index("uq_scheduled_meetings_live_table", "state", "slot_id", "table_id", unique=True,
              sqlite_where=text(_LIVE), postgresql_where=text(_LIVE)),
        # an interpreter serves one live meeting per slot
        Index("uq_scheduled_meetings_live_interpreter", "state", "slot_id", "interpreter_id", unique=True,
              sqlite_where=text(_LIVE), postgresql_where=text(_LIVE)),
        UniqueConstraint("session_id", "state", "company_low", "company_high"),
        UniqueConstraint("id", "state", "slot_id"),  # target of the seats' composite key
        CheckConstraint("company_low < company_high", name="pair_order"),
        CheckConstraint("state IN ('draft', 'published')", name="state"),
        CheckConstraint("source IN ('solver', 'manual', 'replacement')", name="source"),
        CheckConstraint("status IN ('scheduled', 'held', 'no-show', 'cancelled', 'replacement')", name="status"),
        CheckConstraint("no_show_side IS NULL OR no_show_side IN ('low', 'high', 'both')", name="no_show_side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_tables.id", ondelete="CASCADE"))  # None: online
    online: Mapped[bool] = mapped_column(default=False, server_default=false())
    video_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    interpreter_id: Mapped[int | None] = mapped_column(ForeignKey("interpreters.id", ondelete="SET NULL"), index=True)
    company_low: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    company_high: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(default=0.0)
    required: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(12), default="solver")
    need_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(default=0)
    # on the day (models.eventday): what happened; for a no-show, which side stayed away
    status: Mapped[str] = mapped_column(String(12), default="scheduled", server_default="scheduled")
    no_show_side: Mapped[str | None] = mapped_column(String(4))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[MatchSession] = relationship()
    slot: Mapped[SessionSlot] = relationship()
    table: Mapped[MeetingTable | None] = relationship()
    interpreter: Mapped[Interpreter | None] = relationship()
    low: Mapped[Company] = relationship(foreign_keys=[company_low])
    high: Mapped[Company] = relationship(foreign_keys=[company_high])
    need: Mapped[Opportunity | None] = relationship(foreign_keys=[need_id])
    offer: Mapped[Opportunity | None] = relationship(foreign_keys=[offer_id])

    @property
    def pair(self) -> tuple[int, int]:
        """The (low, high) company ids."""
        return (self.company_low, self.company_high)

    @property
    def uid(self) -> str:
        """Calendar UID: the same for a pair in a session however often it is moved or republished."""
        return f"meeting-{self.session_id}-{self.company_low}-{self.company_high}@{UID_DOMAIN}"

    @property
    def live(self) -> bool:
        """Whether the meeting still takes its table and seats (not cancelled, not a no-show)."""
        return self.status in ("scheduled", "held", "replacement")

    def partner_of(self, company_id: int) -> Company:
        """The other company of the meeting, seen from *company_id*."""
        return self.high if self.company_low == company_id else self.low


class MeetingSeat(db.Model):
    """A company's seat at a meeting: unique per state, slot and company (one meeting at a time)."""

    __tablename__ = "meeting_seats"
    __table_args__ = (
        UniqueConstraint("state", "slot_id", "company_id"),
        ForeignKeyConstraint(
            ["meeting_id", "state", "slot_id"],
            ["scheduled_meetings.id", "scheduled_meetings.state", "scheduled_meetings.slot_id"],
            ondelete="CASCADE", onupdate="CASCADE", name="fk_meeting_seats_meeting",
        ),
    )

    meeting_id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True)
    state: Mapped[str] = mapped_column(String(10))
    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"))


class ScheduleNotification(db.Model):
    """Tells a company that a schedule concerning it was published, changed or withdrawn."""

    __tablename__ = "schedule_notifications"
    __table_args__ = (CheckConstraint("kind IN ('published', 'changed', 'withdrawn')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("match_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deliver_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # shown from then (undo window)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[MatchSession] = relationship()


class CalendarCancellation(db.Model):
    """A calendar entry that went away (a meeting dropped, a seminar deleted), kept for a while.

    Calendar files and feeds repeat it as ``STATUS:CANCELLED`` with a higher SEQUENCE so that a
    copy downloaded earlier removes the event. It is meant for one company (a meeting), one
    user (a seminar they saved) or, with neither, everyone (the public programme).
    """

    __tablename__ = "calendar_cancellations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(120), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CalendarFeed(db.Model):
    """A user's private calendar subscription: whoever has the token reads that user's agenda."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
