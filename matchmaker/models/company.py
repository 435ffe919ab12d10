"""Companies, their descriptions per language, and their offers and needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, CheckConstraint, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow
from matchmaker.models.category import Category

COMPANY_STATUSES = ("pending", "approved", "rejected")
COMPANY_SIZES = ("startup", "sme", "large", "public", "ngo")
OPPORTUNITY_KINDS = ("offer", "need")
OPPORTUNITY_TYPES = ("technology", "business", "finance", "partnership")

opportunity_categories = Table(
    "opportunity_categories",
    db.metadata,
    Column("opportunity_id", ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class Company(db.Model):
    """A participating company (or public body). Public once an organiser approves it."""

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("length(country) = 2", name="country"),
        # The directory's country list reads this index alone (no table rows, no sort).
        Index("ix_companies_status_country", "status", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254), unique=True)
    languages: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # When an organiser last mailed the contact a link to create the company's login (imports).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    users = relationship("User", back_populates="company", passive_deletes=True)
    descriptions: Mapped[list[CompanyDescription]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="CompanyDescription.language"
    )
    opportunities: Mapped[list[Opportunity]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="Opportunity.id"
    )

    @property
    def language_list(self) -> list[str]:
        """Languages the company can hold a meeting in, e.g. ``['ja', 'en']``."""
        return [code for code in (self.languages or "").split(",") if code]

    def description_in(self, lang: str) -> CompanyDescription | None:
        """Best description for a reader of *lang*: that language, else English, else any."""
        by_lang = {d.language: d for d in self.descriptions}
        return by_lang.get(lang) or by_lang.get("en") or next(iter(by_lang.values()), None)

    def offers(self) -> list[Opportunity]:
        """The company's offers, oldest first."""
        return [o for o in self.opportunities if o.kind == "offer"]

    def needs(self) -> list[Opportunity]:
        """The company's needs, oldest first."""
        return [o for o in self.opportunities if o.kind == "need"]

    def __repr__(self) -> str:
        return f"<Company {self.name!r} {self.country}>"


class CompanyDescription(db.Model):
    """The company's self-description in one language (user content, not gettext)."""

    __tablename__ = "company_descriptions"
    __table_args__ = (UniqueConstraint("company_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)

    company: Mapped[Company] = relationship(back_populates="descriptions")


class Opportunity(db.Model):
    """One OFFER or NEED of a company, written in one language and tagged with categories."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("kind IN ('offer', 'need')", name="kind"),
        CheckConstraint("language IN ('ja', 'vi', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    type: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship(back_populates="opportunities")
    categories: Mapped[list[Category]] = relationship(
        secondary=opportunity_categories, order_by="Category.position"
    )
    versions: Mapped[list[OpportunityVersion]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", passive_deletes=True,
        order_by="OpportunityVersion.language",
    )

    def version_in(self, language: str) -> Opportunity | OpportunityVersion:
        """The text in *language* when the company wrote one, else the original."""
        if language == self.language:
            return self
        return next((v for v in self.versions if v.language == language), self)

    def __repr__(self) -> str:
        return f"<Opportunity {self.kind} {self.title!r}>"


class OpportunityVersion(db.Model):
    """The same offer/need written again by its company in another language.

    Matching embeds every version: a Vietnamese need then also meets the Vietnamese text of a
    Japanese offer. At most one version per language, never in the original's language.
    """

    __tablename__ = "opportunity_versions"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "language"),
        CheckConstraint("language IN ('ja', 'vi', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opportunity: Mapped[Opportunity] = relationship(back_populates="versions")
