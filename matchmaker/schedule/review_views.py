"""Organiser pages that change or hand out the schedule: edit meetings, publish, export, print."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_timezone, gettext as _
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduledMeeting, utcnow
from matchmaker.schedule import background
from matchmaker.forms import apply_action
from matchmaker.schedule.helpers import slot_choices
from matchmaker.schedule.forms import ActionForm, AddMeetingForm, MoveForm
from matchmaker.services.schedule import export, publish, review, sessions
from matchmaker.services.schedule.common import table_label
from matchmaker.services.schedule.instance import lacks_interpreter
from matchmaker.urls import query_id

bp = Blueprint("schedule_review", __name__, url_prefix="/<lang_code>/admin/schedule")


def _move_form(meeting: ScheduledMeeting) -> MoveForm:
    form = MoveForm()
    form.slot.choices = slot_choices(meeting.session)
    if meeting.online:  # an online meeting takes no table
        form.table.choices = [(0, _("Online"))]
    else:
        form.table.choices = [(t.id, table_label(t.name)) for t in meeting.session.tables]
    if request.method == "GET":
        form.slot.data, form.table.data = meeting.slot_id, meeting.table_id or 0
    return form


@bp.route("/meetings/<id:meeting_id>")
@organiser_required
def meeting(meeting_id: int):
    """One draft meeting: where it is, why, and the forms to move, pin or remove it."""
    found = db.get_or_404(ScheduledMeeting, meeting_id)
    if found.state != "draft":
        abort(404)
    return render_template("schedule/meeting.html", meeting=found, form=_move_form(found), action_form=ActionForm(),
                           interpreter=lacks_interpreter(found))


@bp.post("/meetings/<id:meeting_id>/move")
@organiser_required
def move(meeting_id: int):
    """Move a draft meeting; refused with the reason when it would break a rule."""
    found = db.get_or_404(ScheduledMeeting, meeting_id)
    form = _move_form(found)
    session_id = found.session_id
    if form.validate_on_submit() and apply_action(
            lambda: review.move_meeting(db.session, current_user, meeting_id, form.slot.data, form.table.data), _("Meeting moved.")):
        return redirect(url_for("schedule.session", session_id=session_id))
    return redirect(url_for("schedule_review.meeting", meeting_id=meeting_id))


@bp.post("/meetings/<id:meeting_id>/pin")
@organiser_required
def pin(meeting_id: int):
    """Pin a draft meeting in place, or release it (``pinned=0``)."""
    found = db.get_or_404(ScheduledMeeting, meeting_id)
    pinned = request.form.get("pinned") != "0"
    if ActionForm().validate_on_submit():
        apply_action(lambda: review.set_pinned(db.session, current_user, meeting_id, pinned),
               _("Meeting pinned: generating again keeps it here.") if pinned else _("Meeting released."))
    return redirect(url_for("schedule_review.meeting", meeting_id=found.id))


@bp.post("/meetings/<id:meeting_id>/remove")
@organiser_required
def remove(meeting_id: int):
    """Take a meeting out of the draft."""
    found = db.get_or_404(ScheduledMeeting, meeting_id)
    session_id = found.session_id
    if ActionForm().validate_on_submit():
        apply_action(lambda: review.remove_meeting(db.session, current_user, meeting_id), _("Meeting removed from the draft."))
    return redirect(url_for("schedule.session", session_id=session_id))


@bp.post("/<id:session_id>/add")
@organiser_required
def add(session_id: int):
    """Add a meeting by hand (pinned)."""
    ms = db.get_or_404(MatchSession, session_id)
    form = AddMeetingForm()
    if form.validate_on_submit():
        apply_action(lambda: review.add_meeting(db.session, current_user, ms.id, form.company_a.data, form.company_b.data,
                                          form.slot.data, form.table.data), _("Meeting added and pinned."))
    return redirect(url_for("schedule.session", session_id=session_id))


@bp.route("/<id:session_id>/publish", methods=["GET", "POST"])
@organiser_required
def publish_draft(session_id: int):
    """Ask first (what publishing does, to whom), then publish; it can be undone for a while."""
    ms = db.get_or_404(MatchSession, session_id)
    form = ActionForm()
    if form.validate_on_submit():
        minutes = current_app.config["PUBLISH_UNDO_MINUTES"]
        if _publish(ms, lambda: publish.publish_schedule(db.session, current_user, ms.id, undo_minutes=minutes),
                    _("Schedule published. The companies are told in %(minutes)d minutes unless you undo it.", minutes=minutes)
                    if minutes else _("Schedule published.")):
            return redirect(url_for("schedule.session", session_id=session_id, _anchor="publication"))
    preview = publish.publication_preview(db.session, ms)
    if not preview.meetings:
        flash(_("The draft is empty: generate it or add meetings before publishing."), "error")
        return redirect(url_for("schedule.session", session_id=session_id))
    return render_template("schedule/publish_confirm.html", ms=ms, form=form, preview=preview,
                           minutes=current_app.config["PUBLISH_UNDO_MINUTES"])


@bp.post("/<id:session_id>/undo")
@organiser_required
def undo_publish(session_id: int):
    """Put back what was published before; the companies hear nothing."""
    ms = db.get_or_404(MatchSession, session_id)
    if ActionForm().validate_on_submit():
        apply_action(lambda: publish.undo_publication(db.session, current_user, ms.id),
                     _("Publishing undone: the companies were not told."))
    return redirect(url_for("schedule.session", session_id=session_id, _anchor="publication"))


@bp.post("/<id:session_id>/withdraw")
@organiser_required
def withdraw(session_id: int):
    """Take the published schedule back (companies are told; the draft stays)."""
    ms = db.get_or_404(MatchSession, session_id)
    if ActionForm().validate_on_submit():
        _publish(ms, lambda: publish.withdraw_schedule(db.session, current_user, ms.id), _("Publication withdrawn."))
    return redirect(url_for("schedule.session", session_id=session_id))


def _publish(ms: MatchSession, action, success: str) -> bool:
    """Run *action*; mail what is due now, and have the rest mailed when the undo window closes."""
    if not apply_action(action, success):
        return False
    app = current_app._get_current_object()
    background.deliver_notices(app, 0, request.host_url)
    if ms.undo_until is not None:
        background.deliver_notices(app, (ms.undo_until - utcnow()).total_seconds() + 1, request.host_url)
    return True


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/export.<fmt>")
@organiser_required
def export_schedule(fmt: str):
    """The schedule of one session (``?session=``) or all, published (default) or ``?state=draft``, as CSV or XLSX.

    Times are in the zone the organiser's pages show, named in the header.
    """
    if fmt not in ("csv", "xlsx"):
        abort(404)
    state = "draft" if request.args.get("state") == "draft" else "published"
    chosen = query_id("session")
    targets = [db.get_or_404(MatchSession, chosen)] if chosen else sessions.list_sessions(db.session)
    result = export.schedule_export(db.session, targets, state, str(get_timezone()))
    body, mimetype = (export.to_csv(result), "text/csv") if fmt == "csv" else (export.to_xlsx(result), XLSX)
    name = export.file_name(targets[0] if chosen else None, state, fmt, utcnow().date())
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@bp.route("/<id:session_id>/print")
@organiser_required
def print_tables(session_id: int):
    """One printable A4 sheet per table: who meets there when."""
    ms = db.get_or_404(MatchSession, session_id)
    state = "draft" if request.args.get("state") == "draft" else "published"
    board = review.load_board(db.session, ms, state)
    return render_template("schedule/table_sheets.html", ms=ms, board=board, state=state,
                           table_label=table_label)
