"""Company profiles, their offers and needs, approval, and the public directory."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.core.concepts import Glossary
from matchmaker.core.text import index_text, search_key
from matchmaker.models import (
    COMPANY_SIZES,
    COMPANY_STATUSES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    Category,
    Company,
    CompanyDescription,
    Opportunity,
    OpportunityVersion,
    UndoAction,
    User,
)
from matchmaker.services import notifications, undo
from matchmaker.services import validation as v
from matchmaker.services.categories import categories_by_keys
from matchmaker.services.concepts import topics
from matchmaker.services.concepts.items import refresh_concepts

PAGE_SIZE = 24


def can_edit(actor: User, company: Company) -> bool:
    """Organisers edit every company; a company user edits only their own."""
    return actor.is_organiser or actor.company_id == company.id


def _require_editor(actor: User, company: Company) -> None:
    if not can_edit(actor, company):
        raise PermissionError("not allowed to edit this company")


def refresh_search_text(company: Company) -> None:
    """Rebuild the company's search key from its name, place, descriptions, offers and needs."""
    parts = [company.name, company.city, company.sector]
    parts += [d.text for d in company.descriptions]
    parts += [f"{t.title} {t.description}" for o in company.opportunities for t in (o, *o.versions)]
    company.search_text = index_text(*parts)


@dataclass
class ProfileData:
    """What the profile form (or an import row) gives for a company."""

    name: str
    country: str
    city: str = ""
    sector: str = ""
    size: str | None = None
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    languages: tuple[str, ...] = ()
    descriptions: dict[str, str] | None = None


def _clean_profile(data: ProfileData) -> dict:
    """The profile's clean values; every field in error is reported at once."""
    check = v.Checks()
    languages = [check(v.meeting_language, "languages", code) for code in data.languages]
    descriptions = {
        lang: check(v.text, f"description_{lang}", text, max_length=4000, required=False)
        for lang, text in (data.descriptions or {}).items() if check(v.language, "descriptions", lang)
    }
    cleaned = {
        "name": check(v.text, "name", data.name, max_length=200),
        "country": check(v.country, "country", data.country),
        "city": check(v.text, "city", data.city, max_length=120, required=False),
        "sector": check(v.text, "sector", data.sector, max_length=120, required=False),
        "size": check(v.choice, "size", data.size, COMPANY_SIZES, required=False),
        "website": check(v.website, "website", data.website),
        "contact_name": check(v.text, "contact_name", data.contact_name, max_length=120, required=False),
        "contact_email": check(v.email, "contact_email", data.contact_email) if data.contact_email else None,
        "languages": ",".join(dict.fromkeys(code for code in languages if code)),
        "descriptions": descriptions,
    }
    check.done()
    return cleaned


def update_profile(session: Session, company: Company, data: ProfileData, actor: User) -> Company:
    """Validate *data* and write it onto *company* (descriptions given as '' are removed)."""
    _require_editor(actor, company)
    cleaned = _clean_profile(data)
    descriptions = cleaned.pop("descriptions")
    if cleaned["contact_email"]:
        other = session.scalar(select(Company.id).where(Company.contact_email == cleaned["contact_email"], Company.id != company.id))
        if other:
            raise v.ValidationError("contact_email", _("Another company already uses this contact address."))
    for key, value in cleaned.items():
        setattr(company, key, value)
    _set_descriptions(company, descriptions)
    refresh_search_text(company)
    session.flush()
    return company


def _set_descriptions(company: Company, descriptions: dict[str, str]) -> None:
    by_lang = {d.language: d for d in company.descriptions}
    for lang, body in descriptions.items():
        if not body and lang in by_lang:
            company.descriptions.remove(by_lang[lang])
        elif body and lang in by_lang:
            by_lang[lang].text = body
        elif body:
            company.descriptions.append(CompanyDescription(language=lang, text=body))


@dataclass
class OpportunityData:
    """What the offer/need form (or an import row) gives."""

    kind: str
    title: str
    description: str
    categories: list[str]
    language: str
    type: str | None = None
    # language -> (title, description) of the versions in other languages; None leaves them as they are
    versions: dict[str, tuple[str, str]] | None = None


