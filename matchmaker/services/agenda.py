"""A company user's agenda: published meetings, plus items other parts of the event add.

``agenda_items(session, user)`` returns ``AgendaItem`` s sorted by start: the company's meetings
from PUBLISHED schedules only (a draft is never shown), merged with what every source in
``extra_sources`` returns. Other features plug in without touching this module::

    from matchmaker.services import agenda
    agenda.register_source(bookmarked_seminar_items)  # (session, user) -> iterable of AgendaItem

``agenda_calendar`` writes the items as iCalendar (stable UID per meeting, SEQUENCE bumped on
change, VTIMEZONE of the chosen zone); a private feed URL carries an unguessable token that the
user can regenerate or revoke.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import CalendarFeed, Company, Opportunity, ScheduledMeeting, User, utcnow
from matchmaker.services.eventday.company_changes import DayNote, day_notes
from matchmaker.services.ics import CalendarEvent, calendar_bytes
from matchmaker.services.programme.conflicts import time_span
from matchmaker.services.schedule import cancellations
from matchmaker.services.schedule.common import session_label
from matchmaker.services.schedule.places import calendar_location, interpreter_missing, interpreter_name, is_online, \
    place_label, video_link
from matchmaker.services.schedule.instance import company_filter


@dataclass
class AgendaItem:
    """One entry of an agenda. Meetings fill the partner fields; other sources may leave them empty."""

    start: datetime
    end: datetime
    title: str
    location: str = ""
    kind: str = "meeting"
    uid: str = ""
    sequence: int = 0
    description: str = ""
    url: str = ""
    partner: Company | None = None
    need: Opportunity | None = None
    offer: Opportunity | None = None
    interpreter_needed: bool = False  # the companies share no language and no interpreter is assigned
    interpreter: str = ""  # the name of the meeting's interpreter
    session_name: str = ""
    table: str = ""  # the table as people read it, or "Online"
    online: bool = False
    video_url: str = ""  # an online meeting's video link ("" while the organisers have none)
    warnings: list[str] = field(default_factory=list)  # other items of the agenda it overlaps
    meeting_id: int | None = None
    status: str = ""  # a meeting's status on the day (models.eventday); not live: cancelled in calendars
    day_note: DayNote | None = None  # running late, why it was cancelled (services.eventday.company_changes)

    @property
    def live(self) -> bool:
        """Whether the item still takes place (a cancelled or no-show meeting does not)."""
        return self.status not in ("cancelled", "no-show")


AgendaSource = Callable[[Session, User], Iterable[AgendaItem]]
EXTRA_SOURCES: list[AgendaSource] = []


def register_source(source: AgendaSource) -> AgendaSource:
    """Add *source* to the items every agenda merges (idempotent; usable as a decorator)."""
    if source not in EXTRA_SOURCES:
        EXTRA_SOURCES.append(source)
    return source


def _description(item: AgendaItem) -> str:
    lines = [_("Partner: %(name)s (%(country)s)", name=item.partner.name, country=item.partner.country), item.table]
    if item.online:
        lines.append(_("Online meeting: %(link)s", link=item.video_url) if item.video_url
                     else _("Online meeting: the organisers will send the video link."))
    if item.need and item.offer:
        lines.append(_("About: %(need)s ↔ %(offer)s", need=item.need.title, offer=item.offer.title))
    if item.interpreter:
        lines.append(_("Interpreter: %(name)s", name=item.interpreter))
    if item.interpreter_needed:
        lines.append(_("Interpreter needed: no common language"))
    return "\n".join(lines)


def meeting_items(session: Session, user: User) -> list[AgendaItem]:
    """The published meetings of the user's company (none for a user without a company)."""
    if user.company_id is None:
        return []
    company = user.company
    meetings = session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.state == "published", company_filter(company.id))
        .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.table),
                 selectinload(ScheduledMeeting.low), selectinload(ScheduledMeeting.high),
                 selectinload(ScheduledMeeting.need), selectinload(ScheduledMeeting.offer),
                 selectinload(ScheduledMeeting.session), selectinload(ScheduledMeeting.interpreter)))
    meetings = list(meetings)
    notes = day_notes(session, meetings, company.id)
    items = []
    for m in meetings:
        partner = m.partner_of(company.id)
        item = AgendaItem(
            start=m.slot.starts_at, end=m.slot.ends_at, title=_("Meeting with %(name)s", name=partner.name),
            location=calendar_location(m, m.session.venue), uid=m.uid, sequence=m.sequence, partner=partner,
            need=m.need, offer=m.offer, interpreter_needed=interpreter_missing(m), interpreter=interpreter_name(m),
            session_name=session_label(m.session), table=place_label(m), online=is_online(m), video_url=video_link(m),
            url=video_link(m), meeting_id=m.id, status=m.status, day_note=notes.get(m.id))
        item.description = _description(item)
        items.append(item)
    return items


