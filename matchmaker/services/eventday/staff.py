"""Event-day staff accounts: an organiser creates them, each person chooses a password by mail.

A staff account starts with a random password nobody knows; the mail carries the site's
password-reset link (``accounts.make_reset_token``), so the person sets a password through the
same page as a forgotten one, and the link works once. An organiser can send a new link.
"""

from __future__ import annotations

import secrets

from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.models import User
from matchmaker.services import validation as v
from matchmaker.services.account_mail import AccountMail
from matchmaker.services.accounts import find_user_by_email

NAME_MAX = 120


def _require_organiser(actor: User) -> None:
    if not actor.is_organiser:
        raise PermissionError("organisers only")


def list_staff(session: Session) -> list[User]:
    """Every staff account, by name then address."""
    return list(session.scalars(select(User).where(User.role == "staff").order_by(User.name, User.email)))


def create_staff(session: Session, actor: User, *, email: str, name: str, locale: str | None = None) -> User:
    """A new staff account (random unknown password, address taken as confirmed by the organiser)."""
    _require_organiser(actor)
    checks = v.Checks()
    address = checks(v.email, "email", email)
    clean_name = checks(v.text, "name", name, max_length=NAME_MAX)
    if address and find_user_by_email(session, address):
        checks.failures.append(v.ValidationError("email", _("An account with this email address already exists.")))
    checks.done()
    user = User(email=address, name=clean_name, role="staff", locale=locale, confirmed=True,
                password_hash=generate_password_hash(secrets.token_urlsafe(32)))
    session.add(user)
    session.flush()
    return user


def staff_member(session: Session, user_id: int) -> User | None:
    """The staff account *user_id* (None for any other account)."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def remove_staff(session: Session, actor: User, user_id: int) -> User | None:
    """Delete a staff account (its check-ins stay, without the name); None if it is not one."""
    _require_organiser(actor)
    user = staff_member(session, user_id)
    if user is not None:
        session.delete(user)
        session.flush()
    return user


def staff_mail(to: str, lang: str, name: str, link: str, minutes: int) -> AccountMail:
    """The mail that lets a new staff member choose a password."""
    with force_locale(lang):
        return AccountMail(to, _("Japan–Vietnam Environment Week: your event-day staff account"), _(
            "Hello %(name)s,\n\nthe organisers have created a staff account for you: on the event day you "
            "will check people in at the desk and record meeting attendance. Open this link to choose "
            "your password (valid for %(minutes)d minutes, once):\n\n%(link)s\n\n"
            "If the link has expired, ask the organisers for a new one or use \"Forgot your password?\" "
            "on the login page.", name=name, minutes=minutes, link=link))
