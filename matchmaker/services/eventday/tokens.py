"""Badge check-in links: signed, unguessable, revocable, bound to this event.

A badge's QR code holds ``<site>/b/<token>``. The token is the badge id, its random nonce and the
event key, signed with the app's secret and timestamped (``BADGE_MAX_AGE_DAYS``). It is checked
in this order: signature (forged), age (expired), event key (other event), badge and nonce in
the database (unknown: deleted or re-issued), revocation (revoked).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from matchmaker.extensions import db
from matchmaker.models import Badge

SALT = "badge-checkin"
PATH_PREFIX = "/b/"
OUTCOMES = ("ok", "forged", "expired", "other-event", "unknown", "revoked")


@dataclass(frozen=True)
class Verdict:
    """What a token turned out to be: ``outcome`` one of OUTCOMES, and the badge when it is ok."""

    outcome: str
    badge: Badge | None = None

    @property
    def ok(self) -> bool:
        """Whether the token checks its badge in."""
        return self.outcome == "ok"


def new_nonce() -> str:
    """An unguessable nonce for a new (or re-issued) badge."""
    return secrets.token_urlsafe(18)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(badge: Badge) -> str:
    """The signed token printed (as a link) in the badge's QR code."""
    return _serializer().dumps({"b": badge.id, "n": badge.nonce, "e": current_app.config["EVENT_KEY"]})


def checkin_path(badge: Badge) -> str:
    """The site-relative check-in link of a badge: ``/b/<token>``."""
    return PATH_PREFIX + token_for(badge)


def token_from(text: str) -> str:
    """The token inside what a scanner or a person typed: a whole link, a path or the bare token."""
    text = (text or "").strip()
    if "://" in text or text.startswith("/"):
        path = urlsplit(text).path
        if PATH_PREFIX in path:
            return path.rsplit(PATH_PREFIX, 1)[1].strip("/")
        return ""
    return text


def verify(text: str) -> Verdict:
    """Check a token (or a link holding one) without changing anything."""
    token = token_from(text)
    if not token:
        return Verdict("forged")
    max_age = current_app.config["BADGE_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return Verdict("expired")
    except BadSignature:
        return Verdict("forged")
    if not isinstance(data, dict) or not isinstance(data.get("b"), int) or not isinstance(data.get("n"), str):
        return Verdict("forged")
    if data.get("e") != current_app.config["EVENT_KEY"]:
        return Verdict("other-event")
    badge = db.session.get(Badge, data["b"])
    if badge is None or not secrets.compare_digest(badge.nonce, data["n"]):
        return Verdict("unknown")
    if badge.revoked:
        return Verdict("revoked", badge)
    return Verdict("ok", badge)
