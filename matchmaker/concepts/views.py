"""A company's topics on its offers and needs: see them, remove a wrong one, add one from the glossary."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from matchmaker.access import company_required
from matchmaker.concepts.forms import ActionForm
from matchmaker.extensions import db
from matchmaker.forms import apply_action
from matchmaker.models import Opportunity
from matchmaker.services import vectors
from matchmaker.services.categories import list_categories
from matchmaker.services.concepts import topics
from matchmaker.services.concepts.edits import set_concept
from matchmaker.services.concepts.glossary import current_glossary

bp = Blueprint("topics", __name__, url_prefix="/<lang_code>/profile/opportunities/<id:opportunity_id>/topics")
RESULTS = 20


def _own(opportunity_id: int) -> Opportunity:
    """The signed-in company's offer/need, or 404 (never another company's)."""
    opportunity = db.session.scalar(select(Opportunity).where(
        Opportunity.id == opportunity_id, Opportunity.company_id == current_user.company_id))
    if opportunity is None:
        abort(404)
    return opportunity


@bp.get("/")
@company_required
def index(opportunity_id: int):
    """The offer/need's topics, and a search of the glossary in the reader's language to add one."""
    opportunity = _own(opportunity_id)
    glossary = current_glossary(db.session)
    query, category = request.args.get("q", "")[:100], request.args.get("category", "")[:40]
    found = topics.topics_of(db.session, glossary, [opportunity.id], g.lang_code, with_removed=True)[opportunity.id]
    present = {t.key for t in found if t.source != "removed"}
    results = []
    if query or category:
        keys = topics.search_concepts(glossary, query, g.lang_code, category=category, limit=RESULTS + len(present))
        results = [(k, glossary.label(k, g.lang_code)) for k in keys if k not in present][:RESULTS]
    return render_template("concepts/topics.html", opportunity=opportunity, topics=found, query=query, category=category,
                           results=results, searched=bool(query or category), categories=list_categories(db.session),
                           form=ActionForm())


def _set(opportunity_id: int, present: bool, message: str):
    opportunity = _own(opportunity_id)
    form = ActionForm()
    if form.validate_on_submit():
        def change() -> None:
            set_concept(db.session, current_user, opportunity, form.key.data or "", present=present)
            # the model reads the topics' names with the text (``services.vectors``): embed it again now
            vectors.embed_quietly(db.session, [opportunity], current_app.config["EMBEDDING_MODEL"])

        apply_action(change, message)
    return redirect(url_for("topics.index", opportunity_id=opportunity.id))


@bp.post("/add")
@company_required
def add(opportunity_id: int):
    """Add a topic from the glossary to the offer/need."""
    return _set(opportunity_id, True, _("Topic added."))


@bp.post("/remove")
@company_required
def remove(opportunity_id: int):
    """Remove a topic that was found by mistake: it is not found again."""
    return _set(opportunity_id, False, _("Topic removed: it will not be found in this text again."))
