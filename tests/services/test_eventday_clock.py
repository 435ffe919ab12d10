"""The event clock (``MATCHMAKER_EVENT_CLOCK``): the demo day can be run on another day.

With the clock set to the session's morning, a check-in at the desk counts for the session and an
absence marked "now" gets replacement proposals among the companies checked in; unset, it is the
real time. A wrong setting stops the start with a message naming the variable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from matchmaker.config import clock_offset
from matchmaker.extensions import db
from matchmaker.models import Badge, utcnow
from matchmaker.services.eventday import checkin, rematch, tokens
from matchmaker.services.eventday.clock import event_now
from matchmaker.services.eventday.rematch_state import checked_in
from tests.rematch_helpers import day_session, fixed_scores, local, publish
from tests.schedule_helpers import organiser


@pytest.fixture
def shifted(app):
    """Set the event clock by an offset for one test."""
    def shift(offset: timedelta) -> None:
        app.config["EVENT_CLOCK_OFFSET"] = offset
    yield shift
    app.config["EVENT_CLOCK_OFFSET"] = timedelta(0)


def test_clock_offset_parses_a_time_with_its_zone_and_refuses_others():
    real = datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc)
    assert clock_offset("2026-12-09T12:45+07:00", real) == timedelta(days=4, hours=10, minutes=45)
    assert clock_offset("", real) == timedelta(0) and clock_offset(None, real) == timedelta(0)
    with pytest.raises(ValueError, match="MATCHMAKER_EVENT_CLOCK needs its zone"):
        clock_offset("2026-12-09T12:45", real)
    with pytest.raises(ValueError, match="MATCHMAKER_EVENT_CLOCK must be an ISO 8601 time"):
        clock_offset("9 Dec noon", real)


def test_unset_clock_is_the_real_time(ctx):
    assert abs(event_now() - utcnow()) < timedelta(seconds=5)


def test_demo_day_on_another_day_checks_in_and_rematches(ctx, shifted, make_company):
    absent, partner, free = (make_company(name=n, country=c, languages="en")
                             for n, c in (("Absent Co", "VN"), ("Partner Co", "JP"), ("Free Co", "VN")))
    ms = day_session((utcnow() + timedelta(days=5)).date())
    publish(ms, absent, partner, 1, 0)
    shifted(local(ms, "08:30") - utcnow())
    for company in (partner, free):
        badge = Badge(company_id=company, name="Guest", nonce=tokens.new_nonce())
        db.session.add(badge)
        db.session.flush()
        assert checkin.check_in_badge(db.session, badge, organiser(), "search").ok
    db.session.commit()
    assert checked_in(db.session, ms) == {partner, free}  # stamped on the session's day

    result = rematch.mark_absent(db.session, absent, ms.id, None, "organiser", organiser(),
                                 config={"ABSENT_AFTER_MINUTES": 15},
                                 scores=fixed_scores({(partner, free): 0.6}))
    db.session.commit()
    assert [m.status for m in result.freed] == ["no-show"]
    assert [(p.company_low, p.company_high) for p in result.proposals] == [tuple(sorted((partner, free)))]
