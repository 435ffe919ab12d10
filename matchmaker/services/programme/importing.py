"""Import of the programme from one CSV (UTF-8) or XLSX table, and the demo programme.

Each row is one record, named in the ``record`` column: ``day``, ``room``, ``speaker``,
``hall``, ``booth`` or ``seminar`` (the README lists the columns of each). Records are applied
in that order, whatever their order in the file, so a seminar may name a room or speaker
defined further down. Rooms, speakers, halls and booths are found by name (booths by hall and
number), seminars by their ``code``: importing a file twice updates instead of doubling.
Every row is checked; if any fails nothing is written and every failing row is reported.
Registered as the importer ``programme``; ``export_programme_rows`` writes the programme back out
in this format (export, then import, gives the same programme).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.core.text import clean_text
from matchmaker.models import PROGRAMME_LANGUAGES, Booth, Hall, Room, Seminar, Speaker, User, Venue
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme import exhibition
from matchmaker.services.programme import rooms as rooms_svc
from matchmaker.services.programme import speakers
from matchmaker.services.programme import place_names
from matchmaker.services import validation as v
from matchmaker.services.imports.registry import ColumnGroup, Importer, Progress, register_importer
from matchmaker.services.imports.table import Column, RowError, missing_cells, neutralise
from matchmaker.services.programme.common import event_days, local_day
from matchmaker.services.programme.conflicts import ConflictError

RECORDS = ("day", "room", "speaker", "hall", "booth", "seminar")
RECORD = Column("record", _l("What the row is: day, room, speaker, hall, booth or seminar."), True)
# The columns of each record, as the import page lists them; the required ones are checked first.
RECORD_COLUMNS = {
    "day": (Column("date", _l("The day, as YYYY-MM-DD."), True),),
    "room": (
        Column("venue", _l("The venue's name (a new venue is created)."), True),
        Column("room", _l("The room's name."), True),
        Column("room_ja / room_vi / room_en", _l("The room's name as readers see it, in each language given.")),
        Column("capacity", _l("Seats in the room."), True),
        Column("floor", _l("Floor.")),
        Column("address", _l("The venue's address.")),
    ),
    "speaker": (
        Column("speaker", _l("The speaker's name."), True),
        Column("affiliation_ja / affiliation_vi / affiliation_en", _l("Affiliation, in each language given.")),
        Column("bio_ja / bio_vi / bio_en", _l("Short biography, in each language given.")),
        Column("photo_url", _l("Web address of a photo.")),
    ),
    "hall": (
        Column("hall", _l("The hall's name."), True),
        Column("hall_ja / hall_vi / hall_en", _l("The hall's name as readers see it, in each language given.")),
        Column("floor", _l("Floor.")),
    ),
    "booth": (
        Column("hall", _l("The hall's name (created when missing)."), True),
        Column("booth", _l("The booth's number."), True),
        Column("company_email", _l("The exhibiting company's contact e-mail…")),
        Column("exhibitor", _l("…or an exhibitor's name.")),
        Column("categories", _l("Category keys separated by “;” (see the category page).")),
    ),
    "seminar": (
        Column("code", _l("A code of your choice that recognises the seminar on the next import.")),
        Column("date", _l("The day, as YYYY-MM-DD."), True),
        Column("start", _l("Start, as HH:MM in the event's time zone."), True),
        Column("end", _l("End, as HH:MM in the event's time zone."), True),
        Column("room", _l("The room's name, or “venue / room” when two venues have a room of that name."), True),
        Column("title_ja / title_vi / title_en", _l("Title, in at least one language.")),
        Column("abstract_ja / abstract_vi / abstract_en", _l("Abstract, in each language given.")),
        Column("language", _l("Spoken language: ja, vi or en."), True),
        Column("interpretation", _l("Languages of the interpretation, separated by “;”.")),
        Column("categories", _l("Category keys separated by “;” (see the category page).")),
        Column("capacity", _l("Seats to reserve (empty: no reservation).")),
        Column("speakers", _l("Speakers' names, separated by “;”.")),
    ),
}


@dataclass
class ProgrammeReport:
    """Counts of what an import created or updated, or the rows that stopped it."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDS, 0))
    errors: list[RowError] = field(default_factory=list)


