"""The schedule for organisers: CSV and XLSX of every meeting, and per-table sheets to print.

Cells are text typed by companies (their names), so each passes through ``neutralise``: a
spreadsheet must never run a name that starts like a formula.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from matchmaker.models import MatchSession
from matchmaker.services.imports.table import neutralise, to_csv
from matchmaker.services.imports.table import to_xlsx as importer_xlsx
from matchmaker.services.schedule.common import needs_interpreter, session_label
from matchmaker.services.schedule.review import load_board

__all__ = ["schedule_rows", "to_csv", "to_xlsx"]


def _header() -> list[str]:
    return [_("Session"), _("Date"), _("Start"), _("End"), _("Time zone"), _("Table"), _("Company A"), _("Country A"),
            _("Company B"), _("Country B"), _("Interpreter needed"), _("Score"), _("Pinned")]


def _session_rows(session: Session, ms: MatchSession, state: str) -> list[list]:
    board = load_board(session, ms, state)
    zone = ZoneInfo(ms.timezone)
    rows = []
    for m in sorted(board.meetings, key=lambda m: (board.slots[m.slot_id].number, board.tables[m.table_id].number)):
        slot, table = board.slots[m.slot_id], board.tables[m.table_id]
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        texts = [session_label(ms), start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M"), ms.timezone,
                 table.name, m.low.name, m.low.country, m.high.name, m.high.country,
                 _("yes") if needs_interpreter(m.low, m.high) else "", None, _("yes") if m.pinned else ""]
        row = [neutralise(str(cell)) if isinstance(cell, str) else cell for cell in texts]
        row[11] = round(m.score, 4)
        rows.append(row)
    return rows


def schedule_rows(session: Session, sessions: list[MatchSession], state: str = "published") -> list[list]:
    """Header plus one row per meeting of *sessions* in *state*, in time and table order."""
    rows: list[list] = [_header()]
    for ms in sessions:
        rows += _session_rows(session, ms, state)
    return rows


def to_xlsx(rows: list[list]) -> bytes:
    """XLSX bytes with one sheet "schedule" holding *rows* (text cells stay text)."""
    return importer_xlsx(rows, sheet_title="schedule")
