"""Generating drafts: constraints, reasons, pins, atomic replacement, one run at a time, DB constraints."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from matchmaker.core.scheduling import Meeting, validate_schedule
from matchmaker.extensions import db
from matchmaker.models import (
    MatchSession,
    MeetingSeat,
    PairRule,
    ScheduledMeeting,
    ScheduleRun,
    SessionCompany,
    utcnow,
)
from matchmaker.services.schedule import availability, generation, review, sessions
from matchmaker.services.schedule.instance import build_instance
from tests.schedule_helpers import accept, company_user, generate, meetings, new_session, organiser, scores


@pytest.fixture
def four(make_company):
    """Two Japanese and two Vietnamese companies."""
    return [make_company(name=name, country=country, languages=lang) for name, country, lang in (
        ("Kitakyushu Eco", "JP", "ja"), ("Osaka Hydrogen", "JP", "ja,en"),
        ("Hai Phong Water", "VN", "vi"), ("Da Nang Solar", "VN", "vi,en"))]


def second_opinion(ms_id: int, candidates) -> list[str]:
    """Check the stored draft with the core's independent validator."""
    ms = db.session.get(MatchSession, ms_id)
    mapping = build_instance(db.session, ms, candidates(db.session, {}, ms))
    rows = [Meeting(str(m.company_low), str(m.company_high), m.slot.number, m.table.number) for m in meetings(ms_id)]
    return validate_schedule(mapping.instance, rows)


def test_required_first_then_best_candidates_with_report(app, ctx, four):
    a, b, c, d = four
    accept(a, c)
    source = scores({(a, d): 0.9, (b, c): 0.8, (b, d): 0.7, (a, b): 0.2})
    ms_id = new_session()  # 4 slots, 2 tables
    assert generate(app, ms_id, source) == "done"
    pairs = {m.pair for m in meetings(ms_id)}
    assert tuple(sorted((a, c))) in pairs and len(pairs) == 5
    run = db.session.scalar(select(ScheduleRun))
    assert run.status == "done" and run.meetings_count == 5 and run.fewest_meetings >= 2
    assert run.bound >= run.score - 1e-9 and run.score > 0 and 0 < run.fraction <= 1 + 1e-9 and run.seconds >= 0
    assert db.session.get(MatchSession, ms_id).generation_lock is None
    assert second_opinion(ms_id, source) == []


def test_unplaced_required_meeting_gets_a_reason(app, ctx, four):
    a, b, c, d = four
    accept(a, c)
    ms_id = new_session()
    availability.set_availability(db.session, company_user(a), ms_id, ["0", "1"], "")
    availability.set_availability(db.session, company_user(c), ms_id, ["2", "3"], "")
    db.session.commit()
    generate(app, ms_id)
    run = db.session.scalar(select(ScheduleRun))
    assert run.unplaced == [{"a": min(a, c), "b": max(a, c), "reason": "no_common_free_slot"}]
    assert meetings(ms_id) == []


def test_caps_forbids_and_fixed_tables_are_honoured(app, ctx, four):
    a, b, c, d = four
    source = scores({(a, c): 0.9, (a, d): 0.9, (b, c): 0.5, (b, d): 0.5})
    ms_id = new_session()
    ms = db.session.get(MatchSession, ms_id)
    sessions.set_fixed_tables(db.session, organiser(), ms_id, {ms.tables[1].id: str(b)})
    sessions.set_caps(db.session, organiser(), ms_id, {a: "1"})
    low, high = sorted((b, d))
    db.session.add(PairRule(company_low=low, company_high=high, rule="forbid"))
    db.session.commit()
    generate(app, ms_id, source)
    rows = meetings(ms_id)
    assert sum(a in m.pair for m in rows) == 1
    assert (low, high) not in {m.pair for m in rows}
    for m in rows:
        assert (m.table.number == 1) == (b in m.pair)
    assert second_opinion(ms_id, source) == []


def test_pinned_meeting_stays_in_place_when_generating_again(app, ctx, four):
    a, b, c, d = four
    source = scores({(a, c): 0.9, (b, d): 0.8})
    ms_id = new_session()
    ms = db.session.get(MatchSession, ms_id)
    added = review.add_meeting(db.session, organiser(), ms_id, a, d, ms.slots[3].id, ms.tables[1].id).pair
    db.session.commit()
    generate(app, ms_id, source)
    pinned = [m for m in meetings(ms_id) if m.pinned]
    assert [(m.pair, m.slot.number, m.table.number, m.source) for m in pinned] == [(added, 3, 1, "manual")]
    assert {m.pair for m in meetings(ms_id)} >= {tuple(sorted((a, c))), tuple(sorted((b, d)))}


def test_regenerating_replaces_the_draft_and_leaves_published_alone(app, ctx, four):
    a, b, c, d = four
    ms_id = new_session()
    generate(app, ms_id, scores({(a, c): 0.9}))
    from matchmaker.services.schedule.publish import publish_schedule

    publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    generate(app, ms_id, scores({(b, d): 0.9}))
    assert [m.pair for m in meetings(ms_id)] == [tuple(sorted((b, d)))]
    assert [m.pair for m in meetings(ms_id, "published")] == [tuple(sorted((a, c)))]