def import_programme(session: Session, rows: list[dict[str, str]], actor: User, *, tz: str,
                     allow_conflicts: bool = False, progress: Progress | None = None) -> ProgrammeReport:
    """Apply *rows* in the caller's transaction; on any error roll them all back and report every row.

    *progress* is called with (rows done, rows in all) after each row.
    """
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    report = ProgrammeReport()
    numbered = [(number, row) for number, row in enumerate(rows, start=2) if any(row.values())]
    order = {kind: i for i, kind in enumerate(RECORDS)}
    savepoint = session.begin_nested()
    ordered = sorted(numbered, key=lambda item: (order.get(item[1].get("record", "").lower(), -1), item[0]))
    for done, (number, row) in enumerate(ordered, start=1):
        missing = _missing(row, number)
        try:
            if not missing:
                with session.begin_nested():
                    _import_row(session, row, actor, tz, allow_conflicts, report)
        except v.ValidationError as error:
            report.errors.append(RowError(number, error.field, error.message))
        report.errors += missing
        if progress is not None:
            progress(done, len(ordered))
    if report.errors:
        savepoint.rollback()
        return ProgrammeReport(errors=sorted(report.errors, key=lambda e: e.row))
    savepoint.commit()
    return report


def _missing(row: dict, number: int) -> list[RowError]:
    """"Missing" errors for the required columns the row's record leaves empty."""
    kind = clean_text(row.get("record")).lower()
    return missing_cells(row, (RECORD, *RECORD_COLUMNS.get(kind, ())), number)


def _import_row(session, row, actor, tz, allow_conflicts, report) -> None:
    kind = clean_text(row.get("record")).lower()
    if kind not in RECORDS:
        raise v.ValidationError("record", _("Unknown record “%(value)s”: use one of %(allowed)s.",
                                            value=kind, allowed=", ".join(RECORDS)))
    try:
        created = IMPORTERS[kind](session, row, actor, tz, allow_conflicts)
    except ConflictError as error:
        raise v.ValidationError("conflicts", error.message) from None
    except v.ValidationError as error:
        column = COLUMN_NAMES[kind].get(error.field, error.field)
        raise v.ValidationError(column, error.message) from None
    (report.created if created else report.updated)[kind] += 1


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(",", ";").split(";") if part.strip()]


def _texts(row: dict, prefix: str) -> dict[str, str]:
    return {lang: row.get(f"{prefix}_{lang}", "") for lang in PROGRAMME_LANGUAGES}


def _day(session, row, actor, tz, allow_conflicts) -> bool:
    day = svc.parse_day("date", row.get("date"))
    known = day in event_days(session)
    svc.add_event_day(session, actor, day)
    return not known


def _room(session, row, actor, tz, allow_conflicts) -> bool:
    venue_name = v.text("venue", row.get("venue"), max_length=200)
    venue = session.scalar(select(Venue).where(Venue.name == venue_name))
    venue = venue or rooms_svc.save_venue(session, actor, venue_name, row.get("address", ""))
    room = session.scalar(select(Room).where(Room.venue_id == venue.id, Room.name == clean_text(row.get("room"))))
    data = rooms_svc.RoomData(venue_id=venue.id, name=row.get("room", ""), capacity=row.get("capacity"), floor=row.get("floor", ""),
                              names=place_names.names_from_row(row, "room"))
    rooms_svc.save_room(session, actor, data, room)
    return room is None


def _speaker(session, row, actor, tz, allow_conflicts) -> bool:
    existing = session.scalar(select(Speaker).where(Speaker.name == clean_text(row.get("speaker"))))
    data = speakers.SpeakerData(name=row.get("speaker", ""), affiliations=_texts(row, "affiliation"),
                                bios=_texts(row, "bio"), photo_url=row.get("photo_url", ""))
    speakers.save_speaker(session, actor, data, speaker=existing)
    return existing is None


def _hall(session, row, actor, tz, allow_conflicts) -> bool:
    existing = session.scalar(select(Hall).where(Hall.name == clean_text(row.get("hall"))))
    exhibition.save_hall(session, actor, row.get("hall", ""), row.get("floor", ""), existing,
                         names=place_names.names_from_row(row, "hall"))
    return existing is None


def _booth(session, row, actor, tz, allow_conflicts) -> bool:
    hall_name = v.text("hall", row.get("hall"), max_length=120)
    hall = session.scalar(select(Hall).where(Hall.name == hall_name)) or exhibition.save_hall(session, actor, hall_name)
    number = v.text("booth", row.get("booth"), max_length=20)
    existing = session.scalar(select(Booth).where(Booth.hall_id == hall.id, Booth.number == number))
    data = exhibition.BoothData(hall_id=hall.id, number=number, company_email=row.get("company_email", ""),
                                exhibitor=row.get("exhibitor", ""), categories=_split(row.get("categories")))
    exhibition.save_booth(session, actor, data, existing)
    return existing is None


