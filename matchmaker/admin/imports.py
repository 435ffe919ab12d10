"""What every import page shares: take an upload, import it now or hand a large one to a
background job, and show that job's state and outcome. The importer comes from the registry
(``services.imports.registry``); this module does not know what is being imported."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from matchmaker import jobs
from matchmaker.choices import JOB_STATUS_LABELS
from matchmaker.extensions import db
from matchmaker.models import Job
from matchmaker.services.imports import jobs as import_jobs
from matchmaker.services.imports.registry import Importer, get_importer
from matchmaker.services.imports.table import ImportFileError, RowError, count_rows
from matchmaker.urls import query_id

ACTIVE = ("queued", "running")


def import_page(what: str, form, template: str, *, after: str, **options) -> Response | str:
    """The upload page (this request's endpoint) of importer *what*: the form, then the rows to
    correct or the job's state; an immediate import that worked goes to endpoint *after*.

    *options* are the importer's (``approve``; ``tz``, ``allow_conflicts``). While a job of this
    kind runs, the bare page goes to it (``?job=ID``). The template gets ``columns``, the column
    groups the importer reads, to list them.
    """
    importer = get_importer(what)
    job_id = query_id("job")
    if job_id is None and request.method == "GET":
        running = import_jobs.latest_import_job(db.session, what)
        if running is not None and import_jobs.job_status(running) in ACTIVE:
            return redirect(url_for(request.endpoint, job=running.id))
    errors: list[RowError] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = [_("Choose a file to import.")]
        else:
            outcome = _take(what, importer, form, upload.filename, upload.read(), after, options)
            if isinstance(outcome, Response):
                return outcome
            errors = outcome
    panel = job_panel(job_id, what, page=request.endpoint) if job_id is not None else None
    if panel is not None and not errors:
        errors = panel["errors"]
    return render_template(template, form=form, errors=errors, job=panel, columns=importer.columns)


def _take(what: str, importer: Importer, form, filename: str, data: bytes, after: str,
          options: dict) -> Response | list[RowError]:
    """Import one upload now, or start a job for a large one; return a redirect, or the rows to correct."""
    try:
        rows = importer.read(filename, data)
    except ImportFileError as error:
        form.file.errors = [str(error)]
        return []
    size = count_rows(rows)
    if size > current_app.config["IMPORT_JOB_ROWS"]:
        job = import_jobs.start_import_job(db.session, current_user, what, filename, data, lang=g.lang_code, **options)
        db.session.commit()
        jobs.submit(current_app._get_current_object(), import_jobs.IMPORT_TASK, job.id)
        flash(_("This file has %(rows)d rows: it is imported in the background, and this page shows how far it got.",
                rows=size), "info")
        return redirect(url_for(request.endpoint, job=job.id))
    summary, errors = importer.apply(db.session, current_user, rows, options, None)
    if errors:
        db.session.rollback()
        flash(ngettext("Nothing was imported: %(num)d row needs correcting.", "Nothing was imported: %(num)d rows need correcting.", len(errors)), "error")
        return errors
    db.session.commit()
    flash(importer.summary(summary), "success")
    return redirect(url_for(after))


def job_panel(job_id: int, what: str | None = None, page: str | None = None) -> dict:
    """What an import page shows of import job *job_id*: its state, progress and outcome (404 if
    there is no such import, or it imports something else than *what*); *page* is the endpoint
    that shows it (for the reload link)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "import" or (what is not None and job.params.get("what") != what):
        abort(404)
    status, errors = import_jobs.job_status(job), import_jobs.job_errors(job)
    if status == "done":
        outcome = get_importer(job.params["what"]).summary(job.result)
    elif errors:
        outcome = ngettext("Nothing was imported: %(num)d row needs correcting.", "Nothing was imported: %(num)d rows need correcting.", len(errors))
    else:
        outcome = _("The import stopped; nothing was saved.")
    return dict(job=job, status=status, label=JOB_STATUS_LABELS[status], active=status in ACTIVE,
                filename=job.params.get("filename", ""), outcome=outcome, errors=errors,
                reload_url=url_for(page, job=job.id) if page else "")
