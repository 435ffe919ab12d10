"""Event-day staff may use the event-day pages and nothing else.

Organiser and company pages refuse them through their own decorators; this fence (run before
every request) also closes the pages that only ask for a signed-in person (bookmarks, seat
reservations, undo, the public pages) to a staff account: a staff member signs out to browse
the site as a visitor. Their "My page" is the check-in desk.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

# endpoints a staff account may reach besides the event-day pages (marked ``staff_only``)
OPEN_TO_STAFF = frozenset({"static", "main.root_redirect", "main.set_timezone", "badge_link.badge_link"})
OPEN_PREFIXES = ("auth.",)  # log in, log out, reset the password


def staff_may_open(endpoint: str | None) -> bool:
    """Whether a staff account may open *endpoint* (None: no route matched, a 404 follows)."""
    if endpoint is None or endpoint in OPEN_TO_STAFF or endpoint.startswith(OPEN_PREFIXES):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "staff_only", False))


def fence_staff():
    """``before_request``: a staff account gets 403 outside its pages; its dashboard is the desk."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    if request.endpoint in ("main.dashboard", "main.index"):
        return redirect(url_for("eventday.desk"))
    if not staff_may_open(request.endpoint):
        abort(403)
    return None