def save_opportunity(
    session: Session, company: Company, data: OpportunityData, actor: User, opportunity: Opportunity | None = None
) -> Opportunity:
    """Create (or update *opportunity*) an offer or need of *company* after validating *data*."""
    _require_editor(actor, company)
    check = v.Checks()
    kind = check(v.choice, "kind", data.kind, OPPORTUNITY_KINDS)
    title = check(v.text, "title", data.title, max_length=200)
    description = check(v.text, "description", data.description, max_length=4000, required=False)
    language = check(v.language, "language", data.language)
    type_ = check(v.choice, "type", data.type, OPPORTUNITY_TYPES, required=False)
    categories = check(categories_by_keys, session, "categories", data.categories)
    if categories == []:
        check.failures.append(v.ValidationError("categories", _("Choose at least one category.")))
    versions = None if data.versions is None else check(_versions, data.versions, language)
    check.done()
    if opportunity is None:
        opportunity = Opportunity(company=company)
        session.add(opportunity)
    elif opportunity.company_id != company.id:
        raise PermissionError("opportunity belongs to another company")
    opportunity.kind, opportunity.title, opportunity.description = kind, title, description
    opportunity.language, opportunity.type, opportunity.categories = language, type_, categories
    if versions is not None:
        _set_versions(opportunity, versions)
    refresh_search_text(company)
    session.flush()
    refresh_concepts(session, [opportunity])
    return opportunity


def _versions(given: dict[str, tuple[str, str]], original: str) -> dict[str, tuple[str, str]]:
    """The versions to keep, validated: blank ones dropped, none in the original's language."""
    kept, check = {}, v.Checks()
    for language, (title, description) in given.items():
        language = v.language("language", language)
        title_field = f"version_title_{language}"
        if not (title or "").strip() and not (description or "").strip():
            continue
        if language == original:
            check.failures.append(v.ValidationError(title_field, _(
                "The original is written in this language: clear this version or choose another language for the original.")))
            continue
        kept[language] = (
            check(v.text, title_field, title, max_length=200),
            check(v.text, f"version_description_{language}", description, max_length=4000, required=False),
        )
    check.done()
    return kept


def _set_versions(opportunity: Opportunity, versions: dict[str, tuple[str, str]]) -> None:
    by_language = {version.language: version for version in opportunity.versions}
    for language, version in by_language.items():
        if language not in versions:
            opportunity.versions.remove(version)
    for language, (title, description) in versions.items():
        version = by_language.get(language)
        if version is None:
            opportunity.versions.append(OpportunityVersion(language=language, title=title, description=description))
        else:
            version.title, version.description = title, description


def delete_opportunity(session: Session, opportunity: Opportunity, actor: User) -> None:
    """Remove an offer or need."""
    company = opportunity.company
    _require_editor(actor, company)
    company.opportunities.remove(opportunity)
    session.delete(opportunity)
    refresh_search_text(company)
    session.flush()


