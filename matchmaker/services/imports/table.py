"""Tables in and out: an uploaded CSV (UTF-8) or XLSX read into rows, rows written as CSV or XLSX,
the row errors an import reports, and the column spec an import page lists."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook

from matchmaker.core.text import clean_text
from matchmaker.services.xml_guard import XmlDeclarationError, refuse_xml_declarations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, encoding or columns)."""


@dataclass
class RowError:
    """A row that cannot be imported: its number in the file (header = 1), column and reason."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    """A column of an import: *name* as written in the header, what to write in it (*help*, a lazy
    translated string), and whether a row must fill it (checked before the row is applied).

    Optional columns alike but for their language may be listed as one ("title_ja / title_vi / title_en").
    """

    name: str
    help: object = ""
    required: bool = False


def read_table(filename: str, data: bytes, required: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Parse an uploaded CSV or XLSX into rows keyed by lower-case column name.

    Blank rows are kept (as rows of empty values) so that list position + 2 is the row number
    a spreadsheet shows; the *required* columns must be in the header.
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif name.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise ImportFileError(_("Only CSV (UTF-8) and XLSX files can be imported."))
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise ImportFileError(_("The file is empty."))
    header = [clean_text(h).lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
    return [dict(zip(header, [clean_text(c) for c in row])) for row in rows[1:]]


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not in UTF-8. Save it as “CSV UTF-8” and try again.")) from None
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        refuse_xml_declarations(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]  # read_only parses here
        book.close()
    except XmlDeclarationError:
        raise ImportFileError(_("This file contains XML declarations (DOCTYPE or ENTITY) that spreadsheet "
                                "programs do not write. Save it again from your spreadsheet program and try again.")) from None
    except (zipfile.BadZipFile, zlib.error, KeyError, IndexError, OSError, EOFError, ValueError, SyntaxError):
        raise ImportFileError(_("This does not look like an XLSX file.")) from None
    return rows


def _cell(value) -> str:
    """Spreadsheet cells as text: dates as YYYY-MM-DD, times as HH:MM, whole numbers without '.0'."""
    if value is None:
        return ""
    if hasattr(value, "hour") and not hasattr(value, "year"):
        return value.strftime("%H:%M")
    if hasattr(value, "year"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count_rows(rows: list[dict[str, str]]) -> int:
    """How many of *rows* are not blank."""
    return sum(1 for row in rows if any(row.values()))


def missing_cells(row: dict[str, str], columns: tuple[Column, ...], number: int) -> list[RowError]:
    """A "missing" error for each required column that *row* (row *number* of the file) leaves empty."""
    return [RowError(number, column.name, _("Missing: this column must have a value."))
            for column in columns if column.required and not row.get(column.name)]


def neutralise(cell: str) -> str:
    """Defuse spreadsheet formula injection: a cell that starts like a formula gets a quote."""
    return "'" + cell if cell and cell.startswith(FORMULA_PREFIXES) else cell


def to_csv(rows: list[list[str]]) -> bytes:
    """CSV bytes in UTF-8 with a BOM so that spreadsheet programs read the Japanese right."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list], sheet_title: str = "companies") -> bytes:
    """XLSX bytes with one sheet named *sheet_title* holding *rows*."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
