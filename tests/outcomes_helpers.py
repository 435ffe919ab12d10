"""Helpers shared by the outcome tests: a published meeting with a status, set directly.

(The table-host pages that mark meetings held live on another branch; the status is a column.)
Plain functions called inside an application context.
"""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, MeetingTable, ScheduledMeeting, SessionSlot, pair_key
from tests.schedule_helpers import new_session


def published_meeting(a: int, b: int, status: str = "held", ms_id: int | None = None, slot: int = 0,
                      table: int = 0) -> int:
    """A committed published meeting of *a* and *b* with *status* (in the first session, made if none); its id."""
    ms_id = ms_id or db.session.scalar(select(MatchSession.id).order_by(MatchSession.id)) or new_session()
    low, high = pair_key(a, b)
    slot_row = db.session.scalar(select(SessionSlot).where(SessionSlot.session_id == ms_id, SessionSlot.number == slot))
    table_row = db.session.scalar(select(MeetingTable).where(MeetingTable.session_id == ms_id, MeetingTable.number == table))
    meeting = ScheduledMeeting(session_id=ms_id, state="published", slot_id=slot_row.id, table_id=table_row.id,
                               company_low=low, company_high=high, status=status)
    db.session.add(meeting)
    db.session.commit()
    return meeting.id
