"""Company pages: the agenda (screen, print, .ics, private feed) and the availability grid."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_timezone, gettext as _
from flask_login import current_user

from matchmaker.access import company_required
from matchmaker.extensions import db
from matchmaker.i18n import TIMEZONES
from matchmaker.schedule.forms import ActionForm, AvailabilityForm
from matchmaker.forms import apply_action
from matchmaker.services import agenda as agenda_svc
from matchmaker.services.schedule import availability as avail_svc
from matchmaker.services.schedule import publish as publish_svc
from matchmaker.services.schedule.common import session_label, table_label
from matchmaker.services.schedule.sessions import has_published

bp = Blueprint("agenda", __name__, url_prefix="/<lang_code>/agenda")
feed_bp = Blueprint("calendar_feed", __name__)


@bp.route("/")
@company_required
def index():
    """The company's published meetings (and other registered items), in the viewer's zone."""
    items = agenda_svc.agenda_items(db.session, current_user)
    publish_svc.mark_read(db.session, current_user.company_id)
    db.session.commit()
    feed = agenda_svc.feed_of(db.session, current_user)
    feed_url = url_for("calendar_feed.feed", token=feed.token, _external=True) if feed else None
    return render_template("schedule/agenda.html", items=items, feed_url=feed_url, form=ActionForm(),
                           company=current_user.company)


@bp.route("/print")
@company_required
def print_view():
    """The agenda on one A4 page for the reception desk."""
    items = agenda_svc.agenda_items(db.session, current_user)
    return render_template("schedule/agenda_print.html", items=items, company=current_user.company)


def _ics_response(user, items, tz: str, filename: str | None) -> Response:
    """The agenda as iCalendar: meetings link to the agenda page, entries that went away come as cancelled."""
    cancelled = agenda_svc.cancelled_events(db.session, user, current_app.config["CALENDAR_CANCELLED_DAYS"])
    agenda_url = url_for("agenda.index", lang_code=user.locale or "en", _external=True)
    body = agenda_svc.agenda_calendar(items, tz, _("Japan–Vietnam Environment Week"), agenda_url, cancelled)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(body, mimetype="text/calendar", headers={**headers, "Cache-Control": "no-store"})


@bp.route("/agenda.ics")
@company_required
def download():
    """The agenda as an .ics file, times in the viewer's chosen zone."""
    items = agenda_svc.agenda_items(db.session, current_user)
    return _ics_response(current_user, items, str(get_timezone()), "agenda.ics")


@bp.post("/feed")
@company_required
def issue_feed():
    """Create the private calendar feed URL, or replace it (the old one stops working)."""
    if ActionForm().validate_on_submit():
        apply_action(lambda: agenda_svc.issue_feed(db.session, current_user),
                     _("Your private calendar address is ready. Keep it to yourself."))
    return redirect(url_for("agenda.index"))


@bp.post("/feed/revoke")
@company_required
def revoke_feed():
    """Switch the private calendar feed off."""
    if ActionForm().validate_on_submit():
        apply_action(lambda: agenda_svc.revoke_feed(db.session, current_user), _("The calendar address no longer works."))
    return redirect(url_for("agenda.index"))


@feed_bp.route("/calendar/<token>.ics")
def feed(token: str):
    """The private feed: no login, the token is the key; language and zone are the owner's."""
    user = agenda_svc.user_for_feed(db.session, token)
    if user is None or user.company_id is None:
        abort(404)
    tz = user.timezone if user.timezone in TIMEZONES else current_app.config["EVENT_TIMEZONE"]
    with force_locale(user.locale or "en"):
        items = agenda_svc.agenda_items(db.session, user)
        return _ics_response(user, items, tz, None)


@bp.route("/availability")
@company_required
def availability():
    """The grid: for every session, the slots the company cannot attend and its maximum."""
    rows = avail_svc.availability_of(db.session, current_user.company)
    forms = {row.session.id: _availability_form(row) for row in rows}
    return render_template("schedule/availability.html", rows=rows, forms=forms, session_label=session_label)


def _availability_form(row) -> AvailabilityForm:
    form = AvailabilityForm(prefix=f"s{row.session.id}")
    form.max_meetings.data = "" if row.cap is None else str(row.cap)
    form.mode.data = row.mode
    return form


@bp.post("/availability/<id:session_id>")
@company_required
def save_availability(session_id: int):
    """Save one session's unavailable slots, maximum and mode (on site or online); refused whole with the reason."""
    form = AvailabilityForm(prefix=f"s{session_id}")
    if form.validate_on_submit():
        marked = request.form.getlist(f"s{session_id}-unavailable")
        mode = request.form.get(f"s{session_id}-mode")  # absent: the mode stays as it is
        apply_action(lambda: _save_availability(session_id, marked, form.max_meetings.data, mode), _("Availability saved."))
    return redirect(url_for("agenda.availability", _anchor=f"session-{session_id}"))


def _save_availability(session_id: int, marked: list[str], cap: str, mode: str | None) -> None:
    """Save the grid; a new mode after publication is said to wait for the next publication."""
    if avail_svc.set_availability(db.session, current_user, session_id, marked, cap, mode) and has_published(db.session, session_id):
        flash(_("The schedule of this session is already published: the organisers apply the new way of attending when they publish it again."), "info")


@bp.app_context_processor
def schedule_notifications():
    """In templates: ``schedule_notifications()`` (the signed-in company's latest schedule news) and
    ``session_label(ms)`` (a session's name in the reader's language), ``table_label(name)``."""

    def latest():
        if not current_user.is_authenticated or current_user.company_id is None:
            return []
        rows = publish_svc.notifications_for(db.session, current_user.company_id)
        return [(n, publish_svc.notification_text(n.kind, session_label(n.session))) for n in rows]

    return {"schedule_notifications": latest, "session_label": session_label, "table_label": table_label}
