"""The generic import piece: the registry, a job run through it, the company import's follow-up
rows and "missing" cells, and the programme exported in its import format and imported back."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from flask import g
from flask_babel import force_locale
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Booth, Company, Hall, Job, ProgrammeDay, Room, Seminar, Speaker, User, Venue
from matchmaker.services.imports import jobs as import_jobs
from matchmaker.services.imports import registry
from matchmaker.services.imports.companies import IMPORTER as COMPANIES, import_rows
from matchmaker.services.imports.registry import ColumnGroup, Importer, get_importer, importer_names, register_importer
from matchmaker.services.imports.table import Column, RowError, to_csv, to_xlsx
from matchmaker.services.programme import exhibition
from matchmaker.services.programme.importing import EXPORT_COLUMNS, IMPORTER as PROGRAMME, export_programme_rows, import_programme
from tests.programme_helpers import DAY1, TZ, build_programme, organiser

HEADER = "company,country,city,sector,email,website,kind,title,description,categories,language\n"
MISSING = {"en": "Missing: this column must have a value.", "ja": "未入力です。この列には値が必要です。",
           "vi": "Còn thiếu: cột này cần có giá trị."}


# --- the registry ------------------------------------------------------------------------------

def test_the_app_knows_both_importers_by_name(app):
    assert {"companies", "programme"} <= set(importer_names())
    assert get_importer("companies") is COMPANIES and get_importer("programme") is PROGRAMME
    assert COMPANIES.header == ("company", "country", "kind", "title") and PROGRAMME.header == ("record",)
    assert [group.title for group in PROGRAMME.columns] == [f"record = {kind}" for kind in
                                                          ("day", "room", "speaker", "hall", "booth", "seminar")]


def test_an_unknown_importer_is_a_lookup_error(app):
    with pytest.raises(LookupError, match="no importer called 'pets'"):
        get_importer("pets")
    with app.app_context(), pytest.raises(LookupError):
        import_jobs.start_import_job(db.session, organiser(), "pets", "pets.csv", b"name\nRex\n", lang="en")


def test_a_name_is_taken_once(monkeypatch):
    monkeypatch.setattr(registry, "_IMPORTERS", {})
    first = Importer(header=("a",), columns=(), apply=lambda *args: ({}, []), summary=str)
    assert register_importer("notes", first) is first
    assert register_importer("notes", first) is first  # the same importer again changes nothing
    with pytest.raises(ValueError, match="'notes'"):
        register_importer("notes", Importer(header=("b",), columns=(), apply=lambda *args: ({}, []), summary=str))
    assert importer_names() == ("notes",)


def test_a_job_runs_whatever_importer_it_names(app, make_organiser, monkeypatch):
    """A new kind of import needs only registering: the job runner reads and applies it through the registry."""
    seen = {}

    def apply(session, actor, rows, options, progress):
        seen.update(rows=rows, options=options, actor=actor.email)
        bad = [RowError(n, "name", "no dogs") for n, row in enumerate(rows, start=2) if row["name"] == "Rex"]
        return {"names": len(rows)}, bad

    notes = Importer(header=("name",), columns=(ColumnGroup("", (Column("name", "a name", True),)),),
                     apply=apply, summary=lambda counts: f"{counts['names']} names")
    monkeypatch.setitem(registry._IMPORTERS, "notes", notes)
    email = make_organiser()
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        good = import_jobs.start_import_job(db.session, actor, "notes", "n.csv", b"name\nTom\nAnn\n", lang="en", colour="red")
        bad = import_jobs.start_import_job(db.session, actor, "notes", "n.csv", b"name\nRex\n", lang="en")
        db.session.commit()
        good_id, bad_id = good.id, bad.id
    assert import_jobs.run_import_job(app, good_id) == "done"
    assert seen["rows"] == [{"name": "Tom"}, {"name": "Ann"}] and seen["options"]["colour"] == "red" and seen["actor"] == email
    assert import_jobs.run_import_job(app, bad_id) == "failed"
    with app.app_context():
        assert db.session.get(Job, good_id).result == {"names": 2}
        assert import_jobs.job_errors(db.session.get(Job, bad_id)) == [RowError(2, "name", "no dogs")]


# --- the company import: follow-up rows, "missing" ------------------------------------------

def _companies(app, text: str, lang: str = "en"):
    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        rows = COMPANIES.read("c.csv", (HEADER + text).encode())
        report = import_rows(db.session, rows, organiser())
        (db.session.rollback if report.errors else db.session.commit)()
        return report


def test_follow_up_rows_may_repeat_the_name_with_the_rest_blank(app):
    report = _companies(app,
                        "Green Hai Phong,VN,Hải Phòng,waste,info@green.example.vn,,offer,Sorting line,,waste-to-energy,vi\n"
                        "Green Hai Phong,,,,,,need,Biogas partner,,waste-to-energy,vi\n"
                        ",,,,,,need,Financing,,finance,\n"
                        "Osaka Water,JP,Osaka,,,,offer,Membranes,,water,ja\n"
                        "Osaka Water,,,,,,need,Partners in Da Nang,,water,\n")
    assert report.errors == []
    assert (report.companies_created, report.opportunities_created) == (2, 5)
    with app.app_context():
        green = db.session.scalar(select(Company).where(Company.name == "Green Hai Phong"))
        assert (green.country, green.city, green.contact_email) == ("VN", "Hải Phòng", "info@green.example.vn")
        assert sorted(o.title for o in green.opportunities) == ["Biogas partner", "Financing", "Sorting line"]
        osaka = db.session.scalar(select(Company).where(Company.name == "Osaka Water"))
        assert osaka.country == "JP" and len(osaka.opportunities) == 2


def test_a_new_name_starts_a_new_company_that_needs_its_own_columns(app):
    report = _companies(app, "Green Hai Phong,VN,,,,,offer,Sorting line,,water,\n"
                             "Blue Da Nang,,,,,,need,Pumps,,water,\n")
    assert report.errors == [RowError(3, "country", MISSING["en"])]
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == 0  # nothing half-saved


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_empty_required_cells_say_missing_in_the_readers_language(app, lang):
    report = _companies(app, "Green Hai Phong,,,,,,,Sorting line,,,\n", lang=lang)
    assert report.errors == [RowError(2, "country", MISSING[lang]), RowError(2, "kind", MISSING[lang])]
    assert not any("“”" in e.message for e in report.errors)  # not "unknown code ''"


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_the_programme_import_says_missing_too(app, lang):
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        rows = [{"record": "seminar", "date": DAY1.isoformat(), "start": "10:00", "end": "11:00", "room": "Main Hall",
                 "title_en": "Opening", "language": ""}, {"record": "", "date": DAY1.isoformat()}]
        report = import_programme(db.session, rows, organiser(), tz=TZ)
        db.session.rollback()
    assert report.errors == [RowError(2, "language", MISSING[lang]), RowError(3, "record", MISSING[lang])]


# --- the programme in its import format ------------------------------------------------------

def _add_exhibition(app, company_email: str) -> None:
    with app.app_context():
        actor = organiser()
        hall = exhibition.save_hall(db.session, actor, "Hall B", "1F")
        exhibition.save_booth(db.session, actor, exhibition.BoothData(hall.id, "B-01", company_email=company_email,
                                                                      categories=["jcm", "water"]))
        exhibition.save_booth(db.session, actor, exhibition.BoothData(hall.id, "B-02", exhibitor="Hai Phong City"))
        db.session.commit()


def _wipe_programme(app) -> None:
    with app.app_context():
        for model in (Seminar, Speaker, Booth, Hall, Room, Venue, ProgrammeDay):
            for row in db.session.scalars(select(model)):
                db.session.delete(row)
            db.session.flush()
        db.session.commit()


def _snapshot(app) -> list[tuple]:
    with app.app_context():
        return [(s.code, s.starts_at, s.ends_at, s.room.name, s.room.venue.name, s.texts("title"), s.texts("abstract"),
                 s.spoken_language, s.interpretation, s.capacity, [c.key for c in s.categories], [p.name for p in s.speakers])
                for s in db.session.scalars(select(Seminar).order_by(Seminar.code))]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_programme(app, make_company, fmt):
    make_company(name="Kitakyushu Eco", contact_email="info@kitakyushu.example")
    build_programme(app)
    _add_exhibition(app, "info@kitakyushu.example")
    before = _snapshot(app)
    with app.app_context():
        exported = export_programme_rows(db.session, TZ)
    assert exported[0] == list(EXPORT_COLUMNS)
    assert sum(row[0] == "seminar" for row in exported) == 3 and sum(row[0] == "booth" for row in exported) == 2
    data = to_csv(exported) if fmt == "csv" else to_xlsx(exported, sheet_title="programme")
    _wipe_programme(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Seminar.id))) == 0
        report = import_programme(db.session, PROGRAMME.read(f"programme.{fmt}", data), organiser(), tz=TZ)
        assert report.errors == []
        assert report.created == {"day": 2, "room": 2, "speaker": 2, "hall": 1, "booth": 2, "seminar": 3}
        db.session.commit()
        assert export_programme_rows(db.session, TZ) == exported
        booth = db.session.scalar(select(Booth).where(Booth.number == "B-01"))
        assert booth.company.name == "Kitakyushu Eco" and [c.key for c in booth.categories] == ["jcm", "water"]
        sato = db.session.scalar(select(Speaker).where(Speaker.name == "佐藤 健一"))
        assert sato.affiliation_en == "Ministry of the Environment" and sato.bio_ja == "国際協力を担当。"
    assert _snapshot(app) == before


def test_export_writes_local_times_and_venue_and_room_when_two_venues_share_a_room_name(app):
    ids = build_programme(app)
    with app.app_context():
        from matchmaker.services.programme import rooms as rooms_svc

        other = rooms_svc.save_venue(db.session, organiser(), "Da Nang Centre")
        rooms_svc.save_room(db.session, organiser(), rooms_svc.RoomData(other.id, "Main Hall", 80))
        db.session.commit()
        rows = export_programme_rows(db.session, TZ)
        seminar = dict(zip(rows[0], next(row for row in rows if row[0] == "seminar" and row[rows[0].index("code")] == "A")))
        assert (seminar["date"], seminar["start"], seminar["end"]) == (DAY1.isoformat(), "09:00", "10:00")
        assert seminar["room"] == "Hanoi Centre / Main Hall" and seminar["interpretation"] == "vi"
        assert seminar["speakers"] == "佐藤 健一" and seminar["capacity"] == "2"
        starts = db.session.get(Seminar, ids["A"]).starts_at
        assert starts.astimezone(timezone(timedelta(hours=7))).strftime("%H:%M") == "09:00"


def test_cli_exports_the_programme_in_the_format_it_imports(runner, app, tmp_path):
    build_programme(app)
    path = tmp_path / "programme.csv"
    result = runner.invoke(args=["programme", "export", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes().decode("utf-8-sig").splitlines()[0] == ",".join(EXPORT_COLUMNS)
    again = runner.invoke(args=["programme", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "seminar: 0 new, 3 updated" in again.output  # recognised by their codes, nothing doubled
    xlsx = runner.invoke(args=["programme", "export", "--format", "xlsx", "-o", str(tmp_path / "p.xlsx")])
    assert xlsx.exit_code == 0 and (tmp_path / "p.xlsx").read_bytes()[:2] == b"PK"
