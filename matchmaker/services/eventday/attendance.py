"""Meeting attendance on the day: table hosts mark what happened to each published meeting.

A table host (staff or organiser) sees one table of one session, slot by slot, and presses one
of the ``ACTIONS`` for a meeting. The page sends back the status it showed (``expected``): the
change goes through ``meetings.change_status`` (compare-and-set), so of two hosts marking the same
meeting at once the first wins and the second is told what the first did. Marking a meeting
cancelled or a no-show frees its seats; correcting it back to a live status takes them again,
but only if its table and both companies are still free in that slot (a replacement may have
taken them). ``attendance_report`` is the JSON of ``flask event attendance``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import exc, func, insert, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    LIVE_MEETING_STATUSES,
    Company,
    MatchSession,
    MeetingEvent,
    MeetingSeat,
    MeetingTable,
    ScheduledMeeting,
    SessionSlot,
    User,
)
from matchmaker.services.eventday.checkin import companies_checked_in_at
from matchmaker.services.eventday.meetings import Change, change_status
from matchmaker.services.schedule.common import table_label
from matchmaker.services.schedule.places import online_label
from matchmaker.services.validation import ValidationError

# what a table host's button asks for: (status, no-show side); "reset" goes back to the meeting's
# first status (scheduled, or replacement for a meeting made on the day)
ACTIONS = {"held": ("held", None), "no-show-low": ("no-show", "low"), "no-show-high": ("no-show", "high"),
           "no-show-both": ("no-show", "both"), "cancelled": ("cancelled", None), "reset": ("", None)}


def first_status(session: Session, meeting: ScheduledMeeting) -> str:
    """The status a meeting had before anyone marked it: scheduled, or replacement for one made on the day."""
    first = session.scalar(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting.id, MeetingEvent.new != "")
                           .order_by(MeetingEvent.id).limit(1))
    if first is not None and (first.old or first.new) in ("scheduled", "replacement"):
        return first.old or first.new
    return "replacement" if meeting.source == "replacement" else "scheduled"


def shown_state(meeting: ScheduledMeeting) -> str:
    """The meeting's status as a page sends it back: ``no-show:low`` for a no-show, else the status."""
    return f"{meeting.status}:{meeting.no_show_side}" if meeting.status == "no-show" else meeting.status


def status_label(meeting: ScheduledMeeting) -> str:
    """What happened to the meeting, in the reader's language."""
    if meeting.status == "no-show":
        if meeting.no_show_side == "both":
            return _("Both absent")
        absent = meeting.low if meeting.no_show_side == "low" else meeting.high
        return _("No-show: %(name)s", name=absent.name)
    return {"held": _("Held"), "cancelled": _("Cancelled"), "replacement": _("Replacement meeting")}.get(
        meeting.status, _("Not marked yet"))


def require_staff(actor: User) -> None:
    """Raise PermissionError unless *actor* runs the event day (organiser or staff)."""
    if not actor.runs_event_day:
        raise PermissionError("organisers and staff only")


@dataclass
class SlotRow:
    """One slot of a table's sheet and the published meetings at that table then (a cancelled one too)."""

    slot: SessionSlot
    meetings: list[ScheduledMeeting]


def load_table(session: Session, ms_id: int, table_id: int) -> tuple[MatchSession, MeetingTable]:
    """The session and one of its tables, or LookupError."""
    table = session.get(MeetingTable, table_id)
    if table is None or table.session_id != ms_id:
        raise LookupError("no such table in this session")
    return table.session, table


def table_sheet(session: Session, ms: MatchSession, table: MeetingTable | None) -> list[SlotRow]:
    """Every slot of the session with the table's published meetings in it, live ones first.

    *table* None: the session's online meetings (several in a slot, each with its video link).
    """
    where = ScheduledMeeting.table_id == table.id if table is not None else ScheduledMeeting.table_id.is_(None)
    meetings = session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.state == "published", ScheduledMeeting.session_id == ms.id, where)
        .options(selectinload(ScheduledMeeting.low), selectinload(ScheduledMeeting.high),
                 selectinload(ScheduledMeeting.interpreter)))
    by_slot: dict[int, list[ScheduledMeeting]] = {}
    for meeting in meetings:
        by_slot.setdefault(meeting.slot_id, []).append(meeting)
    for rows in by_slot.values():
        rows.sort(key=lambda m: (not m.live, m.id))
    return [SlotRow(slot, by_slot.get(slot.id, [])) for slot in ms.slots]


