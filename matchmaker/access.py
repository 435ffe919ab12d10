"""Who may open what: decorators for views."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def organiser_required(view):
    """Anonymous visitors go to the login page; signed-in non-organisers get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    wrapped.organiser_only = True  # lets the security tests find every organiser route
    return wrapped


def company_required(view):
    """Pages for a company user; organisers and anonymous visitors are turned away."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.company is None:
            abort(403)
        return view(*args, **kwargs)

    wrapped.company_only = True  # lets the security tests find every company route
    return wrapped


def staff_required(view):
    """Event-day pages (check-in desk, table hosts): organisers and staff; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.runs_event_day:
            abort(403)
        return view(*args, **kwargs)

    wrapped.staff_only = True  # lets the security tests find every event-day route
    return wrapped
