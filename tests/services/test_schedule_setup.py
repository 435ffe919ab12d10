"""Sessions, tables, caps and availability: slots in UTC, bad input refused whole, in the user's language."""

from datetime import datetime, time, timezone

import pytest
from flask import g
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, MatchSession, MeetingTable, SessionCompany, SessionSlot, Unavailability
from matchmaker.services.schedule import availability, sessions
from matchmaker.services.validation import ValidationError
from tests.conftest import translated
from tests.schedule_helpers import accept, company_user, new_session, organiser


def data(**overrides) -> sessions.SessionData:
    values = dict(name_en="Day 1", day="2026-12-01", start="09:00", end="12:00", timezone="Asia/Ho_Chi_Minh",
                  slot_minutes="25", buffer_minutes="5", breaks="10:30-10:45", tables="3", table_names="A1\nA2")
    return sessions.SessionData(**{**values, **overrides})


def test_session_gets_utc_slots_breaks_and_named_tables(ctx):
    saved = sessions.save_session(db.session, organiser(), data())
    db.session.commit()
    ms = db.session.get(MatchSession, saved.session.id)
    local = [f"{s.starts_at.hour + 7:02d}:{s.starts_at.minute:02d}" for s in ms.slots]
    assert local == ["09:00", "09:30", "10:00", "10:45", "11:15"]  # 10:30 falls in the break
    assert ms.slots[0].starts_at == datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    assert [t.name for t in ms.tables] == ["A1", "A2", "3"]
    assert [(b.start_time, b.end_time) for b in ms.breaks] == [(time(10, 30), time(10, 45))]


BAD = [
    (dict(end="08:00"), "end", "The session must end after it starts.", {}),
    (dict(slot_minutes="17"), "slot_minutes", "Use a meeting length in steps of %(step)d minutes, such as 20, 25 or 30.", {"step": 5}),
    (dict(slot_minutes="90"), "slot_minutes", "A meeting lasts from %(min)d to %(max)d minutes.", {"min": 15, "max": 60}),
    (dict(tables="0"), "tables", "A session needs at least one table.", {}),
    (dict(breaks="lunch"), "breaks", "“%(value)s” is not a break: write each break as 12:00-13:00, one per line.", {"value": "lunch"}),
    (dict(breaks="13:00-14:00"), "breaks", "The break %(value)s is outside the session's hours.", {"value": "13:00-14:00"}),
    (dict(table_names="A\nB\nC\nD"), "table_names",
     ("You gave %(names)d names for %(num)d table.", "You gave %(names)d names for %(num)d tables.", 3), {"names": 4}),
    (dict(table_names="A\nA"), "table_names", "Two tables are called “%(name)s”: give each table its own name.", {"name": "A"}),
    (dict(day="1/12/2026"), "day", "Enter a date such as 2026-12-01.", {}),
    (dict(start="nine"), "start", "Enter a time such as 09:00.", {}),
    (dict(timezone="Europe/Paris"), "timezone", "Choose Vietnam time or Japan time.", {}),
    (dict(end="09:20", breaks=""), "end", "No %(minutes)d-minute meeting fits between the start, the end and the breaks.", {"minutes": 25}),
]


def _expected(app, lang: str, message, params: dict) -> str:
    """The message as the catalog of *lang* words it: gettext, or ngettext for (singular, plural, n)."""
    from flask_babel import ngettext

    if isinstance(message, str):
        return translated(app, lang, message, **params).replace("&#39;", "'")
    return ngettext(*message, **params)


@pytest.mark.parametrize("overrides, field, message, params", BAD)
def test_bad_session_input_is_refused_in_the_users_language(app, overrides, field, message, params):
    with app.test_request_context("/ja/"):
        g.lang_code = "ja"
        with pytest.raises(ValidationError) as caught:
            sessions.save_session(db.session, organiser(), data(**overrides))
        db.session.rollback()
        assert caught.value.field == field
        assert caught.value.message == _expected(app, "ja", message, params)
        assert db.session.scalar(select(func.count(MatchSession.id))) == 0
        assert db.session.scalar(select(func.count(SessionSlot.id))) == 0


def test_overlapping_sessions_are_refused(ctx):
    new_session()
    with pytest.raises(ValidationError) as caught:
        sessions.save_session(db.session, organiser(), data(start="10:30", end="12:00", breaks=""))
    assert caught.value.field == "start" and "Day 1 morning" in caught.value.message


