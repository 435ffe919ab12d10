"""Building the seminar programme: event days, venues and rooms, speakers, seminars, publishing.

Texts are stored per language and read through a fallback chain (``common.pick_text``). Times are
entered as a date plus ``HH:MM`` in the event's time zone and stored in UTC. Saving a seminar
checks it for conflicts (``services.programme.conflicts``) and refuses to save one that has
any unless the organiser says to save anyway. Moving a published seminar bumps its calendar
SEQUENCE, marks it changed and notifies the people who bookmarked or reserved it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.text import clean_text, index_text
from matchmaker.core.numbers import parse_whole
from matchmaker.models import PROGRAMME_LANGUAGES, ProgrammeDay, Room, Seminar, SeminarSpeaker, Speaker, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.categories import categories_by_keys
from matchmaker.services.programme import attendance
from matchmaker.services.programme.common import pick_text
from matchmaker.services.programme.conflicts import ConflictError, conflicts_for

CHANGED_FOR = timedelta(days=1)


def is_changed(seminar: Seminar, now: datetime | None = None) -> bool:
    """True for a published seminar moved within the last day (shown with a 'changed' badge)."""
    return seminar.changed_at is not None and (now or utcnow()) - seminar.changed_at < CHANGED_FOR


def require_organiser(actor: User) -> None:
    """Refuse (PermissionError) an actor who is not an organiser."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")


# --- event days ---------------------------------------------------------------------------

def parse_day(field_name: str, value: str | date | None) -> date:
    """A ``YYYY-MM-DD`` date, or a ValidationError naming *field_name*."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(clean_text(value))
    except ValueError:
        raise v.ValidationError(field_name, _("Use a date in the form YYYY-MM-DD, e.g. 2026-12-09.")) from None


def parse_clock(field_name: str, value: str | time | None) -> time:
    """A 24-hour ``HH:MM`` time, or a ValidationError naming *field_name*."""
    if isinstance(value, time):
        return value
    text = clean_text(value)
    try:
        hours, minutes = text.split(":")[:2] if text.count(":") in (1, 2) else ("x", "x")
        return time(int(hours), int(minutes))
    except ValueError:
        raise v.ValidationError(field_name, _("Use a time in the form HH:MM (24-hour clock), e.g. 13:30.")) from None


def add_event_day(session: Session, actor: User, value: str | date) -> ProgrammeDay:
    """Add a day to the event (no error when it is there already)."""
    require_organiser(actor)
    day = parse_day("day", value)
    existing = session.scalar(select(ProgrammeDay).where(ProgrammeDay.day == day))
    if existing:
        return existing
    row = ProgrammeDay(day=day)
    session.add(row)
    session.flush()
    return row


def remove_event_day(session: Session, actor: User, day_id: int) -> None:
    """Remove a day; seminars on it then show up among the organiser's warnings."""
    require_organiser(actor)
    row = session.get(ProgrammeDay, day_id)
    if row is not None:
        session.delete(row)
        session.flush()


def to_utc(day: date, clock: time, tz: str) -> datetime:
    """The UTC instant of *clock* on *day* in zone *tz*."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def positive_int(field_name: str, value: str | int | None, *, required: bool) -> int | None:
    """A whole number above zero (None when optional and empty)."""
    text = clean_text(str(value) if value is not None else "")
    if not text and not required:
        return None
    number = parse_whole(text, minimum=1)
    if number is None:
        raise v.ValidationError(field_name, _("Enter a whole number greater than zero."))
    return number


# --- seminars --------------------------------------------------------------------------------

@dataclass
class SeminarData:
    """What the seminar form (or an import row) gives; times are local to the event's zone."""

    day: str | date
    start: str | time
    end: str | time
    room_id: int | None
    titles: dict[str, str]
    abstracts: dict[str, str] = field(default_factory=dict)
    spoken_language: str = "en"
    interpretation: tuple[str, ...] = ()
    categories: list[str] = field(default_factory=list)
    capacity: str | int | None = None
    speaker_ids: list[int] = field(default_factory=list)
    code: str = ""


