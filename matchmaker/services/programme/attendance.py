"""What attendees do with the programme: bookmarks, seat reservations with a waiting list,
and the notices (dashboard, mail) they get when a seminar they follow changes.

Seat taking is one conditional UPDATE on ``seminars.seats_taken`` (``WHERE seats_taken <
capacity``): on PostgreSQL the second of two concurrent updates waits for the first's row lock
and then re-checks the condition; on SQLite writers are serialised by the database lock and the
update is the transaction's first write. Either way only one of two people gets the last seat;
the other is put on the waiting list. A cancelled seat goes to the first person waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matchmaker import timefmt
from matchmaker.i18n import LANGUAGES, TIMEZONES
from matchmaker.models import Bookmark, Reservation, Seminar, SeminarNotice, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.agenda import AgendaItem, meeting_items
from matchmaker.services.mail import send_mail
from matchmaker.services.programme.common import pick_text, reader_language
from matchmaker.services.programme.conflicts import overlaps, time_span

log = logging.getLogger("matchmaker.programme")
ACTIVE = ("confirmed", "waiting")


class ReservationError(v.ValidationError):
    """A reservation that cannot be made; the message says why."""

    def __init__(self, message: str):
        super().__init__("reservation", message)


# --- bookmarks -------------------------------------------------------------------------------

def set_bookmark(session: Session, user: User, seminar: Seminar, on: bool) -> None:
    """Put *seminar* on the user's agenda (or take it off); repeating it changes nothing."""
    existing = session.get(Bookmark, (user.id, seminar.id))
    if on and existing is None:
        session.add(Bookmark(user_id=user.id, seminar_id=seminar.id))
    elif not on and existing is not None:
        session.delete(existing)
    session.flush()


def bookmarked_ids(session: Session, user: User | None) -> set[int]:
    """Ids of the seminars *user* bookmarked (empty for anonymous visitors)."""
    if user is None or not getattr(user, "id", None):
        return set()
    return set(session.scalars(select(Bookmark.seminar_id).where(Bookmark.user_id == user.id)))


def import_bookmarks(session: Session, user: User, ids: list[int]) -> int:
    """Copy bookmarks kept in a browser into the account; return how many were new."""
    known = set(session.scalars(select(Seminar.id).where(Seminar.id.in_(ids), Seminar.published_at.is_not(None))))
    new = known - bookmarked_ids(session, user)
    session.add_all(Bookmark(user_id=user.id, seminar_id=i) for i in sorted(new))
    session.flush()
    return len(new)


# --- reservations ----------------------------------------------------------------------------

def reservation_of(session: Session, user: User, seminar: Seminar) -> Reservation | None:
    """The user's active (confirmed or waiting) reservation for *seminar*, if any."""
    return session.scalar(select(Reservation).where(
        Reservation.seminar_id == seminar.id, Reservation.user_id == user.id, Reservation.status.in_(ACTIVE)))


