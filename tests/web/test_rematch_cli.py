"""``flask event absent``: JSON on stdout, bad input exits non-zero and saves nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Absence, ReplacementProposal, ScheduledMeeting
from tests.rematch_helpers import waste_day


@pytest.fixture
def event_day(app, make_company, make_opportunity):
    """See ``waste_day``."""
    return waste_day(app, make_company, make_opportunity)


def test_absent_prints_freed_meetings_and_proposals(app, runner, event_day):
    e = event_day
    result = runner.invoke(args=["event", "absent", str(e["a"]), "--session", str(e["ms"]), "--from", "09:30"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"freed", "proposals", "refilled", "possible"}
    assert out["freed"] == [e["meetings"][1]]  # the 09:00 meeting is before the absence
    assert out["refilled"] == out["possible"] == len(out["proposals"]) >= 0
    for row in out["proposals"]:
        assert set(row) == {"slot", "a", "b", "table", "score"} and row["a"] < row["b"] and row["slot"] == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReplacementProposal)) == len(out["proposals"])
        assert db.session.get(ScheduledMeeting, e["meetings"][0]).status == "scheduled"


def test_absent_without_from_starts_at_the_session_start(app, runner, event_day):
    e = event_day
    result = runner.invoke(args=["event", "absent", str(e["a"]), "--session", str(e["ms"])])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert sorted(out["freed"]) == sorted(e["meetings"])
    # the partner left alone at 09:00 is refilled with the company that needs its plant
    assert {(r["slot"], r["a"], r["b"]) for r in out["proposals"]} >= {(0, min(e["p"], e["f"]), max(e["p"], e["f"]))}
    with app.app_context():
        assert db.session.scalar(select(Absence)).starts_at == e["start"]


@pytest.mark.parametrize("args, message", [
    (["999", "--session", "{ms}"], "COMPANY_ID"),
    (["{a}", "--session", "999"], "--session"),
    (["{a}", "--session", "{ms}", "--from", "25:00"], "--from"),
    (["{a}", "--session", "{ms}", "--from", "noon"], "--from"),
    (["{a}", "--session", "{ms}", "--from", "11:00"], "ended"),
])
def test_bad_input_exits_non_zero_and_saves_nothing(app, runner, event_day, args, message):
    args = [x.format(ms=event_day["ms"], a=event_day["a"]) for x in args]
    result = runner.invoke(args=["event", "absent", *args])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Absence)) == 0
        assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting).where(
            ScheduledMeeting.status != "scheduled")) == 0


def test_sweep_prints_the_companies_marked_absent(runner, event_day):
    result = runner.invoke(args=["event", "sweep"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"absent"} and set(out["absent"]) <= {str(event_day["ms"])}
    assert all(ids == [] for ids in out["absent"].values())  # tomorrow's session: nobody is late yet
