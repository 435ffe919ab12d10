"""Same-day re-matching services: absences free later meetings, proposals, confirm/accept/decline/expire."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (
    Absence,
    MeetingEvent,
    MeetingSeat,
    MeetingTable,
    Notification,
    PairRule,
    ScheduledMeeting,
    SessionCompany,
    Unavailability,
)
from matchmaker.services import outbox
from matchmaker.services.eventday import rematch, replacements
from matchmaker.services.validation import ValidationError
from tests.rematch_helpers import check_in, day_session, fixed_scores, local, proposals, publish
from tests.schedule_helpers import company_user, organiser


@pytest.fixture
def firms(make_company):
    """Six companies: A (goes absent), its partners P1, P2, and free companies F1, F2, F3."""
    names = ["Absent Co", "Partner One", "Partner Two", "Free One", "Free Two", "Free Three"]
    return [make_company(name=n, country="JP" if i % 2 else "VN", languages="en") for i, n in enumerate(names)]


@pytest.fixture
def day(ctx, firms):
    """A published day: A meets P1 in slot 0 (table 0) and P2 in slot 2 (table 0); everyone checked in but A."""
    a, p1, p2, f1, f2, f3 = firms
    ms = day_session()
    publish(ms, a, p1, 0, 0)
    publish(ms, a, p2, 2, 0)
    check_in(ms, p1, p2, f1, f2, f3)
    return ms


def absent(ms, company, hhmm=None, scores=None, now="08:30", reason="organiser"):
    return rematch.mark_absent(db.session, company, ms.id, local(ms, hhmm) if hhmm else None, reason, organiser(),
                               config={"ABSENT_AFTER_MINUTES": 15}, scores=scores or fixed_scores({}),
                               now=local(ms, now))


def replaced(ms, a, p1, f1):
    """A is absent from the start; P1 is refilled with F1 and the organiser confirms it."""
    absent(ms, a, scores=fixed_scores({(p1, f1): 0.4}))
    db.session.commit()
    replacements.confirm_all(db.session, ms.id, organiser(), now=local(ms, "08:40"))
    db.session.commit()


def test_absence_from_a_time_frees_only_the_meetings_from_then_on(day, firms):
    a, p1, p2, *_ = firms
    result = absent(day, a, "09:45")
    db.session.commit()
    statuses = {m.company_high if m.company_low == a else m.company_low: (m.status, m.no_show_side, m.sequence)
                for m in db.session.scalars(select(ScheduledMeeting))}
    assert statuses[p1] == ("scheduled", None, 0)
    side = "low" if a < p2 else "high"
    assert statuses[p2] == ("no-show", side, 1)
    assert [m.company_low for m in result.freed] == [min(a, p2)]
    assert db.session.scalar(select(func.count()).select_from(MeetingSeat)) == 2  # only the 09:00 meeting sits
    event = db.session.scalar(select(MeetingEvent))
    assert (event.kind, event.new, event.company_id) == ("freed", "no-show", a)
    notice = db.session.scalar(select(Notification).where(Notification.company_id == p2))
    assert (notice.kind, notice.partner_name, notice.meeting_id) == ("meeting_freed", "Absent Co", result.freed[0].id)


def test_partner_gets_the_best_checked_in_free_company_and_mail_in_its_language(day, firms):
    a, p1, p2, f1, f2, f3 = firms
    result = absent(day, a, scores=fixed_scores({(p1, f1): 0.4, (p1, f2): 0.9, (p2, f3): 0.7}))
    assert {(p.company_low, p.company_high) for p in result.proposals} == {tuple(sorted((p1, f2))),
                                                                          tuple(sorted((p2, f3)))}
    assert (result.refilled, result.possible) == (2, 2)
    mails = outbox.queued(db.session)
    assert any("replacement meeting with Partner One is proposed" in subject for _to, subject, _b in mails)
    db.session.commit()
    by_slot = {p.slot_id: p for p in proposals(day.id)}
    assert by_slot[day.slots[0].id].table_id == day.tables[0].id  # the partner keeps its table


def test_companies_not_checked_in_absent_or_busy_are_not_proposed(day, firms):
    a, p1, p2, f1, f2, f3 = firms
    publish(day, f2, f3, 0, 1)  # busy in slot 0
    db.session.execute(db.delete(replacements.ReplacementProposal))
    result = absent(day, a, "09:00", scores=fixed_scores({(p1, f2): 0.9, (p1, a): 0.95, (p1, f1): 0.2}))
    assert [(p.company_low, p.company_high) for p in result.proposals if p.slot_id == day.slots[0].id] \
        == [tuple(sorted((p1, f1)))]


def test_unchecked_company_is_not_proposed(ctx, firms):
    a, p1, _p2, f1, f2, _f3 = firms
    ms = day_session()
    publish(ms, a, p1, 0, 0)
    check_in(ms, p1, f1)  # f2 has not come
    result = absent(ms, a, scores=fixed_scores({(p1, f2): 0.9, (p1, f1): 0.1}))
    assert [(p.company_low, p.company_high) for p in result.proposals] == [tuple(sorted((p1, f1)))]


def test_caps_forbids_tables_and_availability_are_respected(ctx, firms):
    a, p1, p2, f1, f2, f3 = firms
    ms = day_session(tables=2)
    publish(ms, a, p1, 0, 0)
    publish(ms, a, p2, 1, 0)
    publish(ms, f3, f2, 1, 1)  # slot 1 has no other table free than A's
    check_in(ms, p1, p2, f1, f2, f3)
    db.session.add(SessionCompany(session_id=ms.id, company_id=f1, max_meetings=0))  # f1 wants no meeting
    db.session.add(PairRule(company_low=min(p1, f2), company_high=max(p1, f2), rule="forbid"))
    db.session.add(Unavailability(slot_id=ms.slots[0].id, company_id=f3))
    db.session.commit()
    result = absent(ms, a, scores=fixed_scores({(p1, f1): 0.9, (p1, f2): 0.9, (p1, f3): 0.9, (p2, f1): 0.8}))
    assert result.proposals == [] and result.possible == 0
    # a table is freed in slot 1: p2 can meet... nobody it is scored with and free, still none
    assert result.outcome.lone == 2


def test_fixed_table_of_an_absent_exhibitor_is_not_lent_out(ctx, firms):
    a, p1, _p2, f1, _f2, _f3 = firms
    ms = day_session(tables=1)
    db.session.get(MeetingTable, ms.tables[0].id).company_id = a
    db.session.commit()
    publish(ms, a, p1, 0, 0)
    check_in(ms, p1, f1)
    assert absent(ms, a, scores=fixed_scores({(p1, f1): 0.9})).proposals == []


def test_remarking_is_idempotent_and_an_earlier_time_frees_more(day, firms):
    a, p1, p2, *_ = firms
    absent(day, a, "09:45")
    db.session.commit()
    again = absent(day, a, "10:00")
    assert again.freed == []
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 1
    earlier = absent(day, a, "09:00")
    db.session.commit()
    assert [m.company_low for m in earlier.freed] == [min(a, p1)]
    assert db.session.scalar(select(Absence)).starts_at == local(day, "09:00")
    assert db.session.scalar(select(func.count()).select_from(MeetingEvent)) == 2


def test_default_start_is_the_session_start_and_a_time_after_the_end_is_refused(day, firms):
    a = firms[0]
    result = absent(day, a)
    assert result.absence.starts_at == local(day, "09:00")
    db.session.rollback()
    with pytest.raises(ValidationError):
        absent(day, a, "11:00")


def test_organiser_confirms_all_and_the_meetings_are_published_with_seats(day, firms):
    a, p1, p2, f1, f2, f3 = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.4, (p2, f3): 0.7}))
    db.session.commit()
    done = replacements.confirm_all(db.session, day.id, organiser(), now=local(day, "08:40"))
    db.session.commit()
    assert (done.made, done.expired) == (2, 0)
    made = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.source == "replacement")).all()
    assert {(m.company_low, m.company_high, m.status, m.state) for m in made} == {
        (*sorted((p1, f1)), "replacement", "published"), (*sorted((p2, f3)), "replacement", "published")}
    assert all(m.sequence == day.publications + 1 for m in made)
    assert db.session.scalar(select(func.count()).select_from(MeetingSeat)) == 4
    assert {p.status for p in proposals(day.id)} == {"confirmed"}
    kinds = db.session.scalars(select(Notification.kind).where(Notification.company_id == f1)).all()
    assert kinds == ["replacement_proposed", "replacement_made"]


def test_both_companies_accept_on_their_phones(day, firms):
    a, p1, _p2, f1, *_ = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.4}))
    db.session.commit()
    proposal = proposals(day.id)[0]
    assert replacements.accept(db.session, proposal.id, company_user(p1), now=local(day, "08:40")) == "proposed"
    assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting).where(
        ScheduledMeeting.source == "replacement")) == 0
    assert replacements.accept(db.session, proposal.id, company_user(f1), now=local(day, "08:41")) == "confirmed"
    db.session.commit()
    assert db.session.get(ScheduledMeeting, proposal.meeting_id).status == "replacement"


def test_a_company_cannot_answer_another_pairs_proposal(day, firms):
    a, p1, _p2, f1, f2, _f3 = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.4}))
    db.session.commit()
    proposal = proposals(day.id)[0]
    with pytest.raises(PermissionError):
        replacements.accept(db.session, proposal.id, company_user(f2))
    with pytest.raises(PermissionError):
        rematch.decline(db.session, proposal.id, company_user(f2), config={})
    with pytest.raises(PermissionError):
        replacements.confirm(db.session, proposal.id, company_user(p1))
    assert proposals(day.id)[0].status == "proposed"


def test_decline_gives_the_next_best_partner(day, firms):
    a, p1, _p2, f1, f2, _f3 = firms
    scores = fixed_scores({(p1, f1): 0.9, (p1, f2): 0.3})
    absent(day, a, scores=scores)
    db.session.commit()
    first = [p for p in proposals(day.id) if p.slot_id == day.slots[0].id][0]
    assert f1 in (first.company_low, first.company_high)
    rematch.decline(db.session, first.id, company_user(f1), config={}, scores=scores, now=local(day, "08:40"))
    db.session.commit()
    open_now = proposals(day.id, "proposed")
    assert [(p.company_low, p.company_high) for p in open_now] == [tuple(sorted((p1, f2)))]
    assert proposals(day.id, "declined")[0].id == first.id


def test_stale_proposals_expire_and_never_make_half_a_meeting(day, firms):
    a, p1, _p2, f1, f2, _f3 = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.9}))
    db.session.commit()
    proposal = proposals(day.id)[0]
    # meanwhile f1 got a meeting at that slot
    publish(day, f1, f2, 0, 1)
    assert replacements.confirm(db.session, proposal.id, organiser(), now=local(day, "08:40")) is None
    db.session.commit()
    assert proposals(day.id)[0].status == "expired"
    assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting).where(
        ScheduledMeeting.source == "replacement")) == 0


def test_a_proposal_whose_slot_started_expires(day, firms):
    a, p1, _p2, f1, *_ = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.9}))
    db.session.commit()
    done = replacements.confirm_all(db.session, day.id, organiser(), now=local(day, "09:05"))
    assert (done.made, done.expired) == (0, 1)


def test_sweep_marks_companies_not_checked_in_before_their_first_meeting(day, firms):
    a, p1, *_ = firms
    config = {"ABSENT_AFTER_MINUTES": 15}
    assert rematch.sweep_not_checked_in(db.session, day, config=config, scores=fixed_scores({}),
                                        now=local(day, "08:40")) == []
    marked = rematch.sweep_not_checked_in(db.session, day, config=config, scores=fixed_scores({}),
                                          now=local(day, "08:46"))
    assert marked == [a]
    absence = db.session.scalar(select(Absence))
    assert (absence.reason, absence.starts_at) == ("not-checked-in", local(day, "09:00"))
    assert rematch.sweep_not_checked_in(db.session, day, config=config, now=local(day, "08:50")) == []


def test_sweep_task_runs_as_a_job(app, firms):
    from matchmaker.extensions import db as _db

    with app.app_context():
        assert rematch.sweep_task(app) == 0  # tomorrow's sessions: nobody is late yet
        assert _db.session.scalar(select(func.count()).select_from(Absence)) == 0


def test_overview_figures(day, firms):
    from matchmaker.services.eventday import rematch_overview

    a, p1, p2, f1, *_ = firms
    replaced(day, a, p1, f1)
    view = rematch_overview.overview(db.session, day)
    assert (view.freed_count, view.refilled, view.possible) == (2, 1, 1)
    assert [row.reason for row in view.absences] == ["organiser"]
    assert view.absences[0].starts_at == local(day, "09:00")


def test_table_sheets_show_the_replacement_at_the_freed_table(day, firms):
    from matchmaker.services.schedule.review import load_board

    a, p1, _p2, f1, *_ = firms
    replaced(day, a, p1, f1)
    table, cells = load_board(db.session, day, "published").grid()[0]
    assert (cells[0].source, cells[0].pair) == ("replacement", tuple(sorted((p1, f1))))


def test_the_partners_calendar_gets_the_replacement_and_the_freed_meeting_a_higher_sequence(app, day, firms):
    from icalendar import Calendar

    from matchmaker.services import agenda

    a, p1, _p2, f1, *_ = firms
    replaced(day, a, p1, f1)
    with app.test_request_context("/en/"):
        items = agenda.agenda_items(db.session, company_user(p1))
        events = Calendar.from_ical(agenda.agenda_calendar(items, "Asia/Ho_Chi_Minh", "Week")).walk("VEVENT")
    by_summary = {str(e["SUMMARY"]): (int(e["SEQUENCE"]), str(e.get("STATUS", ""))) for e in events}
    assert by_summary["Meeting with Free One"] == (day.publications + 1, "")
    assert by_summary["Cancelled: Meeting with Absent Co"] == (1, "CANCELLED")


def test_a_proposal_confirmed_twice_makes_one_meeting(day, firms):
    a, p1, _p2, f1, *_ = firms
    absent(day, a, scores=fixed_scores({(p1, f1): 0.4}))
    db.session.commit()
    proposal = proposals(day.id)[0]
    first = replacements.confirm(db.session, proposal.id, organiser(), now=local(day, "08:40"))
    again = replacements.confirm(db.session, proposal.id, organiser(), now=local(day, "08:41"))
    db.session.commit()
    assert first is not None and again is None
    assert proposals(day.id)[0].status == "confirmed"
    assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting).where(
        ScheduledMeeting.source == "replacement")) == 1


def test_the_partner_is_told_in_its_own_language(app, ctx, make_company):
    from tests.conftest import translated

    a = make_company(name="Absent Co", country="VN", languages="vi")
    p = make_company(name="北九州エコ", country="JP", languages="ja", email="p@kitakyushu.example")
    ms = day_session()
    publish(ms, a, p, 0, 0)
    check_in(ms, p)
    absent(ms, a)
    [(to, subject, body)] = [m for m in outbox.queued(db.session) if m[0] == "p@kitakyushu.example"]
    assert translated(app, "ja", "%(name)s cannot attend your meeting", name="Absent Co") in subject
    assert translated(app, "ja", "%(name)s cannot attend: your meeting with them is cancelled. We are looking for "
                                 "another partner for you in that slot.", name="Absent Co") in body


def test_the_freed_meeting_does_not_warn_of_an_overlap_with_its_replacement(app, day, firms):
    from matchmaker.services import agenda

    a, p1, _p2, f1, *_ = firms
    replaced(day, a, p1, f1)
    with app.test_request_context("/en/"):
        items = agenda.agenda_items(db.session, company_user(p1))
    assert [(i.title, "" if i.live else "CANCELLED", i.warnings) for i in items if i.start == local(day, "09:00")] == [
        ("Meeting with Absent Co", "CANCELLED", []), ("Meeting with Free One", "", [])]


def test_sweep_frees_every_late_company_then_proposes_once(ctx, firms):
    a, p1, p2, f1, f2, f3 = firms
    ms = day_session()
    publish(ms, a, p1, 1, 0)
    publish(ms, p2, f2, 1, 1)
    check_in(ms, p1, f1, f3)  # a, p2 and f2 have not come
    calls = []

    def scores(session, config, m):
        calls.append(m.id)
        return {tuple(sorted((p1, f1))): 0.5}

    marked = rematch.sweep_not_checked_in(db.session, ms, config={"ABSENT_AFTER_MINUTES": 15}, scores=scores,
                                          now=local(ms, "09:20"))
    assert sorted(marked) == sorted([a, f2, p2])
    assert calls == [ms.id]
    assert [(p.company_low, p.company_high) for p in proposals(ms.id)] == [tuple(sorted((p1, f1)))]


def test_two_organisers_confirming_all_at_once_make_each_meeting_once(app, firms):
    import threading

    a, p1, p2, f1, _f2, f3 = firms
    with app.app_context():
        ms = day_session()
        publish(ms, a, p1, 0, 0)
        publish(ms, a, p2, 2, 0)
        check_in(ms, p1, p2, f1, f3)
        absent(ms, a, scores=fixed_scores({(p1, f1): 0.4, (p2, f3): 0.7}))
        db.session.commit()
        ms_id, now = ms.id, local(ms, "08:40")
    barrier, results, errors = threading.Barrier(2), [], []

    def confirm_all():
        with app.app_context():
            barrier.wait()
            try:
                results.append(replacements.confirm_all(db.session, ms_id, organiser(), now=now).made)
                db.session.commit()
            except Exception as error:  # a lock or serialisation failure leaves this one's work out
                db.session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=confirm_all) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with app.app_context():
        made = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.source == "replacement")).all()
        assert sorted((m.company_low, m.company_high) for m in made) == sorted(
            [tuple(sorted((p1, f1))), tuple(sorted((p2, f3)))])
        assert {p.status for p in proposals(ms_id)} == {"confirmed"}
        assert db.session.scalar(select(func.count()).select_from(MeetingSeat)) == 4


def test_the_on_site_partner_of_an_absent_online_company_gets_a_replacement_at_a_free_table(ctx, firms):
    a, p1, p2, f1, f2, f3 = firms
    ms = day_session(tables=2)
    db.session.add_all([SessionCompany(session_id=ms.id, company_id=a, mode="online"),
                        SessionCompany(session_id=ms.id, company_id=f2, mode="online")])
    low, high = sorted((a, p1))
    db.session.add(ScheduledMeeting(session_id=ms.id, state="published", slot_id=ms.slots[0].id, table_id=None,
                                    online=True, video_url="https://meet.example.org/x", company_low=low,
                                    company_high=high, score=0.5))
    publish(ms, p2, f1, 0, 0)  # table 0 is taken in slot 0
    db.session.commit()
    check_in(ms, p1, p2, f1, f3)
    # F2 attends online and F1 is busy: P1 (on site) gets F3 at the free table 1
    result = absent(ms, a, scores=fixed_scores({(p1, f2): 0.95, (p1, f1): 0.9, (p1, f3): 0.3}))
    db.session.commit()
    assert [(p.company_low, p.company_high, p.table_id) for p in result.proposals] == [(*sorted((p1, f3)), ms.tables[1].id)]
    assert (result.refilled, result.possible) == (1, 1)
