"""Accounts: registration, sign-in, organisers, password reset."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker.models import Company, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.companies import refresh_search_text

RESET_SALT = "matchmaker.password-reset"
CONFIRM_SALT = "matchmaker.confirm-address"
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


@dataclass
class Registration:
    """What a registration form led to; the page answers the same in every case.

    ``kind`` is "new" (a user waiting to confirm the address), "taken" (the address already has
    an account, or is the contact of a company that has one) or "imported" (the address is the
    contact of an imported company without a login: it gets an invitation instead).
    """

    kind: str
    email: str
    user: User | None = None
    company: Company | None = None


def register_company(
    session: Session, *, email: str, password: str, company_name: str, country: str, locale: str | None = None
) -> Registration:
    """Register a company, or find who already owns the address; never tell the visitor which.

    Every field is checked first and every problem is reported at once, so a wrong field is
    reported the same way for every address. A new user cannot sign in until the address is
    confirmed (:func:`confirm_address`).
    """
    checks = v.Checks()
    address = checks(v.email, "email", email)
    checks(v.password, "password", password)
    name = checks(v.text, "company_name", company_name, max_length=200)
    country_code = checks(v.country, "country", country)
    checks.done()
    # Hashed whatever the outcome: the answer takes as long for a taken address as for a new one.
    password_hash = generate_password_hash(password)
    existing = find_user_by_email(session, address)
    if existing is not None:
        return Registration("taken", address, user=existing)
    company = session.scalar(select(Company).where(Company.contact_email == address))
    if company is not None:
        return Registration("imported" if not company.users else "taken", address, company=company)
    user = User(email=address, password_hash=password_hash, role="company", confirmed=False)
    session.add(user)
    # the address the company signed up with is its first contact address (the profile can change it)
    company = Company(name=name, country=country_code, status="pending", languages=locale or "", contact_email=address)
    refresh_search_text(company)
    user.company = company
    user.locale = locale
    session.add(company)
    session.flush()
    return Registration("new", address, user=user)


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


def end_sessions(session: Session, user: User) -> None:
    """End every session and remember-me cookie of *user* (at logout): their version no longer matches."""
    user.session_version += 1
    session.flush()


def sign_token(secret: str, salt: str, data: dict) -> str:
    """*data* signed and timestamped, safe to put in a URL (read back with :func:`read_token`)."""
    return URLSafeTimedSerializer(secret, salt=salt).dumps(data)


def read_token(secret: str, salt: str, token: str, max_age: int) -> dict | None:
    """The data of a valid, unexpired token, else None."""
    try:
        data = URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) else None


def make_confirm_token(user: User, secret: str) -> str:
    """A signed token that confirms *user*'s address; it works once (it names the session version)."""
    return sign_token(secret, CONFIRM_SALT, {"id": user.id, "v": user.session_version})


def verify_confirm_token(session: Session, token: str, secret: str, max_age: int) -> User | None:
    """The unconfirmed user a valid, unexpired, unused token was made for; else None."""
    data = read_token(secret, CONFIRM_SALT, token, max_age)
    user = session.get(User, data["id"]) if data and isinstance(data.get("id"), int) else None
    if user is None or user.confirmed or data.get("v") != user.session_version:
        return None
    return user


def confirm_address(session: Session, user: User) -> None:
    """The person opened the mailed link: the account can be used from now on."""
    user.confirmed = True
    user.session_version += 1  # the link is spent
    session.flush()


def _reset_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User, secret: str) -> str:
    """A signed token for *user*; it stops working once the password changes (single use)."""
    return sign_token(secret, RESET_SALT, {"id": user.id, "fp": _reset_fingerprint(user)})


def verify_reset_token(session: Session, token: str, secret: str, max_age: int) -> User | None:
    """Return the user a valid, unexpired, unused token was made for; else None."""
    data = read_token(secret, RESET_SALT, token, max_age)
    user = session.get(User, data["id"]) if data and isinstance(data.get("id"), int) else None
    if user is None or data.get("fp") != _reset_fingerprint(user):
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every other session of this user."""
    v.password("password", password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    if not user.confirmed:  # the reset link came through the mailbox: the address is confirmed
        user.confirmed = True
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
