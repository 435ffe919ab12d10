"""Company pages after the meetings: the list of held meetings and leads, the feedback form (also
through the signed mail link, without logging in) and the follow-up page of a pair."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import company_required
from matchmaker.extensions import db
from matchmaker.forms import submit_form
from matchmaker.models import FOLLOWUP_STAGES, Company
from matchmaker.outcomes.forms import FOLLOW_UP_LABELS, FeedbackForm, StageForm
from matchmaker.services.categories import list_categories
from matchmaker.services.outcomes import feedback as feedback_svc
from matchmaker.services.outcomes import pipeline

bp = Blueprint("outcomes", __name__, url_prefix="/<lang_code>/outcomes")


@bp.route("/")
@company_required
def index():
    """The company's held meetings (feedback given or not) and its leads with their furthest stage."""
    company_id = current_user.company_id
    return render_template("outcomes/index.html", meetings=feedback_svc.held_meetings_of(db.session, company_id),
                           leads=pipeline.leads_of(db.session, company_id), stage_label=pipeline.stage_label)


def _category_choices():
    return [(c.key, c.name(g.lang_code)) for c in list_categories(db.session)]


def _feedback_form(existing) -> FeedbackForm:
    form = FeedbackForm(obj=existing if request.method == "GET" else None)
    form.rating.choices = [(str(n), str(n)) for n in range(1, 6)]
    form.follow_up.choices = list(FOLLOW_UP_LABELS.items())
    form.categories.choices = _category_choices()
    if request.method == "GET" and existing is not None:
        form.rating.data, form.categories.data = str(existing.rating), [c.key for c in existing.categories]
    return form


def _refused(reason: str):
    if reason == "unknown":
        abort(404)
    return render_template("outcomes/refused.html", message=feedback_svc.refusal_message(reason)), 403


def _feedback_company(meeting_id: int) -> int | None:
    """The company answering: the one the mail link names, else the signed-in user's (None: log in)."""
    token = request.args.get("t")
    if token is not None:
        max_age = current_app.config["FEEDBACK_LINK_DAYS"] * 86400
        return feedback_svc.company_of_token(token, meeting_id, current_app.config["SECRET_KEY"], max_age)
    if current_user.is_authenticated and current_user.company_id is not None:
        return current_user.company_id
    if current_user.is_authenticated:
        abort(403)
    return None


@bp.route("/meetings/<id:meeting_id>/feedback", methods=["GET", "POST"])
def feedback(meeting_id: int):
    """The feedback form of one held meeting: for the signed-in company, or through the mail link."""
    try:
        company_id = _feedback_company(meeting_id)
        if company_id is None:
            return current_app.login_manager.unauthorized()
        meeting = feedback_svc.meeting_for_feedback(db.session, meeting_id, company_id)
    except feedback_svc.FeedbackRefused as refused:
        return _refused(refused.reason)
    form = _feedback_form(feedback_svc.feedback_of(db.session, meeting.id, company_id))
    data = lambda: feedback_svc.FeedbackData(rating=form.rating.data, follow_up=form.follow_up.data,  # noqa: E731
                                             categories=form.categories.data or [], next_step=form.next_step.data,
                                             comment=form.comment.data)
    actor = current_user if current_user.is_authenticated else None
    if submit_form(form, lambda: feedback_svc.save_feedback(db.session, meeting, company_id, data(), actor)):
        flash(_("Thank you: your feedback is saved. You can change it here at any time."), "success")
        return redirect(request.full_path.rstrip("?"))
    partner = meeting.partner_of(company_id)
    return render_template("outcomes/feedback.html", form=form, meeting=meeting, partner=partner,
                           by_link="t" in request.args, company=db.session.get(Company, company_id))


def _partner_or_404(partner_id: int) -> Company:
    partner = db.session.get(Company, partner_id)
    if partner is None or not pipeline.met(db.session, current_user.company_id, partner_id):
        abort(404)
    return partner


def _stage_form() -> StageForm:
    form = StageForm()
    form.stage.choices = [(stage, pipeline.stage_label(stage)) for stage in FOLLOWUP_STAGES]
    form.category.choices = [("", "—")] + _category_choices()
    return form


@bp.route("/leads/<id:partner_id>", methods=["GET", "POST"])
@company_required
def lead(partner_id: int):
    """The follow-up of the company with *partner_id*: its stages, and a form to record one."""
    partner = _partner_or_404(partner_id)
    form = _stage_form()
    data = lambda: pipeline.StageData(stage=form.stage.data, happened_on=form.happened_on.data,  # noqa: E731
                                      note=form.note.data, category=form.category.data)
    if submit_form(form, lambda: pipeline.record_stage(db.session, current_user.company_id, partner.id, data(),
                                                       current_user)):
        flash(_("The stage is saved. %(partner)s sees it too.", partner=partner.name), "success")
        return redirect(url_for("outcomes.lead", partner_id=partner.id))
    return render_template("outcomes/lead.html", form=form, partner=partner, stage_label=pipeline.stage_label,
                           stages=pipeline.pair_stages(db.session, current_user.company_id, partner.id))


@bp.app_context_processor
def _outcome_helpers():
    """``outcome_meetings()``: the signed-in company's held meetings with its feedback (for My agenda)."""

    def outcome_meetings():
        if not current_user.is_authenticated or current_user.company_id is None:
            return []
        return feedback_svc.held_meetings_of(db.session, current_user.company_id)

    return {"outcome_meetings": outcome_meetings}
