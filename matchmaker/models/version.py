"""The version of the data that public pages show, shared by every worker and app server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow


class DataVersion(db.Model):
    """One row whose *token* changes in every transaction that changes public data.

    ``matchmaker.pagecache`` writes it (a new random token, not a counter: a database that is
    emptied or restored can never bring back a token that named other data) and keys cached
    pages by it.
    """

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
