"""Accounts: company users, organisers and event-day staff."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from matchmaker.models.company import Company

ROLES = ("company", "organiser", "staff")


class User(UserMixin, db.Model):
    """A person who signs in. Company users belong to exactly one company."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('company', 'organiser', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="company")
    # the person's name, for staff accounts (the desk and its history show who did what)
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    locale: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(40))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # False from registration until the person opens the mailed link; they cannot sign in before.
    confirmed: Mapped[bool] = mapped_column(default=True, server_default=true())

    company: Mapped[Company | None] = relationship(back_populates="users")

    @property
    def is_organiser(self) -> bool:
        """True for organisers (ministry staff, secretariat)."""
        return self.role == "organiser"

    @property
    def is_staff(self) -> bool:
        """True for event-day staff: they check people in and record attendance, nothing else."""
        return self.role == "staff"

    @property
    def runs_event_day(self) -> bool:
        """Organisers and staff: who may use the check-in desk and the table-host pages."""
        return self.role in ("organiser", "staff")

    def get_id(self) -> str:
        """Session identifier: the id plus a version that a password change bumps."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
