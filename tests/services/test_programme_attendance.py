"""Bookmarks, seat reservations and the waiting list, including two people taking the last seat at once."""

import threading

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Reservation, Room, Seminar, SeminarNotice, User
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme import attendance
from matchmaker.services.validation import ValidationError
from tests.conftest import _HASH
from tests.programme_helpers import TZ, build_programme, organiser, seminar_data


def _users(app, count: int) -> list[int]:
    with app.app_context():
        users = [User(email=f"attendee{i}@example.com", password_hash=_HASH, role="organiser") for i in range(count)]
        db.session.add_all(users)
        db.session.commit()
        return [u.id for u in users]


def _reserve(user_id: int, seminar_id: int) -> str:
    user, seminar = db.session.get(User, user_id), db.session.get(Seminar, seminar_id)
    status = attendance.reserve_seat(db.session, user, seminar).status
    db.session.commit()
    return status


def test_seats_then_waiting_list_then_moving_up(app):
    ids = build_programme(app)  # seminar A has 2 seats
    first, second, third, fourth = _users(app, 4)
    with app.test_request_context("/en/"):
        assert [_reserve(u, ids["A"]) for u in (first, second, third, fourth)] == ["confirmed", "confirmed", "waiting", "waiting"]
        assert _reserve(first, ids["A"]) == "confirmed"  # asking again changes nothing
        seminar = db.session.get(Seminar, ids["A"])
        assert seminar.seats_taken == 2
        waiting = attendance.reservation_of(db.session, db.session.get(User, fourth), seminar)
        assert attendance.waiting_position(db.session, waiting) == 2

        promoted = attendance.cancel_reservation(db.session, db.session.get(User, second), seminar)
        db.session.commit()
        assert [u.id for u in promoted] == [third]
        statuses = dict(db.session.execute(select(Reservation.user_id, Reservation.status)).all())
        assert statuses == {first: "confirmed", second: "cancelled", third: "confirmed", fourth: "waiting"}
        assert seminar.seats_taken == 2
        assert attendance.waiting_position(db.session, waiting) == 1
        notice = db.session.scalar(select(SeminarNotice).where(SeminarNotice.user_id == third))
        assert notice.kind == "promoted"

        attendance.cancel_reservation(db.session, db.session.get(User, fourth), seminar)  # leaving the queue frees nothing
        db.session.commit()
        assert seminar.seats_taken == 2 and _reserve(second, ids["A"]) == "waiting"  # back at the end of the queue


def test_cancelling_with_nobody_waiting_frees_the_seat(app):
    ids = build_programme(app)
    (user,) = _users(app, 1)
    with app.test_request_context("/en/"):
        _reserve(user, ids["A"])
        seminar = db.session.get(Seminar, ids["A"])
        assert attendance.cancel_reservation(db.session, db.session.get(User, user), seminar) == []
        db.session.commit()
        assert seminar.seats_taken == 0


def test_raising_the_capacity_moves_people_up(app):
    ids = build_programme(app)
    users = _users(app, 4)
    with app.test_request_context("/en/"):
        for user in users:
            _reserve(user, ids["A"])
        seminar = db.session.get(Seminar, ids["A"])
        data = seminar_data(db.session.get(Room, ids["main"]), start="09:00", end="10:00", titles=seminar.texts("title"),
                            spoken_language="ja", capacity="3", speaker_ids=[ids["sato"]])
        svc.save_seminar(db.session, organiser(), data, tz=TZ, seminar=seminar)
        db.session.commit()
        assert seminar.seats_taken == 3
        assert db.session.scalar(select(func.count(Reservation.id)).where(Reservation.status == "waiting")) == 1
        data.capacity = "2"
        with pytest.raises(ValidationError) as caught:
            svc.save_seminar(db.session, organiser(), data, tz=TZ, seminar=seminar)
        assert caught.value.field == "capacity"


def test_no_reservation_for_seminars_without_capacity(app):
    ids = build_programme(app)
    (user,) = _users(app, 1)
    with app.test_request_context("/en/"):
        with pytest.raises(ValidationError):
            _reserve(user, ids["B"])


def test_two_concurrent_reservations_for_the_last_seat(app):
    """Two people press "reserve" for the last seat at the same moment: exactly one gets it."""
    ids = build_programme(app)
    holder, first, second = _users(app, 3)
    with app.app_context():
        _reserve(holder, ids["A"])  # one of the two seats is taken
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def attempt(user_id: int) -> None:
        try:
            with app.app_context():
                user, seminar = db.session.get(User, user_id), db.session.get(Seminar, ids["A"])
                barrier.wait(timeout=10)
                results[user_id] = attendance.reserve_seat(db.session, user, seminar).status
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results.values()) == ["confirmed", "waiting"]
    with app.app_context():
        assert db.session.get(Seminar, ids["A"]).seats_taken == 2
        confirmed = db.session.scalar(select(func.count(Reservation.id)).where(Reservation.status == "confirmed"))
        assert confirmed == 2


def test_bookmarks_toggle_and_import(app):
    ids = build_programme(app)
    (user_id,) = _users(app, 1)
    with app.test_request_context("/en/"):
        user, seminar = db.session.get(User, user_id), db.session.get(Seminar, ids["A"])
        attendance.set_bookmark(db.session, user, seminar, on=True)
        attendance.set_bookmark(db.session, user, seminar, on=True)
        assert attendance.bookmarked_ids(db.session, user) == {ids["A"]}
        assert attendance.import_bookmarks(db.session, user, [ids["A"], ids["B"], 999999]) == 1
        attendance.set_bookmark(db.session, user, seminar, on=False)
        assert attendance.bookmarked_ids(db.session, user) == {ids["B"]}
