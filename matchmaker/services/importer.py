"""Import and export of companies with their offers and needs (CSV in UTF-8, or XLSX).

One row per offer/need; the company columns may be repeated or left blank after a company's
first row. Columns: company, country, city, sector, email, website, kind, title, description,
categories (keys separated by ``;``), language (optional). A whole file is validated before
anything is written and is applied in the caller's single transaction.

A large upload is imported by a background job instead (``start_import_job``, then
``run_import_job`` in a worker): the same importer, in one transaction, with its progress on the
job row and its outcome — the counts, or every row to correct — kept for the organisers' page.
The programme import (``programme_import``) can go the same way.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time as clock
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from matchmaker.core.text import clean_text
from matchmaker.models import Company, Job, Opportunity, User, utcnow
from matchmaker.services import validation as v
from matchmaker.services.xml_guard import XmlDeclarationError, refuse_xml_declarations
from matchmaker.services.companies import (
    OpportunityData,
    ProfileData,
    save_opportunity,
    update_profile,
)

VERSION_LANGUAGES = ("ja", "vi", "en")
# optional: the offer/need written again in other languages (blank in the original's language)
VERSION_COLUMNS = tuple(f"{part}_{lang}" for lang in VERSION_LANGUAGES for part in ("title", "description"))
COLUMNS = ("company", "country", "city", "sector", "email", "website", "kind", "title", "description", "categories",
           "language", *VERSION_COLUMNS)
COMPANY_COLUMNS = COLUMNS[:6]
REQUIRED_COLUMNS = ("company", "country", "kind", "title")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
IMPORT_TASK = "matchmaker.services.importer.run_import_job"
IMPORT_KINDS = ("companies", "programme")
PROGRESS_EVERY = 0.5  # seconds between progress writes
STALE_AFTER = timedelta(hours=1)  # an import queued or running for longer has lost its worker

Progress = Callable[[int, int], None]  # (rows done, rows in all)
log = logging.getLogger(__name__)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, encoding or columns)."""


@dataclass
class RowError:
    """A row that cannot be imported: its number in the file (header = 1), column and reason."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or the rows that stopped it."""

    companies_created: int = 0
    companies_updated: int = 0
    opportunities_created: int = 0
    opportunities_updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_table(filename: str, data: bytes, required: tuple[str, ...] = REQUIRED_COLUMNS) -> list[dict[str, str]]:
    """Parse an uploaded CSV or XLSX into rows keyed by lower-case column name.

    Blank rows are kept (as rows of empty values) so that list position + 2 is the row number
    a spreadsheet shows; the *required* columns must be in the header.
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif name.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise ImportFileError(_("Only CSV (UTF-8) and XLSX files can be imported."))
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise ImportFileError(_("The file is empty."))
    header = [clean_text(h).lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
    return [dict(zip(header, [clean_text(c) for c in row])) for row in rows[1:]]


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not in UTF-8. Save it as “CSV UTF-8” and try again.")) from None
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        refuse_xml_declarations(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]  # read_only parses here
        book.close()
    except XmlDeclarationError:
        raise ImportFileError(_("This file contains XML declarations (DOCTYPE or ENTITY) that spreadsheet "
                                "programs do not write. Save it again from your spreadsheet program and try again.")) from None
    except (zipfile.BadZipFile, zlib.error, KeyError, IndexError, OSError, EOFError, ValueError, SyntaxError):
        raise ImportFileError(_("This does not look like an XLSX file.")) from None
    return rows


def _cell(value) -> str:
    """Spreadsheet cells as text: dates as YYYY-MM-DD, times as HH:MM, whole numbers without '.0'."""
    if value is None:
        return ""
    if hasattr(value, "hour") and not hasattr(value, "year"):
        return value.strftime("%H:%M")
    if hasattr(value, "year"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fill_company_columns(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Copy a company's columns down onto its following rows where they were left blank."""
    previous: dict[str, str] = {}
    filled = []
    for row in rows:
        if not any(row.values()):
            filled.append(row)
            continue
        if row.get("company"):
            previous = {c: row.get(c, "") for c in COMPANY_COLUMNS}
        else:
            row = {**row, **{c: row.get(c) or previous.get(c, "") for c in COMPANY_COLUMNS}}
        filled.append(row)
    return filled


