"""Meeting requests: ask, accept or decline (atomically), cancel, expire."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from matchmaker.i18n import LANGUAGES
from matchmaker.models import Company, MeetingRequest, PairRule, Opportunity, User, pair_key, utcnow
from matchmaker.services import feedback, notifications
from matchmaker.services import validation as v


class RequestError(v.ValidationError):
    """A meeting request that cannot be made or answered; the message says why."""

    def __init__(self, message: str):
        super().__init__("request", message)


COUNTRY_LANGUAGES = {"JP": "ja", "VN": "vi"}


def reading_language(company: Company) -> str:
    """The language *company* reads: its users' chosen language, else its first meeting language,
    else its country's, else English."""
    chosen = [user.locale for user in company.users if user.locale in LANGUAGES]
    spoken = [code for code in company.language_list if code in LANGUAGES]
    return next(iter(chosen + spoken), COUNTRY_LANGUAGES.get(company.country, "en"))


def request_prefill(recipient: Company, topic: Opportunity | None) -> str:
    """The opening sentence of a meeting request, written in the language the RECIPIENT reads,
    with the topic's title in that language when the company wrote a version in it."""
    lang = reading_language(recipient)
    with force_locale(lang):
        if topic is None:
            return _("We would like to meet you to discuss a cooperation.")
        return _("We would like to discuss: %(topic)s", topic=topic.version_in(lang).title)


def expire_stale(session: Session, now: datetime | None = None) -> int:
    """Mark pending requests past their expiry as expired; return how many."""
    result = session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.status == "pending", MeetingRequest.expires_at <= (now or utcnow()))
        .values(status="expired")
    )
    return result.rowcount or 0


def open_outgoing_count(session: Session, company_id: int, now: datetime) -> int:
    """Pending, unexpired requests that *company_id* has sent."""
    return session.scalar(
        select(func.count(MeetingRequest.id)).where(
            MeetingRequest.requester_id == company_id,
            MeetingRequest.status == "pending",
            MeetingRequest.expires_at > now,
        )
    ) or 0


def _acting_company(actor: User) -> Company:
    if actor.company is None:
        raise PermissionError("only companies take part in meetings")
    return actor.company


def _check_can_request(session: Session, requester: Company, recipient: Company | None, cap: int, now: datetime) -> None:
    if recipient is None or recipient.status != "approved":
        raise RequestError(_("This company is not taking part in the matching."))
    if recipient.id == requester.id:
        raise RequestError(_("You cannot request a meeting with your own company."))
    if requester.status != "approved":
        raise RequestError(_("Your profile must be approved before you can request meetings."))
    low, high = pair_key(requester.id, recipient.id)
    rule = session.scalar(select(PairRule.rule).where(PairRule.company_low == low, PairRule.company_high == high))
    if rule == "forbid":
        raise RequestError(_("The organisers do not arrange meetings between these two companies."))
    existing = session.scalar(
        select(MeetingRequest.status).where(
            MeetingRequest.pair_low == low, MeetingRequest.pair_high == high, MeetingRequest.status.in_(("pending", "accepted"))
        )
    )
    if existing:
        raise RequestError(_("There is already an open meeting request between you and this company."))
    if open_outgoing_count(session, requester.id, now) >= cap:
        raise RequestError(ngettext("You have %(num)d unanswered request, the most allowed. Wait for an answer or cancel it.",
                                    "You have %(num)d unanswered requests, the most allowed. Wait for answers or cancel one.", cap))


def request_meeting(
    session: Session, actor: User, recipient_id: int, message: str, *, cap: int, expiry_hours: int, now: datetime | None = None
) -> MeetingRequest:
    """Send a meeting request from the actor's company to *recipient_id*."""
    now = now or utcnow()
    requester = _acting_company(actor)
    expire_stale(session, now)
    _check_can_request(session, requester, session.get(Company, recipient_id), cap, now)
    low, high = pair_key(requester.id, recipient_id)
    request = MeetingRequest(
        requester_id=requester.id, recipient_id=recipient_id, pair_low=low, pair_high=high,
        message=v.text("message", message, max_length=1000, required=False),
        expires_at=now + timedelta(hours=expiry_hours),
    )
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another request for the pair got in first
        raise RequestError(_("There is already an open meeting request between you and this company.")) from None
    notifications.notify_request_sent(session, request)
    return request


