"""Publishing: the draft becomes what attendees see, in one transaction; companies are told.

Publishing can be undone for ``undo_minutes``: what was published before is kept on the
session (``undo_json``) and the notifications wait until the window closes (``deliver_at``), so
an undone publication leaves no trace for the companies. Mails go out with ``deliver_due``
once the window has closed. A meeting that drops out is written into calendars as cancelled.

Publishing replaces the session's published meetings by a copy of the draft. A meeting whose
pair keeps its slot, table, video link and interpreter keeps its calendar SEQUENCE; a new or moved
one (or one whose interpreter, link or mode changed) gets the session's
publication counter (which only grows), so calendar programs that imported the old version
update it. Every company whose meetings changed gets a dashboard notification ("published" the
first time it appears, "changed" after), and a mail when SMTP is configured (sent by the caller
after the commit, with ``mail_companies``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping

from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from matchmaker.models import MatchSession, ScheduledMeeting, ScheduleNotification, User, utcnow
from matchmaker.services.mail import send_mail
from matchmaker.services.schedule import cancellations
from matchmaker.services.schedule.common import ensure_idle, lock_session, require_organiser, session_label
from matchmaker.services.schedule.generation import insert_meetings
from matchmaker.services.schedule.review import load_board
from matchmaker.services.validation import ValidationError

log = logging.getLogger("matchmaker.schedule")
_COPIED = ("session_id", "slot_id", "table_id", "online", "video_url", "interpreter_id", "company_low", "company_high",
           "score", "required", "pinned", "source", "need_id", "offer_id", "run_id")


def _place(m) -> tuple:
    """Where and how a meeting takes place: a change in any part is a change for its companies."""
    return (m.slot_id, m.table_id, m.online, m.video_url, m.interpreter_id)


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
            out.setdefault(cid, set()).add((m.pair, *_place(m)))
    return out


def changed_companies(old: list, new: list) -> dict[int, str]:
    """Companies whose meetings differ between two versions: 'published' if they had none, else 'changed'."""
    before, after = _placements(old), _placements(new)
    return {cid: ("published" if cid not in before else "changed")
            for cid in set(before) | set(after) if before.get(cid) != after.get(cid)}


def draft_count(session: Session, ms_id: int) -> int:
    """How many meetings the session's draft holds."""
    return len(_meetings(session, ms_id, "draft"))


def draft_changes(session: Session, ms_id: int) -> int:
    """How many meetings are added, removed or moved between the published schedule and the draft."""
    draft = {(m.pair, *_place(m)) for m in _meetings(session, ms_id, "draft")}
    published = {(m.pair, *_place(m)) for m in _meetings(session, ms_id, "published")}
    return len(draft ^ published)


def _notify(session: Session, ms_id: int, kinds: dict[int, str], deliver_at: datetime | None = None) -> None:
    session.add_all(ScheduleNotification(company_id=cid, session_id=ms_id, kind=kind, deliver_at=deliver_at)
                    for cid, kind in sorted(kinds.items()))


def _check_publishable(session: Session, ms: MatchSession) -> list[ScheduledMeeting]:
    """The draft's meetings; refused when the draft is empty or breaks a rule."""
    draft = _meetings(session, ms.id, "draft")
    if not draft:
        raise ValidationError("publish", _("The draft is empty: generate it or add meetings before publishing."))
    problems = load_board(session, ms, "draft").all_problems()
    if problems:
        raise ValidationError("publish", ngettext(
            "The draft breaks %(num)d rule: fix it before publishing.",
            "The draft breaks %(num)d rules: fix them before publishing.", len(problems)))
    return draft


def _snapshot(ms: MatchSession, old: list[ScheduledMeeting]) -> str:
    """What is published now, to put back if the next publication is undone."""
    rows = [{**{k: getattr(m, k) for k in _COPIED}, "sequence": m.sequence} for m in old]
    return json.dumps({"published_at": ms.published_at.isoformat() if ms.published_at else None, "rows": rows})


def _replace_published(session: Session, ms: MatchSession, rows: list[dict]) -> None:
    session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published"))
    insert_meetings(session, rows)


def _dropped(old: list[ScheduledMeeting], new_pairs: set[tuple[int, int]]) -> list[ScheduledMeeting]:
    return [m for m in old if m.pair not in new_pairs]


def publish_schedule(session: Session, actor: User, ms_id: int, undo_minutes: int = 0,
                     now: datetime | None = None) -> PublishReport:
    """Copy the draft of session *ms_id* over its published schedule; refused if it is empty or breaks a rule.

    With *undo_minutes*, ``undo_publication`` can put the previous version back until then, and
    the companies' notifications wait until the window has closed.
    """
    require_organiser(actor)
    now = now or utcnow()
    ms = lock_session(session, ms_id)
    ensure_idle(ms)
    draft, old = _check_publishable(session, ms), _meetings(session, ms.id, "published")
    placed = {m.pair: (_place(m), m.sequence) for m in old}
    ms.publications += 1
    rows = []
    for m in draft:
        before = placed.get(m.pair)
        same = before is not None and before[0] == _place(m)
        rows.append({**{k: getattr(m, k) for k in _COPIED}, "state": "published",
                     "sequence": before[1] if same else ms.publications})
    kinds = changed_companies(old, draft)
    cancellations.cancel_meetings(session, _dropped(old, {m.pair for m in draft}), ms.publications)
    cancellations.forget(session, [m.uid for m in draft])
    ms.undo_json = _snapshot(ms, old)
    ms.undo_until = now + timedelta(minutes=undo_minutes) if undo_minutes > 0 else None
    _replace_published(session, ms, rows)
    _notify(session, ms.id, kinds, ms.undo_until)
    ms.published_at = now
    session.flush()
    return PublishReport(len(rows), kinds)