@dataclass
class TableSummary:
    """A table of the session (None: its online meetings): its published meetings and how many are marked."""

    table: MeetingTable | None
    label: str
    meetings: int
    marked: int


def tables_overview(session: Session, ms: MatchSession) -> list[TableSummary]:
    """The session's tables in order, with their counts (a table host picks theirs), then the group
    of its online meetings ("Online", table None) if it has any."""
    counts = dict(session.execute(
        select(ScheduledMeeting.table_id, func.count()).where(ScheduledMeeting.session_id == ms.id,
                                                              ScheduledMeeting.state == "published")
        .group_by(ScheduledMeeting.table_id)).all())
    marked = dict(session.execute(
        select(ScheduledMeeting.table_id, func.count()).where(
            ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published",
            ScheduledMeeting.status.not_in(("scheduled", "replacement")))
        .group_by(ScheduledMeeting.table_id)).all())
    rows = [TableSummary(t, table_label(t.name), counts.get(t.id, 0), marked.get(t.id, 0)) for t in ms.tables]
    if counts.get(None):
        rows.append(TableSummary(None, online_label(), counts[None], marked.get(None, 0)))
    return rows


def published_sessions(session: Session) -> list[MatchSession]:
    """Sessions with a published schedule, by day and start."""
    has_meetings = select(ScheduledMeeting.id).where(ScheduledMeeting.session_id == MatchSession.id,
                                                     ScheduledMeeting.state == "published").exists()
    return list(session.scalars(select(MatchSession).where(has_meetings)
                                .order_by(MatchSession.day, MatchSession.start_time, MatchSession.id)))


def _meeting_at(session: Session, meeting_id: int, table_id: int | None, online_in: int | None = None) -> ScheduledMeeting:
    meeting = session.get(ScheduledMeeting, meeting_id)
    if meeting is None or meeting.state != "published" or (table_id is not None and meeting.table_id != table_id):
        raise LookupError("no such published meeting at this table")
    if online_in is not None and (meeting.table_id is not None or meeting.session_id != online_in):
        raise LookupError("no such online meeting in this session")
    return meeting


def _parse_expected(raw: str | None) -> tuple[str, str | None]:
    status, _sep, side = (raw or "").partition(":")
    return status, side or None


def mark_meeting(session: Session, actor: User, meeting_id: int, action: str, expected: str | None,
                 *, table_id: int | None = None, online_in: int | None = None) -> Change:
    """Mark a published meeting as *action* (see ACTIONS) if it still is what the page showed.

    Returns ``Change(False, current)`` when someone else changed it first; raises LookupError for
    a meeting that is not published at *table_id* (or, with *online_in*, is not an online meeting
    of that session), ValidationError for an unknown action or a
    correction to a live status whose table or companies are taken in that slot. Does not commit.
    """
    require_staff(actor)
    meeting = _meeting_at(session, meeting_id, table_id, online_in)
    if action not in ACTIONS:
        raise ValidationError("action", _("Choose one of the buttons."))
    new, side = ACTIONS[action]
    new = new or first_status(session, meeting)
    seen, seen_side = _parse_expected(expected)
    if (meeting.status, meeting.no_show_side) != (seen, seen_side):
        return Change(False, meeting.status)
    if (new, side) == (meeting.status, meeting.no_show_side):
        return Change(True, new)
    was_live = meeting.live
    if new in LIVE_MEETING_STATUSES and not was_live:
        check_seats_free(session, meeting)
    try:
        change = change_status(session, meeting, new, expected=seen, side=side, user_id=actor.id)
        if change.changed and new in LIVE_MEETING_STATUSES and not was_live:
            session.execute(insert(MeetingSeat), [dict(meeting_id=meeting.id, company_id=cid, state="published",
                                                       slot_id=meeting.slot_id) for cid in meeting.pair])
            session.flush()
    except exc.IntegrityError:  # taken between the check and the write
        raise ValidationError("action", _("This meeting cannot be restored: its table or one of its companies "
                                          "already has another meeting in this slot.")) from None
    return change


