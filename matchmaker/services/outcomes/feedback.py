"""Feedback on a held meeting: who may give it, checking it, saving it (again = update).

A company may give feedback on a PUBLISHED meeting of its own whose status is ``held``.
``meeting_for_feedback`` says why not otherwise (``FeedbackRefused.reason``, one of
``REFUSAL_REASONS``), so the page can tell the reader in their language. A signed link
(``feedback_token``) names the meeting and the company and works without logging in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    FOLLOW_UP_ANSWERS,
    Category,
    Company,
    MeetingFeedback,
    ScheduledMeeting,
    User,
)
from matchmaker.services import validation as v
from matchmaker.services.accounts import read_token, sign_token
from matchmaker.services.outcomes.rows import add_or_existing

FEEDBACK_SALT = "matchmaker.meeting-feedback"
REFUSAL_REASONS = ("unknown", "not-yours", "not-held", "other-meeting", "bad-link")
NEXT_STEP_MAX = 500
COMMENT_MAX = 2000


class FeedbackRefused(LookupError):
    """The meeting cannot take this company's feedback; *reason* is one of ``REFUSAL_REASONS``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FeedbackData:
    """What the form sends, as strings (checked by ``save_feedback``)."""

    rating: str | None = ""
    follow_up: str | None = ""
    categories: list[str] = field(default_factory=list)  # category keys
    next_step: str | None = ""
    comment: str | None = ""


def refusal_message(reason: str) -> str:
    """The sentence that tells the reader why the feedback form is not there, in the current language."""
    return {
        "not-held": _("This meeting did not take place, so there is nothing to give feedback on."),
        "other-meeting": _("This link is for another meeting. Open the link from the mail about this meeting."),
        "bad-link": _("This feedback link is not valid or has expired. Sign in and give your feedback from My agenda."),
    }.get(reason, _("This meeting is not one of your company's meetings."))


def meeting_for_feedback(session: Session, meeting_id: int, company_id: int) -> ScheduledMeeting:
    """The published meeting *meeting_id* of *company_id*, if it was held; else ``FeedbackRefused``."""
    meeting = session.get(ScheduledMeeting, meeting_id)
    if meeting is None or meeting.state != "published":
        raise FeedbackRefused("unknown")
    if company_id not in meeting.pair:
        raise FeedbackRefused("not-yours")
    if meeting.status != "held":
        raise FeedbackRefused("not-held")
    return meeting


def feedback_token(meeting: ScheduledMeeting, company_id: int, secret: str) -> str:
    """The signed token of the feedback link of *company_id* about *meeting*."""
    return sign_token(secret, FEEDBACK_SALT, {"m": meeting.id, "c": company_id})


def company_of_token(token: str, meeting_id: int, secret: str, max_age: int) -> int:
    """The company a valid feedback token for *meeting_id* speaks for; else ``FeedbackRefused``."""
    data = read_token(secret, FEEDBACK_SALT, token or "", max_age)
    if not data or not isinstance(data.get("m"), int) or not isinstance(data.get("c"), int):
        raise FeedbackRefused("bad-link")
    if data["m"] != meeting_id:
        raise FeedbackRefused("other-meeting")
    return data["c"]


def feedback_of(session: Session, meeting_id: int, company_id: int) -> MeetingFeedback | None:
    """What *company_id* wrote about the meeting, if anything."""
    return session.scalar(select(MeetingFeedback).where(MeetingFeedback.meeting_id == meeting_id,
                                                        MeetingFeedback.company_id == company_id))


def _rating(raw: str | None) -> int:
    text = (raw or "").strip()
    if text not in ("1", "2", "3", "4", "5"):
        raise v.ValidationError("rating", _("Choose a rating from 1 to 5."))
    return int(text)


def _follow_up(raw: str | None) -> str:
    if (raw or "").strip() not in FOLLOW_UP_ANSWERS:
        raise v.ValidationError("follow_up", _("Say whether you want to follow up: yes, maybe or no."))
    return raw.strip()


def _categories(session: Session, keys: list[str]) -> list[Category]:
    from matchmaker.services.categories import categories_by_keys

    return categories_by_keys(session, "categories", list(keys or []))


