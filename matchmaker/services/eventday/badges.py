"""Badges of the people of approved companies: made, corrected, added, revoked and re-issued.

Every approved company with a contact name gets a badge for that person (``ensure_badges``,
run when the organisers' badge page, a company's agenda or ``flask event badges`` needs them);
its Latin line is derived by ``core.latin`` and organisers can correct it. Organisers add more
people to a company. Revoking a badge makes its QR code stop checking anyone in; re-issuing it
gives it a new nonce, so any copy printed before stops working and the new one works.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from matchmaker.core.latin import is_latin_name, latin_name
from matchmaker.core.text import search_key
from matchmaker.models import Badge, Company, MatchSession, SessionCompany, utcnow
from matchmaker.services import validation as v
from matchmaker.services.eventday.tokens import new_nonce
from matchmaker.services.validation import ValidationError

NAME_MAX = 120
PAGE_SIZE = 50  # companies per page of the organisers' badge page


@dataclass
class CompanyBadges:
    """One company of the organisers' badge page with its badges, the contact's first."""

    company: Company
    badges: list[Badge]

    @property
    def live(self) -> list[Badge]:
        """The badges that still check someone in."""
        return [b for b in self.badges if not b.revoked]


def _approved(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).where(Company.status == "approved").order_by(Company.name, Company.id)))


def _badges_by_company(session: Session, company_ids: list[int]) -> dict[int, list[Badge]]:
    out: dict[int, list[Badge]] = {cid: [] for cid in company_ids}
    if company_ids:
        for badge in session.scalars(select(Badge).where(Badge.company_id.in_(company_ids)).order_by(Badge.id)):
            out[badge.company_id].append(badge)
    return out


def _new_badge(company: Company, name: str, name_latin: str = "") -> Badge:
    return Badge(company_id=company.id, name=name, name_latin=name_latin or latin_name(name), nonce=new_nonce())


def ensure_badges(session: Session, companies: list[Company] | None = None) -> int:
    """Give each approved company (of *companies*, default all) with no badge one for its contact.

    Returns how many badges were made. A company without a contact name gets none (organisers
    add its people by hand). Does not commit. With the default, one query finds the companies
    that lack a badge (usually none), so the badge page does not load every company to see that.
    """
    if companies is None:
        no_badge = ~exists().where(Badge.company_id == Company.id)
        companies = list(session.scalars(select(Company).where(
            Company.status == "approved", Company.contact_name.is_not(None), Company.contact_name != "", no_badge)))
    companies = [c for c in companies if c.status == "approved"]
    existing = _badges_by_company(session, [c.id for c in companies])
    missing = [c.id for c in companies if c.contact_name and not existing[c.id]]
    if not missing:
        return 0
    # two pages making the same badge at once: the second waits for the first, then sees its badge
    session.execute(select(Company.id).where(Company.id.in_(missing)).with_for_update())
    existing = _badges_by_company(session, [c.id for c in companies])
    made = 0
    for company in companies:
        name = v.text("name", company.contact_name, max_length=NAME_MAX, required=False)
        if name and not existing[company.id]:
            session.add(_new_badge(company, name))
            made += 1
    session.flush()
    return made


def badge_overview(session: Session) -> list[CompanyBadges]:
    """Every approved company by name with its badges (oldest first: the contact's leads)."""
    companies = _approved(session)
    badges = _badges_by_company(session, [c.id for c in companies])
    return [CompanyBadges(c, badges[c.id]) for c in companies]


def _matching(text: str):
    """The ids of approved companies whose name, places, offers and needs hold *text* (as in
    the directory: case, width and diacritics ignored), or one of whose people's names does."""
    stmt = select(Company.id).where(Company.status == "approved")
    key = search_key(text)
    if key:
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        person = exists().where(Badge.company_id == Company.id, or_(func.lower(Badge.name).like(pattern, escape="\\"),
                                                                  func.lower(Badge.name_latin).like(pattern, escape="\\")))
        stmt = stmt.where(or_(Company.search_text.like(pattern, escape="\\"), person))
    return stmt


def badge_page(session: Session, text: str = "", page: int = 1) -> tuple[list[CompanyBadges], int]:
    """One page of the organisers' badge page (companies by name, ``PAGE_SIZE`` a page; *text*
    narrows them, see ``_matching``) with their badges, and how many companies match."""
    ranked = session.execute(_matching(text).add_columns(func.count().over()).order_by(Company.name, Company.id)
                             .limit(PAGE_SIZE).offset((max(1, page) - 1) * PAGE_SIZE)).all()
    if not ranked:
        return [], session.scalar(select(func.count()).select_from(_matching(text).subquery())) or 0
    ids = [company_id for company_id, _ in ranked]
    by_id = {c.id: c for c in session.scalars(select(Company).where(Company.id.in_(ids)))}
    badges = _badges_by_company(session, ids)
    return [CompanyBadges(by_id[i], badges[i]) for i in ids], ranked[0][1]


def page_of(session: Session, company: Company) -> int:
    """The page of the (unsearched) badge page that shows *company*."""
    before = session.scalar(select(func.count()).select_from(Company).where(
        Company.status == "approved", or_(Company.name < company.name, (Company.name == company.name) & (Company.id < company.id))))
    return (before or 0) // PAGE_SIZE + 1


def company_badges(session: Session, company: Company, *, live_only: bool = True) -> list[Badge]:
    """The badges of *company*, oldest first; only those that still work unless *live_only* is False."""
    badges = _badges_by_company(session, [company.id])[company.id]
    return [b for b in badges if not b.revoked] if live_only else badges


def session_companies(session: Session, ms: MatchSession) -> list[Company]:
    """The approved companies taking part in session *ms* (not left out by the organisers), by name."""
    left_out = select(SessionCompany.company_id).where(SessionCompany.session_id == ms.id,
                                                       SessionCompany.excluded.is_(True))
    return list(session.scalars(select(Company).where(Company.status == "approved", Company.id.not_in(left_out))
                                .order_by(Company.name, Company.id)))


def managed_badge(session: Session, badge_id: int) -> Badge:
    """The badge *badge_id* of an approved company; LookupError for any other id."""
    badge = session.get(Badge, badge_id)
    if badge is None or badge.company.status != "approved":
        raise LookupError(badge_id)
    return badge


def _latin(field: str, value: str | None, *, required: bool) -> str:
    cleaned = v.text(field, value, max_length=NAME_MAX, required=required)
    if cleaned and not is_latin_name(cleaned):
        raise ValidationError(field, _("Write the name with Latin letters only (A–Z, without accents)."))
    return " ".join(cleaned.split())


def set_latin_name(session: Session, badge: Badge, value: str | None) -> Badge:
    """Correct the Latin line of *badge*; refused when empty or not plain Latin letters. Does not commit."""
    badge.name_latin = _latin("name_latin", value, required=True)
    session.flush()
    return badge


def add_person(session: Session, company: Company, name: str | None, name_latin: str | None) -> Badge:
    """A new badge for another person of *company*; the Latin line is derived when left empty.

    Refused, with every problem at once, when the name is missing or too long, when the Latin
    line given is not Latin, or when none was given and none can be derived (another script).
    """
    if company.status != "approved":
        raise LookupError(company.id)
    checks = v.Checks()
    clean = checks(v.text, "name", name, max_length=NAME_MAX)
    latin = checks(_latin, "name_latin", name_latin, required=False)
    checks.done()
    latin = latin or latin_name(clean)
    if not latin:
        raise ValidationError("name_latin", _("The name cannot be written in Latin letters by itself: give the Latin name."))
    badge = _new_badge(company, clean, latin)
    session.add(badge)
    session.flush()
    return badge


def revoke_badge(session: Session, badge: Badge) -> Badge:
    """Stop *badge* from checking anyone in; refused when it is already revoked. Does not commit."""
    # compare-and-set: of two organisers revoking at once, the second is told it was done
    done = session.execute(update(Badge).where(Badge.id == badge.id, Badge.revoked_at.is_(None))
                           .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    session.refresh(badge)
    if done.rowcount != 1:
        raise ValidationError("badge", _("This badge was already revoked."))
    return badge


def reissue_badge(session: Session, badge: Badge) -> Badge:
    """Give *badge* a new nonce (and lift a revocation): copies printed before stop working. Does not commit."""
    badge.nonce = new_nonce()
    badge.revoked_at = None
    session.flush()
    return badge
