"""Organiser pages: approvals, the category taxonomy, import and export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker import jobs
from matchmaker.access import organiser_required
from matchmaker.admin.forms import CategoryForm, ImportForm, StatusForm
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.models import Category, Company, Job
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


@bp.post("/companies/<int:company_id>/status")
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
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
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


ACTIVE = ("queued", "running")
JOB_STATUS_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}


@bp.route("/import", methods=["GET", "POST"])
@organiser_required
def import_companies():
    """Upload a spreadsheet of companies; all rows go in, or none and every bad row is listed.

    A file of more than ``IMPORT_JOB_ROWS`` rows goes to a background job, which the page then
    follows (``?job=ID``; while an import runs, the bare page goes there): progress, then outcome.
    """
    job_id = request.args.get("job", type=int)
    running = importer.latest_import_job(db.session, "companies") if job_id is None and request.method == "GET" else None
    if running is not None and importer.job_status(running) in ACTIVE:
        return redirect(url_for("admin.import_companies", job=running.id))
    form = ImportForm()
    errors: list[importer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = [_("Choose a file to import.")]
        else:
            outcome = _run_import(form, upload.filename, upload.read())
            if not isinstance(outcome, list):
                return outcome
            errors = outcome
    panel = job_panel(job_id, "companies") if job_id is not None else None
    if panel is not None and not errors:
        errors = panel["errors"]
    return render_template("admin/import.html", form=form, errors=errors, job=panel)


def _run_import(form: ImportForm, filename: str, data: bytes) -> Response | list[importer.RowError]:
    """Import one upload now, or start a job for a large one; return a redirect, or the row errors to show."""
    try:
        rows = importer.read_table(filename, data)
    except importer.ImportFileError as error:
        form.file.errors = [str(error)]
        return []
    approve, size = not form.pending.data, importer.count_rows(rows)
    if size > current_app.config["IMPORT_JOB_ROWS"]:
        job = importer.start_import_job(db.session, current_user, "companies", filename, data, lang=g.lang_code, approve=approve)
        db.session.commit()
        jobs.submit(current_app._get_current_object(), importer.IMPORT_TASK, job.id)
        flash(_("This file has %(rows)d rows: it is imported in the background, and this page shows how far it got.",
                rows=size), "info")
        return redirect(url_for("admin.import_companies", job=job.id))
    report = importer.import_rows(db.session, rows, current_user, approve=approve)
    if report.errors:
        db.session.rollback()
        flash(_("Nothing was imported: %(count)d row(s) need correcting.", count=len(report.errors)), "error")
        return report.errors
    db.session.commit()
    flash(_imported(vars(report)), "success")
    return redirect(url_for("admin.companies"))


def _imported(counts: dict) -> str:
    return _("Imported: %(new)d new and %(updated)d updated companies, %(items)d offers and needs.",
             new=counts["companies_created"], updated=counts["companies_updated"],
             items=counts["opportunities_created"] + counts["opportunities_updated"])


def job_panel(job_id: int, what: str | None = None) -> dict:
    """What an import page shows of import job *job_id*: its state, progress and outcome (404 if
    there is no such import, or it imports something else than *what*)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "import" or (what is not None and job.params.get("what") != what):
        abort(404)
    status, errors = importer.job_status(job), importer.job_errors(job)
    if status == "done":
        outcome = _imported(job.result) if job.params.get("what") == "companies" else _programme_imported(job.result)
    elif errors:
        outcome = _("Nothing was imported: %(count)d row(s) need correcting.", count=len(errors))
    else:
        outcome = _("The import stopped; nothing was saved.")
    page = "admin.import_companies" if job.params.get("what") == "companies" else "programme.manage.import_programme"
    return dict(job=job, status=status, label=JOB_STATUS_LABELS[status], active=status in ACTIVE,
                filename=job.params.get("filename", ""), outcome=outcome, errors=errors,
                reload_url=url_for(page, job=job.id))


def _programme_imported(counts: dict) -> str:
    return _("Programme imported: %(created)d new and %(updated)d updated records.",
             created=sum(counts["created"].values()), updated=sum(counts["updated"].values()))


@bp.route("/import/jobs/<int:job_id>")
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
