"""Organiser pages of the schedule: sessions, tables, caps, generation and its progress."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.core.intervals import Break, format_breaks
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.i18n import TIMEZONES
from matchmaker.models import MatchSession, ScheduleRun, utcnow
from matchmaker.schedule import background
from matchmaker.forms import apply_action
from matchmaker.schedule.helpers import slot_choices
from matchmaker.schedule.forms import ActionForm, AddMeetingForm, GenerateForm, SessionForm
from matchmaker.schedule.labels import IDLE_LABELS, METHOD_LABELS, REASON_LABELS, STATUS_LABELS, stage_label
from matchmaker.services.schedule import generation, publish, report, sessions
from matchmaker.services.schedule import modes as modes_svc
from matchmaker.services.schedule.common import release_stale_lock, table_label
from matchmaker.services.schedule.review import load_board
from matchmaker.services.validation import ValidationError

bp = Blueprint("schedule", __name__, url_prefix="/<lang_code>/admin/schedule")


@bp.route("/")
@organiser_required
def index():
    """Every session with its state; the way to add one."""
    rows = [(ms, generation.latest_run(db.session, ms.id), sessions.has_published(db.session, ms.id))
            for ms in sessions.list_sessions(db.session)]
    return render_template("schedule/sessions.html", rows=rows, STATUS_LABELS=STATUS_LABELS)


def _session_form(ms: MatchSession | None) -> SessionForm:
    form = SessionForm()
    form.timezone.choices = [(zone, str(label)) for zone, label in TIMEZONES.items()]
    if request.method == "GET":
        form.timezone.data = ms.timezone if ms else current_app.config["EVENT_TIMEZONE"]
        form.buffer_minutes.data = str(ms.buffer_minutes) if ms else "5"
        form.slot_minutes.data = str(ms.slot_minutes) if ms else "25"
        if ms is not None:
            form.name_ja.data, form.name_vi.data, form.name_en.data = ms.name_ja, ms.name_vi, ms.name_en
            form.venue.data, form.day.data = ms.venue, ms.day.isoformat()
            form.start.data, form.end.data = f"{ms.start_time:%H:%M}", f"{ms.end_time:%H:%M}"
            form.breaks.data = format_breaks(Break(b.start_time, b.end_time) for b in ms.breaks)
            form.tables.data = str(len(ms.tables))
            form.table_names.data = "\n".join(t.name for t in ms.tables)
    return form


@bp.route("/new", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/<id:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(session_id: int | None):
    """Create or change a session; bad input is shown on its field, nothing is saved."""
    ms = db.get_or_404(MatchSession, session_id) if session_id else None
    form = _session_form(ms)
    if form.validate_on_submit():
        data = sessions.SessionData(**{name: getattr(form, name).data or "" for name in sessions.SessionData.__dataclass_fields__})
        try:
            saved = sessions.save_session(db.session, current_user, data, ms)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Session saved."), "success")
            if saved.draft_cleared:
                flash(_("The draft schedule no longer fitted the session and was cleared: generate it again."), "info")
            return redirect(url_for("schedule.session", session_id=saved.session.id))
    return render_template("schedule/session_form.html", form=form, ms=ms)


@bp.post("/<id:session_id>/delete")
@organiser_required
def delete(session_id: int):
    """Delete a session that has no published schedule."""
    if ActionForm().validate_on_submit():
        if apply_action(lambda: sessions.delete_session(db.session, current_user, session_id), _("Session deleted.")):
            return redirect(url_for("schedule.index"))
    return redirect(url_for("schedule.session", session_id=session_id))


def _generate_form() -> GenerateForm:
    form = GenerateForm()
    form.method.choices = [(key, str(label)) for key, label in METHOD_LABELS.items()]
    return form


@bp.route("/<id:session_id>/")
@organiser_required
def session(session_id: int):
    """The session's draft: run state and report, problems, the grid, publication."""
    ms = db.get_or_404(MatchSession, session_id)
    if ms.generation_lock is not None and release_stale_lock(db.session, ms, utcnow()):
        db.session.commit()  # a run that died shows as failed ("interrupted") and the draft is free again
    board = load_board(db.session, ms, "published" if request.args.get("state") == "published" else "draft")
    add_form = AddMeetingForm()
    add_form.company_a.choices = add_form.company_b.choices = [(c.id, c.name) for c, _n in
                                                               sorted(board.per_company(), key=lambda r: r[0].name)]
    add_form.slot.choices = slot_choices(ms)
    add_form.table.choices = [(t.id, table_label(t.name)) for t in ms.tables]
    run = generation.latest_run(db.session, ms.id)
    draft = board if board.state == "draft" else load_board(db.session, ms, "draft")
    return render_template(
        "schedule/session.html", ms=ms, board=board, run=run, idle=report.companies_without_meeting(draft, run),
        fewest=report.fewest_meetings(draft), edited_at=report.edited_after(ms, run), IDLE_LABELS=IDLE_LABELS,
        resources=report.resources(board, run),
        generate_form=_generate_form(), add_form=add_form, action_form=ActionForm(),
        problems=board.all_problems() if board.state == "draft" else [],
        published=sessions.has_published(db.session, ms.id), changes=publish.draft_changes(db.session, ms.id),
        draft_count=publish.draft_count(db.session, ms.id), undo_until=ms.undo_until if publish.can_undo(ms) else None,
        REASON_LABELS=REASON_LABELS, STATUS_LABELS=STATUS_LABELS, stage_label=stage_label)