@dataclass
class CleanSeminar:
    """Validated seminar values, ready to be checked for conflicts and written."""

    room: Room
    starts_at: datetime
    ends_at: datetime
    titles: dict[str, str]
    abstracts: dict[str, str]
    spoken_language: str
    interpretation: str
    categories: list
    capacity: int | None
    speakers: list[Speaker]
    code: str | None


def clean_seminar(session: Session, data: SeminarData, tz: str) -> CleanSeminar:
    """Validate *data*; every message names the field it is about, and all are raised together."""
    check = v.Checks()
    day = check(parse_day, "day", data.day)
    start, end = check(parse_clock, "start", data.start), check(parse_clock, "end", data.end)
    starts_at = to_utc(day, start, tz) if day and start else None
    ends_at = to_utc(day, end, tz) if day and end else None
    if starts_at and ends_at and ends_at <= starts_at:
        check.failures.append(v.ValidationError("end", _("The end must be after the start.")))
    room = session.get(Room, data.room_id) if data.room_id else None
    if room is None:
        check.failures.append(v.ValidationError("room_id", _("Choose a room that exists.")))
    titles = {lang: check(v.text, f"title_{lang}", data.titles.get(lang), max_length=300, required=False)
              for lang in PROGRAMME_LANGUAGES}
    if not any(titles.values()):
        check.failures.append(v.ValidationError("title_en", _("Give a title in at least one language.")))
    abstracts = {lang: check(v.text, f"abstract_{lang}", data.abstracts.get(lang), max_length=6000, required=False)
                 for lang in PROGRAMME_LANGUAGES}
    cleaned = CleanSeminar(
        room=room, starts_at=starts_at, ends_at=ends_at, titles=titles, abstracts=abstracts,
        spoken_language=check(v.language, "spoken_language", data.spoken_language),
        interpretation=check(_clean_interpretation, data.interpretation, data.spoken_language),
        categories=check(categories_by_keys, session, "categories", list(data.categories)),
        capacity=check(positive_int, "capacity", data.capacity, required=False),
        speakers=check(_speakers_by_id, session, data.speaker_ids),
        code=check(v.text, "code", data.code, max_length=40, required=False) or None,
    )
    check.done()
    return cleaned


def _clean_interpretation(codes: tuple[str, ...], spoken: str) -> str:
    cleaned = [v.language("interpretation", code) for code in codes if clean_text(code)]
    return ",".join(code for code in dict.fromkeys(cleaned) if code != clean_text(spoken).lower())


def _speakers_by_id(session: Session, ids: list[int]) -> list[Speaker]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = {s.id: s for s in session.scalars(select(Speaker).where(Speaker.id.in_(wanted)))}
    if len(found) != len(wanted):
        raise v.ValidationError("speakers", _("One of the chosen speakers no longer exists."))
    return [found[i] for i in wanted]


@dataclass
class SaveResult:
    """A saved seminar, whether it moved after publishing, and who was told."""

    seminar: Seminar
    moved: bool = False
    notified: list[User] = field(default_factory=list)


def save_seminar(session: Session, actor: User, data: SeminarData, *, tz: str, seminar: Seminar | None = None,
                 allow_conflicts: bool = False, now: datetime | None = None) -> SaveResult:
    """Create or change a seminar after validation and the conflict checks.

    Raises ``ConflictError`` listing every conflict unless *allow_conflicts*. A published
    seminar that changes room or time gets SEQUENCE + 1, ``changed_at`` and notices.
    """
    require_organiser(actor)
    clean = clean_seminar(session, data, tz)
    _check_code_free(session, clean.code, seminar)
    _check_seats(seminar, clean.capacity)
    found = conflicts_for(session, clean, tz=tz, exclude_id=seminar.id if seminar else None)
    if found and not allow_conflicts:
        raise ConflictError(found)
    moved = seminar is not None and seminar.published_at is not None and _moves(seminar, clean)
    grew = seminar is not None and (clean.capacity or 0) > (seminar.capacity or 0)
    seminar = seminar or Seminar()
    _apply(seminar, clean)
    session.add(seminar)
    session.flush()
    result = SaveResult(seminar, moved=moved)
    if moved:
        seminar.sequence += 1
        seminar.changed_at = now or utcnow()
        result.notified = attendance.notify_followers(session, seminar, "moved")
    if grew:
        attendance.fill_free_seats(session, seminar)
    session.flush()
    return result


