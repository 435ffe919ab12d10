"""Configuration defaults, overridden by environment variables.

Every variable the site reads is listed here (and in the README):

``DATABASE_URL``                 SQLAlchemy URL; default an SQLite file under ``instance/``.
                                 ``postgresql://`` URLs are switched to the psycopg 3 driver.
``MATCHMAKER_SECRET_KEY``        signing key; default a random key kept in ``instance/secret_key``.
``MATCHMAKER_EVENT_TIMEZONE``    the event's zone (default ``Asia/Ho_Chi_Minh``).
``MATCHMAKER_SMTP_HOST`` / ``_PORT`` / ``_USER`` / ``_PASSWORD`` / ``_TLS``
                                 outgoing mail; without a host, mail is written to the outbox file.
``MATCHMAKER_MAIL_OUTBOX``       the outbox file (default ``instance/mail/outbox.log``).
``MATCHMAKER_INVITE_MAX_AGE``    seconds an invitation or registration link stays valid (default 604800, 7 days).
``MATCHMAKER_MAIL_FROM``         sender address of outgoing mail.
``MATCHMAKER_RESET_MAX_AGE``     seconds a password-reset link stays valid (default 3600).
``MATCHMAKER_UPLOAD_MAX_MB``     largest accepted upload in MiB (default 5).
``MATCHMAKER_REQUEST_EXPIRY_HOURS``  hours an unanswered meeting request stays open (default 168).
``MATCHMAKER_REQUEST_CAP``       open outgoing meeting requests allowed per company (default 15).
``MATCHMAKER_EMBEDDING_MODEL``   local sentence-transformers folder or hub id of the embedding model.
``MATCHMAKER_MATCH_CROSS_BORDER``  score bonus for Japan–Vietnam pairs (default: the core's 0.01).
``MATCHMAKER_MATCH_CONCEPT``  weight of shared glossary concepts in the score (default: the core's).
``MATCHMAKER_MATCH_VERSION_SECONDS``  seconds a process reuses the matching version it read (default 1;
                                 0: read on every page). See ``matchmaker.services.match_store``.
``MATCHMAKER_EVENT_CLOCK``      demos only: the moment (ISO 8601 with zone) the event-day code takes as now at start.
``REDIS_URL``                    Redis for shared rate-limit counters and the job queue (optional).
``MATCHMAKER_HTTPS``             1 when served over HTTPS: Secure cookies, HSTS, https links.
``MATCHMAKER_LOGIN_LIMIT``       failed sign-ins allowed per address and per account from one address or
                                 known device (default "10 per 15 minutes").
``MATCHMAKER_PROXY_HOPS``        reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host
                                 headers are believed (default 0: none, the headers are ignored).
``MATCHMAKER_IMPORT_JOB_ROWS``   uploads with more rows than this are imported by a background job (default 200).
``MATCHMAKER_PUBLISH_UNDO_MINUTES``  minutes a schedule publication can be undone before companies are told (default 10).
``MATCHMAKER_CALENDAR_CANCELLED_DAYS``  days a dropped meeting or deleted seminar stays in calendars as cancelled (default 30).
``MATCHMAKER_PUBLIC_URL``        the site's public address (``https://matching.example.org``), put in the
                                 badges' QR codes; default: the host a page was asked for (on the command
                                 line: ``http://127.0.0.1:5000``).
``MATCHMAKER_FEEDBACK_LINK_DAYS``  days a meeting's feedback link (sent by mail) works (default 90).
``MATCHMAKER_FOLLOWUP_REMINDER_MONTHS``  months after the event when pairs are reminded to update their follow-up (default "1,3,6").
``MATCHMAKER_PAGE_CACHE_SECONDS``  seconds a visitor's public page stays in the page cache at most
                                 (default 60; 0 turns the cache off). See ``matchmaker.pagecache``.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(instance_path: str) -> str:
    """Return the SQLAlchemy URL from ``DATABASE_URL`` or the embedded SQLite default."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "matchmaker.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """Return ``MATCHMAKER_SECRET_KEY`` or a random key persisted in the instance folder."""
    env = os.environ.get("MATCHMAKER_SECRET_KEY")
    if env:
        return env
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def clock_offset(raw: str | None, real_now: datetime | None = None) -> timedelta:
    """How far the event clock *raw* (ISO 8601 with a zone; empty: none) is from the real time."""
    raw = (raw or "").strip()
    if not raw:
        return timedelta(0)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"MATCHMAKER_EVENT_CLOCK must be an ISO 8601 time with its zone, not {raw!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"MATCHMAKER_EVENT_CLOCK needs its zone (e.g. +07:00), not {raw!r}")
    return moment.astimezone(timezone.utc) - (real_now or datetime.now(timezone.utc))


def _count(name: str, default: str) -> int:
    """A whole number >= 0 from the environment variable *name*; a wrong value stops the start."""
    raw = (os.environ.get(name) or default).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"{name} must be a whole number >= 0, not {raw!r}")
    return int(raw)


