"""A small programme for the programme tests: two days a month from now, two rooms, two speakers,
three published seminars whose texts miss some languages on purpose.

Seminar "A" (Main Hall, day 1 09:00–10:00, Vietnam time): title ja + en, spoken ja with
interpretation into vi, 2 seats, speaker Sato. "B" (Room 201, day 1 09:30–10:30): title vi only,
speaker Lan. "C" (Main Hall, day 2 14:00–15:00): title en only, spoken en, interpretation ja + vi.
"""

from __future__ import annotations

from datetime import timedelta

from matchmaker.extensions import db
from matchmaker.models import Room, Seminar, Speaker, User, utcnow
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme import rooms as rooms_svc
from matchmaker.services.programme.speakers import SpeakerData, save_speaker

TZ = "Asia/Ho_Chi_Minh"
DAY1 = (utcnow() + timedelta(days=30)).date()
DAY2 = DAY1 + timedelta(days=1)


def organiser() -> User:
    """A transient organiser to act as (nothing is written for it)."""
    return User(email="cli@localhost", role="organiser", password_hash="!")


def seminar_data(room: Room, **overrides) -> svc.SeminarData:
    """Form-like data for a seminar in *room* on day 1, 11:00–12:00, with an English title."""
    values = dict(day=DAY1.isoformat(), start="11:00", end="12:00", room_id=room.id, titles={"en": "Extra session"},
                  spoken_language="en")
    values.update(overrides)
    return svc.SeminarData(**values)


def build_programme(app) -> dict[str, int]:
    """Create the small programme; return the ids by name ("A", "B", "C", "main", "r201", "sato", "lan")."""
    with app.app_context():
        actor = organiser()
        for day in (DAY1, DAY2):
            svc.add_event_day(db.session, actor, day)
        venue = rooms_svc.save_venue(db.session, actor, "Hanoi Centre")
        main = rooms_svc.save_room(db.session, actor, rooms_svc.RoomData(venue.id, "Main Hall", 300, "1F"))
        r201 = rooms_svc.save_room(db.session, actor, rooms_svc.RoomData(venue.id, "Room 201", 50, "2F"))
        sato = save_speaker(db.session, actor, SpeakerData("佐藤 健一", {"ja": "環境省", "en": "Ministry of the Environment"},
                                                           {"ja": "国際協力を担当。", "en": "Works on cooperation."}))
        lan = save_speaker(db.session, actor, SpeakerData("Nguyễn Thị Lan", {"vi": "Cục Biến đổi khí hậu"},
                                                          {"vi": "Chuyên gia chính sách khí hậu."}))
        ids = {"main": main.id, "r201": r201.id, "sato": sato.id, "lan": lan.id}
        specs = {
            "A": seminar_data(main, start="09:00", end="10:00", titles={"ja": "二国間クレジット制度の最新動向", "en": "JCM update"},
                              abstracts={"ja": "JCMの公募について説明します。"}, spoken_language="ja", interpretation=("vi",),
                              categories=["jcm"], capacity=2, speaker_ids=[sato.id], code="A"),
            "B": seminar_data(r201, start="09:30", end="10:30", titles={"vi": "Hợp tác Hải Phòng – Kitakyushu"},
                              spoken_language="vi", categories=["city-to-city"], speaker_ids=[lan.id], code="B"),
            "C": seminar_data(main, day=DAY2.isoformat(), start="14:00", end="15:00", titles={"en": "Hydrogen for industry"},
                              interpretation=("ja", "vi"), categories=["hydrogen"], code="C"),
        }
        for name, data in specs.items():
            ids[name] = svc.save_seminar(db.session, actor, data, tz=TZ).seminar.id
        svc.publish_seminars(db.session, actor)
        db.session.commit()
        return ids


def get(model, ident):
    """Shortcut for ``db.session.get``."""
    return db.session.get(model, ident)


__all__ = ["DAY1", "DAY2", "TZ", "Seminar", "Speaker", "build_programme", "get", "organiser", "seminar_data"]