def test_a_crash_while_writing_keeps_the_previous_draft(app, ctx, four, monkeypatch):
    a, b, c, d = four
    ms_id = new_session()
    generate(app, ms_id, scores({(a, c): 0.9, (b, d): 0.8}))
    before = [(m.pair, m.slot_id, m.table_id) for m in meetings(ms_id)]
    real_insert = generation.insert_meetings

    def crash_half_way(session, rows):
        real_insert(session, rows[:1])  # the first meeting is written...
        raise RuntimeError("power cut")  # ...then the process dies

    monkeypatch.setattr(generation, "insert_meetings", crash_half_way)
    assert generate(app, ms_id, scores({(a, d): 0.9, (b, c): 0.8})) == "failed"
    assert [(m.pair, m.slot_id, m.table_id) for m in meetings(ms_id)] == before
    run = db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()))
    assert run.status == "failed" and "power cut" in run.error
    assert db.session.get(MatchSession, ms_id).generation_lock is None  # the next run may start


def test_a_second_run_is_told_while_the_first_holds_the_lock(ctx, four):
    ms_id = new_session()
    generation.start_generation(db.session, organiser(), ms_id)
    db.session.commit()
    with pytest.raises(generation.GenerationBusy):
        generation.start_generation(db.session, organiser(), ms_id)
    db.session.rollback()
    assert db.session.scalar(select(func.count(ScheduleRun.id))) == 1


def test_two_runs_started_at_the_same_moment_get_one_lock(app, four):
    with app.app_context():
        ms_id = new_session()
    barrier, outcomes = threading.Barrier(2), []

    def start():
        with app.app_context():
            barrier.wait()
            try:
                generation.start_generation(db.session, organiser(), ms_id)
                db.session.commit()
                outcomes.append("started")
            except generation.GenerationBusy:
                db.session.rollback()
                outcomes.append("busy")
            except IntegrityError:  # both created the organiser row: count as told
                db.session.rollback()
                outcomes.append("busy")

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["busy", "started"]


def test_a_dead_run_is_taken_over_and_cannot_write_afterwards(app, ctx, four):
    a, b, c, d = four
    ms_id = new_session()
    old = generation.start_generation(db.session, organiser(), ms_id, time_limit=5)
    db.session.commit()
    later = utcnow() + timedelta(hours=1)
    new = generation.start_generation(db.session, organiser(), ms_id, now=later)
    db.session.commit()
    assert db.session.get(ScheduleRun, old.id).status == "failed"
    assert generation.run_generation(app, old.id, candidates=scores({(a, c): 0.9})) == "failed"
    assert meetings(ms_id) == []
    assert generation.run_generation(app, new.id, candidates=scores({(b, d): 0.9})) == "done"
    db.session.expire_all()
    assert [m.pair for m in meetings(ms_id)] == [tuple(sorted((b, d)))]


@pytest.mark.parametrize("clash", ["company", "table"])
def test_database_refuses_double_booking(ctx, four, clash):
    a, b, c, d = four
    ms = db.session.get(MatchSession, new_session())
    slot = ms.slots[0].id
    first = ScheduledMeeting(session_id=ms.id, slot_id=slot, table_id=ms.tables[0].id, company_low=a, company_high=b)
    second_pair = (a, c) if clash == "company" else (c, d)
    second_table = ms.tables[1].id if clash == "company" else ms.tables[0].id
    second = ScheduledMeeting(session_id=ms.id, slot_id=slot, table_id=second_table, company_low=min(second_pair),
                              company_high=max(second_pair))
    with pytest.raises(IntegrityError):
        for meeting in (first, second):
            db.session.add(meeting)
            db.session.flush()
            db.session.add_all([MeetingSeat(meeting_id=meeting.id, company_id=cid, state="draft", slot_id=slot) for cid in meeting.pair])
            db.session.flush()


def test_options_are_checked(ctx):
    ms_id = new_session()
    with pytest.raises(generation.ValidationError) as caught:
        generation.start_generation(db.session, organiser(), ms_id, time_limit=0)
    assert caught.value.field == "time_limit"
    with pytest.raises(generation.ValidationError):
        generation.start_generation(db.session, organiser(), ms_id, method="magic")


def test_greedy_method_runs_the_same_path(app, ctx, four):
    a, b, c, d = four
    ms_id = new_session()
    assert generate(app, ms_id, scores({(a, c): 0.9, (b, d): 0.5}), method="greedy") == "done"
    assert db.session.scalar(select(ScheduleRun.method)) == "greedy" and len(meetings(ms_id)) == 2


def test_cap_row_of_zero_means_no_meetings(app, ctx, four):
    a, b, c, d = four
    ms_id = new_session()
    db.session.add(SessionCompany(session_id=ms_id, company_id=a, max_meetings=0))
    db.session.commit()
    generate(app, ms_id, scores({(a, c): 0.9, (b, d): 0.5}))
    assert all(a not in m.pair for m in meetings(ms_id))


def test_each_new_stage_reaches_the_run_row_however_fast_it_comes(app, four):
    """The page shows the solver's stage: a new stage is written at once, repeats of one stage
    at most every PROGRESS_EVERY seconds."""
    with app.app_context():
        run = generation.start_generation(db.session, organiser(), new_session(), method="optimal")
        db.session.commit()
        seen = []
        report = generation._Reporter(db.session, run.id, lambda stage, fraction: seen.append(stage))
        stored = []
        for stage, fraction in [("prepare", 0.0), ("bound", 0.1), ("bound", 0.2), ("solve", 0.5)]:
            report(stage, fraction)
            db.session.expire_all()
            row = db.session.get(ScheduleRun, run.id)
            stored.append((row.stage, row.progress))
        assert seen == ["prepare", "bound", "bound", "solve"]
        assert stored == [("prepare", 0.0), ("bound", 0.1), ("bound", 0.1), ("solve", 0.5)]
