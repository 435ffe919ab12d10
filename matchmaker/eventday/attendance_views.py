"""Meeting attendance: table-host pages, running late and cancelling from the agenda."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from matchmaker.access import company_required, staff_required
from matchmaker.eventday.attendance_forms import CancelForm, LateForm, MarkForm
from matchmaker.eventday.blueprint import bp
from matchmaker.extensions import db
from matchmaker.forms import apply_action, flash_errors, submit_form
from matchmaker.models import MatchSession, ScheduledMeeting
from matchmaker.services.eventday import attendance as svc
from matchmaker.services.eventday import company_changes
from matchmaker.services.eventday.company_changes import LATE_MINUTES
from matchmaker.services.schedule.common import session_label, table_label
from matchmaker.services.schedule.places import online_label, place_label
from matchmaker.services.validation import ValidationError
from matchmaker.services.eventday.clock import event_now


@bp.route("/attendance")
@staff_required
def attendance_sessions():
    """The sessions with a published schedule: a table host picks theirs."""
    return render_template("eventday/attendance_sessions.html", sessions=svc.published_sessions(db.session))


@bp.route("/sessions/<id:session_id>/tables/")
@staff_required
def tables(session_id: int):
    """The session's tables, with how many of their meetings are marked."""
    ms = db.get_or_404(MatchSession, session_id)
    return render_template("eventday/tables.html", ms=ms, tables=svc.tables_overview(db.session, ms))


@bp.route("/sessions/<id:session_id>/tables/<id:table_id>")
@staff_required
def table(session_id: int, table_id: int):
    """One table's slots, with both companies and big buttons for what happened."""
    try:
        ms, tab = svc.load_table(db.session, session_id, table_id)
    except LookupError:
        abort(404)
    return _sheet(ms, tab)


@bp.route("/sessions/<id:session_id>/online/")
@staff_required
def online(session_id: int):
    """The session's online meetings, slot by slot, with their video links: marked like a table's."""
    return _sheet(db.get_or_404(MatchSession, session_id), None)


def _sheet(ms: MatchSession, tab):
    rows = svc.table_sheet(db.session, ms, tab)
    meetings = [m for row in rows for m in row.meetings]
    forms = {m.id: _mark_form(m) for m in meetings}
    return render_template("eventday/table.html", ms=ms, table=tab, rows=rows, forms=forms,
                           history=svc.history(db.session, meetings), label=svc.status_label,
                           table_name=table_label(tab.name) if tab is not None else online_label(),
                           session_name=session_label(ms))


def _mark_form(meeting: ScheduledMeeting) -> MarkForm:
    form = MarkForm(prefix=f"m{meeting.id}")
    form.expected.data = svc.shown_state(meeting)
    return form


@bp.post("/sessions/<id:session_id>/tables/<id:table_id>/meetings/<id:meeting_id>")
@staff_required
def mark(session_id: int, table_id: int, meeting_id: int):
    """Record what happened to a meeting; if someone else marked it first, say what they did."""
    try:
        svc.load_table(db.session, session_id, table_id)
    except LookupError:
        abort(404)
    form = MarkForm(prefix=f"m{meeting_id}")
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        apply_action(lambda: _mark(meeting_id, table_id, request.form.get("action", ""), form.expected.data), _("Saved."))
    return redirect(url_for("eventday.table", session_id=session_id, table_id=table_id, _anchor=f"meeting-{meeting_id}"))


@bp.post("/sessions/<id:session_id>/online/meetings/<id:meeting_id>")
@staff_required
def mark_online(session_id: int, meeting_id: int):
    """Record what happened to an online meeting of the session."""
    db.get_or_404(MatchSession, session_id)
    form = MarkForm(prefix=f"m{meeting_id}")
    if not form.validate_on_submit():
        flash_errors(form)
    else:
        apply_action(lambda: _mark(meeting_id, None, request.form.get("action", ""), form.expected.data, session_id),
                     _("Saved."))
    return redirect(url_for("eventday.online", session_id=session_id, _anchor=f"meeting-{meeting_id}"))


def _mark(meeting_id: int, table_id: int | None, action: str, expected: str, online_in: int | None = None) -> None:
    """Mark the meeting; when another host came first, refuse with what they did (nothing is written)."""
    change = svc.mark_meeting(db.session, current_user, meeting_id, action, expected, table_id=table_id,
                              online_in=online_in)
    if not change.changed:
        status = svc.status_label(db.session.get(ScheduledMeeting, meeting_id))
        raise ValidationError("action", _("Someone else marked this meeting first: %(status)s. "
                                          "Check it, then mark it again if needed.", status=status))


def late_form(meeting_id: int) -> LateForm:
    """The "running late" form of one agenda meeting (minutes in the reader's language)."""
    form = LateForm(prefix=f"late{meeting_id}")
    form.minutes.choices = [SelectChoice(str(m), ngettext("%(num)d minute", "%(num)d minutes", m)) for m in LATE_MINUTES]
    return form


@bp.post("/meetings/<id:meeting_id>/late")
@company_required
def late(meeting_id: int):
    """The company will be late: the partner is told in the app and by mail."""
    form = late_form(meeting_id)
    if form.validate_on_submit():
        apply_action(lambda: company_changes.report_late(db.session, current_user, meeting_id, form.minutes.data),
                     _("Your partner has been told that you are running late."))
    else:
        flash_errors(form)
    return redirect(url_for("agenda.index", _anchor=f"meeting-{meeting_id}"))


@bp.route("/meetings/<id:meeting_id>/cancel", methods=["GET", "POST"])
@company_required
def cancel(meeting_id: int):
    """Ask first (with an optional reason), then cancel the meeting and tell the partner."""
    try:
        meeting = company_changes.company_meeting(db.session, current_user, meeting_id)
    except LookupError:
        abort(404)
    form = CancelForm()
    done = submit_form(form, lambda: company_changes.cancel_meeting(db.session, current_user, meeting_id, form.reason.data))
    if done is not None:
        flash(_("The meeting is cancelled. Your partner has been told."), "success")
        return redirect(url_for("agenda.index", _anchor=f"meeting-{meeting_id}"))
    partner = meeting.partner_of(current_user.company_id)
    return render_template("eventday/cancel_meeting.html", form=form, meeting=meeting, partner=partner,
                           table_name=place_label(meeting))


@bp.app_context_processor
def agenda_meeting_helpers():
    """In templates (the agenda): ``late_form(meeting_id)``, ``meeting_changeable(item)`` (the company
    may still say it is late or cancel) and ``meeting_status_label(status)``."""

    def changeable(item) -> bool:
        return item.status in ("scheduled", "replacement") and item.end > event_now()

    return {"late_form": late_form, "meeting_changeable": changeable, "meeting_status_label": agenda_status_label}


def agenda_status_label(status: str) -> str:
    """A meeting's status as its companies read it on their agenda."""
    return {"held": _("Held"), "no-show": _("No-show"), "cancelled": _("Cancelled"),
            "replacement": _("Replacement meeting")}.get(status, _("Not marked yet"))
