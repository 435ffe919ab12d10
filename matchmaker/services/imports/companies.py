"""Import and export of companies with their offers and needs (CSV in UTF-8, or XLSX).

One row per offer/need; the company columns may be repeated or left blank after a company's
first row. Columns: company, country, city, sector, email, website, kind, title, description,
categories (keys separated by ``;``), language (optional). A whole file is validated before
anything is written and is applied in the caller's single transaction. Registered as the
importer ``companies`` (a large upload goes to ``imports.jobs`` like any other import).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import Company, Opportunity, User
from matchmaker.services import validation as v
from matchmaker.services.companies import (
    OpportunityData,
    ProfileData,
    save_opportunity,
    update_profile,
)
from matchmaker.services.imports.registry import ColumnGroup, Importer, Progress, register_importer
from matchmaker.services.imports.table import Column, RowError, count_rows, missing_cells, neutralise

VERSION_LANGUAGES = ("ja", "vi", "en")
# optional: the offer/need written again in other languages (blank in the original's language)
VERSION_COLUMNS = tuple(f"{part}_{lang}" for lang in VERSION_LANGUAGES for part in ("title", "description"))
COLUMNS = ("company", "country", "city", "sector", "email", "website", "kind", "title", "description", "categories",
           "language", *VERSION_COLUMNS)
COMPANY_COLUMNS = COLUMNS[:6]
REQUIRED_COLUMNS = ("company", "country", "kind", "title")
# What the import page lists; the required ones are checked on every row (after a company's
# first row has been copied down onto its following rows).
COLUMN_SPEC = (
    Column("company", _l("The company's name. On a company's following rows, repeat it or leave it empty."), True),
    Column("country", _l("Two-letter country code: JP, VN…"), True),
    Column("city", _l("City.")),
    Column("sector", _l("Sector.")),
    Column("email", _l("Contact e-mail; the company is recognised by it (else by its name).")),
    Column("website", _l("Website.")),
    Column("kind", _l("offer or need."), True),
    Column("title", _l("Title of the offer or need."), True),
    Column("description", _l("Description of the offer or need.")),
    Column("categories", _l("Category keys separated by “;” (see the category page).")),
    Column("language", _l("Language it is written in: ja, vi or en (default: from the country).")),
    Column("title_ja / title_vi / title_en", _l("Optional: the title written again in another language.")),
    Column("description_ja / description_vi / description_en",
           _l("Optional: the description written again in another language.")),
)


@dataclass
class ImportReport:
    """What an import did, or the rows that stopped it."""

    companies_created: int = 0
    companies_updated: int = 0
    opportunities_created: int = 0
    opportunities_updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _fill_company_columns(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Copy a company's columns down onto its following rows where they were left blank.

    A following row leaves the company name empty or repeats it; a row with another name starts
    the next company.
    """
    previous: dict[str, str] = {}
    filled = []
    for row in rows:
        if not any(row.values()):
            filled.append(row)
            continue
        if row.get("company") and row.get("company") != previous.get("company"):
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
        missing = missing_cells(row, COLUMN_SPEC, number)
        try:
            if not missing:
                _import_row(session, row, actor, approve, companies, report)
        except v.ValidationError as error:
            report.errors.append(RowError(number, error.field, error.message))
        report.errors += missing
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


def _apply(session: Session, actor: User, rows: list[dict[str, str]], options: dict,
           progress: Progress | None = None) -> tuple[dict, list[RowError]]:
    report = import_rows(session, rows, actor, approve=options.get("approve", True), progress=progress)
    return {name: value for name, value in asdict(report).items() if name != "errors"}, report.errors


def _summary(counts: dict) -> str:
    return _("Imported: %(new)d new and %(updated)d updated companies, %(items)d offers and needs.",
             new=counts["companies_created"], updated=counts["companies_updated"],
             items=counts["opportunities_created"] + counts["opportunities_updated"])


IMPORTER = register_importer("companies", Importer(
    header=REQUIRED_COLUMNS, columns=(ColumnGroup("", COLUMN_SPEC),), apply=_apply, summary=_summary))
