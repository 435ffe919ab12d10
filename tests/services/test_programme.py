"""Programme services: fallback chains, validation, conflicts, moves after publishing, photos."""

import io
from datetime import timedelta

import pytest
from flask import g
from PIL import Image
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Bookmark, Room, Seminar, SeminarNotice, User, utcnow
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme import attendance
from matchmaker.services.programme.common import Localized, pick_text
from matchmaker.services.programme.conflicts import ConflictError, all_conflicts
from matchmaker.services.programme.public import ProgrammeFilters, build_grid, published_seminars, seminar_rows
from matchmaker.services.programme.speakers import PHOTO_MAX_BYTES, SpeakerData, check_photo, save_speaker
from matchmaker.services.validation import ValidationError
from tests.conftest import _HASH, translated
from tests.programme_helpers import DAY1, DAY2, TZ, build_programme, organiser, seminar_data

TEXTS = {"ja": "日本語", "vi": "Tiếng Việt", "en": "English"}


@pytest.mark.parametrize("reader, available, shown, fallback", [
    ("ja", ("ja", "vi", "en"), "ja", False),
    ("ja", ("vi", "en"), "en", True),
    ("ja", ("vi",), "vi", True),
    ("vi", ("ja", "vi", "en"), "vi", False),
    ("vi", ("ja", "en"), "en", True),
    ("vi", ("ja",), "ja", True),
    ("en", ("ja", "vi", "en"), "en", False),
    ("en", ("ja", "vi"), "vi", True),
    ("en", ("ja",), "ja", True),
])
def test_fallback_chain_per_reader_language(reader, available, shown, fallback):
    picked = pick_text({lang: TEXTS[lang] if lang in available else "" for lang in TEXTS}, reader)
    assert (picked.text, picked.lang, picked.fallback) == (TEXTS[shown], shown, fallback)


def test_nothing_to_pick_gives_empty_text():
    assert pick_text({"ja": "", "vi": "", "en": ""}, "vi") == Localized("", None, False)


def test_seminar_times_are_stored_in_utc(app):
    ids = build_programme(app)
    with app.app_context():
        seminar = db.session.get(Seminar, ids["A"])
        assert seminar.starts_at.utcoffset() == timedelta(0)
        assert (seminar.starts_at.hour, seminar.ends_at.hour) == (2, 3)  # 09:00 and 10:00 in Hanoi (UTC+7)
        assert svc.local_form_values(seminar, "Asia/Tokyo")["start"] == "11:00"


@pytest.mark.parametrize("overrides, field", [
    ({"start": "12:00", "end": "11:00"}, "end"),
    ({"start": "12:00", "end": "12:00"}, "end"),
    ({"start": "9h30"}, "start"),
    ({"end": "25:00"}, "end"),
    ({"day": "09/12/2026"}, "day"),
    ({"room_id": 999999}, "room_id"),
    ({"room_id": None}, "room_id"),
    ({"titles": {"ja": " ", "vi": "", "en": ""}}, "title_en"),
    ({"spoken_language": "fr"}, "spoken_language"),
    ({"capacity": "-3"}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"categories": ["no-such-category"]}, "categories"),
])
def test_bad_seminar_input_names_the_field_and_saves_nothing(app, overrides, field):
    ids = build_programme(app)
    with app.test_request_context("/ja/"):
        g.lang_code = "ja"
        room = db.session.get(Room, ids["r201"])
        with pytest.raises(ValidationError) as caught:
            svc.save_seminar(db.session, organiser(), seminar_data(room, **overrides), tz=TZ)
        db.session.rollback()
        assert caught.value.field == field
        assert db.session.scalar(select(func.count(Seminar.id))) == 3


def test_error_message_is_in_the_readers_language(app):
    ids = build_programme(app)
    with app.test_request_context("/vi/"):
        g.lang_code = "vi"
        room = db.session.get(Room, ids["r201"])
        with pytest.raises(ValidationError) as caught:
            svc.save_seminar(db.session, organiser(), seminar_data(room, start="13:00", end="12:00"), tz=TZ)
    assert caught.value.message == translated(app, "vi", "The end must be after the start.")


def _conflicts(app, ids, **overrides):
    with app.test_request_context("/en/"):
        g.lang_code = "en"
        room = db.session.get(Room, overrides.pop("room", ids["r201"]))
        with pytest.raises(ConflictError) as caught:
            svc.save_seminar(db.session, organiser(), seminar_data(room, **overrides), tz=TZ)
        db.session.rollback()
        return {c.kind: c.message for c in caught.value.conflicts}


