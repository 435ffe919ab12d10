"""Slot and break maths of a session (pure, no app)."""

from datetime import date, datetime, time, timezone

import pytest

from matchmaker.core import intervals as iv
from matchmaker.core.intervals import Break, Interval, PlanError, SessionPlan, build_slots, parse_breaks

DAY = date(2026, 12, 1)


def plan(**overrides) -> SessionPlan:
    values = dict(day=DAY, start=time(9), end=time(12), slot_minutes=25, buffer_minutes=5, timezone="Asia/Ho_Chi_Minh")
    return SessionPlan(**{**values, **overrides})


def utc(h, m=0) -> datetime:
    return datetime(2026, 12, 1, h, m, tzinfo=timezone.utc)


def test_slots_follow_buffer_and_convert_to_utc():
    slots = build_slots(plan())
    assert len(slots) == 6  # 9:00, 9:30, ... 11:30 (local, UTC+7)
    assert slots[0] == Interval(utc(2), utc(2, 25))
    assert slots[1].start == utc(2, 30)
    assert slots[-1].end == utc(4, 55)


def test_japan_time_is_two_hours_earlier_in_utc():
    assert build_slots(plan(timezone="Asia/Tokyo"))[0].start == utc(0)


def test_slot_overlapping_a_break_starts_after_it_without_buffer():
    slots = build_slots(plan(breaks=(Break(time(10, 15), time(10, 45)),)))
    starts = [s.start for s in slots]
    assert starts == [utc(2), utc(2, 30), utc(3, 45), utc(4, 15)]  # 10:00-10:25 would cross it: 10:45
    assert not any(s.overlaps(Interval(utc(3, 15), utc(3, 45))) for s in slots)


def test_last_slot_must_fit_before_the_end():
    slots = build_slots(plan(end=time(10, 20), buffer_minutes=0, slot_minutes=20))
    assert [s.end for s in slots][-1] == utc(3, 20)
    assert len(slots) == 4


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        (dict(end=time(8)), "end", iv.END_BEFORE_START),
        (dict(end=time(9)), "end", iv.END_BEFORE_START),
        (dict(slot_minutes=10), "slot_minutes", iv.SLOT_LENGTH),
        (dict(slot_minutes=90), "slot_minutes", iv.SLOT_LENGTH),
        (dict(slot_minutes=17), "slot_minutes", iv.SLOT_STEP_CODE),
        (dict(buffer_minutes=-1), "buffer_minutes", iv.BUFFER),
        (dict(buffer_minutes=45), "buffer_minutes", iv.BUFFER),
        (dict(timezone="Mars/Olympus"), "timezone", iv.TIMEZONE),
        (dict(end=time(9, 20)), "end", iv.NO_SLOTS),
        (dict(breaks=(Break(time(11), time(10)),)), "breaks", iv.BREAK_ORDER),
        (dict(breaks=(Break(time(8), time(9, 30)),)), "breaks", iv.BREAK_OUTSIDE),
        (dict(breaks=(Break(time(10), time(11)), Break(time(10, 30), time(11, 30)))), "breaks", iv.BREAK_OVERLAP),
        (dict(start=time(0), end=time(23, 55), slot_minutes=15, buffer_minutes=0), "end", iv.TOO_MANY_SLOTS),
    ],
)
def test_bad_plans_name_field_and_reason(overrides, field, code):
    with pytest.raises(PlanError) as caught:
        build_slots(plan(**overrides))
    assert (caught.value.field, caught.value.code) == (field, code)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12:00-13:00", [(time(12), time(13))]),
        ("１２：００〜１３：００", [(time(12), time(13))]),  # typed with a Japanese IME
        ("12h00–13h00, 15:00 - 15:15", [(time(12), time(13)), (time(15), time(15, 15))]),
        ("15:00-15:15\n\n10:30~10:45", [(time(10, 30), time(10, 45)), (time(15), time(15, 15))]),
        ("", []),
    ],
)
def test_parse_breaks(text, expected):
    assert [(b.start, b.end) for b in parse_breaks(text)] == expected


@pytest.mark.parametrize("text", ["lunch", "12-13", "25:00-26:00", "12:00-"])
def test_unreadable_break_is_named(text):
    with pytest.raises(PlanError) as caught:
        parse_breaks(text)
    assert caught.value.code == iv.BREAK_FORMAT and caught.value.params["value"] == text.strip()


def test_format_breaks_round_trips():
    breaks = parse_breaks("15:00-15:15\n10:30-10:45")
    assert parse_breaks(iv.format_breaks(breaks)) == breaks


def test_remap_unavailable_keeps_overlapping_slots():
    old = build_slots(plan())  # 25 + 5
    new = build_slots(plan(slot_minutes=20, buffer_minutes=0))  # 9:00, 9:20, 9:40, ...
    assert iv.remap_unavailable(old, new, {1}) == {1, 2}  # old 9:30-9:55 covers new 9:20-9:40 and 9:40-10:00
    assert iv.remap_unavailable(old, new, {99}) == set()


def test_interval_overlap_is_half_open():
    a, b = Interval(utc(1), utc(2)), Interval(utc(2), utc(3))
    assert not a.overlaps(b) and a.overlaps(Interval(utc(1, 30), utc(2, 30)))
    assert iv.span([a, b]) == Interval(utc(1), utc(3)) and a.minutes == 60
