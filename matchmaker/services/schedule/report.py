"""What the session page says about a generated draft, in plain terms.

The run's figures describe the draft as generated; ``companies_without_meeting`` looks at the
draft as it is now (hand edits included) and gives each company left with no meeting its reason:
what the organisers set now (left out, a maximum of 0, every slot unavailable) first, then what
the generation found, else that its meetings were removed by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from matchmaker.models import Company, Interpreter, ScheduledMeeting, ScheduleRun, SessionSlot
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


@dataclass
class ResourceReport:
    """Interpreters and online meetings of a board, with what the run said about the shortage.

    ``lost`` is None when the run did not count it (an older run, or none); ``one_more`` lists
    ``(slot, interpreters that slot lacks to hold the meetings lost)``, most first; ``score_lost``
    the score the same schedule, rearranged with enough interpreters, would gain (None when the run
    did not count it).
    """

    has_interpreters: bool
    used: list[tuple[Interpreter, int]] = field(default_factory=list)
    needed: list[ScheduledMeeting] = field(default_factory=list)
    online: int = 0
    no_link: list[ScheduledMeeting] = field(default_factory=list)
    lost: int | None = None
    one_more: list[tuple[SessionSlot, int]] = field(default_factory=list)
    score_lost: float | None = None  # the score more interpreters would add (None: not counted)
    score: float = 0.0  # the run's score, to say what that score would become


def resources(board: Board, run: ScheduleRun | None) -> ResourceReport:
    """The interpreters used on *board* (most meetings first), the meetings that need one and
    have none, the online meetings and those without a video link, and the run's shortage figures."""
    live = [m for m in board.meetings if m.live]
    counts = Counter(m.interpreter_id for m in live if m.interpreter_id is not None)
    used = sorted(((board.interpreters[pid], n) for pid, n in counts.items() if pid in board.interpreters),
                  key=lambda row: (-row[1], row[0].name))
    needed = sorted((m for m in live if board.needs_interpreter(m)), key=lambda m: (board.slots[m.slot_id].number, m.id))
    online = [m for m in live if m.online]
    report = ResourceReport(bool(board.interpreters), used, needed, len(online),
                            sorted((m for m in online if not m.video_url), key=lambda m: (board.slots[m.slot_id].number, m.id)))
    if run is not None and run.status == "done" and run.lost_to_interpreters is not None:
        by_number = {slot.number: slot for slot in board.slots.values()}
        report.lost = run.lost_to_interpreters
        report.score_lost, report.score = run.score_lost_to_interpreters, float(run.score or 0.0)
        report.one_more = [(by_number[n], saved) for n, saved in json.loads(run.interpreter_slots_json or "[]")
                           if n in by_number and saved > 0]
    return report


__all__ = ["IdleCompany", "ResourceReport", "companies_without_meeting", "edited_after", "fewest_meetings", "resources"]
