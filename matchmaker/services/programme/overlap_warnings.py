"""Warnings before a person books or bookmarks a seminar that overlaps something already theirs.

Booking a seat is checked against the company's published meetings; bookmarking also against
the other seminars the person bookmarked or holds a seat for. Each warning names the other item
and its time with the zone; the page then asks before going on.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from matchmaker.models import Seminar, User
from matchmaker.services.programme import attendance
from matchmaker.services.programme.common import seminar_title
from matchmaker.services.programme.conflicts import overlaps, time_span


def booking_warnings(session: Session, user: User, seminar: Seminar) -> list[str]:
    """The user's published business meetings that overlap *seminar*, as sentences."""
    return attendance.meeting_overlaps(session, user, [seminar]).get(seminar.id, [])


def bookmark_warnings(session: Session, user: User, seminar: Seminar) -> list[str]:
    """Other seminars the user follows, and meetings, that overlap *seminar*, as sentences."""
    others = [other for other in attendance.followed_seminars(session, user)
              if other.id != seminar.id and overlaps(seminar.starts_at, seminar.ends_at, other.starts_at, other.ends_at)]
    sentences = [_("Overlaps “%(title)s” on your agenda, %(time)s.", title=seminar_title(other),
                   time=time_span(other.starts_at, other.ends_at)) for other in others]
    return sentences + booking_warnings(session, user, seminar)