def _seminar(session, row, actor, tz, allow_conflicts) -> bool:
    code = clean_text(row.get("code"))
    existing = session.scalar(select(Seminar).where(Seminar.code == code)) if code else None
    room = rooms_svc.find_room(session, "room", row.get("room", ""))
    ids = [speakers.find_speaker(session, "speakers", name).id for name in _split(row.get("speakers"))]
    data = svc.SeminarData(
        day=row.get("date", ""), start=row.get("start", ""), end=row.get("end", ""), room_id=room.id,
        titles=_texts(row, "title"), abstracts=_texts(row, "abstract"), spoken_language=row.get("language", ""),
        interpretation=tuple(_split(row.get("interpretation"))), categories=_split(row.get("categories")),
        capacity=row.get("capacity"), speaker_ids=ids, code=code,
    )
    svc.save_seminar(session, actor, data, tz=tz, seminar=existing, allow_conflicts=allow_conflicts)
    return existing is None


# Form field names → import column names, so that a message names the column to correct.
COLUMN_NAMES = {
    "day": {"day": "date"},
    "room": {"name": "room", "venue_id": "venue", "name_ja": "room_ja", "name_vi": "room_vi", "name_en": "room_en"},
    "speaker": {"name": "speaker"},
    "hall": {"name": "hall", "name_ja": "hall_ja", "name_vi": "hall_vi", "name_en": "hall_en"},
    "booth": {"number": "booth", "hall_id": "hall"},
    "seminar": {"day": "date", "room_id": "room", "spoken_language": "language", "title_en": "title_ja/title_vi/title_en"},
}
IMPORTERS = {"day": _day, "room": _room, "speaker": _speaker, "hall": _hall, "booth": _booth, "seminar": _seminar}


# --- the demo programme --------------------------------------------------------------------

def demo_programme() -> dict:
    """The demo programme as shipped in ``matchmaker/demo/programme.json``."""
    text = resources.files("matchmaker.demo").joinpath("programme.json").read_text(encoding="utf-8")
    return json.loads(text)


def demo_rows(data: dict) -> list[dict[str, str]]:
    """The demo programme as import rows (the same path an organiser's spreadsheet takes)."""
    rows = [{"record": "day", "date": day} for day in data["days"]]
    for venue in data["venues"]:
        rows += [{"record": "room", "venue": venue["name"], "address": venue.get("address", ""), **room} for room in venue["rooms"]]
    for person in data["speakers"]:
        rows.append({"record": "speaker", "speaker": person["name"], "photo_url": person.get("photo_url", ""),
                     **_flat(person, "affiliation"), **_flat(person, "bio")})
    for hall in data["halls"]:
        rows.append({"record": "hall", "hall": hall["name"], "floor": hall.get("floor", "")})
        rows += [{"record": "booth", "hall": hall["name"], **booth, "categories": ";".join(booth.get("categories", ()))}
                 for booth in hall["booths"]]
    for item in data["seminars"]:
        rows.append({"record": "seminar", **{k: item[k] for k in ("code", "date", "start", "end", "room", "language")},
                     "capacity": str(item.get("capacity") or ""), "interpretation": ";".join(item.get("interpretation", ())),
                     "categories": ";".join(item.get("categories", ())), "speakers": ";".join(item.get("speakers", ())),
                     **_flat(item, "title"), **_flat(item, "abstract")})
    return [{key: str(value) for key, value in row.items()} for row in rows]


def _flat(entry: dict, name: str) -> dict[str, str]:
    return _columns(entry.get(name) or {}, name)


def load_demo_programme(session: Session, actor: User) -> ProgrammeReport:
    """Import and publish the demo programme; raise if the shipped data does not import cleanly."""
    data = demo_programme()
    report = import_programme(session, demo_rows(data), actor, tz=data["timezone"])
    if report.errors:
        raise RuntimeError("; ".join(f"row {e.row} {e.column}: {e.message}" for e in report.errors))
    svc.publish_seminars(session, actor)
    return report


def _apply(session: Session, actor: User, rows: list[dict[str, str]], options: dict,
           progress: Progress | None = None) -> tuple[dict, list[RowError]]:
    report = import_programme(session, rows, actor, tz=options["tz"], allow_conflicts=options.get("allow_conflicts", False),
                              progress=progress)
    return {"created": report.created, "updated": report.updated}, report.errors


