"""The report to the joint working group: a one-page summary, a table per cooperation area (the
plan's points 2a-2j and 3) and the dashboard's plots with their tables, as PDF or XLSX.

The PDF is HTML rendered by WeasyPrint, which embeds (subsets of) the Noto CJK fonts: its
Japanese and Vietnamese text is real text, searchable and copyable. The XLSX keeps typed
cells: counts are numbers ("<3" stays text), shares are numbers shown as percentages, days are
dates; each sheet has a frozen, bold header row and fitted column widths. Both show aggregates
only (``figures.shown``). Call inside a request context in the report's language
(``force_locale``).
"""

from __future__ import annotations

import base64
import io
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook

from matchmaker.services.outcomes import figures as figs
from matchmaker.services.outcomes.dashboard import Dashboard
from matchmaker.services.outcomes.plots import png
from matchmaker.services.spreadsheet import add_sheet

FORMATS = ("pdf", "xlsx")
MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def filename(fmt: str, today: date | None = None) -> str:
    """The report's file name, e.g. ``environment-week-report-2027-01-15.pdf``."""
    return f"environment-week-report-{(today or date.today()).isoformat()}.{fmt}"


def _data_uri(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode()


def report_pdf(board: Dashboard, lang: str, today: date | None = None) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML  # loads Pango; only when a PDF is made

    plots = [(figure, _data_uri(png(figure))) for figure in figs.all_figures(board, lang)]
    html = render_template("outcomes/report.html", lang=lang, today=today or date.today(),
                           summary=figs.summary(board), areas=figs.area_table(board, lang), plots=plots)
    return HTML(string=html).write_pdf()


def _share_formats(table: figs.Table) -> dict[int, str]:
    return {index: "0%" for index in table.shares}


def report_xlsx(board: Dashboard, lang: str, today: date | None = None) -> bytes:
    """The report as XLSX bytes: a summary sheet, the areas sheet, one sheet per figure."""
    book = Workbook()
    book.remove(book.active)
    title = _("Japan–Vietnam Environment Week: report to the joint working group (%(day)s)",
              day=(today or date.today()).isoformat())
    summary = figs.summary(board)
    add_sheet(book, summary.header, summary.rows, sheet_title=_("Summary"), title=title)
    areas = figs.area_table(board, lang)
    add_sheet(book, areas.header, areas.rows, sheet_title=_("Cooperation areas"), title=title)
    for figure in figs.all_figures(board, lang):
        add_sheet(book, figure.table.header, figure.table.rows, sheet_title=figure.title, title=figure.title,
                  formats=_share_formats(figure.table))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report(board: Dashboard, lang: str, fmt: str, today: date | None = None) -> bytes:
    """The report in *fmt* (one of ``FORMATS``)."""
    return (report_pdf if fmt == "pdf" else report_xlsx)(board, lang, today)
