"""Notices for companies: approved, a meeting request received, a request answered.

Each notice is a row for the company's dashboard and a mail to each of its users in that user's
language. The mail goes through :mod:`matchmaker.services.outbox`: only after the commit.
"""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, url_for
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session, selectinload

from matchmaker.i18n import LANGUAGES
from matchmaker.models import Company, MeetingRequest, Notification, ScheduledMeeting, User, utcnow
from matchmaker.services import outbox
from matchmaker.timefmt import moment

ANSWER_KINDS = {"accepted": "request_accepted", "declined": "request_declined"}


# same-day re-matching (services.eventday.rematch): texts of its three notices
REMATCH_KINDS = ("meeting_freed", "replacement_proposed", "replacement_made")


def _rematch_text(notice: Notification) -> str:
    if notice.kind == "meeting_freed":
        return _("%(name)s cannot attend: your meeting with them is cancelled. We are looking for another partner "
                 "for you in that slot.", name=notice.partner_name)
    if notice.kind == "replacement_proposed":
        return _("A replacement meeting with %(name)s is proposed to you. Accept or decline it on My agenda.",
                 name=notice.partner_name)
    return _("A replacement meeting with %(name)s is on your agenda.", name=notice.partner_name)


def _rematch_subject(notice: Notification) -> str:
    if notice.kind == "meeting_freed":
        return _("%(name)s cannot attend your meeting", name=notice.partner_name)
    if notice.kind == "replacement_proposed":
        return _("a replacement meeting with %(name)s is proposed", name=notice.partner_name)
    return _("a replacement meeting with %(name)s", name=notice.partner_name)


def notice_text(notice: Notification) -> str:
    """The sentence of a notice, in the current language."""
    if notice.kind in REMATCH_KINDS:
        return _rematch_text(notice)
    if notice.kind == "approved":
        return _("Your company profile has been approved: it is public now, and you can request meetings.")
    if notice.kind == "request_received":
        return _("%(name)s has sent you a meeting request.", name=notice.partner_name)
    if notice.kind == "request_accepted":
        return _("%(name)s accepted your meeting request.", name=notice.partner_name)
    if notice.kind in MEETING_DAY_TEXTS:
        return MEETING_DAY_TEXTS[notice.kind](notice)
    text = _("%(name)s declined your meeting request.", name=notice.partner_name)
    if not notice.reason:
        return text
    return " ".join([text, _("Reason: %(reason)s", reason=notice.reason)])


def _meeting_time(notice: Notification) -> str:
    """When the notice's meeting starts, with day and zone ('' if the meeting is gone)."""
    session = object_session(notice)
    meeting = session.get(ScheduledMeeting, notice.meeting_id) if notice.meeting_id and session else None
    return moment(meeting.slot.starts_at) if meeting is not None else ""


def _late_text(notice: Notification) -> str:
    return _("%(name)s is running about %(minutes)s minutes late for your meeting (%(time)s).",
             name=notice.partner_name, minutes=notice.reason, time=_meeting_time(notice))


def _cancelled_text(notice: Notification) -> str:
    text = _("%(name)s cancelled your meeting (%(time)s).", name=notice.partner_name, time=_meeting_time(notice))
    return " ".join([text, _("Reason: %(reason)s", reason=notice.reason)]) if notice.reason else text


# the event day (services.eventday): a notice's ``reason`` holds the minutes of a late notice
MEETING_DAY_TEXTS = {"meeting_late": _late_text, "meeting_cancelled": _cancelled_text}


def _subject(notice: Notification) -> str:
    if notice.kind in REMATCH_KINDS:
        news = _rematch_subject(notice)
    elif notice.kind == "approved":
        news = _("your company profile is approved")
    elif notice.kind == "request_received":
        news = _("a meeting request from %(name)s", name=notice.partner_name)
    elif notice.kind == "meeting_late":
        news = _("%(name)s is running late", name=notice.partner_name)
    elif notice.kind == "meeting_cancelled":
        news = _("%(name)s cancelled a meeting", name=notice.partner_name)
    else:
        news = _("%(name)s answered your meeting request", name=notice.partner_name)
    return _("Japan–Vietnam Environment Week: %(news)s", news=news)


def mail_language(user: User, company: Company) -> str:
    """The recipient's language: their own setting, else the company's first language we write in."""
    if user.locale in LANGUAGES:
        return user.locale
    return next((code for code in company.language_list if code in LANGUAGES), "en")


def _body(notice: Notification, lang: str, message: str) -> str:
    parts = [notice_text(notice)]
    if message:
        parts.append(_("Their message:") + "\n" + message)
    if has_request_context():
        endpoint = {"approved": "main.dashboard", "request_received": "matching.meetings", "request_accepted": "matching.meetings",
                    "request_declined": "matching.meetings"}.get(notice.kind, "agenda.index")
        parts.append(_("See it on the website: %(url)s", url=url_for(endpoint, lang_code=lang, _external=True)))
    return "\n\n".join(parts)


def notify(session: Session, company: Company, kind: str, *, partner_name: str = "", reason: str = "",
           request: MeetingRequest | None = None, message: str = "", meeting: ScheduledMeeting | None = None,
           meeting_id: int | None = None) -> Notification:
    """Leave a notice of *kind* for *company* (about *request* or *meeting*) and queue a mail to each of its users."""
    notice = Notification(company_id=company.id, kind=kind, partner_name=partner_name[:200], reason=reason or "",
                          request_id=request.id if request else None, meeting_id=meeting.id if meeting else meeting_id)
    session.add(notice)
    session.flush()
    for user in company.users:
        lang = mail_language(user, company)
        with force_locale(lang):
            outbox.queue(session, user.email, _subject(notice), _body(notice, lang, message))
    return notice


def notify_request_sent(session: Session, request: MeetingRequest) -> Notification:
    """Tell the recipient of a new meeting request who asks, with the message."""
    return notify(session, request.recipient, "request_received", partner_name=request.requester.name,
                  request=request, message=request.message or "")


def notify_request_answered(session: Session, request: MeetingRequest) -> Notification:
    """Tell the requester that its request was accepted or declined (with the reason)."""
    return notify(session, request.requester, ANSWER_KINDS[request.status], partner_name=request.recipient.name,
                  reason=request.reason or "", request=request)


def unread_count(session: Session, company_id: int) -> int:
    """How many notices of the company nobody has marked read."""
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.company_id == company_id, Notification.read_at.is_(None))) or 0


def notices_for(session: Session, company_id: int, limit: int = 10) -> list[Notification]:
    """The company's latest notices, newest first (read ones too, so a notice does not vanish)."""
    return list(session.scalars(select(Notification).where(Notification.company_id == company_id)
                                .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_read(session: Session, actor: User, notice_id: int | None = None, now: datetime | None = None) -> int:
    """Mark one notice of the actor's company read (all of them when *notice_id* is None); return how many."""
    if actor.company_id is None:
        raise PermissionError("only companies have notices")
    stmt = update(Notification).where(Notification.company_id == actor.company_id, Notification.read_at.is_(None))
    if notice_id is not None:
        stmt = stmt.where(Notification.id == notice_id)
    return session.execute(stmt.values(read_at=now or utcnow())).rowcount or 0


def unanswered_requests(session: Session, company_id: int, now: datetime | None = None) -> list[MeetingRequest]:
    """Pending, unexpired requests the company received, oldest first (answer those first)."""
    return list(session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.recipient_id == company_id, MeetingRequest.status == "pending",
               MeetingRequest.expires_at > (now or utcnow()))
        .options(selectinload(MeetingRequest.requester))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    ))