def check_seats_free(session: Session, meeting: ScheduledMeeting) -> None:
    """Raise ValidationError naming what is taken if the meeting cannot take its table and seats back
    (an online meeting has no table to take)."""
    taken_table = None if meeting.table_id is None else session.scalar(select(ScheduledMeeting.id).where(
        ScheduledMeeting.state == "published", ScheduledMeeting.slot_id == meeting.slot_id,
        ScheduledMeeting.table_id == meeting.table_id, ScheduledMeeting.id != meeting.id,
        ScheduledMeeting.status.in_(LIVE_MEETING_STATUSES)).limit(1))
    if taken_table is not None:
        raise ValidationError("action", _(
            "This meeting cannot be restored: %(table)s already has another meeting in this slot.",
            table=table_label(meeting.table.name)))
    busy = session.scalar(select(MeetingSeat.company_id).where(
        MeetingSeat.state == "published", MeetingSeat.slot_id == meeting.slot_id,
        MeetingSeat.company_id.in_(meeting.pair), MeetingSeat.meeting_id != meeting.id).limit(1))
    if busy is not None:
        raise ValidationError("action", _(
            "This meeting cannot be restored: %(name)s already has another meeting in this slot.",
            name=session.get(Company, busy).name))


@dataclass
class HistoryRow:
    """One recorded change of a meeting: when, who (a person's address or a company), what."""

    at: datetime
    who: str
    what: str


def _event_text(event: MeetingEvent, labels: dict[str, str]) -> str:
    if event.kind == "late":
        return _("Running late: about %(minutes)d minutes", minutes=event.minutes or 0)
    if event.kind == "cancelled":
        return _("Cancelled: %(reason)s", reason=event.note) if event.note else _("Cancelled")
    if event.kind == "freed":
        return _("Freed: a company is absent")
    if event.kind == "replacement":
        return _("Replacement meeting made")
    return f"{labels.get(event.old, event.old)} → {labels.get(event.new, event.new)}"


def history(session: Session, meetings: list[ScheduledMeeting]) -> dict[int, list[HistoryRow]]:
    """Each meeting's recorded changes, oldest first, with who made them."""
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    events = list(session.scalars(select(MeetingEvent).where(MeetingEvent.meeting_id.in_(ids))
                                  .order_by(MeetingEvent.created_at, MeetingEvent.id)))
    users = {u.id: u.email for u in session.scalars(select(User).where(User.id.in_({e.user_id for e in events if e.user_id})))}
    names = {c.id: c.name for c in session.scalars(select(Company).where(Company.id.in_({e.company_id for e in events if e.company_id})))}
    labels = {"scheduled": _("Not marked yet"), "held": _("Held"), "no-show": _("No-show"),
              "cancelled": _("Cancelled"), "replacement": _("Replacement meeting")}
    out: dict[int, list[HistoryRow]] = {}
    for event in events:
        who = names.get(event.company_id) or users.get(event.user_id) or _("command line")
        out.setdefault(event.meeting_id, []).append(HistoryRow(event.created_at, who, _event_text(event, labels)))
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def attendance_report(session: Session, ms_id: int) -> dict:
    """``{"companies": [...], "meetings": [...]}`` of a session's published schedule (LookupError if unknown).

    ``slot`` is the slot's index in the session (``SessionSlot.number``, from 0); ``table`` the
    table's name as the table sheets print it, null for an online meeting.
    """
    ms = session.get(MatchSession, ms_id)
    if ms is None:
        raise LookupError("no such session")
    meetings = list(session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published")
        .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.table))
        .order_by(ScheduledMeeting.id)))
    ids = sorted({cid for m in meetings for cid in m.pair})
    arrived = companies_checked_in_at(session, ids)
    companies = session.scalars(select(Company).where(Company.id.in_(ids)).order_by(Company.id))
    return {
        "companies": [{"id": c.id, "name": c.name, "checked_in_at": _iso(arrived.get(c.id))} for c in companies],
        "meetings": [{"id": m.id, "a": m.company_low, "b": m.company_high, "slot": m.slot.number,
                      "table": m.table.name if m.table is not None else None, "status": m.status} for m in meetings],
    }

