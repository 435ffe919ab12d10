"""Organiser pages of the programme: access, seminar form with conflicts, speakers with photos, import."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Hall, Room, Seminar, Speaker, Venue
from tests.conftest import csrf_from, translated, user_email
from tests.programme_helpers import DAY1, build_programme
from tests.webforms import submit


def _seminar_form(ids, **overrides):
    form = {"day": DAY1.isoformat(), "start": "11:00", "end": "12:00", "room_id": str(ids["r201"]),
            "title_en": "Waste-to-energy in Hai Phong", "spoken_language": "vi", "interpretation": ["ja"],
            "categories": ["waste-to-energy"], "speakers": [str(ids["lan"])], "capacity": "40"}
    form.update(overrides)
    return form


def _new_seminar(client, lang, fields):
    return submit(client, f"/{lang}/admin/programme/seminars/new", fields=fields)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", ["/en/admin/programme/", "/en/admin/programme/seminars/new", "/en/admin/programme/speakers",
                                  "/en/admin/programme/import", "/en/admin/programme/exhibition"])
def test_only_organisers_get_in(client, app, make_company, login, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    login(user_email(app, make_company()))
    assert client.get(path).status_code == 403


def test_organiser_creates_a_seminar(organiser_client, app):
    ids = build_programme(app)
    response = _new_seminar(organiser_client, "en", _seminar_form(ids))
    assert response.status_code == 302
    with app.app_context():
        seminar = db.session.scalar(select(Seminar).where(Seminar.title_en == "Waste-to-energy in Hai Phong"))
        assert seminar.interpretation == "ja" and seminar.capacity == 40 and seminar.published_at is None
        assert [s.name for s in seminar.speakers] == ["Nguyễn Thị Lan"]
    overview = organiser_client.get("/en/admin/programme/").get_data(as_text=True)
    assert "Waste-to-energy in Hai Phong" in overview and "Draft" in overview


def test_conflicts_block_saving_until_the_organiser_insists(organiser_client, app):
    ids = build_programme(app)
    clash = _seminar_form(ids, start="10:00", end="11:00", speakers=[str(ids["sato"])])
    refused = _new_seminar(organiser_client, "ja", clash)
    page = refused.get_data(as_text=True)
    assert translated(app, "ja", "The seminar was not saved because of these conflicts:") in page
    assert "Room 201" in page and "佐藤 健一" in page
    assert _count(app, Seminar) == 3
    insisted = submit(organiser_client, refused, fields={"allow_conflicts": True})  # the same form, now with the box
    assert insisted.status_code == 302 and _count(app, Seminar) == 4
    warnings = organiser_client.get("/ja/admin/programme/").get_data(as_text=True)
    assert warnings.count('<li>') >= 2 and "Waste-to-energy in Hai Phong" in warnings


@pytest.mark.parametrize("overrides, msgid", [
    ({"start": "12:00", "end": "11:00"}, "The end must be after the start."),
    ({"title_en": ""}, "Give a title in at least one language."),
    ({"start": "noon"}, "Use a time in the form HH:MM (24-hour clock), e.g. 13:30."),
    ({"capacity": "0"}, "Enter a whole number greater than zero."),
])
def test_bad_seminar_input_is_explained_in_the_page_language(organiser_client, app, overrides, msgid):
    ids = build_programme(app)
    response = _new_seminar(organiser_client, "vi", _seminar_form(ids, **overrides))
    assert response.status_code == 200 and translated(app, "vi", msgid) in response.get_data(as_text=True)
    assert _count(app, Seminar) == 3


def test_a_room_that_does_not_exist_is_refused(organiser_client, app):
    ids = build_programme(app)
    token = csrf_from(organiser_client.get("/vi/admin/programme/seminars/new").get_data(as_text=True))
    # hostile input: the room select offers only existing rooms
    response = organiser_client.post("/vi/admin/programme/seminars/new",
                                     data={**_seminar_form(ids, room_id="999999"), "csrf_token": token})
    assert response.status_code == 200 and translated(app, "vi", "Choose a room that exists.") in response.get_data(as_text=True)
    assert _count(app, Seminar) == 3


def test_editing_shows_local_times_and_reservations(organiser_client, app):
    ids = build_programme(app)
    page = organiser_client.get(f"/en/admin/programme/seminars/{ids['A']}").get_data(as_text=True)
    assert 'value="09:00"' in page and f'value="{DAY1.isoformat()}"' in page and "No reservations." in page


def _image(fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 50, 50)).save(buffer, format=fmt)
    return buffer.getvalue()


def _speaker_post(client, app, name, upload, filename, lang="en"):
    return submit(client, f"/{lang}/admin/programme/speakers/new", fields={"name": name, "bio_ja": "経歴"},
                  files={"photo": (io.BytesIO(upload), filename)})


def test_speaker_photo_upload_is_checked_and_served_safely(organiser_client, app, tmp_path):
    app.config["PROGRAMME_UPLOADS"] = str(tmp_path)
    try:
        bad = _speaker_post(organiser_client, app, "Fake Photo", b"<html><script>alert(1)</script></html>", "me.png", "ja")
        assert translated(app, "ja", "This file is not a JPEG, PNG or WebP image.") in bad.get_data(as_text=True)
        assert _count(app, Speaker) == 0 and list(tmp_path.iterdir()) == []
        assert _speaker_post(organiser_client, app, "Real Photo", _image("JPEG"), "photo.gif").status_code == 302
        with app.app_context():
            speaker = db.session.scalar(select(Speaker))
            assert speaker.photo_type == "image/jpeg"
        served = organiser_client.get(f"/en/programme/speakers/{speaker.id}/photo")
        assert served.mimetype == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.data.startswith(b"\xff\xd8")
        served.close()
    finally:
        app.config.pop("PROGRAMME_UPLOADS")


def test_rooms_venues_halls_and_booths(organiser_client, app, make_company):
    make_company(name="Kobe H2", contact_email="h2@kobe.example")
    assert submit(organiser_client, "/en/admin/programme/rooms", fields={"name": "Convention Centre", "address": "Hanoi"}).status_code == 302
    with app.app_context():
        venue_id = db.session.scalar(select(Venue.id))
    room = {"venue_id": str(venue_id), "name": "Room 301", "floor": "3F", "capacity": "abc"}
    bad = submit(organiser_client, "/en/admin/programme/rooms/new", fields=room)
    assert "Enter a whole number greater than zero." in bad.get_data(as_text=True) and _count(app, Room) == 0
    assert submit(organiser_client, bad, fields={**room, "capacity": "90"}).status_code == 302
    assert submit(organiser_client, "/en/admin/programme/exhibition", fields={"name": "Hall C", "floor": "1F"}).status_code == 302
    with app.app_context():
        hall_id = db.session.scalar(select(Hall.id).where(Hall.name == "Hall C"))
    booth = {"hall_id": str(hall_id), "number": "C-01", "company_email": "nobody@example.com", "categories": ["hydrogen"]}
    unknown = submit(organiser_client, "/en/admin/programme/booths/new", fields=booth)
    assert "No company has the contact address nobody@example.com." in unknown.get_data(as_text=True)
    assert submit(organiser_client, unknown, fields={**booth, "company_email": "h2@kobe.example"}).status_code == 302
    assert "Kobe H2" in organiser_client.get("/en/programme/halls/").get_data(as_text=True)


def _upload(client, name, data, lang="en"):
    return submit(client, f"/{lang}/admin/programme/import", files={"file": (io.BytesIO(data), name)})


def test_import_upload_lists_bad_rows_then_imports(organiser_client, app):
    bad = ("record,venue,room,capacity,code,date,start,end,title_en,language,categories\n"
           "room,Hanoi Centre,Hall 1,200,,,,,,,\n"
           f"seminar,,Hall 1,,S-1,{DAY1},10:00,11:00,Opening,en,atlantis\n")
    page = _upload(organiser_client, "programme.csv", bad.encode(), lang="ja").get_data(as_text=True)
    assert 'id="import-errors"' in page and "<td>3</td>" in page and "atlantis" in page
    assert _count(app, Room) == 0
    good = bad.replace("atlantis", "jcm")
    assert _upload(organiser_client, "programme.csv", good.encode()).status_code == 302
    assert _count(app, Seminar) == 1
    wrong_type = _upload(organiser_client, "programme.pdf", b"%PDF").get_data(as_text=True)
    assert "Only CSV (UTF-8) and XLSX files can be imported." in wrong_type


def test_publish_and_delete(organiser_client, app):
    ids = build_programme(app)
    _new_seminar(organiser_client, "en", _seminar_form(ids))
    published = submit(organiser_client, "/en/admin/programme/", 'form[action="/en/admin/programme/publish"]', follow_redirects=True)
    assert "1 seminar published." in published.get_data(as_text=True)
    submit(organiser_client, f"/en/admin/programme/seminars/{ids['C']}/delete", "form.confirm-form")  # asks first
    assert _count(app, Seminar) == 3
    with app.app_context():
        assert db.session.get(Seminar, ids["C"]) is None