def respond(session: Session, actor: User, request_id: int, *, accept: bool, reason: str = "", now: datetime | None = None) -> MeetingRequest:
    """Accept or decline a pending request addressed to the actor's company.

    A single conditional UPDATE makes the answer atomic: of two answers sent at once, only the
    first changes the row; the second is told the request was already answered.
    """
    now = now or utcnow()
    company = _acting_company(actor)
    reason = v.text("reason", reason, max_length=500, required=False)
    result = session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request_id, MeetingRequest.recipient_id == company.id,
               MeetingRequest.status == "pending", MeetingRequest.expires_at > now)
        .values(status="accepted" if accept else "declined", reason=reason, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    request = _changed_request(session, result, request_id, company, now)
    feedback.record(session, company.id, request.requester_id, "accepted" if accept else "declined")
    notifications.notify_request_answered(session, request)
    return request


def _changed_request(session: Session, result, request_id: int, company: Company, now: datetime) -> MeetingRequest:
    """The request after a conditional UPDATE; if it changed no row, raise why not."""
    request = session.get(MeetingRequest, request_id)
    if result.rowcount != 1:
        _explain_unanswerable(request, company, now)
    session.refresh(request)
    return request


def _explain_unanswerable(request: MeetingRequest | None, company: Company, now: datetime):
    if request is None or company.id not in (request.recipient_id, request.requester_id):
        raise LookupError("no such request")
    if request.status == "pending" and request.expires_at <= now:
        raise RequestError(_("This request has expired."))
    if request.status == "cancelled":
        raise RequestError(_("This request was cancelled."))
    raise RequestError(_("This request has already been answered."))


def cancel(session: Session, actor: User, request_id: int, now: datetime | None = None) -> MeetingRequest:
    """The requester withdraws a pending request, or either side calls off an accepted meeting."""
    now = now or utcnow()
    company = _acting_company(actor)
    result = session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request_id,
               or_(MeetingRequest.requester_id == company.id,
                   (MeetingRequest.recipient_id == company.id) & (MeetingRequest.status == "accepted")),
               MeetingRequest.status.in_(("pending", "accepted")))
        .values(status="cancelled", responded_at=now)
        .execution_options(synchronize_session=False)
    )
    return _changed_request(session, result, request_id, company, now)


def requests_of(session: Session, company_id: int) -> list[MeetingRequest]:
    """Every request the company sent or received, newest first."""
    return list(session.scalars(
        select(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == company_id, MeetingRequest.recipient_id == company_id))
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    ))


def accepted_pairs(session: Session) -> list[tuple[int, int]]:
    """Unordered company pairs with an accepted request: the meetings the schedule must place."""
    rows = session.execute(select(MeetingRequest.pair_low, MeetingRequest.pair_high).where(MeetingRequest.status == "accepted"))
    return [(low, high) for low, high in rows]


def closed_pairs(session: Session, company_id: int | None = None) -> set[tuple[int, int]]:
    """Pairs not to suggest again: a request between them was declined, or accepted (they meet),
    or the pair feedback keeps that one declined the other."""
    stmt = select(MeetingRequest.pair_low, MeetingRequest.pair_high).where(
        MeetingRequest.status.in_(("declined", "accepted"))
    )
    if company_id is not None:
        stmt = stmt.where(or_(MeetingRequest.pair_low == company_id, MeetingRequest.pair_high == company_id))
    return {(low, high) for low, high in session.execute(stmt)} | feedback.declined_pairs(session, company_id)
