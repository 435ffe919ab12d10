"""The schedule for organisers: CSV and XLSX of every meeting, draft or published.

One zone per export: the times are in the zone the organiser's pages show (their choice, named
in the header), whatever zone a session was entered in. XLSX cells are typed (dates, times,
numbers); a draft says so in its title line, its sheet name and each row's "Version" column.
Cells are text typed by companies (their names), so each passes through ``neutralise``: a
spreadsheet must never run a name that starts like a formula.

Columns (people script against them: new ones are only ever appended): Version, Session, Date,
Start, End, Table (empty for an online meeting), Company A, Country A, Company B, Country B,
Interpreter needed, Score, Pinned, Mode (on site / online), Video link, Interpreter.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from matchmaker.i18n import zone_label
from matchmaker.models import MatchSession
from matchmaker.services.imports.table import neutralise
from matchmaker.services.schedule.common import session_label, table_label
from matchmaker.services.schedule.places import interpreter_missing, interpreter_name, is_online, video_link
from matchmaker.services.schedule.review import load_board
from matchmaker.services.spreadsheet import xlsx_table

__all__ = ["Export", "schedule_export", "to_csv", "to_xlsx", "file_name"]


class Export:
    """A schedule export: header, typed rows, the state it shows and the zone of its times."""

    def __init__(self, header: list[str], rows: list[list], state: str, tz: str):
        self.header, self.rows, self.state, self.tz = header, rows, state, tz

    @property
    def title(self) -> str:
        """The line above the table: which version this is."""
        if self.state == "draft":
            return _("Draft schedule: not published, it can still change.")
        return _("Published schedule")


def _header(tz: str) -> list[str]:
    zone = zone_label(tz)
    return [_("Version"), _("Session"), _("Date – %(zone)s", zone=zone), _("Start – %(zone)s", zone=zone),
            _("End – %(zone)s", zone=zone), _("Table"), _("Company A"), _("Country A"), _("Company B"), _("Country B"),
            _("Interpreter needed"), _("Score"), _("Pinned"), _("Mode"), _("Video link"), _("Interpreter")]


def _mode(meeting) -> str:
    return _("online") if is_online(meeting) else _("on site")


def _session_rows(session: Session, ms: MatchSession, state: str, zone: ZoneInfo) -> list[list]:
    board = load_board(session, ms, state)
    version = _("Draft") if state == "draft" else _("Published")
    rows = []

    def table_of(m):
        return None if is_online(m) else board.tables.get(m.table_id)

    def order(m):  # online meetings after the tables of their slot
        table = table_of(m)
        return board.slots[m.slot_id].number, table is None, table.number if table else 0, m.low.name

    for m in sorted(board.meetings, key=order):
        slot, table = board.slots[m.slot_id], table_of(m)
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        texts = [version, session_label(ms), table_label(table.name) if table else "", m.low.name, m.low.country, m.high.name,
                 m.high.country, _("yes") if interpreter_missing(m) else "", _("yes") if m.pinned else "",
                 _mode(m), video_link(m), interpreter_name(m)]
        v, name, tbl, a, ca, b, cb, interp, pinned, mode, link, interpreter = [neutralise(str(t)) for t in texts]
        rows.append([v, name, start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None),
                     tbl, a, ca, b, cb, interp, round(m.score, 4), pinned, mode, link, interpreter])
    return rows


def schedule_export(session: Session, sessions: list[MatchSession], state: str, tz: str) -> Export:
    """Every meeting of *sessions* in *state*, in time and table order, times in zone *tz*."""
    zone = ZoneInfo(tz)
    rows: list[list] = []
    for ms in sessions:
        rows += _session_rows(session, ms, state, zone)
    return Export(_header(tz), rows, state, tz)


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return "" if value is None else str(value)


def to_csv(export: Export) -> bytes:
    """CSV in UTF-8 with a BOM (spreadsheet programs then read Japanese and Vietnamese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.header)
    writer.writerows([_text(cell) for cell in row] for row in export.rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(export: Export) -> bytes:
    """XLSX with typed cells, a title line saying which version it is, frozen header and filter."""
    sheet = _("Draft") if export.state == "draft" else _("Published")
    return xlsx_table(export.header, export.rows, sheet_title=sheet, title=export.title)


def file_name(ms: MatchSession | None, state: str, ext: str, today: date) -> str:
    """``schedule-<session>-<date>-<state>.<ext>`` for one session, ``schedule-all-<today>-…`` for all (*ms* None)."""
    if ms is not None:
        label = _slug(session_label(ms)) or f"session-{ms.id}"
        return f"schedule-{label}-{ms.day.isoformat()}-{state}.{ext}"
    return f"schedule-all-{today.isoformat()}-{state}.{ext}"


def _slug(text: str) -> str:
    """The name for a file: letters of any script kept, spaces and punctuation made hyphens."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[^\w]+", "-", text).strip("-_")[:60]
