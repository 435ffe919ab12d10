"""Meeting attendance on the day: statuses and sides, two hosts at once, seats freed and taken
back, companies running late or cancelling (partner told), the JSON of the attendance command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matchmaker.extensions import db
from matchmaker.models import (
    Badge,
    CheckIn,
    MeetingEvent,
    MeetingSeat,
    Notification,
    ScheduledMeeting,
    User,
    utcnow,
)
from matchmaker.services import agenda, outbox
from matchmaker.services.eventday import attendance, company_changes
from matchmaker.services.validation import ValidationError
from tests.eventday_helpers import published_session, staff_user
from tests.schedule_helpers import company_user


@pytest.fixture
def event(app, make_company):
    return published_session(app, make_company)


def _staff(app):
    staff_user(app)
    return db.session.scalar(select(User).where(User.email == "host@example.com"))


def _seats(meeting_id: int) -> set[int]:
    return set(db.session.scalars(select(MeetingSeat.company_id).where(MeetingSeat.meeting_id == meeting_id)))


@pytest.mark.parametrize("action, status, side", [
    ("held", "held", None), ("no-show-low", "no-show", "low"), ("no-show-high", "no-show", "high"),
    ("no-show-both", "no-show", "both"), ("cancelled", "cancelled", None)])
def test_each_button_gives_its_status_and_side_and_is_recorded(ctx, app, event, action, status, side):
    host = _staff(app)
    meeting = event.meeting(event.jp, event.vn)
    sequence = meeting.sequence
    change = attendance.mark_meeting(db.session, host, meeting.id, action, "scheduled", table_id=meeting.table_id)
    db.session.commit()
    assert change.changed and change.current == status
    db.session.refresh(meeting)
    assert (meeting.status, meeting.no_show_side) == (status, side)
    assert meeting.sequence == sequence + 1  # calendars update
    event_row = db.session.scalar(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting.id))
    assert (event_row.old, event_row.new, event_row.user_id, event_row.kind) == ("scheduled", status, host.id, "status")
    assert _seats(meeting.id) == ({event.jp, event.vn} if status == "held" else set())


def test_the_second_of_two_hosts_is_told_what_the_first_did(ctx, app, event):
    host = _staff(app)
    meeting_id = event.meeting(event.jp, event.vn).id
    with Session(db.engine) as other:  # a second host's request, with its own connection
        other_host = other.get(User, host.id)
        seen = attendance.shown_state(other.get(ScheduledMeeting, meeting_id))
        first = attendance.mark_meeting(db.session, host, meeting_id, "held", seen)
        db.session.commit()
        second = attendance.mark_meeting(other, other_host, meeting_id, "no-show-low", seen)
        other.commit()
    assert first.changed and not second.changed and second.current == "held"
    db.session.expire_all()
    assert db.session.get(ScheduledMeeting, meeting_id).status == "held"
    assert db.session.scalar(select(func.count(MeetingEvent.id))) == 1


def test_a_stale_side_counts_as_someone_else_changing_it(ctx, app, event):
    host = _staff(app)
    meeting = event.meeting(event.jp, event.vn)
    attendance.mark_meeting(db.session, host, meeting.id, "no-show-low", "scheduled")
    change = attendance.mark_meeting(db.session, host, meeting.id, "held", "no-show:high")
    assert not change.changed and meeting.no_show_side == "low"


def test_a_mistaken_mark_is_corrected_and_the_seats_come_back(ctx, app, event):
    host = _staff(app)
    meeting = event.meeting(event.jp, event.vn)
    attendance.mark_meeting(db.session, host, meeting.id, "no-show-high", "scheduled")
    db.session.commit()
    assert _seats(meeting.id) == set()
    change = attendance.mark_meeting(db.session, host, meeting.id, "reset", "no-show:high")
    db.session.commit()
    assert change.changed and meeting.status == "scheduled" and meeting.no_show_side is None
    assert _seats(meeting.id) == {event.jp, event.vn}
    history = attendance.history(db.session, [meeting])[meeting.id]
    assert [row.who for row in history] == ["host@example.com", "host@example.com"]


def _cancelled_by_host(app, event):
    host = _staff(app)
    meeting = event.meeting(event.jp, event.vn)
    attendance.mark_meeting(db.session, host, meeting.id, "cancelled", "scheduled")
    db.session.commit()
    return host, meeting


def test_a_correction_is_refused_when_a_replacement_took_the_company(ctx, app, event):
    host, meeting = _cancelled_by_host(app, event)
    # what same-day re-matching does: the freed Japanese company meets the Singaporean one in that slot
    other = event.meeting(event.jp, event.sg)
    db.session.delete(other)
    db.session.flush()
    table = next(t for t in meeting.session.tables if t.id != meeting.table_id)
    new_id = db.session.scalar(insert(ScheduledMeeting).returning(ScheduledMeeting.id), [dict(
        session_id=meeting.session_id, state="published", slot_id=meeting.slot_id, table_id=table.id,
        company_low=min(event.jp, event.sg), company_high=max(event.jp, event.sg), source="manual",
        status="replacement")])
    db.session.execute(insert(MeetingSeat), [dict(meeting_id=new_id, company_id=c, state="published",
                                                  slot_id=meeting.slot_id) for c in (event.jp, event.sg)])
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        attendance.mark_meeting(db.session, host, meeting.id, "held", "cancelled")
    assert "北九州エコエナジー already has another meeting in this slot" in refused.value.message
    db.session.rollback()
    assert db.session.get(ScheduledMeeting, meeting.id).status == "cancelled"


def test_a_correction_is_refused_when_the_table_is_taken(ctx, app, event):
    host, meeting = _cancelled_by_host(app, event)
    other = event.meeting(event.vn, event.sg)
    db.session.execute(MeetingSeat.__table__.delete().where(MeetingSeat.meeting_id == other.id))
    other.slot_id = meeting.slot_id
    other.table_id = meeting.table_id
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        attendance.mark_meeting(db.session, host, meeting.id, "reset", "cancelled")
    assert "already has another meeting in this slot" in refused.value.message and "Table" in refused.value.message


def test_only_staff_and_organisers_mark_and_only_published_meetings_at_that_table(ctx, app, event):
    meeting = event.meeting(event.jp, event.vn)
    with pytest.raises(PermissionError):
        attendance.mark_meeting(db.session, company_user(event.jp), meeting.id, "held", "scheduled")
    host = _staff(app)
    other_table = next(t for t in meeting.session.tables if t.id != meeting.table_id)
    with pytest.raises(LookupError):
        attendance.mark_meeting(db.session, host, meeting.id, "held", "scheduled", table_id=other_table.id)
    with pytest.raises(ValidationError):
        attendance.mark_meeting(db.session, host, meeting.id, "vanished", "scheduled")
    draft = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.state == "draft"))
    with pytest.raises(LookupError):
        attendance.mark_meeting(db.session, host, draft.id, "held", "scheduled")


def test_running_late_tells_the_partner_in_its_language(ctx, app, event):
    meeting = event.meeting(event.jp, event.vn)
    company_changes.report_late(db.session, company_user(event.jp), meeting.id, "10")
    mails = outbox.queued(db.session)
    db.session.commit()
    notice = db.session.scalar(select(Notification).where(Notification.company_id == event.vn))
    assert (notice.kind, notice.meeting_id, notice.reason) == ("meeting_late", meeting.id, "10")
    assert [m[0] for m in mails] == ["vn@haiphong.example"]
    assert "北九州エコエナジー" in mails[0][2] and "10 phút" in mails[0][2]  # the Vietnamese user's mail
    late = db.session.scalar(select(MeetingEvent).where(MeetingEvent.kind == "late"))
    assert (late.minutes, late.company_id) == (10, event.jp)
    notes = company_changes.day_notes(db.session, [meeting], event.vn)
    assert notes[meeting.id].late_partner == 10 and notes[meeting.id].late_mine is None


@pytest.mark.parametrize("minutes", ["7", "", "-5", "30; drop table"])
def test_running_late_only_by_the_offered_minutes(ctx, event, minutes):
    meeting = event.meeting(event.jp, event.vn)
    with pytest.raises(ValidationError):
        company_changes.report_late(db.session, company_user(event.jp), meeting.id, minutes)


def test_cancelling_frees_the_seats_tells_the_partner_and_shows_cancelled_in_the_calendar(ctx, app, event):
    meeting = event.meeting(event.jp, event.vn)
    sequence = meeting.sequence
    company_changes.cancel_meeting(db.session, company_user(event.vn), meeting.id, "  Xe bị hỏng giữa đường ")
    mails = outbox.queued(db.session)
    db.session.commit()
    assert meeting.status == "cancelled" and meeting.sequence == sequence + 1 and _seats(meeting.id) == set()
    notice = db.session.scalar(select(Notification).where(Notification.company_id == event.jp))
    assert (notice.kind, notice.reason) == ("meeting_cancelled", "Xe bị hỏng giữa đường")
    assert mails[0][0] == "jp@kitakyushu.example" and "面談（" in mails[0][2] and "を取り消しました" in mails[0][2]
    with app.test_request_context("/en/"):
        items = agenda.agenda_items(db.session, company_user(event.jp))
        item = next(i for i in items if i.meeting_id == meeting.id)
        assert not item.live and item.day_note.reason == "Xe bị hỏng giữa đường"
        assert item.day_note.cancelled_by == f"{event_name(event.vn)} cancelled this meeting."
        body = agenda.agenda_calendar(items, "Asia/Ho_Chi_Minh", "Week").decode()
    block = next(b for b in body.split("BEGIN:VEVENT")[1:] if meeting.uid in b.replace("\r\n ", ""))
    assert "STATUS:CANCELLED" in block and f"SEQUENCE:{sequence + 1}" in block


def event_name(company_id: int) -> str:
    from matchmaker.models import Company

    return db.session.get(Company, company_id).name


def test_a_company_cannot_touch_another_companys_meeting(ctx, event):
    theirs = event.meeting(event.vn, event.sg)
    for action in (lambda: company_changes.report_late(db.session, company_user(event.jp), theirs.id, "5"),
                   lambda: company_changes.cancel_meeting(db.session, company_user(event.jp), theirs.id, "")):
        with pytest.raises(LookupError):
            action()
    assert theirs.status == "scheduled" and db.session.scalar(select(func.count(MeetingEvent.id))) == 0


def test_a_cancelled_or_past_meeting_cannot_be_cancelled_or_late(ctx, event):
    meeting = event.meeting(event.jp, event.vn)
    company_changes.cancel_meeting(db.session, company_user(event.jp), meeting.id, "")
    with pytest.raises(ValidationError):
        company_changes.cancel_meeting(db.session, company_user(event.vn), meeting.id, "")
    other = event.meeting(event.jp, event.sg)
    with pytest.raises(ValidationError) as over:
        company_changes.report_late(db.session, company_user(event.sg), other.id, "5", now=utcnow() + timedelta(days=30))
    assert over.value.message == "This meeting is over."


def test_cancel_reason_too_long_is_refused(ctx, event):
    meeting = event.meeting(event.jp, event.vn)
    with pytest.raises(ValidationError) as refused:
        company_changes.cancel_meeting(db.session, company_user(event.jp), meeting.id, "x" * 501)
    assert refused.value.field == "reason" and meeting.status == "scheduled"


def test_attendance_report_lists_companies_with_first_live_check_in_and_meetings(ctx, app, event):
    first = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    badge = Badge(company_id=event.jp, name="山田 太郎", nonce="n1")
    db.session.add(badge)
    db.session.flush()
    db.session.add_all([CheckIn(badge_id=badge.id, company_id=event.jp, checked_in_at=first - timedelta(hours=1),
                                undone_at=first),  # undone: does not count
                        CheckIn(badge_id=badge.id, company_id=event.jp, checked_in_at=first)])
    meeting = event.meeting(event.jp, event.vn)
    attendance.mark_meeting(db.session, _staff(app), meeting.id, "no-show-high", "scheduled")
    db.session.commit()
    report = attendance.attendance_report(db.session, event.session_id)
    assert report["companies"] == [
        {"id": event.jp, "name": "北九州エコエナジー", "checked_in_at": first.strftime("%Y-%m-%dT%H:%M:%SZ")},
        {"id": event.vn, "name": "Công ty Môi trường Xanh Hải Phòng", "checked_in_at": None},
        {"id": event.sg, "name": "Straits Climate Capital", "checked_in_at": None}]
    row = next(m for m in report["meetings"] if m["id"] == meeting.id)
    assert row == {"id": meeting.id, "a": meeting.company_low, "b": meeting.company_high, "slot": meeting.slot.number,
                   "table": meeting.table.name, "status": "no-show"}
    assert len(report["meetings"]) == 3
    with pytest.raises(LookupError):
        attendance.attendance_report(db.session, 999)


def test_clearing_the_mark_of_a_replacement_meeting_gives_replacement_again(ctx, app, event):
    host = _staff(app)
    meeting = event.meeting(event.jp, event.vn)
    meeting.status = "replacement"  # as same-day re-matching makes it
    db.session.add(MeetingEvent(meeting_id=meeting.id, kind="replacement", old="", new="replacement"))
    db.session.commit()
    attendance.mark_meeting(db.session, host, meeting.id, "held", "replacement")
    attendance.mark_meeting(db.session, host, meeting.id, "reset", "held")
    assert meeting.status == "replacement"
