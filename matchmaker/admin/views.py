"""Organiser pages: approvals, the category taxonomy, import and export."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.choices import STATUS_LABELS
from matchmaker.admin.imports import import_page, job_panel
from matchmaker.admin.forms import CategoryForm, ImportForm, InviteForm, StatusForm
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.models import Category, Company, utcnow
from matchmaker.services import companies as svc
from matchmaker.services import invitations
from matchmaker.services import undo as undo_svc
from matchmaker.services.imports import companies as company_import
from matchmaker.services.imports.table import XLSX_TYPE, to_csv, to_xlsx
from matchmaker.services.categories import list_categories, save_category
from matchmaker.services.validation import ValidationError
from matchmaker.undo import offer_undo
from matchmaker.urls import query_int

bp = Blueprint("admin", __name__, url_prefix="/<lang_code>/admin")


@bp.route("/companies")
@organiser_required
def companies():
    """Companies, those awaiting approval first, one page at a time, searchable."""
    status = request.args.get("status")
    text = request.args.get("q", "")[:200]
    page = query_int("page", 1)
    rows, total = svc.companies_for_review(db.session, status, text, page)
    return render_template("admin/companies.html", companies=rows, status=status, form=StatusForm(), text=text, page=page,
                           total=total, pages=max(1, -(-total // svc.REVIEW_PAGE_SIZE)), invite_form=InviteForm(),
                           without_login=invitations.without_login(db.session, [c.id for c in rows]),
                           without_login_total=invitations.count_without_login(db.session),
                           flags=svc.review_flags(db.session))


def _invite_link(token: str, lang: str) -> str:
    return url_for("auth.invitation", lang_code=lang, token=token, _external=True)


@bp.post("/companies/invite")
@organiser_required
def invite():
    """Mail imported companies (the ticked ones, or all not invited yet) a link to create their login."""
    form = InviteForm()
    chosen = None if form.invite_all.data else (form.companies.data or [])
    if not form.validate_on_submit() or chosen == []:
        flash(_("Tick the companies to invite first."), "error")
        return redirect(url_for("admin.companies"))
    sent = invitations.invite_companies(db.session, current_user, chosen, current_app.config, _invite_link)
    db.session.commit()
    flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", sent), "success" if sent else "info")
    return redirect(url_for("admin.companies"))


@bp.post("/companies/<id:company_id>/status")
@organiser_required
def set_status(company_id: int):
    """Approve or reset a company; rejecting asks first (a confirm page) and can be undone for a while."""
    company = db.get_or_404(Company, company_id)
    form = StatusForm()
    back = url_for("admin.companies", status=request.args.get("status"))
    if not form.validate_on_submit():
        return redirect(back)
    if form.status.data == "rejected" and not form.confirm.data:
        return redirect(url_for("admin.confirm_reject", company_id=company.id, status=request.args.get("status")))
    try:
        if form.status.data == "rejected":
            action = svc.reject_company(db.session, company, current_user)
        else:
            svc.set_status(db.session, company, form.status.data, current_user)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    if form.status.data == "rejected":
        offer_undo(action)
    else:
        flash(_("%(name)s: status saved.", name=company.name), "success")
    return redirect(back)


@bp.get("/companies/<id:company_id>/reject")
@organiser_required
def confirm_reject(company_id: int):
    """Ask before rejecting: the company leaves the directory and the matching."""
    company = db.get_or_404(Company, company_id)
    status = request.args.get("status")
    return render_template(
        "confirm.html", confirm_title=_("Reject %(name)s?", name=company.name),
        confirm_message=_("The company leaves the public directory and the matching; its meeting requests stay as they are."),
        details=[_("Status now: %(status)s", status=STATUS_LABELS[company.status])],
        note=_("You can undo this for %(minutes)d minutes.", minutes=undo_svc.UNDO_MINUTES),
        confirm_action=url_for("admin.set_status", company_id=company.id, status=status),
        confirm_button=_("Reject"), cancel_url=url_for("admin.companies", status=status), fields={"status": "rejected"},
    )


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
    return import_page("companies", form, "admin/import.html", after="admin.companies", approve=not form.pending.data)


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
    rows = company_import.export_rows(db.session)
    if fmt == "csv":
        body, mime = to_csv(rows), "text/csv"  # Flask adds "; charset=utf-8" to text types
    elif fmt == "xlsx":
        body, mime = to_xlsx(rows), XLSX_TYPE
    else:
        return redirect(url_for("admin.companies"))
    headers = {"Content-Disposition": f'attachment; filename="companies-{utcnow().date().isoformat()}.{fmt}"'}
    return Response(body, mimetype=mime, headers=headers)
