"""The public directory, company pages and the company's own profile editor."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from matchmaker.access import company_required
from matchmaker.choices import KIND_LABELS, LANGUAGE_LABELS, SIZE_LABELS, TYPE_LABELS, country_choices, meeting_language_choices
from matchmaker.companies.forms import DeleteForm, OpportunityForm, ProfileForm
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.i18n import LANGUAGES
from matchmaker.models import Company, Opportunity
from matchmaker.services import companies as svc
from matchmaker.services import vectors
from matchmaker.services.concepts import nudges, topics
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.categories import list_categories
from matchmaker.services.validation import ValidationError
from matchmaker.urls import query_int

bp = Blueprint("companies", __name__, url_prefix="/<lang_code>")


@bp.route("/companies/")
def directory():
    """Approved companies, searchable and filterable, one page at a time."""
    query = svc.DirectoryQuery(
        text=request.args.get("q", "")[:200],
        country=request.args.get("country", "")[:2],
        category=request.args.get("category", "")[:40],
        kind=request.args.get("kind", ""),
        page=query_int("page", 1),
        concept=request.args.get("concept", "")[:80],
    )
    glossary = current_glossary(db.session)
    companies, total = svc.search_directory(db.session, query, glossary=glossary)
    pages = max(1, -(-total // svc.PAGE_SIZE))
    return render_template(
        "companies/directory.html", companies=companies, total=total, query=query, pages=pages,
        countries=svc.directory_countries(db.session), categories=list_categories(db.session),
        concepts=topics.concepts_in_use(db.session, glossary, g.lang_code),
    )


@bp.route("/companies/<id:company_id>")
def detail(company_id: int):
    """A company's public page. Pending companies are visible to themselves and organisers only."""
    company = svc.public_company(db.session, company_id)
    if company is None:
        abort(404)
    if company.status != "approved" and not (current_user.is_authenticated and svc.can_edit(current_user, company)):
        abort(404)
    # Only the company's own users get delete buttons: building the form for anyone else would
    # put a CSRF token in their session and make the public page uncacheable.
    mine = current_user.is_authenticated and current_user.company_id == company.id
    glossary = current_glossary(db.session)
    found = topics.topics_of(db.session, glossary, [o.id for o in company.opportunities], g.lang_code)
    nudged = nudges.nudges_for(db.session, company, current_app.config) if mine else {}
    return render_template("companies/detail.html", company=company, delete_form=DeleteForm() if mine else None,
                           topics=found, nudges=nudged)


def _profile_form(company: Company) -> ProfileForm:
    form = ProfileForm(obj=company if request.method == "GET" else None)
    form.country.choices = country_choices()
    form.size.choices = [("", "—")] + [(k, v) for k, v in SIZE_LABELS.items()]
    form.languages.choices = meeting_language_choices()
    if request.method == "GET":
        form.languages.data = company.language_list
        form.size.data = company.size or ""
        for d in company.descriptions:
            getattr(form, f"description_{d.language}").data = d.text
    return form


@bp.route("/profile/", methods=["GET", "POST"])
@company_required
def edit_profile():
    """The signed-in company edits its profile."""
    company = current_user.company
    form = _profile_form(company)
    if form.validate_on_submit():
        data = svc.ProfileData(
            name=form.name.data, country=form.country.data, city=form.city.data, sector=form.sector.data,
            size=form.size.data, website=form.website.data, contact_name=form.contact_name.data,
            contact_email=form.contact_email.data, languages=tuple(form.languages.data or ()),
            descriptions={lang: getattr(form, f"description_{lang}").data for lang in LANGUAGES},
        )
        try:
            svc.update_profile(db.session, company, data, current_user)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/profile.html", form=form, company=company)


def _own_opportunity(opportunity_id: int) -> Opportunity:
    """The signed-in company's offer/need, or 404 (never another company's)."""
    opportunity = db.session.scalar(
        select(Opportunity).where(Opportunity.id == opportunity_id, Opportunity.company_id == current_user.company_id)
    )
    if opportunity is None:
        abort(404)
    return opportunity


def _opportunity_form(opportunity: Opportunity | None) -> OpportunityForm:
    form = OpportunityForm(obj=opportunity if request.method == "GET" else None)
    form.kind.choices = [(k, v) for k, v in KIND_LABELS.items()]
    form.type.choices = [("", "—")] + [(k, v) for k, v in TYPE_LABELS.items()]
    form.language.choices = [(k, v) for k, v in LANGUAGE_LABELS.items()]
    form.categories.choices = [(c.key, c.name(g.lang_code)) for c in list_categories(db.session)]
    if request.method == "GET":
        if opportunity is None:
            form.kind.data = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else "offer"
            form.language.data = g.lang_code
        else:
            form.categories.data = [c.key for c in opportunity.categories]
            form.type.data = opportunity.type or ""
            for version in opportunity.versions:
                title, description = form.version_fields(version.language)
                title.data, description.data = version.title, version.description
    return form


@bp.route("/profile/opportunities/new", methods=["GET", "POST"], defaults={"opportunity_id": None})
@bp.route("/profile/opportunities/<id:opportunity_id>/edit", methods=["GET", "POST"])
@company_required
def edit_opportunity(opportunity_id: int | None):
    """Add a new offer/need, or edit one of the company's own."""
    opportunity = _own_opportunity(opportunity_id) if opportunity_id else None
    form = _opportunity_form(opportunity)
    if form.validate_on_submit():
        data = svc.OpportunityData(
            kind=form.kind.data, title=form.title.data, description=form.description.data,
            categories=list(form.categories.data or ()), language=form.language.data, type=form.type.data,
            versions={lang: tuple(f.data or "" for f in form.version_fields(lang)) for lang in LANGUAGE_LABELS},
        )
        try:
            saved = svc.save_opportunity(db.session, current_user.company, data, current_user, opportunity)
            vectors.embed_quietly(db.session, [saved], current_app.config["EMBEDDING_MODEL"])
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("companies.detail", company_id=current_user.company_id))
    return render_template("companies/opportunity.html", form=form, opportunity=opportunity)


@bp.post("/profile/opportunities/<id:opportunity_id>/delete")
@company_required
def delete_opportunity(opportunity_id: int):
    """Delete one of the company's own offers/needs."""
    opportunity = _own_opportunity(opportunity_id)
    if DeleteForm().validate_on_submit():
        svc.delete_opportunity(db.session, opportunity, current_user)
        db.session.commit()
        flash(_("Deleted."), "success")
    return redirect(url_for("companies.detail", company_id=current_user.company_id))
