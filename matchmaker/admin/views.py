"""Organiser pages: approvals, the category taxonomy, import and export."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.admin.imports import import_page, job_panel
from matchmaker.admin.forms import CategoryForm, ImportForm, StatusForm
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.models import Category, Company
from matchmaker.services import companies as svc
from matchmaker.services import importer
from matchmaker.services.categories import list_categories, save_category
from matchmaker.services.validation import ValidationError

bp = Blueprint("admin", __name__, url_prefix="/<lang_code>/admin")


@bp.route("/companies")
@organiser_required
def companies():
    """Every company, those awaiting approval first."""
    status = request.args.get("status")
    rows = svc.companies_for_review(db.session, status)
    return render_template("admin/companies.html", companies=rows, status=status, form=StatusForm())


@bp.post("/companies/<id:company_id>/status")
@organiser_required
def set_status(company_id: int):
    """Approve, reject or reset a company."""
    company = db.get_or_404(Company, company_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            svc.set_status(db.session, company, form.status.data, current_user)
            db.session.commit()
            flash(_("%(name)s: status saved.", name=company.name), "success")
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("admin.companies", status=request.args.get("status")))


@bp.route("/categories", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/categories/<id:category_id>", methods=["GET", "POST"])
@organiser_required
def categories(category_id: int | None):
    """List the taxonomy; add a category or rename one."""
    category = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=category if request.method == "GET" else None)
    if form.validate_on_submit():
        names = {"ja": form.name_ja.data, "vi": form.name_vi.data, "en": form.name_en.data}
        try:
            save_category(db.session, current_user, key=form.key.data, names=names, category=category)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/categories.html", form=form, category=category, categories=list_categories(db.session))


@bp.route("/import", methods=["GET", "POST"])
@organiser_required
def import_companies():
    """Upload a spreadsheet of companies; all rows go in, or none and every bad row is listed.

    A file of more than ``IMPORT_JOB_ROWS`` rows goes to a background job, which the page then
    follows (``?job=ID``; while an import runs, the bare page goes there): progress, then outcome.
    """
    form = ImportForm()
    return import_page("companies", form, "admin/import.html", approve=not form.pending.data)


@bp.route("/import/jobs/<id:job_id>")
@organiser_required
def import_status(job_id: int):
    """An import job's state as JSON, for the page's progress bar."""
    panel = job_panel(job_id)
    return jsonify(id=job_id, status=panel["status"], status_label=str(panel["label"]), stage_label=panel["job"].message,
                   progress=panel["job"].progress, active=panel["active"])


@bp.route("/export.<fmt>")
@organiser_required
def export(fmt: str):
    """Download every company with its offers and needs, in the import format."""
    rows = importer.export_rows(db.session)
    if fmt == "csv":
        body, mime = importer.to_csv(rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mime = importer.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        return redirect(url_for("admin.companies"))
    headers = {"Content-Disposition": f'attachment; filename="companies.{fmt}"'}
    return Response(body, mimetype=mime, headers=headers)
