"""Publishing: the draft becomes what attendees see, in one transaction; companies are told.

Publishing replaces the session's published meetings by a copy of the draft. A meeting whose
pair keeps its slot and table keeps its calendar SEQUENCE; a new or moved one gets the session's
publication counter (which only grows), so calendar programs that imported the old version
update it. Every company whose meetings changed gets a dashboard notification ("published" the
first time it appears, "changed" after), and a mail when SMTP is configured (sent by the caller
after the commit, with ``mail_companies``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping

from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from matchmaker.models import MatchSession, ScheduledMeeting, ScheduleNotification, User, utcnow
from matchmaker.services.mail import send_mail
from matchmaker.services.schedule.common import ensure_idle, lock_session, require_organiser, session_label
from matchmaker.services.schedule.generation import insert_meetings
from matchmaker.services.schedule.review import load_board
from matchmaker.services.validation import ValidationError

log = logging.getLogger("matchmaker.schedule")
_COPIED = ("session_id", "slot_id", "table_id", "company_low", "company_high", "score", "required", "pinned",
           "source", "need_id", "offer_id", "run_id")


@dataclass
class PublishReport:
    """What a publication (or withdrawal) did: meetings published, companies told and how."""

    meetings: int = 0
    kinds: dict[int, str] = field(default_factory=dict)  # company id -> notification kind


def _meetings(session: Session, ms_id: int, state: str) -> list[ScheduledMeeting]:
    return list(session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms_id, ScheduledMeeting.state == state)))


def _placements(meetings) -> dict[int, set[tuple]]:
    out: dict[int, set[tuple]] = {}
    for m in meetings:
        for cid in m.pair:
            out.setdefault(cid, set()).add((m.pair, m.slot_id, m.table_id))
    return out


def changed_companies(old: list, new: list) -> dict[int, str]:
    """Companies whose meetings differ between two versions: 'published' if they had none, else 'changed'."""
    before, after = _placements(old), _placements(new)
    return {cid: ("published" if cid not in before else "changed")
            for cid in set(before) | set(after) if before.get(cid) != after.get(cid)}


def draft_changes(session: Session, ms_id: int) -> int:
    """How many meetings are added, removed or moved between the published schedule and the draft."""
    draft = {(m.pair, m.slot_id, m.table_id) for m in _meetings(session, ms_id, "draft")}
    published = {(m.pair, m.slot_id, m.table_id) for m in _meetings(session, ms_id, "published")}
    return len(draft ^ published)


def _notify(session: Session, ms_id: int, kinds: dict[int, str]) -> None:
    session.add_all(ScheduleNotification(company_id=cid, session_id=ms_id, kind=kind) for cid, kind in sorted(kinds.items()))


def publish_schedule(session: Session, actor: User, ms_id: int) -> PublishReport:
    """Copy the draft of session *ms_id* over its published schedule; refused if the draft breaks a rule."""
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    ensure_idle(ms)
    problems = load_board(session, ms, "draft").all_problems()
    if problems:
        raise ValidationError("publish", ngettext(
            "The draft breaks %(num)d rule: fix it before publishing.",
            "The draft breaks %(num)d rules: fix them before publishing.", len(problems)))
    draft, old = _meetings(session, ms.id, "draft"), _meetings(session, ms.id, "published")
    placed = {m.pair: (m.slot_id, m.table_id, m.sequence) for m in old}
    ms.publications += 1
    rows = []
    for m in draft:
        before = placed.get(m.pair)
        same = before is not None and before[:2] == (m.slot_id, m.table_id)
        rows.append({**{k: getattr(m, k) for k in _COPIED}, "state": "published",
                     "sequence": before[2] if same else ms.publications})
    kinds = changed_companies(old, draft)
    session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published"))
    insert_meetings(session, rows)
    _notify(session, ms.id, kinds)
    ms.published_at = utcnow()
    session.flush()
    return PublishReport(len(rows), kinds)


def withdraw_schedule(session: Session, actor: User, ms_id: int) -> PublishReport:
    """Take the published schedule of a session back (the draft stays); companies are told."""
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    old = _meetings(session, ms.id, "published")
    if not old:
        raise ValidationError("publish", _("Nothing is published for this session."))
    kinds = {cid: "withdrawn" for cid in _placements(old)}
    session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published"))
    _notify(session, ms.id, kinds)
    ms.published_at = None
    session.flush()
    return PublishReport(0, kinds)


def notification_text(kind: str, session_name: str) -> str:
    """The sentence of a notification, in the current language."""
    if kind == "published":
        return _("Your meeting schedule for “%(session)s” is published.", session=session_name)
    if kind == "changed":
        return _("Your meeting schedule for “%(session)s” has changed.", session=session_name)
    return _("The meeting schedule for “%(session)s” was withdrawn; a new one will follow.", session=session_name)


def mail_companies(session: Session, config: Mapping, ms: MatchSession, kinds: dict[int, str],
                   agenda_url: Callable[[str], str]) -> int:
    """Mail every user of the companies in *kinds*, each in their language; return mails sent.

    Does nothing without ``SMTP_HOST`` (the dashboard notification is enough). A failing mail
    server is logged, not raised: the publication is already committed.
    """
    if not config.get("SMTP_HOST"):
        return 0
    sent = 0
    for user in session.scalars(select(User).where(User.company_id.in_(list(kinds)))):
        lang = user.locale or "en"
        with force_locale(lang):
            subject = _("Japan–Vietnam Environment Week: your meeting schedule")
            body = "\n\n".join([notification_text(kinds[user.company_id], session_label(ms)), agenda_url(lang)])
        try:
            send_mail(config, user.email, subject, body)
            sent += 1
        except OSError:
            log.exception("schedule mail to %s failed", user.email)
    return sent


def notifications_for(session: Session, company_id: int, limit: int = 5) -> list[ScheduleNotification]:
    """The company's latest schedule notifications, newest first."""
    return list(session.scalars(select(ScheduleNotification).where(ScheduleNotification.company_id == company_id)
                                .order_by(ScheduleNotification.id.desc()).limit(limit)))


def mark_read(session: Session, company_id: int) -> None:
    """Mark the company's notifications read (it has seen its agenda)."""
    session.execute(update(ScheduleNotification).where(ScheduleNotification.company_id == company_id,
                                                       ScheduleNotification.read_at.is_(None)).values(read_at=utcnow()))
