"""Reviewing and publishing: edits refused with the reason, draft invisible until published, notifications."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, MeetingSeat, ScheduledMeeting, ScheduleNotification
from matchmaker.services import agenda
from matchmaker.services.schedule import availability, generation, publish, review
from matchmaker.services.schedule.common import ScheduleBusy
from matchmaker.services.validation import ValidationError
from tests.conftest import translated
from tests.schedule_helpers import company_user, generate, meetings, new_session, organiser, scores


@pytest.fixture
def event(app, make_company):
    """Four companies and a generated draft: a-c and b-d meet."""
    ids = [make_company(name=name, country=country, languages=lang) for name, country, lang in (
        ("Kitakyushu Eco", "JP", "ja"), ("Osaka Hydrogen", "JP", "ja,en"),
        ("Hai Phong Water", "VN", "vi"), ("Da Nang Solar", "VN", "vi,en"))]
    a, b, c, d = ids
    with app.app_context():
        ms_id = new_session()
        generate(app, ms_id, scores({(a, c): 0.9, (b, d): 0.8}))
    return ms_id, ids


def draft_of(pair):
    """The draft meeting of a pair."""
    return db.session.scalar(select(ScheduledMeeting).where(
        ScheduledMeeting.state == "draft", ScheduledMeeting.company_low == min(pair), ScheduledMeeting.company_high == max(pair)))


def test_move_to_a_taken_table_is_refused_with_the_reason(ctx, event):
    ms_id, (a, b, c, d) = event
    ac, bd = draft_of((a, c)), draft_of((b, d))
    with pytest.raises(ValidationError) as caught:
        review.move_meeting(db.session, organiser(), ac.id, bd.slot_id, bd.table_id)
    assert "is taken at" in caught.value.message or "already has a meeting" in caught.value.message


def test_move_into_an_unavailable_slot_is_refused(ctx, event):
    ms_id, (a, b, c, d) = event
    ac = draft_of((a, c))
    target = next(s for s in db.session.get(MatchSession, ms_id).slots if s.id != ac.slot_id)
    availability.set_availability(db.session, company_user(c), ms_id, [str(target.number)], "")
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        review.move_meeting(db.session, organiser(), ac.id, target.id, ac.table_id)
    assert caught.value.message == "Hai Phong Water is not available at " + caught.value.message.split(" at ", 1)[1]


def test_move_to_a_free_place_moves_the_seats_too(ctx, event):
    ms_id, (a, b, c, d) = event
    ms = db.session.get(MatchSession, ms_id)
    ac, bd = draft_of((a, c)), draft_of((b, d))
    free = next(s for s in ms.slots if s.id not in (ac.slot_id, bd.slot_id))
    review.move_meeting(db.session, organiser(), ac.id, free.id, ac.table_id)
    db.session.commit()
    seats = db.session.scalars(select(MeetingSeat.slot_id).where(MeetingSeat.meeting_id == ac.id))
    assert set(seats) == {free.id}


def test_add_by_hand_checks_the_rules(ctx, event):
    ms_id, (a, b, c, d) = event
    ms = db.session.get(MatchSession, ms_id)
    ac = draft_of((a, c))
    with pytest.raises(ValidationError) as caught:
        review.add_meeting(db.session, organiser(), ms_id, a, c, ms.slots[0].id, ms.tables[0].id)
    assert caught.value.message == "These two companies already meet in this session."
    db.session.rollback()
    with pytest.raises(ValidationError):
        review.add_meeting(db.session, organiser(), ms_id, a, d, ac.slot_id, ms.tables[1].id if ac.table.number == 0 else ms.tables[0].id)
    db.session.rollback()
    free = next(s for s in ms.slots if s.id != ac.slot_id and s.id != draft_of((b, d)).slot_id)
    added = review.add_meeting(db.session, organiser(), ms_id, d, a, free.id, ms.tables[0].id)
    db.session.commit()
    assert added.pair == (a, d) and added.pinned and added.source == "manual"


def test_remove_and_pin(ctx, event):
    ms_id, (a, b, c, d) = event
    ac = draft_of((a, c))
    review.set_pinned(db.session, organiser(), ac.id, True)
    review.remove_meeting(db.session, organiser(), draft_of((b, d)).id)
    db.session.commit()
    assert [(m.pair, m.pinned) for m in meetings(ms_id)] == [(ac.pair, True)]


def test_edits_wait_while_a_generation_runs(ctx, event):
    ms_id, (a, b, c, d) = event
    generation.start_generation(db.session, organiser(), ms_id)
    db.session.commit()
    with pytest.raises(ScheduleBusy):
        review.remove_meeting(db.session, organiser(), draft_of((a, c)).id)
    db.session.rollback()
    with pytest.raises(ScheduleBusy):
        publish.publish_schedule(db.session, organiser(), ms_id)


def test_companies_see_nothing_until_publication(ctx, event):
    ms_id, (a, b, c, d) = event
    assert agenda.agenda_items(db.session, company_user(a), extra_sources=[]) == []
    report = publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    assert report.meetings == 2 and report.kinds == {a: "published", b: "published", c: "published", d: "published"}
    [item] = agenda.agenda_items(db.session, company_user(a), extra_sources=[])
    assert item.partner.name == "Hai Phong Water" and item.interpreter_needed  # ja vs vi
    [other] = agenda.agenda_items(db.session, company_user(b), extra_sources=[])
    assert not other.interpreter_needed  # both speak English
    kinds = db.session.scalars(select(ScheduleNotification.kind).where(ScheduleNotification.company_id == a))
    assert list(kinds) == ["published"]


def test_republishing_bumps_sequence_of_moved_meetings_and_tells_only_their_companies(ctx, event):
    ms_id, (a, b, c, d) = event
    publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    ms = db.session.get(MatchSession, ms_id)
    ac, bd = draft_of((a, c)), draft_of((b, d))
    free = next(s for s in ms.slots if s.id not in (ac.slot_id, bd.slot_id))
    review.move_meeting(db.session, organiser(), ac.id, free.id, ac.table_id)
    assert publish.draft_changes(db.session, ms_id) == 2  # the old place went, the new one came
    report = publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    assert report.kinds == {a: "changed", c: "changed"}
    sequences = {m.pair: m.sequence for m in meetings(ms_id, "published")}
    assert sequences[ac.pair] == 2 and sequences[bd.pair] == 1
    uids = {item.uid for item in agenda.agenda_items(db.session, company_user(a), extra_sources=[])}
    assert uids == {f"meeting-{ms_id}-{ac.pair[0]}-{ac.pair[1]}@jv-environment-week"}


def test_publishing_a_draft_that_breaks_a_rule_is_refused(ctx, event):
    ms_id, (a, b, c, d) = event
    ac = draft_of((a, c))
    availability.set_availability(db.session, company_user(a), ms_id, [str(ac.slot.number)], "")
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        publish.publish_schedule(db.session, organiser(), ms_id)
    assert caught.value.message == "The draft breaks 1 rule: fix it before publishing."
    db.session.rollback()
    assert meetings(ms_id, "published") == []


def test_withdraw_tells_the_companies(ctx, event):
    ms_id, (a, b, c, d) = event
    publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    publish.withdraw_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    assert meetings(ms_id, "published") == [] and len(meetings(ms_id)) == 2
    assert [n.kind for n in publish.notifications_for(db.session, a)] == ["withdrawn", "published"]


def test_withdrawing_inside_the_undo_window_tells_nobody_who_never_heard(ctx, event):
    ms_id, (a, b, c, d) = event
    publish.publish_schedule(db.session, organiser(), ms_id, undo_minutes=10)
    db.session.commit()
    publish.withdraw_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    assert meetings(ms_id, "published") == []
    kinds = db.session.scalars(select(ScheduleNotification.kind).where(ScheduleNotification.session_id == ms_id)).all()
    assert kinds == []  # the publication's notices were dropped, and nobody is told of a withdrawal


def test_extra_sources_are_merged_in_time_order(ctx, event):
    ms_id, (a, b, c, d) = event
    publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    [meeting] = agenda.agenda_items(db.session, company_user(a), extra_sources=[])

    def seminars(session, user):
        return [agenda.AgendaItem(start=meeting.start.replace(hour=0), end=meeting.start.replace(hour=1),
                                  title="Hydrogen seminar", location="Hall B", kind="seminar", uid="seminar-1@x")]

    items = agenda.agenda_items(db.session, company_user(a), extra_sources=[seminars])
    assert [i.kind for i in items] == ["seminar", "meeting"]


def test_published_meeting_blocks_marking_that_slot_unavailable(ctx, event):
    ms_id, (a, b, c, d) = event
    publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    ac = draft_of((a, c))
    with pytest.raises(ValidationError) as caught:
        availability.set_availability(db.session, company_user(a), ms_id, [str(ac.slot.number)], "")
    assert caught.value.field == "unavailable" and "fixed by the organisers" in caught.value.message


def test_publication_mails_each_user_in_their_language(app, ctx, event, monkeypatch):
    ms_id, (a, b, c, d) = event
    sent = []
    monkeypatch.setattr(publish, "send_mail", lambda config, to, subject, body: sent.append((to, subject, body)))
    company_user(a).locale = "ja"
    report = publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    ms = db.session.get(MatchSession, ms_id)
    assert publish.mail_companies(db.session, {}, ms, report.kinds, lambda lang: "") == 0  # no SMTP: dashboard only
    count = publish.mail_companies(db.session, {"SMTP_HOST": "smtp.example.org"}, ms, report.kinds,
                                   lambda lang: f"https://event.example/{lang}/agenda/")
    assert count == 4
    to, subject, body = next(m for m in sent if m[0] == company_user(a).email)
    assert subject == translated(app, "ja", "Japan–Vietnam Environment Week: your meeting schedule")
    assert subject.startswith("日越環境ウィーク")
    assert "https://event.example/ja/agenda/" in body and "Day 1 morning" in body


def test_a_pin_that_contradicts_availability_is_refused(ctx, event):
    ms_id, (a, b, c, d) = event
    ac = draft_of((a, c))
    availability.set_availability(db.session, company_user(c), ms_id, [str(ac.slot.number)], "")
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        review.set_pinned(db.session, organiser(), ac.id, True)
    assert caught.value.message.startswith("Hai Phong Water is not available at")
    db.session.rollback()
    review.set_pinned(db.session, organiser(), ac.id, False)  # releasing is always allowed
