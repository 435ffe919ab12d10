"""The public programme: published seminars filtered by day, category, language and text, the
rows a page shows (texts picked for the reader), and the day grid (rooms × time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import gcd

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from matchmaker.core.text import search_key
from matchmaker.core.numbers import parse_id
from matchmaker.models import Category, Room, Seminar, SeminarSpeaker, Speaker, Venue, utcnow
from matchmaker.services.programme.common import Localized, event_days, local_day, pick_text
from matchmaker.services.programme.seminars import is_changed, to_utc


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the visitor chose; empty means 'any'. *language* matches spoken or interpreted."""

    day: str = ""
    category: str = ""
    language: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        """True when something narrows the list beyond the day."""
        return bool(self.category or self.language or self.text)


@dataclass
class SeminarRow:
    """A seminar as a page shows it to one reader."""

    seminar: Seminar
    title: Localized
    abstract: Localized
    changed: bool
    bookmarked: bool = False

    @property
    def speakers(self) -> list[Speaker]:
        """The panel in order."""
        return self.seminar.speakers

    @property
    def speaker_names(self) -> str:
        """The panel's names in order, comma-separated ('' without speakers)."""
        return ", ".join(place.speaker.name for place in self.seminar.panel)


@dataclass
class SpeakerRow:
    """A speaker as a page shows them: affiliation and biography picked for the reader."""

    speaker: Speaker
    affiliation: Localized
    bio: Localized


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    start = to_utc(day, datetime.min.time(), tz)
    return start, to_utc(day + timedelta(days=1), datetime.min.time(), tz)


def published_seminars(session: Session, filters: ProgrammeFilters, tz: str, day: date | None = None) -> list[Seminar]:
    """Published seminars matching *filters* (on *day* of the event zone, when given), by time and room."""
    stmt = select(Seminar).join(Seminar.room).join(Room.venue).where(Seminar.published_at.is_not(None))
    if day is not None:
        start, end = _day_bounds(day, tz)
        stmt = stmt.where(Seminar.starts_at >= start, Seminar.starts_at < end)
    if filters.category:
        stmt = stmt.where(Seminar.categories.any(Category.key == filters.category))
    if filters.language:
        stmt = stmt.where(or_(Seminar.spoken_language == filters.language, Seminar.interpretation.contains(filters.language)))
    key = search_key(filters.text)
    if key:
        stmt = stmt.where(Seminar.search_text.like(f"%{_escape_like(key)}%", escape="\\"))
    stmt = stmt.options(
        contains_eager(Seminar.room).contains_eager(Room.venue),  # the joined rows: no query per room
        selectinload(Seminar.panel).selectinload(SeminarSpeaker.speaker), selectinload(Seminar.categories),
    )
    return list(session.scalars(stmt.order_by(Seminar.starts_at, Venue.name, Room.position, Room.name)))


def programme_days(session: Session, tz: str) -> list[date]:
    """The event days, plus any other day that has a published seminar."""
    starts = session.scalars(select(Seminar.starts_at).where(Seminar.published_at.is_not(None)))
    return sorted(set(event_days(session)) | {local_day(s, tz) for s in starts})


def choose_day(days: list[date], wanted: str, today: date) -> date | None:
    """The day the visitor asked for, else today during the event, else the first day."""
    by_iso = {d.isoformat(): d for d in days}
    if wanted in by_iso:
        return by_iso[wanted]
    return today if today in days else (days[0] if days else None)


def changed_days(session: Session, tz: str, now: datetime | None = None) -> set[date]:
    """Days with a published seminar that moved within the last day."""
    rows = session.scalars(select(Seminar).where(Seminar.published_at.is_not(None), Seminar.changed_at.is_not(None)))
    return {local_day(s.starts_at, tz) for s in rows if is_changed(s, now)}


def seminar_rows(seminars: list[Seminar], reader: str, bookmarked: set[int] = frozenset(),
                 now: datetime | None = None) -> list[SeminarRow]:
    """Each seminar with its title and abstract picked for *reader*."""
    now = now or utcnow()
    return [SeminarRow(s, pick_text(s.texts("title"), reader), pick_text(s.texts("abstract"), reader),
                       is_changed(s, now), s.id in bookmarked) for s in seminars]


def speaker_rows(speakers: list[Speaker], reader: str) -> list[SpeakerRow]:
    """Each speaker with affiliation and biography picked for *reader*."""
    return [SpeakerRow(s, pick_text(s.texts("affiliation"), reader), pick_text(s.texts("bio"), reader)) for s in speakers]


