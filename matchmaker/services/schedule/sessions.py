"""Organisers set up matchmaking sessions: hours, slots, breaks, tables, fixed tables, caps.

Every input is checked before anything is written, so a rejected form leaves the session as it
was. Changing the hours rebuilds the slots: the companies' unavailable times are carried over
(a new slot is unavailable when it overlaps an old unavailable one) and the draft, which no
longer fits, is cleared. While a schedule is published its slots and tables stay put.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from matchmaker.core import intervals as iv
from matchmaker.core.numbers import parse_id
from matchmaker.i18n import TIMEZONES
from matchmaker.models import (
    Company,
    MatchSession,
    MeetingTable,
    ScheduledMeeting,
    SessionBreak,
    SessionCompany,
    SessionSlot,
    Unavailability,
    User,
)
from matchmaker.services import validation as v
from matchmaker.services.schedule.common import (
    check_cap,
    ensure_idle,
    load_session,
    lock_session,
    parse_cap,
    require_organiser,
    session_label,
)
from matchmaker.services.validation import ValidationError

MAX_TABLES = 1000


@dataclass
class SessionData:
    """What the session form gives, as typed (strings), so that the service owns every check."""

    name_ja: str = ""
    name_vi: str = ""
    name_en: str = ""
    venue: str = ""
    day: str = ""
    start: str = ""
    end: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    slot_minutes: str = ""
    buffer_minutes: str = "0"
    breaks: str = ""
    tables: str = ""
    table_names: str = ""


@dataclass
class SavedSession:
    """The saved session, and whether its draft had to be cleared."""

    session: MatchSession
    draft_cleared: bool = False


def plan_message(error: iv.PlanError) -> str:
    """The person-readable message of a PlanError, in the current language."""
    p = error.params
    messages = {
        iv.TIMEZONE: lambda: _("Choose Vietnam time or Japan time."),
        iv.END_BEFORE_START: lambda: _("The session must end after it starts."),
        iv.SLOT_LENGTH: lambda: _("A meeting lasts from %(min)d to %(max)d minutes.", min=p["min"], max=p["max"]),
        iv.SLOT_STEP_CODE: lambda: _("Use a meeting length in steps of %(step)d minutes, such as 20, 25 or 30.", step=p["step"]),
        iv.BUFFER: lambda: _("The pause between meetings can be 0 to %(max)d minutes.", max=p["max"]),
        iv.BREAK_FORMAT: lambda: _("“%(value)s” is not a break: write each break as 12:00-13:00, one per line.", value=p["value"]),
        iv.BREAK_ORDER: lambda: _("The break %(value)s ends before it starts.", value=p["value"]),
        iv.BREAK_OUTSIDE: lambda: _("The break %(value)s is outside the session's hours.", value=p["value"]),
        iv.BREAK_OVERLAP: lambda: _("The break %(value)s overlaps another break.", value=p["value"]),
        iv.NO_SLOTS: lambda: _("No %(minutes)d-minute meeting fits between the start, the end and the breaks.", minutes=p["minutes"]),
        iv.TOO_MANY_SLOTS: lambda: _("This makes more than %(max)d meetings in a row: split the day into several sessions.", max=p["max"]),
    }
    return messages[error.code]()


def _date(field: str, raw: str) -> date:
    try:
        return date.fromisoformat(unicodedata.normalize("NFKC", raw or "").strip())
    except ValueError:
        raise ValidationError(field, _("Enter a date such as 2026-12-01.")) from None


def _time(field: str, raw: str) -> time:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    match = re.fullmatch(r"(\d{1,2})[:h](\d{2})(?::00)?", text)
    try:
        if not match:
            raise ValueError(text)
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise ValidationError(field, _("Enter a time such as 09:00.")) from None


def _number(field: str, raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not re.fullmatch(r"-?\d{1,4}", text):
        raise ValidationError(field, _("Enter a whole number."))
    return int(text)


def _plan_error(error: iv.PlanError) -> ValidationError:
    return ValidationError(error.field, plan_message(error))


def _breaks(raw: str) -> tuple[iv.Break, ...]:
    try:
        return iv.parse_breaks(raw)
    except iv.PlanError as error:
        raise _plan_error(error) from None


def _plan(data: SessionData) -> tuple[iv.SessionPlan, list[iv.Interval]]:
    """The plan and its slots; every field that cannot be read is reported at once."""
    checks = v.Checks()
    if data.timezone not in TIMEZONES:
        checks.failures.append(ValidationError("timezone", _("Choose Vietnam time or Japan time.")))
    fields = dict(day=checks(_date, "day", data.day), start=checks(_time, "start", data.start),
                  end=checks(_time, "end", data.end), slot_minutes=checks(_number, "slot_minutes", data.slot_minutes),
                  buffer_minutes=checks(_number, "buffer_minutes", data.buffer_minutes or "0"),
                  breaks=checks(_breaks, data.breaks))
    checks.done()
    try:
        plan = iv.SessionPlan(**fields, timezone=data.timezone)
        return plan, iv.build_slots(plan)
    except iv.PlanError as error:
        raise _plan_error(error) from None


def _table_names(data: SessionData) -> list[str]:
    count = _number("tables", data.tables)
    if count < 1:
        raise ValidationError("tables", _("A session needs at least one table."))
    if count > MAX_TABLES:
        raise ValidationError("tables", _("At most %(max)d tables.", max=MAX_TABLES))
    given = [v.text("table_names", line, max_length=60) for line in (data.table_names or "").splitlines() if line.strip()]
    if len(given) > count:
        raise ValidationError("table_names", ngettext("You gave %(names)d names for %(num)d table.", "You gave %(names)d names for %(num)d tables.", count, names=len(given)))
    names = given + [str(i + 1) for i in range(len(given), count)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError("table_names", _("Two tables are called “%(name)s”: give each table its own name.", name=duplicates[0]))
    return names


def _check_overlap(session: Session, slots: list[iv.Interval], ms_id: int | None) -> None:
    mine = iv.span(slots)
    for other in session.scalars(select(MatchSession).where(MatchSession.id != (ms_id or -1))):
        if other.slots and mine.overlaps(iv.Interval(other.slots[0].starts_at, other.slots[-1].ends_at)):
            raise ValidationError("start", _("These hours overlap the session “%(name)s”.", name=session_label(other)))


def has_published(session: Session, ms_id: int) -> bool:
    """Whether the session has a published schedule."""
    return bool(session.scalar(select(exists().where(
        ScheduledMeeting.session_id == ms_id, ScheduledMeeting.state == "published"))))


def _check_published(session: Session, ms: MatchSession, slots: list[iv.Interval], tables: int) -> None:
    if not has_published(session, ms.id):
        return
    if [(s.starts_at, s.ends_at) for s in ms.slots] != [(x.start, x.end) for x in slots] or tables < len(ms.tables):
        raise ValidationError("start", _(
            "The schedule of this session is published: withdraw it before changing the hours or removing tables."))


def save_session(session: Session, actor: User, data: SessionData, ms: MatchSession | None = None) -> SavedSession:
    """Create a session (``ms`` None) or change one; every check runs before the first write."""
    require_organiser(actor)
    checks = v.Checks()
    names_by_lang = {f"name_{lang}": checks(v.text, f"name_{lang}", getattr(data, f"name_{lang}"), max_length=120, required=False)
                     for lang in ("ja", "vi", "en")}
    venue = checks(v.text, "venue", data.venue, max_length=200, required=False)
    plan, slots = checks(_plan, data) or (None, None)
    names = checks(_table_names, data)
    checks.done()
    _check_overlap(session, slots, ms.id if ms else None)
    if ms is not None:
        ms = lock_session(session, ms.id)
        ensure_idle(ms)
        _check_published(session, ms, slots, len(names))
    else:
        ms = MatchSession()
        session.add(ms)
    for attribute, value in names_by_lang.items():
        setattr(ms, attribute, value)
    ms.venue, ms.day, ms.start_time, ms.end_time = venue, plan.day, plan.start, plan.end
    ms.timezone, ms.slot_minutes, ms.buffer_minutes = plan.timezone, plan.slot_minutes, plan.buffer_minutes
    ms.breaks = [SessionBreak(start_time=b.start, end_time=b.end) for b in plan.breaks]
    session.flush()
    cleared = _apply_slots(session, ms, slots)
    cleared = _apply_tables(session, ms, names) or cleared
    return SavedSession(ms, cleared)


def _draft_count(session: Session, ms_id: int) -> int:
    return session.scalar(select(func.count(ScheduledMeeting.id)).where(
        ScheduledMeeting.session_id == ms_id, ScheduledMeeting.state == "draft")) or 0


def _apply_slots(session: Session, ms: MatchSession, slots: list[iv.Interval]) -> bool:
    """Rebuild the slot rows if the times changed; carry availability over; True if a draft was cleared."""
    old = [iv.Interval(s.starts_at, s.ends_at) for s in ms.slots]
    if old == slots:
        return False
    had_draft = _draft_count(session, ms.id) > 0
    busy: dict[int, set[int]] = {}
    for company_id, number in session.execute(select(Unavailability.company_id, SessionSlot.number).join(SessionSlot)
                                              .where(SessionSlot.session_id == ms.id)):
        busy.setdefault(company_id, set()).add(number)
    session.execute(delete(SessionSlot).where(SessionSlot.session_id == ms.id))  # cascades the draft away
    session.expire(ms, ["slots"])
    new_rows = [SessionSlot(session_id=ms.id, number=i, starts_at=s.start, ends_at=s.end) for i, s in enumerate(slots)]
    session.add_all(new_rows)
    session.flush()
    session.add_all(Unavailability(slot_id=new_rows[j].id, company_id=company_id)
                    for company_id, numbers in busy.items() for j in sorted(iv.remap_unavailable(old, slots, numbers)))
    session.flush()
    session.expire(ms, ["slots"])
    return had_draft


def _apply_tables(session: Session, ms: MatchSession, names: list[str]) -> bool:
    """Rename, add and remove tables; True if draft meetings sat at a removed table."""
    existing = {t.number: t for t in ms.tables}
    removed = [t.id for n, t in existing.items() if n >= len(names)]
    had_draft = bool(removed) and bool(session.scalar(select(exists().where(ScheduledMeeting.table_id.in_(removed)))))
    if removed:
        session.execute(delete(MeetingTable).where(MeetingTable.id.in_(removed)))
        session.expire(ms, ["tables"])
    for table in existing.values():  # free the names first: renames may swap them
        if table.id not in removed:
            table.name = f"~{table.id}"
    session.flush()
    for number, name in enumerate(names):
        table = existing.get(number)
        if table is None:
            session.add(MeetingTable(session_id=ms.id, number=number, name=name))
        else:
            table.name = name
    session.flush()
    session.expire(ms, ["tables"])
    return had_draft


def delete_session(session: Session, actor: User, ms_id: int) -> None:
    """Delete a session with its slots, tables, availability and draft (not while published)."""
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    ensure_idle(ms)
    if has_published(session, ms.id):
        raise ValidationError("session", _("The schedule of this session is published: withdraw it before deleting the session."))
    session.delete(ms)
    session.flush()


def set_fixed_tables(session: Session, actor: User, ms_id: int, assignment: dict[int, str]) -> None:
    """Give tables to companies (exhibitors at their booth); ``''`` frees a table.

    *assignment* maps table id -> company id as typed. A company gets at most one table.
    """
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    tables = {t.id: t for t in ms.tables}
    wanted: dict[int, int | None] = {}
    seen: dict[int, MeetingTable] = {}
    for table_id, raw in assignment.items():
        table = tables.get(table_id)
        if table is None:
            raise LookupError("table of another session")
        company = _approved(session, raw, f"table-{table_id}")
        if company is not None and company.id in seen:
            raise ValidationError(f"table-{table_id}", _("%(name)s already has the table %(table)s.",
                                                          name=company.name, table=seen[company.id].name))
        if company is not None:
            seen[company.id] = table
        wanted[table_id] = company.id if company else None
    for table_id in wanted:
        tables[table_id].company_id = None
    session.flush()
    for table_id, company_id in wanted.items():
        tables[table_id].company_id = company_id
    session.flush()


def _approved(session: Session, raw: str, field: str) -> Company | None:
    text = (raw or "").strip()
    if not text:
        return None
    number = parse_id(text)
    company = session.get(Company, number) if number else None
    if company is None or company.status != "approved":
        raise ValidationError(field, _("This company is not taking part in the matching."))
    return company


def set_caps(session: Session, actor: User, ms_id: int, caps: dict[int, str], left_out: set[int] | None = None) -> None:
    """Set the most meetings each company wants in the session (``''`` = every slot) and, with
    *left_out*, which companies the organisers leave out of it (the others are taken in again)."""
    require_organiser(actor)
    ms = load_session(session, ms_id)
    parsed = {}
    for company_id, raw in caps.items():
        field = f"cap-{company_id}"
        company = _approved(session, str(company_id), field)
        cap = parse_cap(raw, len(ms.slots), field)
        check_cap(session, ms, company, cap, field)
        parsed[company_id] = cap
    for company_id, cap in parsed.items():
        row = session.get(SessionCompany, (ms.id, company_id)) or SessionCompany(session_id=ms.id, company_id=company_id)
        row.max_meetings = cap
        if left_out is not None:
            row.excluded = company_id in left_out
        session.add(row)
    session.flush()


@dataclass
class CompanyRow:
    """One line of the organiser's company list of a session."""

    company: Company
    cap: int | None
    unavailable: int
    table: str
    left_out: bool = False
    mode: str = "onsite"  # or "online"


