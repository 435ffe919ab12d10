"""Programme import (CSV, XLSX, CLI), the demo programme, and the .ics files parsed back with icalendar."""

import io
from datetime import timedelta, timezone

import pytest
from flask import g
from icalendar import Calendar
from openpyxl import Workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Booth, Company, ProgrammeDay, Room, Seminar, Speaker
from matchmaker.services.programme import seminars as svc
from matchmaker.services.ics import calendar_bytes
from matchmaker.services.imports.table import ImportFileError
from matchmaker.services.programme.importing import IMPORTER, import_programme
from matchmaker.services.programme.public import ProgrammeFilters, published_seminars, seminar_events
from tests.conftest import translated
from tests.programme_helpers import DAY1, TZ, build_programme, organiser, seminar_data

HEADER = ("record,date,venue,room,floor,capacity,speaker,affiliation_en,bio_ja,hall,booth,company_email,exhibitor,"
          "code,start,end,title_ja,title_vi,title_en,abstract_en,language,interpretation,categories,speakers\n")


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


GOOD = _csv(
    f"seminar,{DAY1},,Hall 1,,120,,,,,,,,S-1,10:00,11:30,開会,Khai mạc,Opening,Welcome,vi,ja;en,climate-strategy,Sato Kenichi",
    f"day,{DAY1},,,,,,,,,,,,,,,,,,,,,,",
    ",,,,,,,,,,,,,,,,,,,,,,,",
    "room,,Hanoi Centre,Hall 1,1F,200,,,,,,,,,,,,,,,,,,",
    "speaker,,,,,,Sato Kenichi,Ministry of the Environment,環境省の担当者,,,,,,,,,,,,,,,",
    "booth,,,,,,,,,Hall A,A-01,info@kitakyushu.example,,,,,,,,,,,jcm;waste-to-energy,",
    "booth,,,,,,,,,Hall A,A-02,,Information desk,,,,,,,,,,jcm,",
)


def _import(app, data: bytes, name="programme.csv", lang="en", **options):
    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        rows = IMPORTER.read(name, data)
        report = import_programme(db.session, rows, organiser(), tz=TZ, **options)
        (db.session.rollback if report.errors else db.session.commit)()
        return report


def test_csv_import_creates_everything_in_dependency_order_then_updates(app, make_company):
    make_company(name="Kitakyushu Eco", contact_email="info@kitakyushu.example")
    report = _import(app, GOOD)
    assert report.errors == []
    assert report.created == {"day": 1, "room": 1, "speaker": 1, "hall": 0, "booth": 2, "seminar": 1}  # hall made by its booth
    with app.app_context():
        seminar = db.session.scalar(select(Seminar).where(Seminar.code == "S-1"))
        assert (seminar.title_ja, seminar.title_vi, seminar.title_en) == ("開会", "Khai mạc", "Opening")
        assert seminar.interpretation_list == ["ja", "en"] and seminar.capacity == 120
        assert [s.name for s in seminar.speakers] == ["Sato Kenichi"] and seminar.published_at is None
        assert seminar.starts_at.astimezone(timezone(timedelta(hours=7))).hour == 10
        booth = db.session.scalar(select(Booth).where(Booth.number == "A-01"))
        assert booth.company.name == "Kitakyushu Eco" and [c.key for c in booth.categories] == ["jcm", "waste-to-energy"]
    again = _import(app, GOOD)
    assert sum(again.created.values()) == 0 and again.updated["seminar"] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Seminar.id))) == 1


def test_bad_rows_are_all_reported_by_number_and_nothing_is_saved(app):
    data = _csv(
        "room,,Hanoi Centre,Hall 1,1F,200,,,,,,,,,,,,,,,,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-1,9.30,11:00,開会,,,,vi,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-2,10:00,11:00,,,Opening,,vi,,no-such-key,",
        f"seminar,{DAY1},,Hall 9,,,,,,,,,,S-3,10:00,11:00,,,Opening,,vi,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-4,10:00,09:00,,,Opening,,vi,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-5,12:00,13:00,,,,,vi,,,",
        "booth,,,,,,,,,Hall A,A-01,nobody@example.com,,,,,,,,,,,,",
        "party,,,,,,,,,,,,,,,,,,,,,,,",
    )
    report = _import(app, data, lang="ja")
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "start"), (4, "categories"), (5, "room"), (6, "end"), (7, "title_ja/title_vi/title_en"),
                     (8, "company_email"), (9, "record")}
    messages = {e.row: e.message for e in report.errors}
    assert messages[3] == translated(app, "ja", "Use a time in the form HH:MM (24-hour clock), e.g. 13:30.")
    assert messages[4] == translated(app, "ja", "Unknown category: %(keys)s.", keys="no-such-key")
    with app.app_context():
        assert db.session.scalar(select(func.count(Room.id))) == 0  # the good room row was rolled back too
        assert db.session.scalar(select(func.count(Seminar.id))) == 0


def test_conflicting_rows_are_refused_unless_allowed(app):
    data = _csv(
        "room,,Hanoi Centre,Hall 1,1F,200,,,,,,,,,,,,,,,,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-1,10:00,11:00,,,First,,en,,,",
        f"seminar,{DAY1},,Hall 1,,,,,,,,,,S-2,10:30,11:30,,,Second,,en,,,",
    )
    report = _import(app, data)
    assert [(e.row, e.column) for e in report.errors] == [(4, "conflicts")] and "First" in report.errors[0].message
    assert _import(app, data, allow_conflicts=True).errors == []


