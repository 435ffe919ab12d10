"""iCalendar (.ics) files: events with stable UIDs, a VTIMEZONE for the zone used, SEQUENCE.

Times are written in the given zone (``DTSTART;TZID=Asia/Tokyo:…``) with the matching
VTIMEZONE so that every calendar program shows them right; icalendar builds the VTIMEZONE
from the zoneinfo database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//Japan-Vietnam Environment Week//matchmaker//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. *uid* must stay the same for the life of the thing it describes."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    stamp: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    status: str = ""  # "CANCELLED" for an entry that went away
    categories: tuple[str, ...] = field(default_factory=tuple)


def _vevent(item: CalendarEvent, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.stamp)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", item.summary)
    event.add("sequence", item.sequence)
    if item.status:
        event.add("status", item.status)
    for key, value in (("description", item.description), ("location", item.location), ("url", item.url)):
        if value:
            event.add(key, value)
    if item.categories:
        event.add("categories", list(item.categories))
    return event


def calendar_bytes(events: list[CalendarEvent], *, tz: str, name: str) -> bytes:
    """A complete VCALENDAR (METHOD:PUBLISH) holding *events*, times in zone *tz*."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz)
    zone = ZoneInfo(tz)
    for item in events:
        calendar.add_component(_vevent(item, zone))
    calendar.add_missing_timezones()
    return calendar.to_ical()