def defaults(instance_path: str) -> dict:
    """Build the configuration mapping for an app whose instance folder is *instance_path*."""
    env = os.environ.get
    upload_mb = int(env("MATCHMAKER_UPLOAD_MAX_MB", "5"))
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "EVENT_TIMEZONE": env("MATCHMAKER_EVENT_TIMEZONE", "Asia/Ho_Chi_Minh"),
        # One MiB above the file limit: a file a little too large still reaches its form, which is
        # shown again with the message and everything else typed; beyond, the 413 handler answers.
        "MAX_CONTENT_LENGTH": (upload_mb + 1) * 1024 * 1024,
        "UPLOAD_MAX_MB": upload_mb,
        "RESET_MAX_AGE": int(env("MATCHMAKER_RESET_MAX_AGE", "3600")),
        "SMTP_HOST": env("MATCHMAKER_SMTP_HOST", ""),
        "SMTP_PORT": int(env("MATCHMAKER_SMTP_PORT", "587")),
        "SMTP_USER": env("MATCHMAKER_SMTP_USER", ""),
        "SMTP_PASSWORD": env("MATCHMAKER_SMTP_PASSWORD", ""),
        "SMTP_TLS": env("MATCHMAKER_SMTP_TLS", "1") == "1",
        "MAIL_FROM": env("MATCHMAKER_MAIL_FROM", "matchmaker@localhost"),
        "MAIL_OUTBOX": env("MATCHMAKER_MAIL_OUTBOX") or os.path.join(instance_path, "mail", "outbox.log"),
        "INVITE_MAX_AGE": _count("MATCHMAKER_INVITE_MAX_AGE", "604800"),
        "REQUEST_EXPIRY_HOURS": int(env("MATCHMAKER_REQUEST_EXPIRY_HOURS", "168")),
        "REQUEST_CAP": int(env("MATCHMAKER_REQUEST_CAP", "15")),
        "EMBEDDING_MODEL": env("MATCHMAKER_EMBEDDING_MODEL") or str(PROJECT_ROOT / "instance/models/multilingual-e5-small"),
        "MATCH_CROSS_BORDER": float(env("MATCHMAKER_MATCH_CROSS_BORDER")) if env("MATCHMAKER_MATCH_CROSS_BORDER") else None,
        "MATCH_CONCEPT": float(env("MATCHMAKER_MATCH_CONCEPT")) if env("MATCHMAKER_MATCH_CONCEPT") else None,
        "MATCH_VERSION_SECONDS": max(0.0, float(env("MATCHMAKER_MATCH_VERSION_SECONDS", "1"))),
        "REDIS_URL": env("REDIS_URL", ""),
        "RATELIMIT_STORAGE_URI": env("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT": env("MATCHMAKER_LOGIN_LIMIT", "10 per 15 minutes"),
        "HTTPS": env("MATCHMAKER_HTTPS", "0") == "1",
        "PROXY_HOPS": _count("MATCHMAKER_PROXY_HOPS", "0"),
        "IMPORT_JOB_ROWS": _count("MATCHMAKER_IMPORT_JOB_ROWS", "200"),
        "PUBLISH_UNDO_MINUTES": _count("MATCHMAKER_PUBLISH_UNDO_MINUTES", "10"),
        "CALENDAR_CANCELLED_DAYS": _count("MATCHMAKER_CALENDAR_CANCELLED_DAYS", "30"),
        # event day: which event a badge belongs to (a badge of another event is refused), how
        # long a badge link stays valid, and how many minutes before its first meeting a company
        # that has not checked in counts as absent
        "EVENT_KEY": env("MATCHMAKER_EVENT_KEY", "jv-environment-week"),
        "BADGE_MAX_AGE_DAYS": _count("MATCHMAKER_BADGE_MAX_AGE_DAYS", "180"),
        "PUBLIC_URL": env("MATCHMAKER_PUBLIC_URL", "").strip().rstrip("/"),
        "ABSENT_AFTER_MINUTES": _count("MATCHMAKER_ABSENT_AFTER_MINUTES", "15"),
        # after the event: how long a feedback link works, when follow-up reminders go out
        "FEEDBACK_LINK_DAYS": _count("MATCHMAKER_FEEDBACK_LINK_DAYS", "90"),
        "FOLLOWUP_REMINDER_MONTHS": env("MATCHMAKER_FOLLOWUP_REMINDER_MONTHS", "1,3,6"),
        # for trying the demo day on another day: the moment the event-day code takes as now at start
        "EVENT_CLOCK_OFFSET": clock_offset(env("MATCHMAKER_EVENT_CLOCK")),
        "PAGE_CACHE_SECONDS": (page_cache := _count("MATCHMAKER_PAGE_CACHE_SECONDS", "60")),
        "PAGE_CACHE": page_cache > 0,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
    }
