"""The version of the data the dashboard counts: a text that changes when any counted row changes.

The public data version (``matchmaker.pagecache``) already changes with companies, offers,
needs, categories, feedback, follow-up stages and event-day rows. The tables public pages do
not read (meeting requests, sessions, slots, tables, generations, published meetings) leave it
alone, so their count and latest change are added, read in one query. A cached dashboard is
keyed by the result: a commit that changes what it counts makes the old entries unreachable.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.models import (
    DataVersion,
    MatchSession,
    MeetingRequest,
    MeetingTable,
    ScheduleRun,
    ScheduledMeeting,
    SessionSlot,
)


def _scalar(*columns):
    return [select(column).scalar_subquery() for column in columns]


_FINGERPRINT = select(*_scalar(
    DataVersion.token,
    func.count(MeetingRequest.id), func.max(MeetingRequest.id), func.max(MeetingRequest.responded_at),
    func.count(ScheduledMeeting.id), func.max(ScheduledMeeting.updated_at), func.max(ScheduledMeeting.id),
    func.count(MatchSession.id), func.max(MatchSession.updated_at),
    func.count(SessionSlot.id), func.count(MeetingTable.id),
    func.count(ScheduleRun.id), func.max(ScheduleRun.finished_at),
))
_STATUSES = select(MeetingRequest.status, func.count()).group_by(MeetingRequest.status).order_by(MeetingRequest.status)


def dashboard_version(session: Session) -> str:
    """A short text that changes whenever data the dashboard counts changes (two small queries)."""
    parts = [*session.execute(_FINGERPRINT).one(), *session.execute(_STATUSES).all()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
