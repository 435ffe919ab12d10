"""The undo button: a view offers the undo of the action it just did; the page shows it once.

    action = some_service.delete_thing(db.session, current_user, thing)   # records an UndoAction
    db.session.commit()
    offer_undo(action)          # the next page shows "Undo" beside the flash messages

``templates/_undo.html`` (included by base.html) shows the offer; the button posts here.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.extensions import db
from matchmaker.forms import apply_action
from matchmaker.matching.forms import ActionForm
from matchmaker.models import UndoAction
from matchmaker.services import undo as undo_svc
from matchmaker.urls import safe_next

bp = Blueprint("undo", __name__, url_prefix="/<lang_code>/undo")
_KEY = "undo_offer"


def offered() -> bool:
    """Whether the next page shows an undo offer (a page kept rendered must not be served then)."""
    return _KEY in session


def offer_undo(action: UndoAction) -> None:
    """Show the undo button for *action* on the next page."""
    session[_KEY] = action.id


@bp.post("/<id:action_id>")
@login_required
def undo(action_id: int):
    """Undo one of the signed-in person's recent actions, then back to the page it was offered on."""
    if not ActionForm().validate_on_submit():
        abort(400)
    action = db.session.get(UndoAction, action_id)
    label = action.label if action is not None and action.actor_id == current_user.id else ""
    apply_action(lambda: undo_svc.undo(db.session, current_user, action_id), _("Undone: %(action)s", action=label))
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"))


@bp.app_context_processor
def undo_offer():
    """``undo_offer()`` in templates: the action the previous page offered to undo (shown once)."""

    def take() -> UndoAction | None:
        action_id = session.pop(_KEY, None)
        if action_id is None or not current_user.is_authenticated:
            return None
        return undo_svc.pending(db.session, current_user, int(action_id))

    return {"undo_offer": take}
