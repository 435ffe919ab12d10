"""The exhibition: halls, numbered booths held by participating companies, the exhibitor list."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.core.text import search_key
from matchmaker.models import Booth, Category, Company, Hall, User
from matchmaker.services.programme import place_names
from matchmaker.services import validation as v
from matchmaker.services.categories import categories_by_keys


def _require_organiser(actor: User) -> None:
    if not actor.is_organiser:
        raise PermissionError("organisers only")


def save_hall(session: Session, actor: User, name: str, floor: str = "", hall: Hall | None = None,
              names: dict[str, str] | None = None) -> Hall:
    """Create or rename an exhibition hall (names are unique); *names* per language, as for rooms."""
    _require_organiser(actor)
    name = v.text("name", name, max_length=120)
    cleaned = place_names.clean_names(names)
    other = session.scalar(select(Hall).where(Hall.name == name))
    if other is not None and other is not hall:
        raise v.ValidationError("name", _("A hall with this name already exists."))
    if hall is None:
        hall = Hall(position=len(list_halls(session)))
        session.add(hall)
    hall.name, hall.floor = name, v.text("floor", floor, max_length=40, required=False)
    place_names.apply_names(hall, cleaned)
    session.flush()
    return hall


def list_halls(session: Session) -> list[Hall]:
    """Every hall with its booths (by number)."""
    stmt = select(Hall).options(selectinload(Hall.booths).selectinload(Booth.company)).order_by(Hall.position, Hall.name)
    return list(session.scalars(stmt))


def find_hall(session: Session, field_name: str, name: str) -> Hall:
    """The hall called *name*, or an error naming *field_name*."""
    hall = session.scalar(select(Hall).where(Hall.name == name.strip()))
    if hall is None:
        raise v.ValidationError(field_name, _("Unknown hall “%(name)s”.", name=name.strip()))
    return hall


@dataclass
class BoothData:
    """What the booth form (or an import row) gives: the company by its contact email."""

    hall_id: int | None
    number: str
    company_email: str = ""
    exhibitor: str = ""
    categories: list[str] = field(default_factory=list)


def _company_by_email(session: Session, email: str) -> Company | None:
    if not email.strip():
        return None
    address = v.email("company_email", email)
    company = session.scalar(select(Company).where(Company.contact_email == address))
    if company is None:
        raise v.ValidationError("company_email", _("No company has the contact address %(email)s.", email=address))
    return company


def save_booth(session: Session, actor: User, data: BoothData, booth: Booth | None = None) -> Booth:
    """Create or change a booth; it needs a company (by email) or an exhibitor's name."""
    _require_organiser(actor)
    hall = session.get(Hall, data.hall_id) if data.hall_id else None
    if hall is None:
        raise v.ValidationError("hall_id", _("Choose a hall that exists."))
    number = v.text("number", data.number, max_length=20)
    other = session.scalar(select(Booth).where(Booth.hall_id == hall.id, Booth.number == number))
    if other is not None and other is not booth:
        raise v.ValidationError("number", _("This hall already has a booth %(number)s.", number=number))
    company = _company_by_email(session, data.company_email)
    exhibitor = v.text("exhibitor", data.exhibitor, max_length=200, required=False)
    if company is None and not exhibitor:
        raise v.ValidationError("company_email", _("Give the exhibiting company's email or an exhibitor's name."))
    categories = categories_by_keys(session, "categories", list(data.categories))
    booth = booth or Booth()
    booth.hall, booth.number, booth.company, booth.exhibitor = hall, number, company, exhibitor
    booth.categories = categories
    session.add(booth)
    session.flush()
    return booth


def delete_booth(session: Session, actor: User, booth: Booth) -> None:
    """Remove a booth."""
    _require_organiser(actor)
    session.delete(booth)
    session.flush()


def exhibitors(session: Session, text: str = "", category: str = "") -> list[Booth]:
    """Booths whose company is approved (or that have a named exhibitor), by exhibitor name."""
    stmt = (select(Booth).outerjoin(Booth.company)
            .where((Company.id.is_(None)) | (Company.status == "approved"))
            .options(selectinload(Booth.categories), selectinload(Booth.hall)))
    if category:
        stmt = stmt.where(Booth.categories.any(Category.key == category))
    key = search_key(text)
    booths = [b for b in session.scalars(stmt) if not key or key in _booth_key(b)]
    return sorted(booths, key=lambda b: search_key(b.display_name))


def _booth_key(booth: Booth) -> str:
    company = booth.company
    return " ".join([search_key(booth.display_name), search_key(booth.number), company.search_text if company else ""])


def public_booth(booth: Booth) -> bool:
    """A booth whose exhibitor may be shown to the public (approved company or a named exhibitor)."""
    return booth.company is None or booth.company.status == "approved"
