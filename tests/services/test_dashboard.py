"""The dashboard's aggregates on a known event (tests/dashboard_helpers.py)."""

from __future__ import annotations

from datetime import date

import pytest

from matchmaker.extensions import db
from matchmaker.models import ScheduledMeeting
from matchmaker.services.outcomes.dashboard import Filters, collect
from matchmaker.services.outcomes.data_version import dashboard_version
from matchmaker.services.outcomes.privacy import small_count
from tests.dashboard_helpers import known_event


@pytest.fixture
def event(ctx, make_company, make_opportunity):
    return known_event(make_company, make_opportunity)


def test_empty_before_any_company(ctx):
    board = collect(db.session, Filters())
    assert board.empty and board.funnel["suggested"] == 0 and board.sessions == [] and board.total_ratings == 0


def test_whole_event(event):
    board = collect(db.session, Filters())
    assert board.funnel == {"suggested": 7, "requested": 3, "accepted": 1, "scheduled": 6, "held": 4, "followed": 4}
    assert board.companies == {"JP": 4, "VN": 3, "other": 1} and board.meetings_held == 4
    assert board.ratings == {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}
    assert board.reached == {"contact": 4, "information": 3, "feasibility": 2, "agreement": 2, "proposal": 1,
                             "project": 0}
    first, second = board.sessions
    assert (first.slots, first.tables, first.meetings, first.capacity) == (4, 2, 4, 8)
    assert first.fill == 0.5 and first.quality == 0.8 and second.quality is None
    assert first.attendance == {"held": 3, "no-show": 1, "cancelled": 0, "scheduled": 0}
    assert second.attendance == {"held": 1, "no-show": 0, "cancelled": 1, "scheduled": 0}
    waste = next(row for row in board.areas if row.key == "waste-to-energy")
    assert waste.supply == {"jp-offers": 3, "vn-needs": 2, "vn-offers": 0, "jp-needs": 0}
    assert waste.meetings_held == 4 and waste.pairs_following == 4
    assert waste.stages == {"contact": 1, "information": 1, "feasibility": 0, "agreement": 1, "proposal": 1, "project": 0}
    hydrogen = next(row for row in board.areas if row.key == "hydrogen")
    assert hydrogen.supply == {"jp-offers": 1, "vn-needs": 1, "vn-offers": 0, "jp-needs": 0}
    assert board.registrations[-1][1] == {"JP": 4, "VN": 3, "other": 1}


def test_session_filter(event):
    board = collect(db.session, Filters(session_id=event["s1"]))
    assert board.funnel == {"suggested": 7, "requested": 3, "accepted": 1, "scheduled": 4, "held": 3, "followed": 3}
    assert board.ratings == {1: 0, 2: 0, 3: 1, 4: 2, 5: 1}
    assert [row.session_id for row in board.sessions] == [event["s1"]]
    assert board.reached["contact"] == 3 and board.meetings_held == 3


def test_day_filter_matches_the_days_session(event):
    assert collect(db.session, Filters(day=date(2026, 12, 2))).funnel["held"] == 1
    assert collect(db.session, Filters(day=date(2026, 12, 3))).funnel["scheduled"] == 0


def test_category_filter(event):
    board = collect(db.session, Filters(category="hydrogen"))
    assert board.funnel == {"suggested": 1, "requested": 1, "accepted": 0, "scheduled": 1, "held": 0, "followed": 0}
    assert board.sessions[0].attendance["no-show"] == 1 and board.sessions[0].attendance["held"] == 0
    assert board.sessions[0].meetings == 4  # the schedule's fill ignores the category filter
    assert board.total_ratings == 0 and [row.key for row in board.areas] == ["hydrogen"]
    assert board.registrations[-1][1] == {"JP": 1, "VN": 1, "other": 0}


def test_small_counts_are_hidden(event):
    board = collect(db.session, Filters())
    assert [small_count(board.ratings[n]) for n in (3, 4, 5)] == ["<3", "<3", "<3"]
    assert small_count(board.funnel["held"]) == "4"


def test_version_changes_with_counted_private_data(event):
    before = dashboard_version(db.session)
    assert dashboard_version(db.session) == before
    meeting = db.session.query(ScheduledMeeting).filter_by(status="cancelled").one()
    meeting.status = "held"
    db.session.commit()
    assert dashboard_version(db.session) != before
