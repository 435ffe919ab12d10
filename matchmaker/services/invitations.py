"""Imported companies have no login: an organiser invites them, each contact sets a password.

An invitation is a signed link that names the company, its contact address and the moment of
the invitation: it expires, stops working once the company has a user (it works once), and a
newer invitation replaces it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import generate_password_hash

from matchmaker.models import Company, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.account_mail import deliver, invitation_mail, mail_language
from matchmaker.services.accounts import find_user_by_email, read_token, sign_token

INVITE_SALT = "matchmaker.invitation"
COUNTRY_LANGUAGE = {"JP": "ja", "VN": "vi"}


def without_login(session: Session, among: list[int] | None = None) -> list[Company]:
    """Companies with a contact address and no user (imported ones), by name; only those
    whose id is in *among* when given (the organiser's page lists one page of companies)."""
    stmt = (select(Company).options(selectinload(Company.users)).where(Company.contact_email.is_not(None))
            .where(~Company.users.any()).order_by(Company.name))
    if among is not None:
        stmt = stmt.where(Company.id.in_(among))
    return list(session.scalars(stmt))


def count_without_login(session: Session) -> int:
    """How many companies have a contact address and no user."""
    return session.scalar(select(func.count()).select_from(Company).where(Company.contact_email.is_not(None))
                          .where(~Company.users.any())) or 0


def invited_company(session: Session, email: str) -> Company | None:
    """The company without a login whose contact address is *email*, or None."""
    company = session.scalar(select(Company).where(Company.contact_email == (email or "").strip().lower()))
    return company if company is not None and not company.users else None


def company_language(company: Company) -> str:
    """The language to write to the company in: its first meeting language, else its country's."""
    return mail_language(*company.language_list, COUNTRY_LANGUAGE.get(company.country))


def _stamp(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def make_invite_token(company: Company, secret: str) -> str:
    """The signed token of the company's current invitation."""
    return sign_token(secret, INVITE_SALT, {"c": company.id, "e": company.contact_email, "t": _stamp(company.invited_at)})


def verify_invite_token(session: Session, token: str, secret: str, max_age: int) -> Company | None:
    """The company of a valid, unexpired, latest and unused invitation; else None."""
    data = read_token(secret, INVITE_SALT, token, max_age)
    company = session.get(Company, data["c"]) if data and isinstance(data.get("c"), int) else None
    if company is None or company.users or company.contact_email != data.get("e"):
        return None
    return company if company.invited_at and data.get("t") == _stamp(company.invited_at) else None


def invite(session: Session, company: Company, config: Mapping, link_for: Callable[[str, str], str]) -> bool:
    """Mail *company*'s contact a new invitation in the company's language; True when sent.

    *link_for(token, lang)* makes the absolute URL of the set-password page.
    """
    company.invited_at = utcnow().replace(microsecond=0)  # the token carries whole seconds
    session.flush()
    lang = company_language(company)
    days = config["INVITE_MAX_AGE"] // 86400
    link = link_for(make_invite_token(company, config["SECRET_KEY"]), lang)
    return deliver(config, invitation_mail(company.contact_email, lang, company.name, link, days))


def invite_companies(session: Session, actor: User, company_ids: Iterable[int] | None, config: Mapping,
                     link_for: Callable[[str, str], str]) -> int:
    """Invite the chosen companies without a login (None: every one not invited yet); return mails sent."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    companies = without_login(session)
    if company_ids is None:
        chosen = [c for c in companies if c.invited_at is None]
    else:
        wanted = set(company_ids)
        chosen = [c for c in companies if c.id in wanted]
    return sum(invite(session, company, config, link_for) for company in chosen)


def accept_invitation(session: Session, company: Company, password: str, lang: str) -> User:
    """Create the company's user with the contact address and *password*; return it."""
    v.password("password", password)
    if find_user_by_email(session, company.contact_email):
        raise v.ValidationError("password", _("An account with this email address already exists."))
    user = User(email=company.contact_email, password_hash=generate_password_hash(password), role="company",
                company=company, locale=lang)
    session.add(user)
    session.flush()
    return user