def seminars_by_ids(session: Session, ids: list[int]) -> list[Seminar]:
    """Published seminars among *ids* (e.g. bookmarks kept in a browser), by start time."""
    stmt = select(Seminar).where(Seminar.id.in_(ids), Seminar.published_at.is_not(None)).order_by(Seminar.starts_at)
    return list(session.scalars(stmt))


def parse_ids(value: str | None, limit: int = 200) -> list[int]:
    """Seminar ids from a comma-separated query value; anything else is ignored."""
    parts = (value or "").replace(" ", ",").split(",")
    return list(dict.fromkeys(n for n in map(parse_id, parts) if n))[:limit]


# --- the day grid ------------------------------------------------------------------------------

@dataclass
class GridCell:
    """A seminar cell spanning *rowspan* rows; ``row`` None for an empty cell."""

    row: SeminarRow | None = None
    rowspan: int = 1


@dataclass
class Grid:
    """Rooms as columns (a room gets extra lanes when its seminars overlap), time as rows.

    ``cells[i][j]`` is None where a cell above spans over row *i*.
    """

    rooms: list[tuple[Room, int]] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    cells: list[list[GridCell | None]] = field(default_factory=list)


def _step_minutes(rows: list[SeminarRow], origin: datetime) -> int:
    step = 30
    for row in rows:
        for moment in (row.seminar.starts_at, row.seminar.ends_at):
            step = gcd(step, int((moment - origin).total_seconds() // 60))
    return max(step, 5)


def _lanes(rows: list[SeminarRow]) -> dict[int, tuple[int, int]]:
    """Seminar id → (room id, lane), placing overlapping seminars of one room side by side."""
    ends: dict[int, list[datetime]] = {}
    placed = {}
    for row in sorted(rows, key=lambda r: r.seminar.starts_at):
        lanes = ends.setdefault(row.seminar.room_id, [])
        lane = next((i for i, end in enumerate(lanes) if end <= row.seminar.starts_at), len(lanes))
        lanes[lane:lane + 1] = [row.seminar.ends_at]
        placed[row.seminar.id] = (row.seminar.room_id, lane)
    return placed


def build_grid(rows: list[SeminarRow]) -> Grid:
    """The grid of one day's seminars."""
    if not rows:
        return Grid()
    origin = min(r.seminar.starts_at for r in rows)
    step = timedelta(minutes=_step_minutes(rows, origin))
    count = int((max(r.seminar.ends_at for r in rows) - origin) / step)
    placed = _lanes(rows)
    rooms = sorted({r.seminar.room for r in rows}, key=lambda room: (room.venue.name, room.position, room.name))
    width = {room.id: 1 + max(lane for rid, lane in placed.values() if rid == room.id) for room in rooms}
    first_col, col = {}, 0
    for room in rooms:
        first_col[room.id], col = col, col + width[room.id]
    cells: list[list[GridCell | None]] = [[GridCell() for _ in range(col)] for _ in range(count)]
    for row in rows:
        room_id, lane = placed[row.seminar.id]
        top, bottom = int((row.seminar.starts_at - origin) / step), int((row.seminar.ends_at - origin) / step)
        cells[top][first_col[room_id] + lane] = GridCell(row, bottom - top)
        for covered in range(top + 1, bottom):
            cells[covered][first_col[room_id] + lane] = None
    return Grid([(room, width[room.id]) for room in rooms], [origin + i * step for i in range(count)], cells)


# --- calendar ----------------------------------------------------------------------------------

def seminar_events(seminars: list[Seminar], reader: str, link) -> list:
    """Calendar entries of *seminars* for *reader*; *link(seminar)* gives each seminar's page URL."""
    from matchmaker.services.ics import CalendarEvent

    events = []
    for s in seminars:
        abstract = pick_text(s.texts("abstract"), reader).text
        speakers = ", ".join(p.name for p in s.speakers)
        events.append(CalendarEvent(
            uid=s.uid, starts_at=s.starts_at, ends_at=s.ends_at, summary=pick_text(s.texts("title"), reader).text,
            stamp=s.updated_at, description="\n\n".join(part for part in (speakers, abstract, link(s)) if part),
            location=f"{s.room.name_in(reader)}, {s.room.venue.name}", url=link(s), sequence=s.sequence,
            categories=tuple(c.name(reader) for c in s.categories),
        ))
    return events