def test_xlsx_import_reads_real_dates_and_times(app):
    from datetime import datetime, time

    book = Workbook()
    sheet = book.active
    sheet.append(["record", "venue", "room", "capacity", "code", "date", "start", "end", "title_en", "language"])
    sheet.append(["room", "Hanoi Centre", "Hall 1", 200, None, None, None, None, None, None])
    sheet.append(["seminar", None, "Hall 1", None, "X-1", datetime.combine(DAY1, time()), time(9, 0), time(10, 15), "Excel", "en"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _import(app, buffer.getvalue(), name="programme.xlsx").errors == []
    with app.app_context():
        seminar = db.session.scalar(select(Seminar))
        assert svc.local_form_values(seminar, TZ) == {"day": DAY1.isoformat(), "start": "09:00", "end": "10:15"}


@pytest.mark.parametrize("name, data", [
    ("programme.txt", b"record\nday"),
    ("programme.csv", "record\n".encode("utf-16")),
    ("programme.csv", b"title,date\nx,y\n"),
    ("programme.xlsx", b"not a zip"),
])
def test_unreadable_files_are_refused_whole(app, name, data):
    with app.test_request_context("/en/"):
        with pytest.raises(ImportFileError):
            IMPORTER.read(name, data)


def test_cli_import_reports_rows_and_writes_nothing_on_error(runner, app, tmp_path):
    path = tmp_path / "programme.csv"
    path.write_bytes(_csv(f"seminar,{DAY1},,Nowhere,,,,,,,,,,S-1,10:00,11:00,,,Lost,,en,,,"))
    result = runner.invoke(args=["programme", "import", str(path)])
    assert result.exit_code != 0 and "row 2, room" in result.output and "Nowhere" in result.output
    path.write_bytes(GOOD.replace(b"info@kitakyushu.example,", b",Kitakyushu stand"))
    ok = runner.invoke(args=["programme", "import", str(path), "--publish"])
    assert ok.exit_code == 0, ok.output
    assert "seminar: 1 new" in ok.output and "1 seminars published" in ok.output
    check = runner.invoke(args=["programme", "check"])
    assert check.exit_code == 0 and "No conflicts" in check.output
    days = runner.invoke(args=["programme", "days", "2026-02-30"])
    assert days.exit_code != 0 and "day:" in days.output


def test_demo_programme_is_a_realistic_two_day_event(runner, app):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with app.test_request_context("/en/"):
        seminars = published_seminars(db.session, ProgrammeFilters(), "Asia/Ho_Chi_Minh")
        assert len(seminars) >= 12 and len(db.session.scalars(select(ProgrammeDay)).all()) == 2
        titles = " ".join(s.title_en for s in seminars)
        for words in ("Opening", "Joint Crediting Mechanism", "2050", "Kitakyushu and Hai Phong", "Technology pitches"):
            assert words in titles
        assert any(not s.title_en for s in seminars) and any(not s.title_vi for s in seminars)  # fallbacks on show
        booths = db.session.scalars(select(Booth)).all()
        assert 20 <= len(booths) <= 30
        assert sum(1 for b in booths if b.company and b.company.status == "approved") >= 20
        assert db.session.scalar(select(func.count(Speaker.id))) >= 10
        from matchmaker.services.programme.conflicts import all_conflicts

        assert all_conflicts(db.session, "Asia/Ho_Chi_Minh") == []
        assert db.session.scalar(select(func.count(Company.id))) > 30


def _parse(app, seminars, tz="Asia/Tokyo", reader="ja"):
    with app.test_request_context(f"/{reader}/"):
        events = seminar_events(seminars, reader, lambda s: f"https://example.org/seminars/{s.id}")
        return Calendar.from_ical(calendar_bytes(events, tz=tz, name="Programme"))


def test_ics_is_valid_with_vtimezone_stable_uids_and_sequence(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        seminars = published_seminars(db.session, ProgrammeFilters(), TZ)
        calendar = _parse(app, seminars)
        zones = [c for c in calendar.walk("VTIMEZONE")]
        assert [str(z["TZID"]) for z in zones] == ["Asia/Tokyo"]
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        seminar = db.session.get(Seminar, ids["A"])
        event = events[seminar.uid]
        assert event.decoded("DTSTART") == seminar.starts_at and str(event["DTSTART"].params["TZID"]) == "Asia/Tokyo"
        assert event.decoded("DTSTART").astimezone(timezone(timedelta(hours=9))).hour == 11
        assert str(event["SUMMARY"]) == "二国間クレジット制度の最新動向" and int(event["SEQUENCE"]) == 0
        assert "Main Hall" in str(event["LOCATION"]) and str(event["URL"]).endswith(f"/seminars/{seminar.id}")
        data = seminar_data(db.session.get(Room, ids["main"]), start="15:00", end="16:00", titles=seminar.texts("title"),
                            spoken_language="ja", capacity=2, speaker_ids=[ids["sato"]])
        svc.save_seminar(db.session, organiser(), data, tz=TZ, seminar=seminar)
        db.session.commit()
        moved = {str(e["UID"]): e for e in _parse(app, [seminar]).walk("VEVENT")}[seminar.uid]
        assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART") == seminar.starts_at


def test_the_readme_example_imports(app, make_company):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### Programme import format", 1)[1].split("```csv\n", 1)[1].split("```", 1)[0]
    make_company(name="Kitakyushu Eco Energy", contact_email="contact@kitakyushu-eco.example")
    report = _import(app, example.encode("utf-8"))
    assert report.errors == [] and report.created["seminar"] == 1 and report.created["booth"] == 1