def _find_company(session: Session, email: str, name: str) -> Company | None:
    if email:
        found = session.scalar(select(Company).where(Company.contact_email == email.lower()))
        if found:
            return found
    return session.scalar(select(Company).where(Company.name == name))


def count_rows(rows: list[dict[str, str]]) -> int:
    """How many of *rows* are not blank."""
    return sum(1 for row in rows if any(row.values()))


def import_rows(session: Session, rows: list[dict[str, str]], actor: User, *, approve: bool = True,
                progress: Progress | None = None) -> ImportReport:
    """Create or update companies and their offers/needs from *rows*.

    Every row is checked; if any fails, nothing is written (the savepoint is rolled back) and
    the report lists every failing row. A company is found by its email, else its name; an
    offer/need by its company, kind and title — so importing a file twice updates, never doubles.
    *progress* is called with (rows done, rows in all) after each row.
    """
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    report = ImportReport()
    savepoint = session.begin_nested()
    companies: dict[str, Company] = {}
    filled = _fill_company_columns(rows)
    total, done = count_rows(filled), 0
    for number, row in enumerate(filled, start=2):
        if not any(row.values()):
            continue
        try:
            _import_row(session, row, actor, approve, companies, report)
        except v.ValidationError as error:
            report.errors.append(RowError(number, error.field, error.message))
        done += 1
        if progress is not None:
            progress(done, total)
    if report.errors:
        savepoint.rollback()
        return ImportReport(errors=report.errors)
    savepoint.commit()
    return report


def _import_row(session: Session, row: dict, actor: User, approve: bool, companies: dict, report: ImportReport) -> None:
    name = v.text("company", row.get("company"), max_length=200)
    email = v.email("email", row["email"]) if row.get("email") else ""
    key = email or name
    company = companies.get(key)
    if company is None:
        company = _find_company(session, email, name)
        if company is None:
            company = Company(name=name, country="ZZ", status="approved" if approve else "pending")
            session.add(company)
            report.companies_created += 1
        elif key not in companies:
            report.companies_updated += 1
        profile = ProfileData(
            name=name, country=row.get("country", ""), city=row.get("city", ""), sector=row.get("sector", ""),
            website=row.get("website", ""), contact_email=email, size=company.size, contact_name=company.contact_name,
            languages=tuple(company.language_list),
        )
        update_profile(session, company, profile, actor)
        companies[key] = company
    _import_opportunity(session, company, row, actor, report)


def _import_opportunity(session: Session, company: Company, row: dict, actor: User, report: ImportReport) -> None:
    data = OpportunityData(
        kind=row.get("kind", ""),
        title=row.get("title", ""),
        description=row.get("description", ""),
        categories=[k for k in (row.get("categories") or "").split(";")],
        language=row.get("language") or _guess_language(company.country),
        versions=_row_versions(row),
    )
    kind = v.choice("kind", data.kind, ("offer", "need"))
    title = v.text("title", data.title, max_length=200)
    existing = next((o for o in company.opportunities if o.kind == kind and o.title == title), None)
    try:
        save_opportunity(session, company, data, actor, opportunity=existing)
    except v.ValidationError as error:  # the form's version fields are this file's version columns
        raise v.ValidationError(error.field.removeprefix("version_"), error.message) from None
    if existing is None:
        report.opportunities_created += 1
    else:
        report.opportunities_updated += 1


def _row_versions(row: dict) -> dict[str, tuple[str, str]] | None:
    """The versions a row gives, or None when the file has no version columns (then an offer/need
    that is updated keeps the versions it has)."""
    if not any(column in row for column in VERSION_COLUMNS):
        return None
    return {lang: (row.get(f"title_{lang}") or "", row.get(f"description_{lang}") or "") for lang in VERSION_LANGUAGES}