def test_changing_hours_carries_unavailability_over(ctx, make_company):
    company = make_company(name="Hai Phong Water", country="VN", languages="vi")
    ms_id = new_session()  # 09:00, 09:30, 10:00, 10:30
    availability.set_availability(db.session, company_user(company), ms_id, ["1"], "")
    db.session.commit()
    ms = db.session.get(MatchSession, ms_id)
    sessions.save_session(db.session, organiser(), data(name_en="Day 1 morning", start="09:00", end="11:00", slot_minutes="20",
                                                        buffer_minutes="0", breaks="", tables="2", table_names=""), ms)
    db.session.commit()
    numbers = db.session.scalars(select(SessionSlot.number).join(Unavailability).where(Unavailability.company_id == company))
    assert sorted(numbers) == [1, 2]  # 09:30-10:00 covers 09:20-09:40 and 09:40-10:00


def test_renaming_tables_can_swap_names(ctx):
    ms_id = new_session(table_names="North\nSouth")
    ms = db.session.get(MatchSession, ms_id)
    sessions.save_session(db.session, organiser(), data(start="09:00", end="11:00", slot_minutes="30", buffer_minutes="0",
                                                        breaks="", tables="2", table_names="South\nNorth"), ms)
    db.session.commit()
    assert [t.name for t in db.session.get(MatchSession, ms_id).tables] == ["South", "North"]


def test_cap_below_accepted_meetings_is_refused_and_nothing_saved(app, ctx, make_company):
    a = make_company(name="Osaka Hydrogen", country="JP")
    b = make_company(name="Da Nang Port", country="VN", languages="vi")
    c = make_company(name="Hue Solar", country="VN", languages="vi")
    accept(a, b)
    accept(a, c)
    ms_id = new_session()
    with pytest.raises(ValidationError) as caught:
        sessions.set_caps(db.session, organiser(), ms_id, {b: "3", a: "1"})
    assert caught.value.field == f"cap-{a}" and "Osaka Hydrogen" in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SessionCompany)) == 0
    sessions.set_caps(db.session, organiser(), ms_id, {a: "2", b: ""})
    db.session.commit()
    assert db.session.get(SessionCompany, (ms_id, a)).max_meetings == 2


@pytest.mark.parametrize("raw", ["9", "-1", "two"])
def test_cap_must_be_a_number_of_slots(ctx, make_company, raw):
    a = make_company()
    ms_id = new_session()
    with pytest.raises(ValidationError) as caught:
        availability.set_availability(db.session, company_user(a), ms_id, [], raw)
    assert caught.value.field == "max_meetings"


def test_availability_for_a_slot_that_does_not_exist(ctx, make_company):
    a = make_company()
    ms_id = new_session()
    with pytest.raises(ValidationError) as caught:
        availability.set_availability(db.session, company_user(a), ms_id, ["0", "7"], "")
    assert caught.value.field == "unavailable" and "7" in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unavailability)) == 0


def test_company_sees_its_own_availability(ctx, make_company):
    a = make_company()
    ms_id = new_session()
    availability.set_availability(db.session, company_user(a), ms_id, ["0", "3"], "2")
    db.session.commit()
    [row] = availability.availability_of(db.session, db.session.get(Company, a))
    assert row.session.id == ms_id and row.unavailable == {0, 3} and row.cap == 2


def test_a_company_gets_one_fixed_table(ctx, make_company):
    a = make_company()
    ms_id = new_session()
    ms = db.session.get(MatchSession, ms_id)
    first, second = ms.tables
    with pytest.raises(ValidationError) as caught:
        sessions.set_fixed_tables(db.session, organiser(), ms_id, {first.id: str(a), second.id: str(a)})
    assert caught.value.field in (f"table-{first.id}", f"table-{second.id}")
    db.session.rollback()
    sessions.set_fixed_tables(db.session, organiser(), ms_id, {first.id: "", second.id: str(a)})
    db.session.commit()
    assert db.session.get(MeetingTable, second.id).company_id == a


def test_only_organisers_set_up_sessions(ctx, make_company):
    a = make_company()
    with pytest.raises(PermissionError):
        sessions.save_session(db.session, company_user(a), data())
