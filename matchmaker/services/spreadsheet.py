"""XLSX tables that open well in a spreadsheet program: typed cells, widths, frozen header, filter.

Dates and times are written as date and time cells (a spreadsheet sorts and sums them), not as
"2026-12-09" strings; every column is wide enough for its longest value (East Asian characters
count double); the header row stays on screen and carries an autofilter. An optional title line
above the header says what the table is (for example that it is a draft).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = {datetime: "yyyy-mm-dd hh:mm", date: "yyyy-mm-dd", time: "hh:mm"}
MIN_WIDTH, MAX_WIDTH = 6, 60


def display_width(value) -> int:
    """Roughly how many narrow characters *value* takes on screen."""
    if isinstance(value, (date, time)):
        return len(FORMATS[type(value)])
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def xlsx_table(header: list[str], rows: list[list], *, sheet_title: str, title: str = "") -> bytes:
    """XLSX bytes: one sheet *sheet_title*, the *title* line if given, then the header and *rows*.

    Cells keep their Python types: ``date``/``time``/``datetime`` become date cells with a
    format, numbers numbers, text text (callers defuse formula-like text first).
    """
    book = Workbook()
    book.remove(book.active)
    add_sheet(book, header, rows, sheet_title=sheet_title, title=title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_sheet(book: Workbook, header: list[str], rows: list[list], *, sheet_title: str, title: str = "",
              formats: dict[int, str] | None = None) -> None:
    """Add a sheet to *book* as ``xlsx_table`` makes it; *formats* gives number formats by column index (from 0)."""
    sheet = book.create_sheet(_sheet_name(book, sheet_title))
    if title:
        sheet.append([title])
        sheet.cell(row=1, column=1).font = Font(bold=True)
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for index, (cell, value) in enumerate(zip(sheet[sheet.max_row], row)):
            if type(value) in FORMATS:
                cell.number_format = FORMATS[type(value)]
            elif formats and index in formats and isinstance(value, (int, float)):
                cell.number_format = formats[index]
    _fit_columns(sheet, [header, *rows])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = f"{get_column_letter(max(len(header), 1))}{max(sheet.max_row, header_row)}"
    sheet.auto_filter.ref = f"A{header_row}:{last}"


def _sheet_name(book: Workbook, wanted: str) -> str:
    """*wanted* as a sheet name: without the characters sheets refuse, at most 31 long, not taken yet."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in wanted)[:31].strip() or "Sheet"
    taken, base, n = set(book.sheetnames), name, 2
    while name in taken:
        name, n = f"{base[:28]} {n}", n + 1
    return name


def _fit_columns(sheet, rows: list[list]) -> None:
    widths: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, 0), display_width(value))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
