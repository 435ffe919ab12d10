"""Import of the programme from one CSV (UTF-8) or XLSX table, and the demo programme.

Each row is one record, named in the ``record`` column: ``day``, ``room``, ``speaker``,
``hall``, ``booth`` or ``seminar`` (the README lists the columns of each). Records are applied
in that order, whatever their order in the file, so a seminar may name a room or speaker
defined further down. Rooms, speakers, halls and booths are found by name (booths by hall and
number), seminars by their ``code``: importing a file twice updates instead of doubling.
Every row is checked; if any fails nothing is written and every failing row is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.text import clean_text
from matchmaker.models import PROGRAMME_LANGUAGES, Booth, Hall, Room, Seminar, Speaker, User, Venue
from matchmaker.services import programme as svc
from matchmaker.services import programme_exhibition as exhibition
from matchmaker.services import programme_rooms as rooms_svc
from matchmaker.services import place_names
from matchmaker.services import programme_speakers as speakers
from matchmaker.services import validation as v
from matchmaker.services.importer import Progress, RowError, read_table
from matchmaker.services.programme_conflicts import ConflictError

RECORDS = ("day", "room", "speaker", "hall", "booth", "seminar")


@dataclass
class ProgrammeReport:
    """Counts of what an import created or updated, or the rows that stopped it."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDS, 0))
    errors: list[RowError] = field(default_factory=list)


def read_programme_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows of an uploaded CSV or XLSX keyed by lower-case column name; needs a ``record`` column."""
    return read_table(filename, data, required=("record",))


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
        try:
            with session.begin_nested():
                _import_row(session, row, actor, tz, allow_conflicts, report)
        except v.ValidationError as error:
            report.errors.append(RowError(number, error.field, error.message))
        if progress is not None:
            progress(done, len(ordered))
    if report.errors:
        savepoint.rollback()
        return ProgrammeReport(errors=sorted(report.errors, key=lambda e: e.row))
    savepoint.commit()
    return report


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
    known = day in svc.event_days(session)
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
    return {f"{name}_{lang}": text for lang, text in (entry.get(name) or {}).items()}


def load_demo_programme(session: Session, actor: User) -> ProgrammeReport:
    """Import and publish the demo programme; raise if the shipped data does not import cleanly."""
    data = demo_programme()
    report = import_programme(session, demo_rows(data), actor, tz=data["timezone"])
    if report.errors:
        raise RuntimeError("; ".join(f"row {e.row} {e.column}: {e.message}" for e in report.errors))
    svc.publish_seminars(session, actor)
    return report
