"""Rooms and halls named in Japanese, Vietnamese and English: forms, import columns, public pages."""

import pytest
from flask import g
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Hall, Room
from matchmaker.services.programme.importing import IMPORTER, import_programme
from tests.conftest import translated
from tests.programme_helpers import DAY1, TZ, build_programme, organiser
from tests.webforms import submit


def _room(app, room_id):
    with app.app_context():
        room = db.session.get(Room, room_id)
        return room.name, room.names()


def test_a_room_named_in_three_languages_is_shown_in_the_readers(organiser_client, app):
    ids = build_programme(app)
    form = organiser_client.get(f"/vi/admin/programme/rooms/{ids['main']}").get_data(as_text=True)
    assert form.index('name="name_vi"') < form.index('name="name_ja"') < form.index('name="name_en"')  # the reader's first
    submit(organiser_client, f"/vi/admin/programme/rooms/{ids['main']}", "main form",
           fields={"name_ja": "メインホール", "name_vi": "Hội trường chính"})
    assert _room(app, ids["main"]) == ("Main Hall", {"ja": "メインホール", "vi": "Hội trường chính", "en": ""})
    for lang, shown in (("ja", "メインホール"), ("vi", "Hội trường chính"), ("en", "Main Hall")):
        programme = organiser_client.get(f"/{lang}/programme/?day={DAY1}").get_data(as_text=True)
        assert shown in programme
        seminar = organiser_client.get(f"/{lang}/programme/seminars/{ids['A']}").get_data(as_text=True)
        assert shown in seminar


def test_an_english_name_is_the_fallback_for_a_language_without_one(organiser_client, app):
    ids = build_programme(app)
    submit(organiser_client, f"/en/admin/programme/rooms/{ids['main']}", "main form", fields={"name_en": "Grand Hall"})
    assert "Grand Hall" in organiser_client.get(f"/ja/programme/seminars/{ids['A']}").get_data(as_text=True)


def test_a_too_long_name_is_refused_on_its_field_and_nothing_changes(organiser_client, app):
    ids = build_programme(app)
    page = submit(organiser_client, f"/ja/admin/programme/rooms/{ids['main']}", "main form", fields={"name_ja": "長" * 121})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "長" * 121 in html  # what was typed is kept
    assert _room(app, ids["main"])[1] == {"ja": "", "vi": "", "en": ""}


def test_a_hall_is_named_in_three_languages_and_can_be_renamed(organiser_client, app):
    submit(organiser_client, "/ja/admin/programme/exhibition", "main form",
           fields={"name": "Hall A", "name_ja": "展示ホールA", "name_vi": "Sảnh triển lãm A", "floor": "1F"})
    with app.app_context():
        hall_id = db.session.scalar(select(Hall.id))
    submit(organiser_client, f"/en/admin/programme/halls/{hall_id}", "main form", fields={"name_en": "Exhibition Hall A"})
    with app.app_context():
        hall = db.session.get(Hall, hall_id)
        assert (hall.name, hall.names()) == ("Hall A", {"ja": "展示ホールA", "vi": "Sảnh triển lãm A", "en": "Exhibition Hall A"})
    assert "展示ホールA" in organiser_client.get("/ja/programme/halls/").get_data(as_text=True)
    assert "Sảnh triển lãm A" in organiser_client.get("/vi/programme/halls/").get_data(as_text=True)


def test_renaming_a_hall_to_anothers_name_is_refused(organiser_client, app):
    for name in ("Hall A", "Hall B"):
        submit(organiser_client, "/en/admin/programme/exhibition", "main form", fields={"name": name})
    with app.app_context():
        hall_b = db.session.scalar(select(Hall.id).where(Hall.name == "Hall B"))
    page = submit(organiser_client, f"/vi/admin/programme/halls/{hall_b}", "main form", fields={"name": "Hall A"})
    assert translated(app, "vi", "A hall with this name already exists.") in page.get_data(as_text=True)


def _import(app, text):
    with app.test_request_context("/en/"):
        g.lang_code = "en"
        report = import_programme(db.session, IMPORTER.read("p.csv", text.encode()), organiser(), tz=TZ)
        (db.session.rollback if report.errors else db.session.commit)()
        return report


def test_import_takes_the_optional_name_columns_and_keeps_names_when_they_are_left_out(app):
    report = _import(app, "record,venue,room,capacity,room_ja,room_vi,room_en,hall,hall_ja\n"
                          "room,Hanoi Centre,Hall 1,200,第1ホール,Hội trường 1,Hall One,,\n"
                          "hall,,,,,,,Hall A,展示ホールA\n")
    assert report.errors == []
    with app.app_context():
        assert db.session.scalar(select(Room)).names() == {"ja": "第1ホール", "vi": "Hội trường 1", "en": "Hall One"}
        assert db.session.scalar(select(Hall)).names() == {"ja": "展示ホールA", "vi": "", "en": ""}
    assert _import(app, "record,venue,room,capacity\nroom,Hanoi Centre,Hall 1,250\n").errors == []
    with app.app_context():
        room = db.session.scalar(select(Room))
        assert room.capacity == 250 and room.names()["ja"] == "第1ホール"  # the file without the columns kept them


def test_import_names_the_column_of_a_bad_name(app):
    report = _import(app, "record,venue,room,capacity,room_vi\nroom,Hanoi Centre,Hall 1,200," + "x" * 121 + "\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "room_vi")]
    with app.app_context():
        assert db.session.scalar(select(Room)) is None
