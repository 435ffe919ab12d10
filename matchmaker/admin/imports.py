"""What the company and the programme import pages share: take an upload, import it now or
hand a large one to a background job, and show that job's state and outcome."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker import jobs
from matchmaker.choices import JOB_STATUS_LABELS
from matchmaker.extensions import db
from matchmaker.models import Job
from matchmaker.services import importer
from matchmaker.urls import query_id

ACTIVE = ("queued", "running")
# per kind of import: its upload page, and the page an immediate import that worked goes to
PAGES = {
    "companies": ("admin.import_companies", "admin.companies"),
    "programme": ("programme.manage.import_programme", "programme.manage.overview"),
}


def import_page(what: str, form, template: str, **options) -> Response | str:
    """The upload page of import *what*: the form, then the rows to correct or the job's state.

    *options* are the importer's (``approve``; ``tz``, ``allow_conflicts``). While a job of this
    kind runs, the bare page goes to it (``?job=ID``).
    """
    page, _after = PAGES[what]
    job_id = query_id("job")
    if job_id is None and request.method == "GET":
        running = importer.latest_import_job(db.session, what)
        if running is not None and importer.job_status(running) in ACTIVE:
            return redirect(url_for(page, job=running.id))
    errors: list[importer.RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = [_("Choose a file to import.")]
        else:
            outcome = _take(what, form, upload.filename, upload.read(), options)
            if isinstance(outcome, Response):
                return outcome
            errors = outcome
    panel = job_panel(job_id, what) if job_id is not None else None
    if panel is not None and not errors:
        errors = panel["errors"]
    return render_template(template, form=form, errors=errors, job=panel)


def _take(what: str, form, filename: str, data: bytes, options: dict) -> Response | list[importer.RowError]:
    """Import one upload now, or start a job for a large one; return a redirect, or the rows to correct."""
    page, after = PAGES[what]
    params = {"what": what, "filename": filename, **options}
    try:
        rows = importer.read_upload(params, data)
    except importer.ImportFileError as error:
        form.file.errors = [str(error)]
        return []
    size = importer.count_rows(rows)
    if size > current_app.config["IMPORT_JOB_ROWS"]:
        job = importer.start_import_job(db.session, current_user, what, filename, data, lang=g.lang_code, **options)
        db.session.commit()
        jobs.submit(current_app._get_current_object(), importer.IMPORT_TASK, job.id)
        flash(_("This file has %(rows)d rows: it is imported in the background, and this page shows how far it got.",
                rows=size), "info")
        return redirect(url_for(page, job=job.id))
    summary, errors = importer.apply_import(db.session, current_user, params, rows)
    if errors:
        db.session.rollback()
        flash(_("Nothing was imported: %(count)d row(s) need correcting.", count=len(errors)), "error")
        return errors
    db.session.commit()
    flash(_imported(what, summary), "success")
    return redirect(url_for(after))


def _imported(what: str, counts: dict) -> str:
    if what == "programme":
        return _("Programme imported: %(created)d new and %(updated)d updated records.",
                 created=sum(counts["created"].values()), updated=sum(counts["updated"].values()))
    return _("Imported: %(new)d new and %(updated)d updated companies, %(items)d offers and needs.",
             new=counts["companies_created"], updated=counts["companies_updated"],
             items=counts["opportunities_created"] + counts["opportunities_updated"])


def job_panel(job_id: int, what: str | None = None) -> dict:
    """What an import page shows of import job *job_id*: its state, progress and outcome (404 if
    there is no such import, or it imports something else than *what*)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "import" or (what is not None and job.params.get("what") != what):
        abort(404)
    kind = job.params.get("what", "companies")
    status, errors = importer.job_status(job), importer.job_errors(job)
    if status == "done":
        outcome = _imported(kind, job.result)
    elif errors:
        outcome = _("Nothing was imported: %(count)d row(s) need correcting.", count=len(errors))
    else:
        outcome = _("The import stopped; nothing was saved.")
    return dict(job=job, status=status, label=JOB_STATUS_LABELS[status], active=status in ACTIVE,
                filename=job.params.get("filename", ""), outcome=outcome, errors=errors,
                reload_url=url_for(PAGES[kind][0], job=job.id))