def _check_code_free(session: Session, code: str | None, seminar: Seminar | None) -> None:
    if code:
        other = session.scalar(select(Seminar).where(Seminar.code == code))
        if other is not None and other is not seminar:
            raise v.ValidationError("code", _("Another seminar already has the code “%(code)s”.", code=code))


def _check_seats(seminar: Seminar | None, capacity: int | None) -> None:
    taken = seminar.seats_taken if seminar else 0
    if taken and (capacity is None or capacity < taken):
        raise v.ValidationError(
            "capacity", ngettext("%(num)d seat is already reserved: the capacity cannot be lower.",
                                "%(num)d seats are already reserved: the capacity cannot be lower.", taken))


def _moves(seminar: Seminar, clean: CleanSeminar) -> bool:
    return (seminar.room_id != clean.room.id or seminar.starts_at != clean.starts_at
            or seminar.ends_at != clean.ends_at)


def _apply(seminar: Seminar, clean: CleanSeminar) -> None:
    seminar.room, seminar.starts_at, seminar.ends_at = clean.room, clean.starts_at, clean.ends_at
    for lang in PROGRAMME_LANGUAGES:
        setattr(seminar, f"title_{lang}", clean.titles[lang])
        setattr(seminar, f"abstract_{lang}", clean.abstracts[lang])
    seminar.spoken_language, seminar.interpretation = clean.spoken_language, clean.interpretation
    seminar.categories, seminar.capacity, seminar.code = clean.categories, clean.capacity, clean.code
    _set_panel(seminar, clean.speakers)
    refresh_seminar_search(seminar, clean.speakers)


def _set_panel(seminar: Seminar, speakers: list[Speaker]) -> None:
    """Keep existing panel rows (same primary key) and renumber them in the new order."""
    existing = {place.speaker_id: place for place in seminar.panel}
    panel = []
    for position, speaker in enumerate(speakers):
        place = existing.get(speaker.id) or SeminarSpeaker(speaker=speaker)
        place.position = position
        panel.append(place)
    seminar.panel = panel


def refresh_seminar_search(seminar: Seminar, speakers: list[Speaker] | None = None) -> None:
    """Rebuild the search key from titles, abstracts, speakers and the room."""
    people = speakers if speakers is not None else seminar.speakers
    parts = [*seminar.texts("title").values(), *seminar.texts("abstract").values(), seminar.room.name,
             *seminar.room.names().values()]
    for person in people:
        parts += [person.name, *person.texts("affiliation").values()]
    seminar.search_text = index_text(*parts)


def delete_seminar(session: Session, actor: User, seminar: Seminar) -> list[User]:
    """Remove a seminar; people who followed a published one get a 'cancelled' notice."""
    require_organiser(actor)
    notified = attendance.notify_followers(session, seminar, "cancelled") if seminar.published_at else []
    if seminar.published_at:  # calendars that imported it must see it cancelled
        from matchmaker.services.schedule.cancellations import cancel_seminar

        cancel_seminar(session, seminar, pick_text(seminar.texts("title"), "en").text, attendance.followers(session, seminar))
    session.delete(seminar)
    session.flush()
    return notified


def publish_seminars(session: Session, actor: User, now: datetime | None = None) -> int:
    """Publish every draft seminar; return how many became public."""
    require_organiser(actor)
    drafts = list(session.scalars(select(Seminar).where(Seminar.published_at.is_(None))))
    for seminar in drafts:
        seminar.published_at = now or utcnow()
    session.flush()
    return len(drafts)


def list_seminars(session: Session) -> list[Seminar]:
    """Every seminar (drafts included) by start time, for the organisers."""
    return list(session.scalars(select(Seminar).order_by(Seminar.starts_at, Seminar.room_id)))


def local_form_values(seminar: Seminar, tz: str) -> dict[str, str]:
    """The day and clock times of *seminar* in the event zone, as the form shows them."""
    start, end = seminar.starts_at.astimezone(ZoneInfo(tz)), seminar.ends_at.astimezone(ZoneInfo(tz))
    return {"day": start.date().isoformat(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
