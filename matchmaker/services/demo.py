"""The demo event: realistic companies, an organiser and company logins for a newcomer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.models import Company, User
from matchmaker.services.accounts import create_organiser
from matchmaker.services.categories import seed_categories
from matchmaker.services.companies import OpportunityData, ProfileData, save_opportunity, update_profile

DEMO_ORGANISER = "organiser@demo.example"
DEMO_STAFF = "staff@demo.example"  # event-day staff: the check-in desk
# bandit B105: the public password of the demo event, printed by make run
DEMO_PASSWORD = "environment-week"  # nosec B105


@dataclass
class DemoLogins:
    """The accounts printed for a newcomer after loading the demo."""

    organiser: str
    company: str
    password: str
    staff: str = DEMO_STAFF


def demo_companies() -> list[dict]:
    """The demo companies as shipped in ``matchmaker/demo/companies.json``."""
    text = resources.files("matchmaker.demo").joinpath("companies.json").read_text(encoding="utf-8")
    return json.loads(text)["companies"]


def database_is_empty(session: Session) -> bool:
    """True when no company and no user exist yet."""
    return not session.scalar(select(func.count(User.id))) and not session.scalar(select(func.count(Company.id)))


def load_demo(session: Session) -> None:
    """Create the categories, the demo organiser and every demo company with a login each."""
    seed_categories(session)
    organiser = create_organiser(session, email=DEMO_ORGANISER, password=DEMO_PASSWORD)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for entry in demo_companies():
        company = _load_company(session, entry, organiser)
        session.add(User(email=entry["email"], password_hash=password_hash, role="company", company=company,
                         locale=entry["items"][0]["language"]))
    session.add(User(email=DEMO_STAFF, name="Desk staff", password_hash=password_hash, role="staff"))
    session.flush()
    from matchmaker.services.programme.importing import load_demo_programme

    load_demo_programme(session, organiser)


def demo_logins(session: Session) -> DemoLogins | None:
    """The demo accounts to print, if the demo organiser exists (the first Vietnamese company's login)."""
    if not session.scalar(select(User.id).where(User.email == DEMO_ORGANISER)):
        return None
    vietnamese = next(e["email"] for e in demo_companies() if e["country"] == "VN")
    return DemoLogins(organiser=DEMO_ORGANISER, company=vietnamese, password=DEMO_PASSWORD)


def _load_company(session: Session, entry: dict, organiser: User) -> Company:
    company = Company(name=entry["name"], country=entry["country"], status="approved")
    session.add(company)
    profile = ProfileData(
        name=entry["name"], country=entry["country"], city=entry.get("city", ""), sector=entry.get("sector", ""),
        size=entry.get("size"), website=entry.get("website", ""), contact_name=entry.get("contact_name", ""),
        contact_email=entry["email"], languages=tuple(entry.get("languages", ())), descriptions=entry.get("descriptions"),
    )
    update_profile(session, company, profile, organiser)
    for item in entry["items"]:
        versions = {lang: (text["title"], text["description"]) for lang, text in item.get("versions", {}).items()}
        data = OpportunityData(kind=item["kind"], title=item["title"], description=item["description"],
                               categories=item["categories"], language=item["language"], type=item.get("type"),
                               versions=versions)
        save_opportunity(session, company, data, organiser)
    return company
