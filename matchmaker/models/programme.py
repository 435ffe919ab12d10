"""The seminar and exhibition programme: days, venues and rooms, seminars, speakers, booths,
and what attendees do with it (bookmarks, seat reservations, change notices).

Titles, abstracts, affiliations and biographies are user content written per language
(``*_ja``, ``*_vi``, ``*_en``; any may be empty): the services pick the best one for a reader.
Seats are counted in ``Seminar.seats_taken`` so that a reservation is one conditional UPDATE,
safe when two people take the last seat at once; the database refuses a count over capacity.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UID_DOMAIN, UTCDateTime, utcnow
from matchmaker.models.category import Category
from matchmaker.models.company import Company
from matchmaker.models.user import User

PROGRAMME_LANGUAGES = ("ja", "vi", "en")
RESERVATION_STATUSES = ("confirmed", "waiting", "cancelled")
NOTICE_KINDS = ("moved", "promoted", "cancelled")

seminar_categories = Table(
    "seminar_categories",
    db.metadata,
    Column("seminar_id", ForeignKey("seminars.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

booth_categories = Table(
    "booth_categories",
    db.metadata,
    Column("booth_id", ForeignKey("booths.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class NamedInLanguages:
    """A place (room, hall) whose ``name`` may also be given per language, like a seminar's title.

    ``name`` stays the key an import or a form finds the place by; ``name_ja`` … are optional.
    """

    def names(self) -> dict[str, str]:
        """The per-language names given (empty strings for those not given)."""
        return {lang: getattr(self, f"name_{lang}") or "" for lang in PROGRAMME_LANGUAGES}

    def name_in(self, lang: str | None) -> str:
        """The name for a reader of *lang*: that language's, else English, else the main name."""
        names = self.names()
        return names.get(lang or "") or names["en"] or self.name


def _new_uid() -> str:
    return f"seminar-{uuid.uuid4()}@{UID_DOMAIN}"


class ProgrammeDay(db.Model):
    """A day of the event (a date in the event's time zone); seminars must fall on one."""

    __tablename__ = "programme_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)


class Venue(db.Model):
    """A building that holds rooms and exhibition halls."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")

    rooms: Mapped[list[Room]] = relationship(back_populates="venue", order_by="Room.position, Room.name",
                                             cascade="all, delete-orphan", passive_deletes=True)


class Room(NamedInLanguages, db.Model):
    """A seminar room with a seating capacity."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        CheckConstraint("capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ja: Mapped[str] = mapped_column(String(120), default="")
    name_vi: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    floor: Mapped[str] = mapped_column(String(40), default="")
    capacity: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    venue: Mapped[Venue] = relationship(back_populates="rooms")


class SeminarSpeaker(db.Model):
    """A speaker's place on a seminar's panel, in display order."""

    __tablename__ = "seminar_speakers"

    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"), primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    speaker: Mapped[Speaker] = relationship()


class Seminar(db.Model):
    """A seminar, ceremony or pitch session in a room, with texts in up to three languages."""

    __tablename__ = "seminars"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("title_ja <> '' OR title_vi <> '' OR title_en <> ''", name="title"),
        CheckConstraint("spoken_language IN ('ja', 'vi', 'en')", name="spoken_language"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=_new_uid)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title_ja: Mapped[str] = mapped_column(String(300), default="")
    title_vi: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    abstract_ja: Mapped[str] = mapped_column(Text, default="")
    abstract_vi: Mapped[str] = mapped_column(Text, default="")
    abstract_en: Mapped[str] = mapped_column(Text, default="")
    spoken_language: Mapped[str] = mapped_column(String(5))
    interpretation: Mapped[str] = mapped_column(String(20), default="")
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=seminar_categories, order_by="Category.position")
    panel: Mapped[list[SeminarSpeaker]] = relationship(order_by="SeminarSpeaker.position",
                                                       cascade="all, delete-orphan", passive_deletes=True)

    @property
    def speakers(self) -> list[Speaker]:
        """The speakers in panel order."""
        return [place.speaker for place in self.panel]

    @property
    def interpretation_list(self) -> list[str]:
        """Languages offered through simultaneous interpretation, e.g. ``['vi', 'en']``."""
        return [code for code in self.interpretation.split(",") if code]

    def texts(self, field: str) -> dict[str, str]:
        """The per-language values of *field* (``title`` or ``abstract``)."""
        return {lang: getattr(self, f"{field}_{lang}") for lang in PROGRAMME_LANGUAGES}

    def __repr__(self) -> str:
        return f"<Seminar {self.id} {self.title_en or self.title_ja or self.title_vi!r}>"


class Speaker(db.Model):
    """A person on a seminar panel; the photo is a URL or an uploaded file checked for type and size."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    affiliation_ja: Mapped[str] = mapped_column(String(300), default="")
    affiliation_vi: Mapped[str] = mapped_column(String(300), default="")
    affiliation_en: Mapped[str] = mapped_column(String(300), default="")
    bio_ja: Mapped[str] = mapped_column(Text, default="")
    bio_vi: Mapped[str] = mapped_column(Text, default="")
    bio_en: Mapped[str] = mapped_column(Text, default="")
    photo_url: Mapped[str] = mapped_column(String(500), default="")
    photo_file: Mapped[str | None] = mapped_column(String(80))
    photo_type: Mapped[str | None] = mapped_column(String(40))

    def texts(self, field: str) -> dict[str, str]:
        """The per-language values of *field* (``affiliation`` or ``bio``)."""
        return {lang: getattr(self, f"{field}_{lang}") for lang in PROGRAMME_LANGUAGES}


class Hall(NamedInLanguages, db.Model):
    """An exhibition hall; booths are numbered within it."""

    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ja: Mapped[str] = mapped_column(String(120), default="")
    name_vi: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    floor: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(default=0)

    booths: Mapped[list[Booth]] = relationship(back_populates="hall", order_by="Booth.number",
                                               cascade="all, delete-orphan", passive_deletes=True)


class Booth(db.Model):
    """A numbered stand in a hall, held by a participating company (or a named exhibitor)."""

    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("hall_id", "number"),
        CheckConstraint("company_id IS NOT NULL OR exhibitor <> ''", name="exhibitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    exhibitor: Mapped[str] = mapped_column(String(200), default="")

    hall: Mapped[Hall] = relationship(back_populates="booths")
    company: Mapped[Company | None] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=booth_categories, order_by="Category.position")

    @property
    def display_name(self) -> str:
        """The exhibiting company's name, else the exhibitor's name as entered."""
        return self.company.name if self.company else self.exhibitor


class Bookmark(db.Model):
    """A seminar a signed-in user put on their agenda."""

    __tablename__ = "seminar_bookmarks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    seminar: Mapped[Seminar] = relationship()


class Reservation(db.Model):
    """A seat (confirmed) or a place on the waiting list of a seminar; one row per user and seminar."""

    __tablename__ = "seminar_reservations"
    __table_args__ = (
        UniqueConstraint("seminar_id", "user_id"),
        CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    seminar: Mapped[Seminar] = relationship()
    user: Mapped[User] = relationship()


class SeminarNotice(db.Model):
    """A dashboard notice for one user about one seminar (moved, seat freed up, cancelled)."""

    __tablename__ = "seminar_notices"
    __table_args__ = (CheckConstraint("kind IN ('moved', 'promoted', 'cancelled')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seminar_id: Mapped[int | None] = mapped_column(ForeignKey("seminars.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seminar: Mapped[Seminar | None] = relationship()
