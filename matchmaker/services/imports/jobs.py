"""A large import carried out by a background job (``start_import_job``, then ``run_import_job`` in
a worker): the same importer, in one transaction, with its progress on the job row and its outcome
— the counts, or every row to correct — kept for the organisers' page."""

from __future__ import annotations

import json
import logging
import time as clock
from dataclasses import asdict
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matchmaker.extensions import db
from matchmaker.models import Job, User, utcnow
from matchmaker.services.imports.registry import Progress, get_importer
from matchmaker.services.imports.table import RowError, count_rows

IMPORT_TASK = "matchmaker.services.imports.jobs.run_import_job"
PROGRESS_EVERY = 0.5  # seconds between progress writes
STALE_AFTER = timedelta(hours=1)  # an import queued or running for longer has lost its worker

log = logging.getLogger(__name__)


def start_import_job(session: Session, actor: User, what: str, filename: str, data: bytes, *, lang: str,
                     **options) -> Job:
    """Record a queued import of the upload *data* (caller commits, then submits ``IMPORT_TASK``).

    *what* names a registered importer, *options* are its own (e.g. ``approve``; ``tz``,
    ``allow_conflicts``); *lang* is the language the row errors are reported in.
    """
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    get_importer(what)  # LookupError for an import nobody registered
    params = {"what": what, "filename": filename, "lang": lang, **options}
    job = Job(kind="import", created_by=actor.id, payload=data, params_json=json.dumps(params))
    session.add(job)
    session.flush()
    return job


def job_status(job: Job, now: datetime | None = None) -> str:
    """The job's status as the page shows it: one silent for longer than ``STALE_AFTER`` has failed."""
    if job.active and job.created_at + STALE_AFTER < (now or utcnow()):
        return "failed"
    return job.status


def job_errors(job: Job) -> list[RowError]:
    """The rows to correct that stopped an import job ([] when none did)."""
    return [RowError(**error) for error in job.result.get("errors", [])]


def latest_import_job(session: Session, what: str) -> Job | None:
    """The most recent import job of importer *what* among the last few imports."""
    recent = session.scalars(select(Job).where(Job.kind == "import").order_by(Job.id.desc()).limit(20))
    return next((job for job in recent if job.params.get("what") == what), None)


class _ProgressWriter:
    """Writes "done/total" to the job row on a connection of its own, at most every PROGRESS_EVERY s.

    The import's transaction stays open until its last row, so the progress is committed beside
    it. SQLite lets one connection write at a time — the import's — so there the page sees the
    row count at the start and the outcome at the end.
    """

    def __init__(self, engine: Engine, job_id: int):
        self.engine, self.job_id, self.last = engine, job_id, clock.monotonic()
        self.enabled = engine.dialect.name != "sqlite"

    def __call__(self, done: int, total: int) -> None:
        now = clock.monotonic()
        if not self.enabled or now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        with self.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id)
                               .values(progress=round(done / max(total, 1), 4), message=f"{done}/{total}"))


def run_import_job(app, job_id: int) -> str:
    """Background task: carry out import job *job_id*; return its final status.

    All rows go in (the job ends "done" with the counts, in the same transaction as the data) or
    none (it ends "failed" with every row to correct, or with why it stopped). Never raises.
    """
    with app.app_context():
        session = db.session
        try:
            job = _claim(session, job_id)
            if job is None:
                return "skipped"
            with force_locale(job.params.get("lang") or "en"):
                return _carry_out(session, job, _ProgressWriter(db.engine, job_id))
        except Exception as error:  # noqa: BLE001 - the job row must say what happened, whatever it was
            session.rollback()
            log.exception("import job %s failed", job_id)
            _end(session, job_id, "failed", message=str(error) or type(error).__name__)
            return "failed"
        finally:
            session.remove()


def _claim(session: Session, job_id: int) -> Job | None:
    """Move the job from queued to running, unless another worker took it or it went stale."""
    fresh = utcnow() - STALE_AFTER
    taken = session.execute(update(Job).where(Job.id == job_id, Job.status == "queued", Job.created_at > fresh)
                            .values(status="running", progress=0.0).execution_options(synchronize_session=False))
    session.commit()
    return session.get(Job, job_id) if taken.rowcount == 1 else None


def _carry_out(session: Session, job: Job, progress: Progress) -> str:
    params, job_id = job.params, job.id
    actor = session.get(User, job.created_by) if job.created_by else None
    if actor is None or not actor.is_organiser:
        raise PermissionError("the organiser who started this import no longer has the right to")
    importer = get_importer(params["what"])
    rows = importer.read(params["filename"], job.payload)
    job.message = f"0/{count_rows(rows)}"
    session.commit()
    summary, errors = importer.apply(session, actor, rows, params, progress)
    if errors:
        session.rollback()
        return _end(session, job_id, "failed", result={"errors": [asdict(e) for e in errors]})
    return _end(session, job_id, "done", result=summary)  # the data and "done" in one commit


def _end(session: Session, job_id: int, status: str, *, result: dict | None = None, message: str | None = None) -> str:
    """Close the job (commits): its status, outcome, and the upload dropped."""
    job = session.get(Job, job_id)
    job.status, job.finished_at, job.payload = status, utcnow(), None
    if status == "done":
        job.progress = 1.0
    if result is not None:
        job.result_json = json.dumps(result, ensure_ascii=False)
    if message is not None:
        job.message = message[:2000]
    session.commit()
    return status