def set_status(session: Session, company: Company, status: str, actor: User) -> None:
    """Approve, reject or set back to pending (organisers only); a company newly approved is told."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    previous, company.status = company.status, v.choice("status", status, COMPANY_STATUSES)
    session.flush()
    if company.status == "approved" and previous != "approved":
        notifications.notify(session, company, "approved")


def reject_company(session: Session, company: Company, actor: User) -> UndoAction:
    """Reject *company* (organisers only); return the action that sets its former status back for a while."""
    previous = company.status
    set_status(session, company, "rejected", actor)
    return undo.record(session, actor, "company_status", _("Rejected %(name)s", name=company.name),
                       {"company_id": company.id, "previous": previous})


@undo.handler("company_status")
def _restore_status(session: Session, actor: User, payload: dict) -> None:
    """Put a rejected company back as it was, without telling it again that it is approved."""
    company = session.get(Company, payload["company_id"])
    if company is None:
        raise v.ValidationError("undo", _("This company no longer exists."))
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    company.status = v.choice("status", payload["previous"], COMPANY_STATUSES)
    session.flush()


@dataclass(frozen=True)
class DirectoryQuery:
    """Filters of the public directory; empty values mean 'any'."""

    text: str = ""
    country: str = ""
    category: str = ""
    kind: str = ""
    page: int = 1
    concept: str = ""  # a glossary concept key: companies with it (or a narrower one) on an offer/need


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(key: str):
    return Company.search_text.like(f"%{_escape_like(key)}%", escape="\\")


def _directory_select(query: DirectoryQuery, include_pending: bool, glossary: Glossary | None = None) -> Select:
    stmt = select(Company)
    if not include_pending:
        stmt = stmt.where(Company.status == "approved")
    key = search_key(query.text)
    if key:
        # through the glossary: "methane" also finds a Japanese text saying メタン
        named = topics.query_concepts(glossary, query.text) if glossary is not None else []
        keys = dict.fromkeys([key, *topics.search_keys_of(glossary, named)]) if named else [key]
        stmt = stmt.where(or_(*(_like(k) for k in keys)))
    if query.concept and glossary is not None:
        stmt = stmt.where(Company.id.in_(topics.companies_with_concept(glossary, query.concept)))
    if query.country:
        stmt = stmt.where(Company.country == query.country.upper())
    if query.category or query.kind in OPPORTUNITY_KINDS:
        sub = select(Opportunity.company_id)
        if query.kind in OPPORTUNITY_KINDS:
            sub = sub.where(Opportunity.kind == query.kind)
        if query.category:
            sub = sub.where(Opportunity.categories.any(Category.key == query.category))
        stmt = stmt.where(Company.id.in_(sub))
    return stmt


def search_directory(session: Session, query: DirectoryQuery, include_pending: bool = False,
                     glossary: Glossary | None = None) -> tuple[list[Company], int]:
    """Return one page of matching companies (by name) and the total number of matches.

    One query ranks the matches and counts them (a window count over ids and names only, so a
    text search scans the companies once and no long text is sorted); the page's companies
    are then loaded by id with their offers and needs (the cards show titles and counts).
    With *glossary*, a search naming a concept also matches its forms in every language, and
    ``query.concept`` keeps the companies with that concept, or a narrower one.
    """
    stmt = _directory_select(query, include_pending, glossary)
    page = max(1, query.page)
    ranked = session.execute(
        stmt.with_only_columns(Company.id, func.count().over())
        .order_by(func.lower(Company.name), Company.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    if not ranked:  # no match, or a page past the end
        return [], session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    loaded = session.scalars(
        select(Company).where(Company.id.in_([company_id for company_id, _ in ranked]))
        .options(selectinload(Company.opportunities))
    )
    by_id = {company.id: company for company in loaded}
    return [by_id[company_id] for company_id, _ in ranked], ranked[0][1]


def matching_company_ids(session: Session, text: str) -> set[int]:
    """Ids of the approved companies a directory search for *text* finds."""
    stmt = _directory_select(DirectoryQuery(text=text), include_pending=False)
    return set(session.scalars(stmt.with_only_columns(Company.id)))


def public_company(session: Session, company_id: int) -> Company | None:
    """The company of a public page with its descriptions, offers and needs, their categories and versions.

    Five queries whatever the number of offers and needs (not two more per offer for its tags
    and its versions in other languages).
    """
    offers = selectinload(Company.opportunities)
    return session.get(Company, company_id, options=[
        selectinload(Company.descriptions), offers.selectinload(Opportunity.categories),
        offers.selectinload(Opportunity.versions),
    ])


def directory_countries(session: Session) -> list[str]:
    """Country codes that have at least one approved company."""
    return list(session.scalars(select(Company.country).where(Company.status == "approved").distinct().order_by(Company.country)))


REVIEW_PAGE_SIZE = 50


def companies_for_review(session: Session, status: str | None = None, text: str = "", page: int = 1) -> tuple[list[Company], int]:
    """One page of the organiser's list (pending first, then by name) and the number of matches.

    *text* searches like the directory (names, places, offers and needs; case, width and
    diacritics ignored). The ranking reads ids only; the page's companies are then loaded with
    their logins and offers/needs (the table shows both), so a page costs the same at any size.
    """
    stmt = _directory_select(DirectoryQuery(text=text), include_pending=True)
    if status in COMPANY_STATUSES:
        stmt = stmt.where(Company.status == status)
    pending_first = case((Company.status == "pending", 0), (Company.status == "approved", 1), else_=2)
    ranked = session.execute(
        stmt.with_only_columns(Company.id, func.count().over())
        .order_by(pending_first, func.lower(Company.name), Company.id)
        .limit(REVIEW_PAGE_SIZE).offset((max(1, page) - 1) * REVIEW_PAGE_SIZE)
    ).all()
    if not ranked:
        return [], session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    loaded = session.scalars(select(Company).where(Company.id.in_([company_id for company_id, _ in ranked]))
                             .options(selectinload(Company.users), selectinload(Company.opportunities)))
    by_id = {company.id: company for company in loaded}
    return [by_id[company_id] for company_id, _ in ranked], ranked[0][1]


@dataclass(frozen=True)
class CompanyFlags:
    """What an organiser should look at: an approved company with nothing to match, a repeated name."""

    empty: frozenset[int]  # approved, with no offer and no need
    same_name: dict[int, list[str]]  # company id -> the other companies' names equal to its own


def review_flags(session: Session) -> CompanyFlags:
    """Flags over every company; names compare on their search key (NFKC + casefold, spaces collapsed)."""
    has_items = exists().where(Opportunity.company_id == Company.id)
    rows = session.execute(select(Company.id, Company.name, Company.status, has_items)).all()
    by_key: dict[str, list[tuple[int, str]]] = {}
    for company_id, name, _status, _items in rows:
        by_key.setdefault(search_key(name), []).append((company_id, name))
    same_name = {company_id: [other for other_id, other in group if other_id != company_id]
                 for group in by_key.values() if len(group) > 1 for company_id, _name in group}
    empty = frozenset(company_id for company_id, _name, status, items in rows if status == "approved" and not items)
    return CompanyFlags(empty, same_name)
