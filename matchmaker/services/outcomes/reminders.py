"""The mails after the event: a feedback link per held meeting, reminders to update the follow-up.

Both run from one periodic task (``matchmaker.outcomes.tasks.send_outcome_mails``, queued by
``flask outcomes send-mail --queue`` from cron, or run in place without ``--queue``). Each mail
is remembered (``FeedbackInvitation``, ``FollowupReminder``) so the task can run any number of
times and send every mail once. Mails are queued on the session (``services.outbox``) and leave
after the commit, each in its recipient's language.

* Feedback: once a held published meeting's slot has ended, each company of it that has given
  no feedback yet gets the signed link (``feedback.feedback_token``).
* Reminders: ``months`` after the end of the event (the last slot of the published schedule),
  each pair that met gets one reminder per milestone (default 1, 3 and 6 months; set
  ``MATCHMAKER_FOLLOWUP_REMINDER_MONTHS``). When the task did not run for a while, only the
  latest milestone due is mailed and the earlier ones count as sent.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Callable, Mapping

from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    Company,
    FeedbackInvitation,
    FollowupReminder,
    MeetingFeedback,
    ScheduledMeeting,
    SessionSlot,
    utcnow,
)
from matchmaker.services import outbox
from matchmaker.services.invitations import company_language
from matchmaker.services.notifications import mail_language
from matchmaker.services.outcomes.feedback import feedback_token
from matchmaker.services.schedule.common import session_label

DEFAULT_REMINDER_MONTHS = (1, 3, 6)
# (meeting id, company id, token, language) -> absolute URL of the feedback form
FeedbackLink = Callable[[int, int, str, str], str]
# (company id, partner id, language) -> absolute URL of the pair's follow-up page
PairLink = Callable[[int, int, str], str]


def reminder_months(raw: str | None) -> tuple[int, ...]:
    """The milestones from a setting like "1,3,6" (sorted, positive); the default when empty or bad."""
    try:
        months = sorted({int(part) for part in (raw or "").split(",") if part.strip()})
    except ValueError:
        return DEFAULT_REMINDER_MONTHS
    return tuple(m for m in months if m > 0) or DEFAULT_REMINDER_MONTHS


def add_months(moment: datetime, months: int) -> datetime:
    """*moment* plus *months* calendar months (the 31st becomes the month's last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def event_end(session: Session) -> datetime | None:
    """When the last published meeting slot ends (None before any publication)."""
    return session.scalar(select(func.max(SessionSlot.ends_at)).join(
        ScheduledMeeting, ScheduledMeeting.slot_id == SessionSlot.id).where(ScheduledMeeting.state == "published"))


def _recipients(company: Company) -> list[tuple[str, str]]:
    """(address, language) of each user of *company*; its contact address when it has no user."""
    users = [(user.email, mail_language(user, company)) for user in company.users if user.is_active]
    if users or not company.contact_email:
        return users
    return [(company.contact_email, company_language(company))]


def send_feedback_requests(session: Session, config: Mapping, link: FeedbackLink, now: datetime | None = None) -> int:
    """Mail the feedback link of every ended held meeting to each company not asked yet; return mails queued."""
    now = now or utcnow()
    meetings = session.scalars(select(ScheduledMeeting).join(SessionSlot, SessionSlot.id == ScheduledMeeting.slot_id).where(
        ScheduledMeeting.state == "published", ScheduledMeeting.status == "held", SessionSlot.ends_at <= now)
        .options(selectinload(ScheduledMeeting.low), selectinload(ScheduledMeeting.high),
                 selectinload(ScheduledMeeting.session)))
    asked = {(row.meeting_id, row.company_id) for row in session.scalars(select(FeedbackInvitation))}
    answered = {(m, c) for m, c in session.execute(select(MeetingFeedback.meeting_id, MeetingFeedback.company_id))}
    queued = 0
    for meeting in meetings:
        for company in (meeting.low, meeting.high):
            if (meeting.id, company.id) in asked | answered:
                continue
            token = feedback_token(meeting, company.id, config["SECRET_KEY"])
            for address, lang in _recipients(company):
                with force_locale(lang):
                    outbox.queue(session, address, _("Japan–Vietnam Environment Week: how was your meeting?"),
                                 _feedback_body(meeting, company, link(meeting.id, company.id, token, lang)))
                queued += 1
            session.add(FeedbackInvitation(meeting_id=meeting.id, company_id=company.id, sent_at=now))
    session.flush()
    return queued


def _feedback_body(meeting: ScheduledMeeting, company: Company, url: str) -> str:
    partner = meeting.partner_of(company.id)
    return _("Thank you for meeting %(partner)s (%(session)s). Please tell us in two minutes how it went and "
             "whether you will follow up. Your rating and your comment are read by the organisers only.\n\n"
             "%(link)s\n\nYou can also answer from My agenda after signing in.",
             partner=partner.name, session=session_label(meeting.session), link=url)


def _pairs_met(session: Session) -> set[tuple[int, int]]:
    rows = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high).where(
        ScheduledMeeting.state == "published", ScheduledMeeting.status == "held"))
    return {(low, high) for low, high in rows}


def send_followup_reminders(session: Session, link: PairLink, months: tuple[int, ...],
                            now: datetime | None = None) -> int:
    """Mail each pair that met the reminder of the latest milestone due and not sent; return mails queued."""
    now, end = now or utcnow(), event_end(session)
    if end is None:
        return 0
    due = [m for m in months if add_months(end, m) <= now]
    if not due:
        return 0
    sent = {(r.pair_low, r.pair_high, r.months) for r in session.scalars(select(FollowupReminder))}
    queued = 0
    for low, high in sorted(_pairs_met(session)):
        missing = [m for m in due if (low, high, m) not in sent]
        if not missing:
            continue
        for m in missing:
            session.add(FollowupReminder(pair_low=low, pair_high=high, months=m, sent_at=now))
        queued += _remind_pair(session, low, high, max(missing), link)
    session.flush()
    return queued


def _remind_pair(session: Session, low: int, high: int, months: int, link: PairLink) -> int:
    companies = {low: session.get(Company, low), high: session.get(Company, high)}
    queued = 0
    for company_id, partner_id in ((low, high), (high, low)):
        company, partner = companies[company_id], companies[partner_id]
        for address, lang in _recipients(company):
            with force_locale(lang):
                body = _("It is %(months)d months since the Environment Week. Where does your follow-up with "
                         "%(partner)s stand? Record the latest stage (contact made, information exchanged, site "
                         "visit, MoU or NDA, project proposal, project agreed) so both companies and the "
                         "organisers see it:\n\n%(link)s", months=months, partner=partner.name,
                         link=link(company_id, partner_id, lang))
                outbox.queue(session, address, _("Japan–Vietnam Environment Week: update your follow-up"), body)
            queued += 1
    return queued
