"""Suggested partners, meeting requests, and the organiser's view of all matches."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from matchmaker import jobs
from matchmaker.access import company_required, organiser_required
from matchmaker.extensions import db
from matchmaker.forms import apply_action, flash_errors
from matchmaker.matching import kept_page
from matchmaker.matching.forms import ActionForm, AnswerForm, PairRuleForm, RequestForm
from matchmaker.models import Company
from matchmaker.services import matching as match_svc
from matchmaker.services import meetings as meet_svc
from matchmaker.services import pair_overview
from matchmaker.services import suggestion_cache
from matchmaker.services import vectors
from matchmaker.services.categories import list_categories
from matchmaker.services.concepts import nudges, topics
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.validation import ValidationError
from matchmaker.urls import query_float, query_int

bp = Blueprint("matching", __name__, url_prefix="/<lang_code>")


def _prefill(row: match_svc.SuggestionRow) -> str:
    """The request message offered to the sender, in the partner's language, on the first reason's topic."""
    return meet_svc.request_prefill(row.partner, row.reasons[0].offer.opportunity if row.reasons else None)


@bp.route("/matches/")
@company_required
def suggestions():
    """The best partners for the signed-in company, each with the reasons."""
    company = current_user.company
    filters = match_svc.SuggestionFilters(
        country=request.args.get("country", "")[:2].upper(),
        category=request.args.get("category", "")[:40],
        show_hidden=request.args.get("hidden") == "1",
    )
    app = current_app._get_current_object()
    csrf_token = generate_csrf() if app.config.get("WTF_CSRF_ENABLED", True) else None
    own = suggestion_cache.own_state(db.session, company.id) if company.status == "approved" else None
    page_key = kept_page.key_of(db.session, app, company, filters, own)
    page = kept_page.read(page_key, csrf_token)
    if page is not None:
        return page  # the whole page as kept, with this visitor's token: nothing to render or commit
    found = suggestion_cache.listing(db.session, app, company, filters, g.lang_code, request.script_root, own)
    listing = _listing_html(found, company, filters, csrf_token)
    # the listing is this app's own autoescaped template output (kept or fresh), with the visitor's
    # CSRF token (URL-safe characters) put back in: markup, not user text
    page = render_template("matching/suggestions.html", result=found.result, company=company,
                           listing=Markup(listing))  # nosec B704
    after = suggestion_cache.own_state(db.session, company.id) if own is not None else None
    if found.html is None:
        suggestion_cache.keep(found, listing, csrf_token, after)
    kept_page.keep(page_key, found, own, after, page, csrf_token)
    if found.html is None:
        # keep the vectors computed on the way; after rendering, since a commit expires every loaded row
        db.session.commit()
    return page  # a kept list only read: nothing to commit (the request's session is rolled back)


def _listing_html(found: suggestion_cache.Listing, company: Company, filters: match_svc.SuggestionFilters,
                  csrf_token: str | None) -> str:
    """The list part of the page: kept (with *csrf_token* put back) or rendered from *found*."""
    if found.html is not None:  # kept rendered: no list, texts, topics or forms to build
        return found.html.replace(suggestion_cache.CSRF_PLACEHOLDER, csrf_token) if csrf_token else found.html
    result = found.result
    return render_template(
        "matching/_suggestion_list.html", result=result, filters=filters, company=company,
        categories=list_categories(db.session), request_form=RequestForm(), action_form=ActionForm(),
        prefills={row.partner.id: _prefill(row) for row in result.rows},
        topics=topics.reason_topics(db.session, current_glossary(db.session), result.rows, g.lang_code),
        nudged=nudges.nudges(company.opportunities, [r.partner for r in result.rows if r.score >= nudges.MATCHING_SCORE]),
    )


@bp.post("/matches/<id:partner_id>/hide")
@company_required
def hide(partner_id: int):
    """Hide (or show again) one suggested partner."""
    if ActionForm().validate_on_submit():
        match_svc.set_hidden(db.session, current_user, partner_id, hidden=request.form.get("undo") != "1")
        db.session.commit()
    return redirect(url_for("matching.suggestions"))


@bp.post("/meetings/request/<id:partner_id>")
@company_required
def request_meeting(partner_id: int):
    """Send a meeting request to a partner."""
    form = RequestForm()
    if form.validate_on_submit():
        config = current_app.config
        try:
            meet_svc.request_meeting(db.session, current_user, partner_id, form.message.data,
                                     cap=config["REQUEST_CAP"], expiry_hours=config["REQUEST_EXPIRY_HOURS"])
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("matching.suggestions"))
        partner = db.session.get(Company, partner_id)
        flash(_("Your request has been sent to %(name)s.", name=partner.name), "success")
        return redirect(url_for("matching.meetings"))
    return redirect(url_for("matching.suggestions"))


@bp.route("/meetings/")
@company_required
def meetings():
    """Requests sent and received, with their status."""
    meet_svc.expire_stale(db.session)
    db.session.commit()
    rows = meet_svc.requests_of(db.session, current_user.company_id)
    return render_template("matching/meetings.html", requests=rows, company=current_user.company,
                           answer_form=AnswerForm(), action_form=ActionForm())


@bp.post("/meetings/<id:request_id>/answer")
@company_required
def answer(request_id: int):
    """Accept or decline a request addressed to this company."""
    form = AnswerForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("matching.meetings"))
    accept = form.answer.data == "accept"
    apply_action(lambda: meet_svc.respond(db.session, current_user, request_id, accept=accept, reason=form.reason.data or ""),
                 _("Request accepted.") if accept else _("Request declined."))
    return redirect(url_for("matching.meetings"))


@bp.post("/meetings/<id:request_id>/cancel")
@company_required
def cancel(request_id: int):
    """Withdraw a request or call off an accepted meeting."""
    if ActionForm().validate_on_submit():
        apply_action(lambda: meet_svc.cancel(db.session, current_user, request_id), _("Cancelled."))
    return redirect(url_for("matching.meetings"))


@bp.route("/admin/matches", methods=["GET", "POST"])
@organiser_required
def overview():
    """All suggested pairs above a threshold, suggestions per company, pins and forbids."""
    form = PairRuleForm()
    form.company_a.choices = form.company_b.choices = []  # filled below for the page; the service checks the ids
    form.rule.choices = [("pin", _("Pin: always suggest and schedule")), ("forbid", _("Forbid: never suggest or schedule")),
                         ("none", _("Remove the rule"))]
    if form.validate_on_submit():
        try:
            match_svc.set_pair_rule(db.session, current_user, form.company_a.data, form.company_b.data,
                                    form.rule.data, form.note.data or "")
            db.session.commit()
            flash(_("Rule saved."), "success")
            return redirect(url_for("matching.overview"))
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
    threshold = query_float("threshold", 0.5, minimum=0.0, maximum=1.0)
    text, page = request.args.get("q", "")[:200], query_int("page", 1)
    overview = pair_overview.overview_page(db.session, current_app._get_current_object(), threshold, text, page)
    choices, some_left_out = pair_overview.rule_choices(db.session, overview, text)
    form.company_a.choices = form.company_b.choices = choices
    return render_template("matching/overview.html", overview=overview, threshold=threshold, form=form, text=text, page=page,
                           some_left_out=some_left_out,
                           pages=max(1, -(-overview.total // pair_overview.PAGE_SIZE)),
                           embed_job=vectors.latest_job(db.session, "embed"), action_form=ActionForm(),
                           topics=topics.reason_topics(db.session, current_glossary(db.session), overview.pairs, g.lang_code))


@bp.post("/admin/matches/embed")
@organiser_required
def embed_all():
    """Analyse every new or changed offer/need in the background (e.g. after a model change)."""
    if ActionForm().validate_on_submit():
        job, created = vectors.start_embedding(db.session, current_user)
        db.session.commit()
        if created:
            jobs.submit(current_app._get_current_object(), "matchmaker.services.vectors.embed_job", job.id)
        flash(_("The analysis runs in the background; this page shows its progress."), "info")
    return redirect(url_for("matching.overview"))
