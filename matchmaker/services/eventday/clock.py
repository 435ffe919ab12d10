"""The event day's clock: the real time, or, for trying the demo on another day, a shifted one.

``MATCHMAKER_EVENT_CLOCK`` (an ISO 8601 time with its zone, e.g. ``2026-12-09T12:45+07:00``) is the
moment the event-day code takes as *now* when the site starts; the clock runs on from there. The
check-in desk stamps check-ins with it, and absences, replacement proposals, confirmations, the
not-checked-in sweep and the attendance pages judge "started" and "ended" by it. Unset (production):
the real time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context

from matchmaker.models import utcnow


def event_now() -> datetime:
    """The event day's *now* (UTC): the real time shifted by ``EVENT_CLOCK_OFFSET`` when set."""
    offset = current_app.config.get("EVENT_CLOCK_OFFSET") if has_app_context() else None
    return utcnow() + (offset or timedelta(0))
