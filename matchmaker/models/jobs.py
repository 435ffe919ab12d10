"""Background jobs: their state and progress, whichever runner carries them out."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from matchmaker.extensions import db
from matchmaker.models.base import UTCDateTime, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One long task run off the request path (re-embedding, imports…) and how far it got.

    A job that works on an upload keeps the file in ``payload`` until it has run (any worker,
    on any machine, can read it from the database), its options in ``params`` and what it did
    in ``result`` (both JSON).
    """

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    params_json: Mapped[str] = mapped_column("params", Text, default="{}", server_default="{}")
    result_json: Mapped[str] = mapped_column("result", Text, default="{}", server_default="{}")
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def params(self) -> dict:
        """The options the job was started with."""
        return json.loads(self.params_json or "{}")

    @property
    def result(self) -> dict:
        """What the job reported when it ended ({} before)."""
        return json.loads(self.result_json or "{}")

    @property
    def active(self) -> bool:
        """Whether the job is still queued or running."""
        return self.status in ("queued", "running")
