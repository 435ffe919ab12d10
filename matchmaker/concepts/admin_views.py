"""Organiser pages of the concept glossary: list, add, edit, retire, restore, history."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker import jobs
from matchmaker.access import organiser_required
from matchmaker.concepts.forms import ActionForm, ConceptForm
from matchmaker.core.concepts import LANGUAGES
from matchmaker.extensions import db
from matchmaker.forms import apply_action, attach_error
from matchmaker.services.categories import list_categories
from matchmaker.services.concepts import glossary_edits as edits, recompute, topics
from matchmaker.services.concepts.glossary import current_glossary, file_glossary
from matchmaker.services.validation import ValidationError

bp = Blueprint("concepts_admin", __name__, url_prefix="/<lang_code>/admin/concepts")
PAGE_SIZE = 50


@bp.get("/")
@organiser_required
def index():
    """The glossary in use, searchable by any form and filterable by category."""
    glossary = current_glossary(db.session)
    query, category = request.args.get("q", "")[:100], request.args.get("category", "")[:40]
    keys = topics.search_concepts(glossary, query, g.lang_code, category=category, limit=PAGE_SIZE)
    return render_template(
        "concepts/admin_index.html", glossary=glossary, keys=keys, query=query, category=category,
        categories=list_categories(db.session), edited=edits.edited_keys(db.session),
        retired=edits.retired_concepts(db.session), history=edits.concept_history(db.session, limit=20),
        action_form=ActionForm(),
    )


def _form(glossary, key: str | None) -> ConceptForm:
    form = ConceptForm()
    form.category.choices = [(c.key, c.name(g.lang_code)) for c in list_categories(db.session)]
    if request.method == "GET" and key is not None:
        concept = glossary.concepts[key]
        form.category.data = concept.category
        for lang in LANGUAGES:
            getattr(form, f"forms_{lang}").data = "\n".join(concept.forms[lang])
        form.broader.data = " ".join(concept.broader)
    return form


@bp.route("/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/<key>/edit", methods=["GET", "POST"])
@organiser_required
def edit(key: str | None):
    """Add a concept or change one; the page lists the concept's history."""
    glossary = current_glossary(db.session)
    if key is not None and key not in glossary:
        abort(404)
    form = _form(glossary, key)
    if form.validate_on_submit():
        data = edits.ConceptData(form.category.data or "", {lang: getattr(form, f"forms_{lang}").data for lang in LANGUAGES},
                                 form.broader.data or "", key=form.key.data or "")
        try:
            change = edits.save_concept(db.session, current_user, file_glossary(), data, g.lang_code, key)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            _after_change(change)
            return redirect(url_for("concepts_admin.edit", key=change.key if change else key))
    history = edits.concept_history(db.session, key) if key else []
    return render_template("concepts/admin_edit.html", form=form, key=key, glossary=glossary, history=history,
                           action_form=ActionForm())


def _recompute() -> None:
    """Detect the offers' and needs' concepts again: here when there are few, else in the background."""
    if recompute.recompute_inline(db.session):
        db.session.commit()
    else:
        jobs.submit(current_app._get_current_object(), recompute.TASK)


def _after_change(change) -> None:
    if change is None:
        flash(_("Nothing changed."), "info")
        return
    _recompute()
    flash(_("Topic saved. Offers and needs are being analysed again for the changed glossary."), "success")


@bp.post("/<key>/retire")
@organiser_required
def retire(key: str):
    """Take a concept out of the glossary in use."""
    if ActionForm().validate_on_submit() and apply_action(
            lambda: edits.retire_concept(db.session, current_user, file_glossary(), key),
            _("Topic retired: it is no longer found in offers and needs.")):
        _recompute()
    return redirect(url_for("concepts_admin.index"))


@bp.post("/<key>/restore")
@organiser_required
def restore(key: str):
    """Bring a retired concept back."""
    if ActionForm().validate_on_submit() and apply_action(
            lambda: edits.restore_concept(db.session, current_user, file_glossary(), key, g.lang_code), _("Topic restored.")):
        _recompute()
        return redirect(url_for("concepts_admin.edit", key=key))
    return redirect(url_for("concepts_admin.index"))


@bp.get("/history")
@organiser_required
def history():
    """Every change of the glossary, newest first."""
    return render_template("concepts/admin_history.html", history=edits.concept_history(db.session, limit=500),
                           glossary=current_glossary(db.session))
