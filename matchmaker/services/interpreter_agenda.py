"""An interpreter's agenda: the published meetings they interpret, in every session.

No account: ``Interpreter.token`` is the secret of their page (HTML and print) and of their
calendar feed. ``interpreter_items`` lists their meetings in time order with both companies, the
languages they bridge and where it happens (a table and the venue, or "Online" and the video
link); ``interpreter_calendar`` writes them as iCalendar with a UID per meeting and interpreter
(``cancellations.interpreter_uid``), SEQUENCE from the meeting, and the meetings they no longer
serve as cancelled entries for a while.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import Company, Interpreter, ScheduledMeeting, utcnow
from matchmaker.services.ics import CalendarEvent, calendar_bytes
from matchmaker.services.schedule import cancellations
from matchmaker.services.schedule.common import session_label
from matchmaker.services.schedule.places import calendar_location, is_online, place_label, video_link

TOKEN_MAX = 64


@dataclass
class InterpreterItem:
    """One meeting of an interpreter's agenda."""

    meeting: ScheduledMeeting
    start: datetime
    end: datetime
    low: Company
    high: Company
    languages: tuple[str, str]  # the language codes they bridge (low's side, high's side); "" if unknown
    place: str  # a table's label, or "Online"
    location: str  # for calendars: table and venue, or the video link
    online: bool
    video_url: str
    session_name: str
    uid: str
    sequence: int

    @property
    def live(self) -> bool:
        """Whether the meeting still takes place (not cancelled, not a no-show)."""
        return self.meeting.live

    @property
    def title(self) -> str:
        """"Interpreting: A ↔ B" in the reader's language."""
        return interpreting_title(f"{self.low.name} ↔ {self.high.name}")


def interpreting_title(companies: str) -> str:
    """The title of an interpreted meeting, given both companies' names."""
    return _("Interpreting: %(companies)s", companies=companies)


def interpreter_for_token(session: Session, token: str) -> Interpreter | None:
    """The interpreter whose agenda *token* opens, or None (unknown, too long or empty)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return session.scalar(select(Interpreter).where(Interpreter.token == token))


def _side(company: Company, spoken: frozenset[str]) -> str:
    """The first meeting language of *company* that the interpreter speaks ("" if none)."""
    return next((code for code in company.language_list if code in spoken), "")


def interpreter_items(session: Session, interpreter: Interpreter) -> list[InterpreterItem]:
    """The interpreter's published meetings of every session, by start then place."""
    meetings = session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.state == "published",
                                       ScheduledMeeting.interpreter_id == interpreter.id)
        .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.table),
                 selectinload(ScheduledMeeting.low), selectinload(ScheduledMeeting.high),
                 selectinload(ScheduledMeeting.session)))
    spoken = interpreter.language_set
    items = [InterpreterItem(
        meeting=m, start=m.slot.starts_at, end=m.slot.ends_at, low=m.low, high=m.high,
        languages=(_side(m.low, spoken), _side(m.high, spoken)), place=place_label(m),
        location=calendar_location(m, m.session.venue), online=is_online(m), video_url=video_link(m),
        session_name=session_label(m.session), uid=cancellations.interpreter_uid(interpreter.id, m), sequence=m.sequence)
        for m in meetings]
    items.sort(key=lambda item: (item.start, item.online, item.place))
    return items


def _description(item: InterpreterItem, language_name) -> str:
    lines = [_("Companies: %(low)s (%(low_country)s) ↔ %(high)s (%(high_country)s)", low=item.low.name,
               low_country=item.low.country, high=item.high.name, high_country=item.high.country)]
    if all(item.languages):
        lines.append(_("Languages: %(first)s ↔ %(second)s", first=language_name(item.languages[0]),
                       second=language_name(item.languages[1])))
    lines.append(item.session_name)
    if item.online:
        lines.append(_("Online meeting: %(link)s", link=item.video_url) if item.video_url
                     else _("Online meeting: the organisers will send the video link."))
    return "\n".join(lines)


def interpreter_calendar(session: Session, interpreter: Interpreter, tz: str, name: str, *, keep_days: int,
                         agenda_url: str = "", language_name=str) -> bytes:
    """The interpreter's meetings as iCalendar in zone *tz*, with the meetings they no longer serve
    (last *keep_days* days) as cancelled. LOCATION is the table and venue or the video link; URL
    is the video link of an online meeting, else *agenda_url*."""
    stamp = utcnow().replace(microsecond=0)
    events = [CalendarEvent(uid=item.uid, starts_at=item.start, ends_at=item.end, stamp=stamp,
                            summary=item.title if item.live else _("Cancelled: %(title)s", title=item.title),
                            description=_description(item, language_name), location=item.location,
                            url=item.video_url or agenda_url, sequence=item.sequence,
                            status="" if item.live else "CANCELLED")
              for item in interpreter_items(session, interpreter)]
    live = {event.uid for event in events}
    latest = {row.uid: row for row in cancellations.cancelled_for_interpreter(session, interpreter.id, keep_days)}
    gone = [CalendarEvent(uid=row.uid, starts_at=row.starts_at, ends_at=row.ends_at,
                          stamp=row.cancelled_at.replace(microsecond=0),
                          summary=_("Cancelled: %(title)s", title=interpreting_title(row.summary)),
                          sequence=row.sequence, status="CANCELLED")
            for uid, row in latest.items() if uid not in live]
    return calendar_bytes(events + gone, tz=tz, name=name)
