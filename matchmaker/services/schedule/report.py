"""What the session page says about a generated draft, in plain terms.

The run's figures describe the draft as generated; ``companies_without_meeting`` looks at the
draft as it is now (hand edits included) and gives each company left with no meeting its reason:
what the organisers set now (left out, a maximum of 0, every slot unavailable) first, then what
the generation found, else that its meetings were removed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


from matchmaker.models import Company, ScheduleRun
from matchmaker.services.schedule.review import Board


@dataclass(frozen=True)
class IdleCompany:
    """An approved company with no meeting in the draft, and why (a code of ``labels.IDLE_LABELS``)."""

    company: Company
    reason: str


def companies_without_meeting(board: Board, run: ScheduleRun | None) -> list[IdleCompany]:
    """Every approved company with no meeting on *board*, by name, each with its reason."""
    found = run.idle if run is not None and run.status == "done" else {}
    slots = len(board.slots)
    out = []
    for company, count in board.per_company():
        if count:
            continue
        cid = company.id
        busy = sum(1 for (c, _s) in board.unavailable if c == cid)
        if cid in board.left_out:
            reason = "left_out"
        elif board.caps.get(cid) == 0:
            reason = "no_wish"
        elif slots and busy >= slots:
            reason = "unavailable"
        else:
            reason = found.get(cid, "removed" if run is not None and run.status == "done" else "no_room")
        out.append(IdleCompany(company, reason))
    return sorted(out, key=lambda row: row.company.name)


def edited_after(ms, run: ScheduleRun | None):
    """When the draft was last edited by hand, if after the run finished (else None)."""
    if ms.draft_edited_at is None or run is None or run.finished_at is None:
        return None
    return ms.draft_edited_at if ms.draft_edited_at > run.finished_at else None


def fewest_meetings(board: Board) -> int:
    """The fewest meetings an approved company has in the draft (companies with none count)."""
    rows = board.per_company()
    return min((n for _c, n in rows), default=0)


__all__ = ["IdleCompany", "companies_without_meeting", "edited_after", "fewest_meetings"]
