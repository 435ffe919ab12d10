"""Sign-in throttling that an attacker cannot turn against a company.

Failed sign-ins are counted per address and per account *from one address*; a browser where
the account signed in before carries a signed device cookie and is counted on its own, so the
right password from a known device keeps working while someone elsewhere hammers the account.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "mm_device"
DEVICE_SALT = "matchmaker.known-device"
DEVICE_MAX_AGE = 180 * 86400


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _account(email: str | None) -> str:
    """A short digest of the typed address (the cookie does not carry the address itself)."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:24]


def _typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def known_device() -> str | None:
    """The device id of this browser if it signed in before to the account typed in the form."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account(_typed_email()):
        return None
    return str(data.get("d"))


def is_known_device() -> bool:
    """Exempts known devices from the per-address limit (they have a counter of their own)."""
    return known_device() is not None


def account_attempt_key() -> str:
    """Rate-limit key for one account: per known device, else per address."""
    device = known_device()
    origin = f"device:{device}" if device else f"address:{get_remote_address()}"
    return f"account:{_typed_email()}|{origin}"


def remember_device(response, email: str) -> None:
    """Mark this browser as a known device of the account *email* (at a successful sign-in)."""
    device = known_device() or secrets.token_urlsafe(12)  # a known device keeps its counter
    value = _serializer().dumps({"a": _account(email), "d": device})
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(config.get("SESSION_COOKIE_SECURE")))