def test_room_overlap_is_caught(app):
    ids = build_programme(app)
    found = _conflicts(app, ids, start="10:00", end="11:00")  # B is in Room 201 09:30–10:30
    assert set(found) == {"room"}
    assert "Room 201" in found["room"] and "Hợp tác Hải Phòng – Kitakyushu" in found["room"]
    assert "ICT" in found["room"]


def test_touching_seminars_do_not_conflict(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        room = db.session.get(Room, ids["r201"])
        svc.save_seminar(db.session, organiser(), seminar_data(room, start="10:30", end="11:00"), tz=TZ)


def test_speaker_in_two_places_is_caught(app):
    ids = build_programme(app)
    found = _conflicts(app, ids, start="09:00", end="09:25", speaker_ids=[ids["sato"]])
    assert set(found) == {"speaker"} and "佐藤 健一" in found["speaker"] and "JCM update" in found["speaker"]


def test_seminar_outside_the_event_days_is_caught(app):
    ids = build_programme(app)
    found = _conflicts(app, ids, day=(DAY2 + timedelta(days=3)).isoformat())
    assert set(found) == {"day"} and f"{DAY1:%a} {DAY1.day} {DAY1:%b} {DAY1.year}" in found["day"]  # as a reader writes a day


def test_capacity_over_the_room_is_caught(app):
    ids = build_programme(app)
    found = _conflicts(app, ids, capacity="80")
    assert set(found) == {"capacity"} and "80" in found["capacity"] and "50" in found["capacity"]


def test_conflicts_can_be_saved_on_purpose_and_are_then_listed(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        room = db.session.get(Room, ids["main"])
        data = seminar_data(room, start="09:30", end="10:30", speaker_ids=[ids["sato"]], capacity="400")
        svc.save_seminar(db.session, organiser(), data, tz=TZ, allow_conflicts=True)
        db.session.commit()
        kinds = sorted(c.kind for c in all_conflicts(db.session, TZ))
    assert kinds == ["capacity", "room", "speaker"]


def test_moving_a_published_seminar_bumps_sequence_and_notifies_followers(app, make_company):
    ids = build_programme(app)
    company_id = make_company()
    with app.test_request_context("/en/"):
        marker = db.session.scalar(select(User).where(User.company_id == company_id))
        marker.locale = "vi"
        other = User(email="reserver@example.com", password_hash=_HASH, role="organiser", locale="ja")
        db.session.add(other)
        seminar = db.session.get(Seminar, ids["A"])
        attendance.set_bookmark(db.session, marker, seminar, on=True)
        attendance.reserve_seat(db.session, other, seminar)
        db.session.commit()
        data = seminar_data(db.session.get(Room, ids["main"]), start="16:00", end="17:00", titles=seminar.texts("title"),
                            spoken_language="ja", capacity=2, speaker_ids=[ids["sato"]])
        result = svc.save_seminar(db.session, organiser(), data, tz=TZ, seminar=seminar)
        db.session.commit()
        assert result.moved and {u.email for u in result.notified} == {marker.email, other.email}
        assert seminar.sequence == 1 and svc.is_changed(seminar)
        notices = {n.user_id: n for n in db.session.scalars(select(SeminarNotice))}
        assert notices[marker.id].kind == "moved" and notices[marker.id].title == "JCM update"  # vi reader: en fallback
        assert notices[other.id].title == "二国間クレジット制度の最新動向"
        mail = attendance.notice_mail(other, seminar, "moved", TZ)
        assert "二国間クレジット制度の最新動向" in mail.body and "Main Hall" in mail.body
        assert not svc.is_changed(seminar, now=utcnow() + timedelta(days=2))
        # a change of title only is not a move
        data.titles = {"en": "JCM update (new title)"}
        assert not svc.save_seminar(db.session, organiser(), data, tz=TZ, seminar=seminar).moved


def test_draft_seminars_are_not_public_until_published(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        room = db.session.get(Room, ids["r201"])
        draft = svc.save_seminar(db.session, organiser(), seminar_data(room), tz=TZ).seminar
        assert draft.published_at is None
        public = published_seminars(db.session, ProgrammeFilters(), TZ)
        assert draft not in public and len(public) == 3
        assert svc.publish_seminars(db.session, organiser()) == 1


@pytest.mark.parametrize("filters, expected", [
    (ProgrammeFilters(), {"A", "B", "C"}),
    (ProgrammeFilters(category="jcm"), {"A"}),
    (ProgrammeFilters(language="vi"), {"A", "B", "C"}),  # A and C are interpreted into Vietnamese
    (ProgrammeFilters(language="ja"), {"A", "C"}),
    (ProgrammeFilters(language="en"), {"C"}),
    (ProgrammeFilters(text="hai phong"), {"B"}),  # without diacritics
    (ProgrammeFilters(text="ＪＣＭ"), {"A"}),  # full-width letters
    (ProgrammeFilters(text="nguyen thi lan"), {"B"}),  # a speaker's name
])
def test_public_filters(app, filters, expected):
    ids = build_programme(app)
    names = {v: k for k, v in ids.items() if k in "ABC"}
    with app.test_request_context("/en/"):
        assert {names[s.id] for s in published_seminars(db.session, filters, TZ)} == expected


def test_grid_puts_rooms_in_columns_and_overlaps_in_lanes(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        room = db.session.get(Room, ids["r201"])
        svc.save_seminar(db.session, organiser(), seminar_data(room, start="09:45", end="10:15"), tz=TZ, allow_conflicts=True)
        svc.publish_seminars(db.session, organiser())
        rows = seminar_rows(published_seminars(db.session, ProgrammeFilters(), TZ, DAY1), "en")
        grid = build_grid(rows)
    assert [(room.name, lanes) for room, lanes in grid.rooms] == [("Main Hall", 1), ("Room 201", 2)]
    assert len(grid.times) == 6 and all(len(row) == 3 for row in grid.cells)  # 09:00–10:30 in 15-minute rows
    first = grid.cells[0][0]
    assert first.row.title.text == "JCM update" and first.rowspan == 4
    assert grid.cells[1][0] is None and grid.cells[2][1].rowspan == 4 and grid.cells[3][2].rowspan == 2


def _png(size=(40, 40), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_photos_are_checked_by_content_and_reencoded(ctx, fmt, mime):
    photo = check_photo(_png(fmt=fmt))
    assert photo.mime == mime
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == fmt


@pytest.mark.parametrize("data", [
    b"GIF89a not really",
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,  # PNG magic bytes, broken image
    b"%PDF-1.7 a document",
])
def test_non_images_are_refused(app, data):
    with app.test_request_context("/ja/"):
        g.lang_code = "ja"
        with pytest.raises(ValidationError) as caught:
            check_photo(data)
    assert caught.value.field == "photo"
    assert caught.value.message == translated(app, "ja", "This file is not a JPEG, PNG or WebP image.")


def test_oversized_photo_is_refused_and_nothing_is_stored(app, tmp_path):
    with app.test_request_context("/en/"):
        big = b"\xff\xd8\xff" + b"0" * PHOTO_MAX_BYTES
        with pytest.raises(ValidationError) as caught:
            save_speaker(db.session, organiser(), SpeakerData("Big Photo"), upload=big, folder=tmp_path)
        db.session.rollback()
        assert caught.value.field == "photo" and "2 MB" in caught.value.message
        assert list(tmp_path.iterdir()) == []


def test_uploaded_photo_is_stored_under_a_random_name(app, tmp_path):
    with app.test_request_context("/en/"):
        speaker = save_speaker(db.session, organiser(), SpeakerData("With Photo"), upload=_png(), folder=tmp_path)
        assert speaker.photo_type == "image/png" and (tmp_path / speaker.photo_file).is_file()
        assert speaker.photo_file.endswith(".png") and len(speaker.photo_file) == 36


def test_deleting_a_seminar_notifies_its_followers(app, make_company):
    ids = build_programme(app)
    company_id = make_company()
    with app.test_request_context("/en/"):
        user = db.session.scalar(select(User).where(User.company_id == company_id))
        seminar = db.session.get(Seminar, ids["C"])
        attendance.set_bookmark(db.session, user, seminar, on=True)
        svc.delete_seminar(db.session, organiser(), seminar)
        db.session.commit()
        notice = db.session.scalar(select(SeminarNotice))
        assert notice.kind == "cancelled" and notice.title == "Hydrogen for industry" and notice.seminar_id is None
        assert db.session.scalar(select(func.count()).select_from(Bookmark)) == 0