def _guess_language(country: str) -> str:
    return {"JP": "ja", "VN": "vi"}.get(country, "en")


def neutralise(cell: str) -> str:
    """Defuse spreadsheet formula injection: a cell that starts like a formula gets a quote."""
    return "'" + cell if cell and cell.startswith(FORMULA_PREFIXES) else cell


def export_rows(session: Session) -> list[list[str]]:
    """All companies with their offers and needs in the import format (header first)."""
    companies = session.scalars(
        select(Company).options(selectinload(Company.opportunities).selectinload(Opportunity.categories),
                                selectinload(Company.opportunities).selectinload(Opportunity.versions)).order_by(Company.name)
    )
    rows: list[list[str]] = [list(COLUMNS)]
    for company in companies:
        head = [company.name, company.country, company.city, company.sector, company.contact_email or "", company.website]
        for opp in company.opportunities or [None]:
            tail = [""] * (len(COLUMNS) - len(head)) if opp is None else [
                opp.kind, opp.title, opp.description, ";".join(c.key for c in opp.categories), opp.language,
                *_version_cells(opp),
            ]
            rows.append([neutralise(str(cell)) for cell in head + tail])
    return rows


def _version_cells(opportunity: Opportunity) -> list[str]:
    by_language = {v.language: v for v in opportunity.versions}
    cells = []
    for lang in VERSION_LANGUAGES:
        version = by_language.get(lang)
        cells += [version.title, version.description] if version else ["", ""]
    return cells


def to_csv(rows: list[list[str]]) -> bytes:
    """CSV bytes in UTF-8 with a BOM so that spreadsheet programs read the Japanese right."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list], sheet_title: str = "companies") -> bytes:
    """XLSX bytes with one sheet named *sheet_title* holding *rows*."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- large imports as background jobs ------------------------------------------------------------


def start_import_job(session: Session, actor: User, what: str, filename: str, data: bytes, *, lang: str,
                     **options) -> Job:
    """Record a queued import of the upload *data* (caller commits, then submits ``IMPORT_TASK``).

    *what* is ``companies`` (options: ``approve``) or ``programme`` (options: ``tz``,
    ``allow_conflicts``); *lang* is the language the row errors are reported in.
    """
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    if what not in IMPORT_KINDS:
        raise ValueError(f"unknown import {what!r}")
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


def latest_import_job(session: Session, what: str = "companies") -> Job | None:
    """The most recent import job of *what* (``companies`` or ``programme``) among the last few imports."""
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
    from matchmaker.extensions import db

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
    rows = read_upload(params, job.payload)
    job.message = f"0/{count_rows(rows)}"
    session.commit()
    summary, errors = apply_import(session, actor, params, rows, progress)
    if errors:
        session.rollback()
        return _end(session, job_id, "failed", result={"errors": [asdict(e) for e in errors]})
    return _end(session, job_id, "done", result=summary)  # the data and "done" in one commit


def read_upload(params: dict, data: bytes) -> list[dict[str, str]]:
    """The rows of an upload for the import ``params["what"]`` (ImportFileError when unreadable)."""
    if params["what"] == "programme":
        from matchmaker.services.programme_import import read_programme_table

        return read_programme_table(params["filename"], data)
    return read_table(params["filename"], data)


def apply_import(session: Session, actor: User, params: dict, rows: list[dict[str, str]],
                 progress: Progress | None = None) -> tuple[dict, list[RowError]]:
    """Run the importer of *params*' kind on *rows* (nothing committed); return its counts (as a
    job stores them) and its row errors."""
    if params["what"] == "programme":
        from matchmaker.services.programme_import import import_programme

        report = import_programme(session, rows, actor, tz=params["tz"], allow_conflicts=params.get("allow_conflicts", False),
                                  progress=progress)
        return {"created": report.created, "updated": report.updated}, report.errors
    report = import_rows(session, rows, actor, approve=params.get("approve", True), progress=progress)
    return {name: value for name, value in asdict(report).items() if name != "errors"}, report.errors


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