@bp.post("/<id:session_id>/generate")
@organiser_required
def generate(session_id: int):
    """Start a generation in the background and come back to the session page, which shows it."""
    form = _generate_form()
    if form.validate_on_submit():
        try:
            limit = generation.parse_time_limit(form.time_limit.data)
            run = generation.start_generation(db.session, current_user, session_id, method=form.method.data, time_limit=limit)
            db.session.commit()
        except LookupError:
            abort(404)
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            background.launch(current_app._get_current_object(), run.id)
            flash(_("Generation started. This page shows its progress."), "info")
    return redirect(url_for("schedule.session", session_id=session_id))


@bp.route("/runs/<id:run_id>")
@organiser_required
def run_status(run_id: int):
    """A run's state as JSON, for the page's progress bar."""
    run = db.get_or_404(ScheduleRun, run_id)
    ms = db.session.get(MatchSession, run.session_id)
    if run.active and ms is not None and ms.generation_lock == run.id and release_stale_lock(db.session, ms, utcnow()):
        db.session.commit()  # the progress bar stops on a run that died instead of waiting forever
    return jsonify(id=run.id, status=run.status, status_label=str(STATUS_LABELS[run.status]), stage=run.stage,
                   stage_label=stage_label(run.stage), progress=run.progress, active=run.active)


@bp.route("/<id:session_id>/tables", methods=["GET", "POST"])
@organiser_required
def tables(session_id: int):
    """Give tables to companies that keep a fixed table (exhibitors at their booth)."""
    ms = db.get_or_404(MatchSession, session_id)
    form = ActionForm()
    if form.validate_on_submit():
        assignment = {t.id: request.form.get(f"table-{t.id}", "") for t in ms.tables}
        if apply_action(lambda: sessions.set_fixed_tables(db.session, current_user, ms.id, assignment), _("Tables saved.")):
            return redirect(url_for("schedule.session", session_id=ms.id))
    companies = sessions.session_companies(db.session, ms)
    return render_template("schedule/tables.html", ms=ms, form=form, companies=companies)


@bp.route("/<id:session_id>/companies", methods=["GET", "POST"])
@organiser_required
def companies(session_id: int):
    """Each company's maximum of meetings, mode (on site or online) and unavailable slots in the session."""
    ms = db.get_or_404(MatchSession, session_id)
    form = ActionForm()
    rows = sessions.session_companies(db.session, ms)
    if form.validate_on_submit():
        caps = {row.company.id: request.form.get(f"cap-{row.company.id}", "") for row in rows}
        out = {row.company.id for row in rows if request.form.get(f"out-{row.company.id}") == "1"}
        modes = {row.company.id: request.form[f"mode-{row.company.id}"] for row in rows if f"mode-{row.company.id}" in request.form}

        def save():
            sessions.set_caps(db.session, current_user, ms.id, caps, out)
            modes_svc.set_modes(db.session, current_user, ms.id, modes)

        if apply_action(save, _("Saved.")):  # the page says when a new mode waits for the next publication
            return redirect(url_for("schedule.companies", session_id=ms.id))
    return render_template("schedule/companies.html", ms=ms, form=form, rows=rows,
                           published=sessions.has_published(db.session, ms.id))