def agenda_items(session: Session, user: User, extra_sources: Iterable[AgendaSource] | None = None) -> list[AgendaItem]:
    """The user's meetings merged with the items of *extra_sources* (default: the registered ones)."""
    items = meeting_items(session, user)
    for source in EXTRA_SOURCES if extra_sources is None else extra_sources:
        items.extend(source(session, user))
    items.sort(key=lambda item: (item.start, item.end, item.title))
    _warn_overlaps(items)
    return items


def _warn_overlaps(items: list[AgendaItem]) -> None:
    """Give each item a warning per other item that shares some of its time (items sorted by start)."""
    for index, item in enumerate(items):
        for other in items[index + 1:]:
            if other.start >= item.end:
                break
            if not (item.live and other.live):
                continue
            item.warnings.append(_overlap_message(other, time_span))
            other.warnings.append(_overlap_message(item, time_span))


def _overlap_message(other: AgendaItem, time_span) -> str:
    when = time_span(other.start, other.end)
    if other.kind == "meeting":
        return _("Overlaps your meeting: %(meeting)s, %(time)s.", meeting=other.title, time=when)
    return _("Overlaps another item of your agenda: %(title)s, %(time)s.", title=other.title, time=when)


def _fallback_uid(item: AgendaItem) -> str:
    """A UID for an item whose source gave none: stable as long as kind, start and title are."""
    digest = hashlib.sha256(f"{item.kind}|{item.start.isoformat()}|{item.title}".encode()).hexdigest()[:20]
    return f"{item.kind}-{digest}@jv-environment-week"


def agenda_calendar(items: list[AgendaItem], tz: str, name: str, agenda_url: str = "",
                    cancelled: Iterable[CalendarEvent] = ()) -> bytes:
    """The items as an iCalendar file with times in zone *tz* and its VTIMEZONE.

    Meetings link to *agenda_url* (the company's agenda page); *cancelled* entries (see
    ``cancelled_events``) follow, unless the same UID is on the agenda again.
    """
    stamp = utcnow().replace(microsecond=0)
    events = [CalendarEvent(uid=item.uid or _fallback_uid(item),
                            starts_at=item.start, ends_at=item.end, stamp=stamp,
                            summary=item.title if item.live else _("Cancelled: %(title)s", title=item.title),
                            description=item.description, location=item.location,
                            url=item.url or (agenda_url if item.kind == "meeting" else ""), sequence=item.sequence,
                            status="" if item.live else "CANCELLED")
              for item in items]
    live = {event.uid for event in events}
    return calendar_bytes(events + [c for c in cancelled if c.uid not in live], tz=tz, name=name)


def cancelled_events(session: Session, user: User, keep_days: int) -> list[CalendarEvent]:
    """The user's and their company's calendar entries that went away in the last *keep_days* days."""
    rows = cancellations.cancelled_for(session, company_id=user.company_id, user_id=user.id, keep_days=keep_days)
    return cancellation_events(rows)


def _cancelled_summary(row) -> str:
    title = _("Meeting with %(name)s", name=row.summary) if row.uid.startswith("meeting-") else row.summary
    return _("Cancelled: %(title)s", title=title)


def cancellation_events(rows) -> list[CalendarEvent]:
    """``CalendarCancellation`` rows as cancelled calendar entries (the latest per UID)."""
    latest = {row.uid: row for row in rows}
    return [CalendarEvent(uid=row.uid, starts_at=row.starts_at, ends_at=row.ends_at, stamp=row.cancelled_at.replace(microsecond=0),
                          summary=_cancelled_summary(row), sequence=row.sequence, status="CANCELLED")
            for row in latest.values()]


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    """The user's calendar feed, if one was issued."""
    return session.get(CalendarFeed, user.id)


def issue_feed(session: Session, user: User) -> CalendarFeed:
    """Give the user a new private feed token (the old URL stops working)."""
    feed = feed_of(session, user) or CalendarFeed(user_id=user.id)
    feed.token, feed.created_at = secrets.token_urlsafe(32), utcnow()
    session.add(feed)
    session.flush()
    return feed


def revoke_feed(session: Session, user: User) -> None:
    """Stop the user's feed URL from working."""
    feed = feed_of(session, user)
    if feed is not None:
        session.delete(feed)
        session.flush()


def user_for_feed(session: Session, token: str) -> User | None:
    """The owner of a feed token, or None for an unknown or revoked one."""
    if not token or len(token) > 64:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    return session.get(User, feed.user_id) if feed else None