def save_feedback(session: Session, meeting: ScheduledMeeting, company_id: int, data: FeedbackData,
                  actor: User | None = None) -> MeetingFeedback:
    """Check *data* and store it as *company_id*'s feedback on *meeting* (replacing an earlier one).

    Every problem is reported at once (``ValidationError``); nothing is written then.
    """
    checks = v.Checks()
    rating = checks(_rating, data.rating)
    follow_up = checks(_follow_up, data.follow_up)
    categories = checks(_categories, session, data.categories)
    next_step = checks(v.text, "next_step", data.next_step, max_length=NEXT_STEP_MAX, required=False)
    comment = checks(v.text, "comment", data.comment, max_length=COMMENT_MAX, required=False)
    checks.done()
    feedback = feedback_of(session, meeting.id, company_id)
    if feedback is None:
        feedback = add_or_existing(session, MeetingFeedback(
            meeting_id=meeting.id, company_id=company_id, session_id=meeting.session_id, rating=rating,
            follow_up=follow_up), lambda: feedback_of(session, meeting.id, company_id))
    feedback.rating, feedback.follow_up, feedback.next_step, feedback.comment = rating, follow_up, next_step, comment
    feedback.categories = categories
    feedback.user_id = actor.id if actor is not None and actor.company_id == company_id else feedback.user_id
    session.add(feedback)
    session.flush()
    return feedback


@dataclass
class HeldMeeting:
    """A held meeting of a company, with what the company wrote about it (None: nothing yet)."""

    meeting: ScheduledMeeting
    partner: Company
    feedback: MeetingFeedback | None


def held_meetings_of(session: Session, company_id: int) -> list[HeldMeeting]:
    """The company's held published meetings, earliest first, each with its own feedback."""
    meetings = session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.state == "published", ScheduledMeeting.status == "held",
        (ScheduledMeeting.company_low == company_id) | (ScheduledMeeting.company_high == company_id))
        .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.low),
                 selectinload(ScheduledMeeting.high), selectinload(ScheduledMeeting.session)))
    own = {row.meeting_id: row for row in session.scalars(select(MeetingFeedback).where(
        MeetingFeedback.company_id == company_id))}
    rows = [HeldMeeting(m, m.partner_of(company_id), own.get(m.id)) for m in meetings]
    return sorted(rows, key=lambda row: row.meeting.slot.starts_at)


def feedback_for_organisers(session: Session, session_id: int | None = None) -> list[MeetingFeedback]:
    """Every feedback (of one matchmaking session, if given), by session and meeting: ratings and comments included.

    For organisers only (see ``privacy``).
    """
    query = select(MeetingFeedback).options(selectinload(MeetingFeedback.company),
                                            selectinload(MeetingFeedback.categories))
    if session_id is not None:
        query = query.where(MeetingFeedback.session_id == session_id)
    return list(session.scalars(query.order_by(MeetingFeedback.session_id, MeetingFeedback.meeting_id,
                                               MeetingFeedback.company_id)))


def rating_counts(session: Session, session_id: int | None = None) -> dict[int, int]:
    """Rating (1-5) -> how many feedbacks gave it (raw counts; show them through ``privacy.small_count``)."""
    query = select(MeetingFeedback.rating, func.count(MeetingFeedback.id)).group_by(MeetingFeedback.rating)
    if session_id is not None:
        query = query.where(MeetingFeedback.session_id == session_id)
    counts = dict.fromkeys(range(1, 6), 0)
    counts.update({rating: count for rating, count in session.execute(query)})
    return counts


def follow_up_counts(session: Session, session_id: int | None = None) -> dict[str, int]:
    """Answer to "follow up?" (yes, maybe, no) -> how many feedbacks gave it (raw counts)."""
    query = select(MeetingFeedback.follow_up, func.count(MeetingFeedback.id)).group_by(MeetingFeedback.follow_up)
    if session_id is not None:
        query = query.where(MeetingFeedback.session_id == session_id)
    counts = dict.fromkeys(FOLLOW_UP_ANSWERS, 0)
    counts.update({answer: count for answer, count in session.execute(query)})
    return counts