def _take_seat(session: Session, seminar: Seminar) -> bool:
    """Take one seat if one is free: a single conditional UPDATE, safe under concurrency."""
    result = session.execute(
        update(Seminar)
        .where(Seminar.id == seminar.id, Seminar.capacity.is_not(None), Seminar.seats_taken < Seminar.capacity)
        .values(seats_taken=Seminar.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(seminar, ["seats_taken"])
    return result.rowcount == 1


def reserve_seat(session: Session, user: User, seminar: Seminar, now: datetime | None = None) -> Reservation:
    """Reserve a seat, or a place on the waiting list when the seminar is full."""
    now = now or utcnow()
    if seminar.published_at is None or seminar.capacity is None:
        raise ReservationError(_("Seats cannot be reserved for this seminar."))
    if seminar.starts_at <= now:
        raise ReservationError(_("This seminar has already started."))
    current = reservation_of(session, user, seminar)
    if current is not None:
        return current
    status = "confirmed" if _take_seat(session, seminar) else "waiting"
    row = session.scalar(select(Reservation).where(Reservation.seminar_id == seminar.id, Reservation.user_id == user.id))
    if row is None:
        row = Reservation(seminar_id=seminar.id, user_id=user.id)
        session.add(row)
    row.status, row.queued_at = status, now
    session.flush()
    return row


def cancel_reservation(session: Session, user: User, seminar: Seminar) -> list[User]:
    """Give up a seat or a waiting place; return the people who got a seat because of it."""
    row = reservation_of(session, user, seminar)
    if row is None:
        return []
    had_seat = row.status == "confirmed"
    if had_seat:  # the first write: it also locks the seminar row until commit
        session.execute(update(Seminar).where(Seminar.id == seminar.id)
                        .values(seats_taken=Seminar.seats_taken - 1).execution_options(synchronize_session=False))
        session.expire(seminar, ["seats_taken"])
    row.status = "cancelled"
    session.flush()
    return fill_free_seats(session, seminar) if had_seat else []


def fill_free_seats(session: Session, seminar: Seminar) -> list[User]:
    """Move people up from the waiting list while seats are free; notify each of them."""
    promoted: list[User] = []
    while True:
        stmt = (select(Reservation).where(Reservation.seminar_id == seminar.id, Reservation.status == "waiting")
                .order_by(Reservation.queued_at, Reservation.id).limit(1))
        first = session.scalar(stmt.with_for_update())  # a row lock on PostgreSQL; SQLite locks the database
        if first is None or not _take_seat(session, seminar):
            break
        first.status = "confirmed"
        _add_notice(session, first.user, seminar, "promoted")
        promoted.append(first.user)
        session.flush()
    return promoted


def waiting_position(session: Session, reservation: Reservation) -> int:
    """1 for the first person on the waiting list, 2 for the next…"""
    return 1 + (session.scalar(select(func.count(Reservation.id)).where(
        Reservation.seminar_id == reservation.seminar_id, Reservation.status == "waiting",
        (Reservation.queued_at < reservation.queued_at)
        | ((Reservation.queued_at == reservation.queued_at) & (Reservation.id < reservation.id)),
    )) or 0)


def reservations_of(session: Session, user: User) -> dict[int, Reservation]:
    """The user's active reservations by seminar id."""
    rows = session.scalars(select(Reservation).where(Reservation.user_id == user.id, Reservation.status.in_(ACTIVE)))
    return {r.seminar_id: r for r in rows}


def attendees(session: Session, seminar: Seminar) -> list[Reservation]:
    """Confirmed seats, then the waiting list in order (for the organisers)."""
    rows = session.scalars(select(Reservation).where(Reservation.seminar_id == seminar.id, Reservation.status.in_(ACTIVE))
                           .order_by(Reservation.status, Reservation.queued_at, Reservation.id))
    return list(rows)


# --- notices ---------------------------------------------------------------------------------

def followers(session: Session, seminar: Seminar) -> list[User]:
    """Everyone who bookmarked *seminar* or holds a seat or waiting place for it."""
    marked = select(Bookmark.user_id).where(Bookmark.seminar_id == seminar.id)
    reserved = select(Reservation.user_id).where(Reservation.seminar_id == seminar.id, Reservation.status.in_(ACTIVE))
    return list(session.scalars(select(User).where(User.id.in_(marked.union(reserved))).order_by(User.id)))


def _add_notice(session: Session, user: User, seminar: Seminar, kind: str) -> None:
    title = pick_text(seminar.texts("title"), user.locale if user.locale in LANGUAGES else "en").text
    session.add(SeminarNotice(user_id=user.id, seminar_id=seminar.id, kind=kind, title=title[:300]))


def notify_followers(session: Session, seminar: Seminar, kind: str) -> list[User]:
    """Leave a dashboard notice of *kind* ('moved', 'cancelled') for every follower; return them."""
    people = followers(session, seminar)
    for user in people:
        _add_notice(session, user, seminar, kind)
    session.flush()
    return people


def notices_for(session: Session, user: User, limit: int = 20) -> list[SeminarNotice]:
    """The user's unread notices, newest first."""
    return list(session.scalars(select(SeminarNotice).where(SeminarNotice.user_id == user.id, SeminarNotice.read_at.is_(None))
                                .order_by(SeminarNotice.created_at.desc(), SeminarNotice.id.desc()).limit(limit)))


def dismiss_notices(session: Session, user: User, now: datetime | None = None) -> None:
    """Mark all of the user's notices read."""
    session.execute(update(SeminarNotice).where(SeminarNotice.user_id == user.id, SeminarNotice.read_at.is_(None))
                    .values(read_at=now or utcnow()))


@dataclass(frozen=True)
class MailText:
    """A notice as mail: subject and body in the recipient's language."""

    subject: str
    body: str


def notice_mail(user: User, seminar: Seminar, kind: str, event_tz: str) -> MailText:
    """Compose the mail of a notice in the user's language and time zone."""
    lang = user.locale if user.locale in LANGUAGES else "en"
    zone = user.timezone if user.timezone in TIMEZONES else event_tz
    with force_locale(lang):
        title = pick_text(seminar.texts("title"), lang).text
        when = timefmt.moment(seminar.starts_at, lang, zone)
        if kind == "moved":
            body = _("“%(title)s” has moved. It now starts %(when)s in %(room)s.", title=title, when=when, room=seminar.room.name_in(lang))
        elif kind == "promoted":
            body = _("A seat became free: your reservation for “%(title)s” (%(when)s) is confirmed.", title=title, when=when)
        else:
            body = _("“%(title)s” (%(when)s) has been cancelled.", title=title, when=when)
        return MailText(_("Programme change: %(title)s", title=title), body)


def compose_mails(users: list[User], seminar: Seminar, kind: str, event_tz: str) -> list[tuple[str, MailText]]:
    """The mails telling *users* about the change, composed now (before a deleted seminar is gone)."""
    return [(user.email, notice_mail(user, seminar, kind, event_tz)) for user in users]


def send_mails(config: Mapping, mails: list[tuple[str, MailText]]) -> None:
    """Send composed mails (logged when no mail server is configured); a failing server is logged, never raised."""
    for address, text in mails:
        try:
            send_mail(config, address, text.subject, text.body)
        except OSError:
            log.exception("could not mail %s about a programme change", address)


def mail_followers(config: Mapping, users: list[User], seminar: Seminar, kind: str) -> None:
    """Compose and send the mails of a change to *users*."""
    send_mails(config, compose_mails(users, seminar, kind, config.get("EVENT_TIMEZONE", "Asia/Ho_Chi_Minh")))


# --- the personal agenda ---------------------------------------------------------------------

def followed_seminars(session: Session, user: User) -> list[Seminar]:
    """Published seminars the user bookmarked or holds a seat or waiting place for, by start time."""
    marked = select(Bookmark.seminar_id).where(Bookmark.user_id == user.id)
    reserved = select(Reservation.seminar_id).where(Reservation.user_id == user.id, Reservation.status.in_(ACTIVE))
    return list(session.scalars(select(Seminar).where(Seminar.id.in_(marked.union(reserved)), Seminar.published_at.is_not(None))
                                .order_by(Seminar.starts_at)))


def meeting_overlaps(session: Session, user: User, seminars: list[Seminar]) -> dict[int, list[str]]:
    """Warnings per seminar id: the user's published business meetings that overlap it."""
    meetings = meeting_items(session, user) if user.company_id else []
    warnings: dict[int, list[str]] = {}
    for seminar in seminars:
        for meeting in meetings:
            if overlaps(seminar.starts_at, seminar.ends_at, meeting.start, meeting.end):
                warnings.setdefault(seminar.id, []).append(_(
                    "Overlaps your meeting: %(meeting)s, %(time)s.", meeting=meeting.title, time=time_span(meeting.start, meeting.end)))
    return warnings


def bookmarked_agenda_items(session: Session, user: User, link=None) -> list:
    """The user's bookmarked and reserved seminars as ``services.agenda.AgendaItem`` (kind 'seminar').

    The source registered with the personal agenda; an overlap with a published meeting is
    written at the top of the item's description. *link(seminar)* gives the seminar's page URL.
    """
    reader = reader_language()
    seminars = followed_seminars(session, user)
    warnings = meeting_overlaps(session, user, seminars)
    items = []
    for seminar in seminars:
        description = "\n".join([*warnings.get(seminar.id, []), pick_text(seminar.texts("abstract"), reader).text])
        items.append(AgendaItem(
            start=seminar.starts_at, end=seminar.ends_at, title=pick_text(seminar.texts("title"), reader).text,
            location=f"{seminar.room.name_in(reader)}, {seminar.room.venue.name}", kind="seminar", uid=seminar.uid,
            sequence=seminar.sequence, description=description.strip(), url=link(seminar) if link else "",
        ))
    return items
