"""Interpreters, a scheduled resource of the business meetings.

An ``Interpreter`` is registered for the whole event by the organisers: the language pairs they
cover (``pairs``: "ja-vi,ja-en", each pair sorted), whether they work on site or online, and the
slots they cannot work in (``InterpreterUnavailability``, the same grid as companies'). A meeting
whose companies share no meeting language needs one interpreter who speaks a language of each
side; an online interpreter serves online meetings only. ``token`` opens their personal agenda
(HTML, print and ``.ics`` feed) without an account: organisers send them the link.

Deleting an interpreter leaves their meetings with ``interpreter_id`` NULL, which the pages show
as "interpreter needed".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

INTERPRETER_MODES = ("onsite", "online")
LANGUAGE_PAIRS = ("ja-vi", "en-ja", "en-vi")


class Interpreter(db.Model):
    """One interpreter of the event (module docstring)."""

    __tablename__ = "interpreters"
    __table_args__ = (
        CheckConstraint("mode IN ('onsite', 'online')", name="mode"),
        CheckConstraint("pairs <> ''", name="pairs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    pairs: Mapped[str] = mapped_column(String(40))  # "en-ja,ja-vi": sorted codes, comma separated
    mode: Mapped[str] = mapped_column(String(10), default="onsite")
    notes: Mapped[str] = mapped_column(Text, default="")
    token: Mapped[str] = mapped_column(String(64), unique=True)  # opens their agenda and feed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def pair_list(self) -> list[str]:
        """The language pairs, e.g. ``["ja-vi"]``."""
        return [p for p in (self.pairs or "").split(",") if p]

    @property
    def language_set(self) -> frozenset[str]:
        """Every language of their pairs (what the generator matches against the companies')."""
        return frozenset(code for pair in self.pair_list for code in pair.split("-"))


class InterpreterUnavailability(db.Model):
    """A slot in which an interpreter cannot work."""

    __tablename__ = "interpreter_unavailabilities"

    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"), primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreters.id", ondelete="CASCADE"), primary_key=True,
                                                index=True)