def session_companies(session: Session, ms: MatchSession) -> list[CompanyRow]:
    """Approved companies with their cap, unavailable slots, fixed table and mode in *ms*, by name."""
    caps = dict(session.execute(select(SessionCompany.company_id, SessionCompany.max_meetings)
                                .where(SessionCompany.session_id == ms.id)).all())
    excluded = set(session.scalars(select(SessionCompany.company_id).where(
        SessionCompany.session_id == ms.id, SessionCompany.excluded.is_(True))))
    modes = dict(session.execute(select(SessionCompany.company_id, SessionCompany.mode)
                                 .where(SessionCompany.session_id == ms.id)).all())
    busy = dict(session.execute(select(Unavailability.company_id, func.count()).join(SessionSlot)
                                .where(SessionSlot.session_id == ms.id).group_by(Unavailability.company_id)).all())
    tables = {t.company_id: t.name for t in ms.tables if t.company_id}
    companies = session.scalars(select(Company).where(Company.status == "approved").order_by(Company.name))
    return [CompanyRow(c, caps.get(c.id), busy.get(c.id, 0), tables.get(c.id, ""), c.id in excluded, modes.get(c.id) or "onsite")
            for c in companies]


def list_sessions(session: Session) -> list[MatchSession]:
    """Every session in time order."""
    return list(session.scalars(select(MatchSession).order_by(MatchSession.day, MatchSession.start_time)))
