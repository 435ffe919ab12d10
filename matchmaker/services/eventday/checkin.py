"""The check-in desk: a badge scanned (or found by name) checks its person, and so its company, in.

A check-in is idempotent: a second scan of a badge with a live check-in answers "already" with
the first time and writes nothing. Two desks scanning the same badge at once both try to insert;
the partial unique index on live check-ins keeps one row and the loser answers "already" too.
A token that does not check anyone in (forged, expired, other event, unknown, revoked) changes
nothing. An undo marks the check-in undone (who, when); the badge can then be checked in again.

Counts: *people* are the badges (not revoked) of approved companies, *companies* the approved
companies with at least one such badge; a company counts as checked in from its first live
check-in (``company_checked_in_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from matchmaker.core.text import fold_accents, search_key
from matchmaker.models import Badge, CheckIn, Company, User, utcnow
from matchmaker.services.eventday import tokens
from matchmaker.services.eventday.clock import event_now

CHECKED_IN, ALREADY = "checked-in", "already"
METHODS = ("scan", "search", "cli")
SEARCH_LIMIT = 30


@dataclass(frozen=True)
class Result:
    """What a check-in attempt did: ``outcome`` is checked-in, already, or a token outcome
    (forged, expired, other-event, unknown, revoked) for which nothing changed."""

    outcome: str
    badge: Badge | None = None
    checkin: CheckIn | None = None

    @property
    def ok(self) -> bool:
        """The badge's person is checked in (now or before)."""
        return self.outcome in (CHECKED_IN, ALREADY)

    @property
    def already(self) -> bool:
        """The badge had been checked in before: nothing was written."""
        return self.outcome == ALREADY


def live_checkin(session: Session, badge_id: int) -> CheckIn | None:
    """The badge's check-in that is not undone, if any."""
    return session.scalar(select(CheckIn).where(CheckIn.badge_id == badge_id, CheckIn.undone_at.is_(None)))


def check_in_badge(session: Session, badge: Badge, actor: User | None, method: str = "scan") -> Result:
    """Check *badge* in (it must be valid: not revoked); "already" when it has a live check-in."""
    if badge.revoked:
        return Result("revoked", badge)
    existing = live_checkin(session, badge.id)
    if existing is not None:
        return Result(ALREADY, badge, existing)
    row = CheckIn(badge_id=badge.id, company_id=badge.company_id, method=method, checked_in_at=event_now(),
                  checked_in_by=actor.id if actor is not None and actor.id else None)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another desk checked the same badge in a moment ago
        return Result(ALREADY, badge, live_checkin(session, badge.id))
    return Result(CHECKED_IN, badge, row)


def check_in(session: Session, text: str, actor: User | None, method: str = "scan") -> Result:
    """Check in the badge whose token (or link) is *text*; a bad token changes nothing."""
    verdict = tokens.verify(text)
    if not verdict.ok:
        return Result(verdict.outcome, verdict.badge)
    return check_in_badge(session, verdict.badge, actor, method)


def undo(session: Session, checkin_id: int, actor: User | None) -> CheckIn | None:
    """Take back a live check-in (the desk scanned the wrong badge); None when there is none."""
    row = session.get(CheckIn, checkin_id)
    if row is None or row.undone_at is not None:
        return None
    row.undone_at = utcnow()
    row.undone_by = actor.id if actor is not None and actor.id else None
    session.flush()
    return row


def company_checked_in_at(session: Session, company: Company | int) -> datetime | None:
    """When the company's first live check-in happened (None: nobody of it checked in)."""
    company_id = company if isinstance(company, int) else company.id
    return companies_checked_in_at(session, [company_id]).get(company_id)


def companies_checked_in_at(session: Session, company_ids: list[int]) -> dict[int, datetime]:
    """Each company's first live (not undone) check-in, in UTC; companies nobody checked in are left out."""
    rows = session.execute(select(CheckIn.company_id, func.min(CheckIn.checked_in_at))
                           .where(CheckIn.company_id.in_(company_ids), CheckIn.undone_at.is_(None))
                           .group_by(CheckIn.company_id))
    return dict(rows.all())


def _expected_badges():
    return (select(Badge.id, Badge.company_id).join(Company, Company.id == Badge.company_id)
            .where(Company.status == "approved", Badge.revoked_at.is_(None)))


@dataclass(frozen=True)
class Counts:
    """Checked in / expected, for people (badges) and for companies."""

    people_in: int
    people_expected: int
    companies_in: int
    companies_expected: int

    def as_json(self) -> dict:
        """The shape of the desk's counts endpoint."""
        return {"people": {"checked_in": self.people_in, "expected": self.people_expected},
                "companies": {"checked_in": self.companies_in, "expected": self.companies_expected}}


def counts(session: Session) -> Counts:
    """The desk's live figures (see the module docstring for what is expected)."""
    expected = _expected_badges().subquery()
    live = (select(CheckIn.badge_id, CheckIn.company_id).where(CheckIn.undone_at.is_(None))
            .where(CheckIn.badge_id.in_(select(expected.c.id)))).subquery()
    return Counts(
        people_in=session.scalar(select(func.count()).select_from(live)) or 0,
        people_expected=session.scalar(select(func.count()).select_from(expected)) or 0,
        companies_in=session.scalar(select(func.count(func.distinct(live.c.company_id)))) or 0,
        companies_expected=session.scalar(select(func.count(func.distinct(expected.c.company_id)))) or 0,
    )


@dataclass(frozen=True)
class Found:
    """A badge found by name, with its live check-in (None: not checked in yet)."""

    badge: Badge
    checkin: CheckIn | None


def _matches(query: str, *texts: str) -> bool:
    key = search_key(" ".join(texts))
    return query in key or fold_accents(query) in fold_accents(key)


def search(session: Session, query: str, limit: int = SEARCH_LIMIT) -> list[Found]:
    """Badges of approved companies whose person or company name contains *query*, ignoring
    case, full/half width and Vietnamese diacritics (Đ/đ too); by name, at most *limit*.

    The names are compared in Python with ``core.text`` keys: SQL ``lower()``/``LIKE`` fold only
    ASCII on SQLite, and an event has a few thousand badges at most.
    """
    key = search_key(query)
    if not key:
        return []
    badges = session.scalars(select(Badge).options(joinedload(Badge.company)).join(Badge.company)
                             .where(Company.status == "approved", Badge.revoked_at.is_(None))
                             .order_by(Badge.name_latin, Badge.name, Badge.id))
    hits = [b for b in badges if _matches(key, b.name, b.name_latin, b.company.name)][:limit]
    live = {row.badge_id: row for row in session.scalars(
        select(CheckIn).where(CheckIn.badge_id.in_([b.id for b in hits]), CheckIn.undone_at.is_(None)))}
    return [Found(b, live.get(b.id)) for b in hits]


def recent(session: Session, limit: int = 10) -> list[CheckIn]:
    """The latest live check-ins, newest first (the desk lists them with an undo button)."""
    return list(session.scalars(select(CheckIn).options(joinedload(CheckIn.badge).joinedload(Badge.company))
                                .where(CheckIn.undone_at.is_(None))
                                .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc()).limit(limit)))
