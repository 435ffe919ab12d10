"""Accounts: registration, sign-in, organisers, password reset."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker.models import Company, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.companies import refresh_search_text

RESET_SALT = "matchmaker.password-reset"
# A hash computed once so that unknown emails take as long as known ones to reject.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def find_user_by_email(session: Session, email: str) -> User | None:
    """Return the user with this address (compared lower-case), or None."""
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def _new_user(session: Session, email: str, password: str, role: str, checks: v.Checks | None = None) -> User:
    """A new user; with *checks*, its problems join the others of the form instead of raising."""
    checks = checks or v.Checks()
    address = checks(v.email, "email", email)
    checks(v.password, "password", password)
    if address and find_user_by_email(session, address):
        checks.failures.append(v.ValidationError("email", _("An account with this email address already exists.")))
    checks.done()
    user = User(email=address, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    return user


def register_company(
    session: Session, *, email: str, password: str, company_name: str, country: str, locale: str | None = None
) -> User:
    """Create a company user and its (pending) company; return the user. Every problem is raised at once."""
    checks = v.Checks()
    name = checks(v.text, "company_name", company_name, max_length=200)
    code = checks(v.country, "country", country)
    user = _new_user(session, email, password, "company", checks)
    # the address the company signed up with is its first contact address (the profile can change it)
    company = Company(name=name, country=code, status="pending", languages=locale or "", contact_email=user.email)
    refresh_search_text(company)
    user.company = company
    user.locale = locale
    session.add(company)
    session.flush()
    return user


def create_organiser(session: Session, *, email: str, password: str) -> User:
    """Create an organiser account (used by ``flask users create-organiser``)."""
    user = _new_user(session, email, password, "organiser")
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user whose email and password match, else None (constant-ish time)."""
    user = find_user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def _reset_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User, secret: str) -> str:
    """A signed token for *user*; it stops working once the password changes (single use)."""
    serializer = URLSafeTimedSerializer(secret, salt=RESET_SALT)
    return serializer.dumps({"id": user.id, "fp": _reset_fingerprint(user)})


def verify_reset_token(session: Session, token: str, secret: str, max_age: int) -> User | None:
    """Return the user a valid, unexpired, unused token was made for; else None."""
    serializer = URLSafeTimedSerializer(secret, salt=RESET_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    user = session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != _reset_fingerprint(user):
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every other session of this user."""
    v.password("password", password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    session.flush()


def set_preferences(session: Session, user: User, *, locale: str | None = None, timezone: str | None = None) -> None:
    """Remember the user's language and time zone choices."""
    if locale is not None:
        user.locale = locale
    if timezone is not None:
        user.timezone = timezone
    session.flush()


def command_line_organiser() -> User:
    """The acting user of commands run from the command line: an organiser by definition.

    Never added to the session; its password hash "!" matches no password.
    """
    # bandit B106: not a password, an unusable hash
    return User(email="cli@localhost", role="organiser", password_hash="!")  # nosec B106