def _summary(counts: dict) -> str:
    return _("Programme imported: %(created)d new and %(updated)d updated records.",
             created=sum(counts["created"].values()), updated=sum(counts["updated"].values()))


IMPORTER = register_importer("programme", Importer(
    header=("record",), columns=tuple(ColumnGroup(f"record = {kind}", (RECORD, *RECORD_COLUMNS[kind])) for kind in RECORDS),
    apply=_apply, summary=_summary))


# --- the programme in its import format --------------------------------------------------------

def _languages(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{lang}" for lang in PROGRAMME_LANGUAGES)


EXPORT_COLUMNS = (
    "record", "date", "venue", "address", "room", *_languages("room"), "capacity", "floor", "speaker", *_languages("affiliation"),
    *_languages("bio"), "photo_url", "hall", *_languages("hall"), "booth", "company_email", "exhibitor", "code", "start", "end",
    *_languages("title"), *_languages("abstract"), "language", "interpretation", "categories", "speakers",
)


def export_programme_rows(session: Session, tz: str) -> list[list[str]]:
    """The whole programme (drafts included) as import rows, header first; times in zone *tz*."""
    records = [{"record": "day", "date": day.isoformat()} for day in event_days(session)]
    records += [_room_record(room) for room in session.scalars(select(Room).join(Venue).order_by(Venue.name, Room.position, Room.name))]
    records += [_speaker_record(person) for person in session.scalars(select(Speaker).order_by(Speaker.name))]
    for hall in session.scalars(select(Hall).options(selectinload(Hall.booths)).order_by(Hall.position, Hall.name)):
        records.append({"record": "hall", "hall": hall.name, "floor": hall.floor})
        records.append({"record": "hall", "hall": hall.name, "floor": hall.floor, **_place_names(hall, "hall")})
        records += [_booth_record(booth) for booth in hall.booths]
    seminars = session.scalars(select(Seminar).order_by(Seminar.starts_at, Seminar.id))
    records += [_seminar_record(session, seminar, tz) for seminar in seminars]
    return [list(EXPORT_COLUMNS)] + [[neutralise(str(record.get(c) or "")) for c in EXPORT_COLUMNS] for record in records]


def _room_record(room: Room) -> dict:
    return {"record": "room", "venue": room.venue.name, "address": room.venue.address, "room": room.name,
            "capacity": room.capacity, "floor": room.floor, **_place_names(room, "room")}


def _place_names(place, prefix: str) -> dict:
    return {f"{prefix}_{lang}": getattr(place, f"name_{lang}") or "" for lang in PROGRAMME_LANGUAGES}


def _speaker_record(person: Speaker) -> dict:
    return {"record": "speaker", "speaker": person.name, "photo_url": person.photo_url,
            **_columns(person.texts("affiliation"), "affiliation"), **_columns(person.texts("bio"), "bio")}


def _booth_record(booth: Booth) -> dict:
    return {"record": "booth", "hall": booth.hall.name, "booth": booth.number, "exhibitor": booth.exhibitor,
            "company_email": booth.company.contact_email if booth.company else "",
            "categories": ";".join(c.key for c in booth.categories)}


def _seminar_record(session: Session, seminar: Seminar, tz: str) -> dict:
    return {"record": "seminar", "code": seminar.code, "date": local_day(seminar.starts_at, tz).isoformat(),
            "start": _clock(seminar.starts_at, tz), "end": _clock(seminar.ends_at, tz), "room": _room_name(session, seminar.room),
            **_columns(seminar.texts("title"), "title"), **_columns(seminar.texts("abstract"), "abstract"),
            "language": seminar.spoken_language, "interpretation": ";".join(seminar.interpretation_list),
            "categories": ";".join(c.key for c in seminar.categories), "capacity": seminar.capacity,
            "speakers": ";".join(person.name for person in seminar.speakers)}


def _columns(texts: dict[str, str], prefix: str) -> dict[str, str]:
    return {f"{prefix}_{lang}": text for lang, text in texts.items()}


def _clock(moment, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def _room_name(session: Session, room: Room) -> str:
    """The room as a seminar row names it: "venue / room" when another venue has a room of that name."""
    shared = session.scalar(select(func.count()).select_from(Room).where(Room.name == room.name)) > 1
    return f"{room.venue.name} / {room.name}" if shared else room.name
