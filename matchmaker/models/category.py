"""The category taxonomy: keys that mean the same in every language."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db


class Category(db.Model):
    """A cooperation area (e.g. ``waste-to-energy``) with its name in each language."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(120))
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, lang: str) -> str:
        """Return the category's name in *lang*, falling back to English."""
        return getattr(self, f"name_{lang}", None) or self.name_en

    def __repr__(self) -> str:
        return f"<Category {self.key}>"
