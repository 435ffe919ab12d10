"""The report to the joint working group: ``flask outcomes report``, the PDF's text and the XLSX's cells."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Category

from tests.dashboard_helpers import known_event


@pytest.fixture
def event(app, make_company, make_opportunity):
    with app.app_context():
        return known_event(make_company, make_opportunity)


def _report(runner, tmp_path, lang: str, fmt: str):
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(args=["outcomes", "report", "--lang", lang, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Report written: {out}" in result.output
    return out.read_bytes()


def _embedded_fonts(data: bytes) -> set[str]:
    """The names of the fonts whose files the PDF embeds."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(descriptor["/FontName"]).split("+")[-1])
    return names


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang, title", [("ja", "合同作業部会への報告"), ("vi", "báo cáo cho Tổ công tác chung"),
                                         ("en", "report to the joint working group")])
def test_pdf_text_is_searchable_in_each_language(app, runner, tmp_path, event, lang, title):
    with app.app_context():
        areas = [c.name(lang) for c in db.session.scalars(select(Category).where(
            Category.key.in_(["waste-to-energy", "hydrogen"])))]
    words = [title, *areas]
    data = _report(runner, tmp_path, lang, "pdf")
    fonts = _embedded_fonts(data)
    assert "DejaVu-Sans" in fonts  # Latin and Vietnamese
    if lang == "ja":
        assert "Noto-Sans-CJK-JP" in fonts
    text = " ".join(_pdf_text(data).split())  # lines wrap inside table cells
    for word in words:
        assert word in text, word


def test_pdf_figures_equal_the_database(runner, tmp_path, event):
    text = _pdf_text(_report(runner, tmp_path, "en", "pdf"))
    lines = text.splitlines()
    assert "Companies taking part (approved) 8" in lines
    assert "Meetings held 4" in lines
    assert "Pairs that reached: Contact made 4" in lines
    assert "MoUs or NDAs signed (pairs) <3" in lines and "Project proposals (pairs) <3" in lines


def test_xlsx_cells_are_typed(runner, tmp_path, event):
    book = load_workbook(io.BytesIO(_report(runner, tmp_path, "ja", "xlsx")))
    summary = book["概要"]
    assert summary.freeze_panes == "A3" and summary["A2"].font.bold
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=3, values_only=True)}
    assert values["参加企業（承認済み）"] == 8 and isinstance(values["参加企業（承認済み）"], int)
    assert values["実施された面談"] == 4
    assert "<3" in values.values()
    registrations = book[book.sheetnames[2]]
    day = registrations.cell(row=3, column=1)
    assert isinstance(day.value, date) and day.number_format == "yyyy-mm-dd"
    schedule = next(book[name] for name in book.sheetnames if book[name]["A2"].value == "セッション")
    fill = schedule.cell(row=3, column=5)
    assert fill.value == 0.5 and fill.number_format == "0%"
    assert all(book[name].column_dimensions["A"].width >= 6 for name in book.sheetnames)


@pytest.mark.parametrize("args, message", [
    (["--lang", "fr", "--format", "pdf"], "Invalid value for '--lang'"),
    (["--lang", "ja", "--format", "docx"], "Invalid value for '--format'"),
    (["--lang", "ja"], "Missing option '--format'"),
])
def test_bad_options_are_clear_errors(runner, tmp_path, args, message):
    result = runner.invoke(args=["outcomes", "report", *args, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "r").exists()


def test_unwritable_out_is_a_clear_error(runner, tmp_path, event):
    target = tmp_path / "missing-folder" / "report.xlsx"
    result = runner.invoke(args=["outcomes", "report", "--lang", "en", "--format", "xlsx", "--out", str(target)])
    assert result.exit_code == 1 and "Cannot write" in result.output
