"""Organiser pages of the interpreters: list with agenda links, add, edit, availability, token, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, ngettext
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.extensions import db
from matchmaker.forms import apply_action, submit_form
from matchmaker.interpreters.forms import MODE_LABELS, PAIR_LABELS, DeleteForm, GridForm, InterpreterForm
from matchmaker.models import Interpreter
from matchmaker.services import interpreters as svc

bp = Blueprint("interpreters", __name__, url_prefix="/<lang_code>/admin/interpreters")


def agenda_links(interpreter: Interpreter) -> tuple[str, str]:
    """The interpreter's agenda page and calendar feed as full addresses, in the reader's language."""
    root = request.host_url.rstrip("/")
    page, feed = svc.agenda_paths(interpreter.token, str(get_locale()))
    return root + page, root + feed


@bp.app_context_processor
def interpreter_labels():
    """In templates: ``PAIR_LABELS`` and ``MODE_LABELS`` (codes -> words in the reader's language)."""
    return {"PAIR_LABELS": PAIR_LABELS, "MODE_LABELS": MODE_LABELS}


@bp.route("/")
@organiser_required
def index():
    """Every interpreter: pairs, mode, meetings in the draft and published, agenda links."""
    rows = svc.list_interpreters(db.session)
    return render_template("interpreters/index.html", rows=rows, links={r.interpreter.id: agenda_links(r.interpreter) for r in rows},
                           form=DeleteForm())


def _data(form: InterpreterForm) -> svc.InterpreterData:
    return svc.InterpreterData(name=form.name.data or "", email=form.email.data or "", pairs=list(form.pairs.data or []),
                               mode=form.mode.data or "", notes=form.notes.data or "")


@bp.route("/new", methods=["GET", "POST"], defaults={"interpreter_id": None})
@bp.route("/<id:interpreter_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(interpreter_id: int | None):
    """Add an interpreter or change one; bad input is shown on its field, nothing is saved."""
    interpreter = db.get_or_404(Interpreter, interpreter_id) if interpreter_id else None
    form = InterpreterForm(obj=interpreter if request.method == "GET" else None)
    if request.method == "GET" and interpreter is not None:
        form.pairs.data = interpreter.pair_list
    if interpreter is None:
        saved = submit_form(form, lambda: svc.create_interpreter(db.session, current_user, _data(form)))
    else:
        saved = submit_form(form, lambda: svc.update_interpreter(db.session, current_user, interpreter.id, _data(form)))
    if saved is not None:
        flash(_("Interpreter saved."), "success")
        return redirect(url_for("interpreters.availability", interpreter_id=saved.id))
    return render_template("interpreters/form.html", form=form, interpreter=interpreter)


@bp.route("/<id:interpreter_id>/availability")
@organiser_required
def availability(interpreter_id: int):
    """One grid per session: the slots the interpreter cannot work in."""
    interpreter = db.get_or_404(Interpreter, interpreter_id)
    grids = svc.availability_of(db.session, interpreter)
    forms = {grid.session.id: GridForm(prefix=f"s{grid.session.id}") for grid in grids}
    return render_template("interpreters/availability.html", interpreter=interpreter, grids=grids, forms=forms)


@bp.post("/<id:interpreter_id>/availability/<id:session_id>")
@organiser_required
def save_availability(interpreter_id: int, session_id: int):
    """Save one session's grid; a slot outside the session refuses it whole."""
    form = GridForm(prefix=f"s{session_id}")
    if form.validate_on_submit():
        marked = request.form.getlist(f"s{session_id}-unavailable")
        apply_action(lambda: svc.set_unavailable(db.session, current_user, interpreter_id, session_id, marked),
                     _("Availability saved."))
    return redirect(url_for("interpreters.availability", interpreter_id=interpreter_id, _anchor=f"session-{session_id}"))


@bp.post("/<id:interpreter_id>/token")
@organiser_required
def reissue(interpreter_id: int):
    """A new agenda link: the old one and its calendar feed stop working."""
    if DeleteForm().validate_on_submit():
        apply_action(lambda: svc.reissue_token(db.session, current_user, interpreter_id),
                     _("The interpreter has a new agenda link; the old one no longer works."))
    return redirect(url_for("interpreters.index"))


@bp.route("/<id:interpreter_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(interpreter_id: int):
    """Delete at once, or, with published meetings, after the confirmation page says what follows."""
    interpreter = db.get_or_404(Interpreter, interpreter_id)
    published = svc.published_meetings(db.session, interpreter.id)
    form = DeleteForm()
    if form.validate_on_submit() and (published == 0 or form.confirmed.data == "yes"):
        name = interpreter.name
        if apply_action(lambda: svc.delete_interpreter(db.session, current_user, interpreter.id),
                        _("%(name)s was deleted.", name=name)):
            return redirect(url_for("interpreters.index"))
    form.confirmed.data = "yes"
    message = ngettext("%(name)s interprets %(num)d published meeting. It stays on the schedule and shows “Interpreter needed” until the schedule is generated and published again.",
                       "%(name)s interprets %(num)d published meetings. They stay on the schedule and show “Interpreter needed” until the schedule is generated and published again.",
                       published, name=interpreter.name)
    return render_template("interpreters/delete.html", interpreter=interpreter, published=published, message=message, form=form)