@dataclass
class PublicationPreview:
    """What publishing the draft would do: meetings published, companies told, meetings dropped."""

    meetings: int
    companies: int
    dropped: int
    first: bool


def publication_preview(session: Session, ms: MatchSession) -> PublicationPreview:
    """The figures the confirm page shows before publishing."""
    draft, old = _meetings(session, ms.id, "draft"), _meetings(session, ms.id, "published")
    return PublicationPreview(len(draft), len(changed_companies(old, draft)),
                              len(_dropped(old, {m.pair for m in draft})), not old)


def can_undo(ms: MatchSession, now: datetime | None = None) -> bool:
    """Whether the last publication of *ms* can still be undone."""
    return ms.undo_until is not None and ms.undo_until > (now or utcnow())


def undo_publication(session: Session, actor: User, ms_id: int, now: datetime | None = None) -> int:
    """Put back what was published before the last publication; its notifications are dropped unsent.

    Refused once the undo window has closed (the companies have been told). Returns the number of
    meetings published again.
    """
    require_organiser(actor)
    now = now or utcnow()
    ms = lock_session(session, ms_id)
    if not can_undo(ms, now):
        raise ValidationError("publish", _("It is too late to undo: the companies have been told. Withdraw the publication instead."))
    saved = json.loads(ms.undo_json or "{}")
    undone = _meetings(session, ms.id, "published")
    ms.publications += 1  # calendars that fetched the undone version must take the old one again
    rows = [{**row, "state": "published", "sequence": ms.publications} for row in saved.get("rows", [])]
    restored = {(row["company_low"], row["company_high"]) for row in rows}
    cancellations.cancel_meetings(session, _dropped(undone, restored), ms.publications)
    _replace_published(session, ms, rows)
    cancellations.forget(session, [m.uid for m in _meetings(session, ms.id, "published")])
    # only this publication's notices: an earlier one still in its window keeps its own
    session.execute(delete(ScheduleNotification).where(ScheduleNotification.session_id == ms.id,
                                                       ScheduleNotification.deliver_at >= ms.undo_until))
    ms.published_at = datetime.fromisoformat(saved["published_at"]) if saved.get("published_at") else None
    ms.undo_until, ms.undo_json = None, ""
    session.flush()
    return len(rows)


def withdraw_schedule(session: Session, actor: User, ms_id: int) -> PublishReport:
    """Take the published schedule of a session back (the draft stays); companies are told."""
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    old = _meetings(session, ms.id, "published")
    if not old:
        raise ValidationError("publish", _("Nothing is published for this session."))
    kinds = {cid: "withdrawn" for cid in _placements(old) if cid in _told_of(session, ms)}
    ms.publications += 1
    cancellations.cancel_meetings(session, old, ms.publications)
    session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "published"))
    session.execute(delete(ScheduleNotification).where(ScheduleNotification.session_id == ms.id,
                                                       ScheduleNotification.deliver_at > utcnow()))
    _notify(session, ms.id, kinds)
    ms.published_at, ms.undo_until, ms.undo_json = None, None, ""
    session.flush()
    return PublishReport(0, kinds)


def _told_of(session: Session, ms: MatchSession) -> set[int]:
    """The companies that have heard of what is published: inside an undo window, only those of
    the publication before (this one's notices have not gone out)."""
    if not can_undo(ms):
        return set(_placements(_meetings(session, ms.id, "published")))
    saved = json.loads(ms.undo_json or "{}").get("rows", [])
    return {cid for row in saved for cid in (row["company_low"], row["company_high"])}


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


def _due(now: datetime):
    return or_(ScheduleNotification.deliver_at.is_(None), ScheduleNotification.deliver_at <= now)


def deliver_due(session: Session, config: Mapping, agenda_url: Callable[[str], str], now: datetime | None = None) -> int:
    """Mail the notifications whose undo window has closed and that were not mailed yet; return mails sent."""
    now = now or utcnow()
    due = list(session.scalars(select(ScheduleNotification).where(ScheduleNotification.mailed_at.is_(None), _due(now))
                               .order_by(ScheduleNotification.id)))
    by_session: dict[int, dict[int, str]] = {}
    for notice in due:
        by_session.setdefault(notice.session_id, {})[notice.company_id] = notice.kind  # the latest kind wins
        notice.mailed_at = now
    sent = 0
    for ms_id, kinds in by_session.items():
        sent += mail_companies(session, config, session.get(MatchSession, ms_id), kinds, agenda_url)
    session.flush()
    return sent


def notifications_for(session: Session, company_id: int, limit: int = 5) -> list[ScheduleNotification]:
    """The company's latest schedule notifications whose undo window has closed, newest first."""
    return list(session.scalars(select(ScheduleNotification).where(ScheduleNotification.company_id == company_id,
                                                                   _due(utcnow()))
                                .order_by(ScheduleNotification.id.desc()).limit(limit)))


def mark_read(session: Session, company_id: int) -> None:
    """Mark the company's notifications read (it has seen its agenda)."""
    session.execute(update(ScheduleNotification).where(ScheduleNotification.company_id == company_id,
                                                       ScheduleNotification.read_at.is_(None)).values(read_at=utcnow()))
