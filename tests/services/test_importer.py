"""Import and export from the command line and at the service level."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, Opportunity
from matchmaker.services.imports import companies as importer
from matchmaker.services.imports import table

HEADER = ["company", "country", "city", "sector", "email", "website", "kind", "title", "description", "categories", "language"]
ROWS = [
    ["Công ty Môi trường Xanh Hải Phòng", "VN", "Hải Phòng", "Môi trường", "lienhe@xanh-hp.example.vn", "", "need",
     "Xử lý rác sinh hoạt 500 tấn/ngày", "Bãi rác Đình Vũ sắp đầy", "waste-to-energy", "vi"],
    ["", "", "", "", "", "", "offer", "Mặt bằng và nguồn rác ổn định", "", "waste-to-energy;finance", ""],
    ["Kobe Fluoro Service", "JP", "Kobe", "", "", "", "offer", "フロン回収装置", "", "fluorocarbons", "ja"],
]


def xlsx_bytes(rows):
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(tmp_path, rows, encoding="utf-8"):
    path = tmp_path / "companies.csv"
    path.write_bytes(table.to_csv([HEADER, *rows]).decode("utf-8-sig").encode(encoding))
    return path


def test_cli_import_csv_twice_updates(runner, app, tmp_path):
    path = write_csv(tmp_path, ROWS)
    first = runner.invoke(args=["companies", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "companies: 2 new, 0 updated; offers/needs: 3 new, 0 updated." in first.output
    second = runner.invoke(args=["companies", "import", str(path)])
    assert "companies: 0 new, 2 updated; offers/needs: 0 new, 3 updated." in second.output
    with app.app_context():
        hp = db.session.scalar(select(Company).where(Company.contact_email == "lienhe@xanh-hp.example.vn"))
        assert hp.status == "approved" and [o.kind for o in hp.opportunities] == ["need", "offer"]
        assert hp.opportunities[1].language == "vi"  # default from the country when the column is blank
        assert db.session.scalar(select(func.count(Opportunity.id))) == 3


def test_cli_import_pending(runner, app, tmp_path):
    result = runner.invoke(args=["companies", "import", "--pending", str(write_csv(tmp_path, ROWS))])
    assert result.exit_code == 0
    with app.app_context():
        assert set(db.session.scalars(select(Company.status))) == {"pending"}


def test_cli_import_bad_rows_lists_them_and_imports_nothing(runner, app, tmp_path):
    rows = [*ROWS, ["Bad", "VN", "", "", "bad-email", "", "need", "T", "", "water", "vi"],
            ["Bad 2", "VN", "", "", "", "", "need", "", "", "water", "vi"]]
    result = runner.invoke(args=["companies", "import", str(write_csv(tmp_path, rows))])
    assert result.exit_code != 0
    assert "row 5, email:" in result.output and "row 6, title:" in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == 0


def test_xlsx_import_and_export_roundtrip(ctx, runner, tmp_path):
    from matchmaker.models import User

    organiser = User(email="o@example.com", role="organiser", password_hash="!")
    report = importer.import_rows(db.session, importer.IMPORTER.read("c.xlsx", xlsx_bytes(ROWS)), organiser)
    assert report.errors == [] and report.opportunities_created == 3
    exported = importer.export_rows(db.session)
    assert exported[0] == [*HEADER, *importer.VERSION_COLUMNS]
    book = load_workbook(io.BytesIO(table.to_xlsx(exported)))
    titles = {row[7] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert titles == {"Xử lý rác sinh hoạt 500 tấn/ngày", "Mặt bằng và nguồn rác ổn định", "フロン回収装置"}


def test_shift_jis_file_is_refused(ctx, tmp_path):
    data = write_csv(tmp_path, ROWS[2:], encoding="shift_jis").read_bytes()
    with pytest.raises(table.ImportFileError, match="UTF-8"):
        importer.IMPORTER.read("c.csv", data)


def test_missing_columns_named(ctx):
    with pytest.raises(table.ImportFileError, match="kind, title"):
        importer.IMPORTER.read("c.csv", b"company,country\nA,JP\n")


@pytest.mark.parametrize("cell, expected", [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2", "'-2"), ("水素", "水素"), ("", "")])
def test_formula_injection_is_neutralised(cell, expected):
    assert table.neutralise(cell) == expected


def test_cli_export_to_file(runner, app, tmp_path):
    runner.invoke(args=["companies", "import", str(write_csv(tmp_path, ROWS))])
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["companies", "export", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0 and "3 rows written" in result.output
    assert load_workbook(out).active.max_row == 4


def test_blank_rows_keep_the_spreadsheet_row_numbers(ctx):
    from matchmaker.models import User

    organiser = User(email="o@example.com", role="organiser", password_hash="!")
    csv_text = ",".join(HEADER) + "\n\n" + "Bad Co,XX,,,,,offer,T,,water,en\n"
    report = importer.import_rows(db.session, importer.IMPORTER.read("c.csv", csv_text.encode()), organiser)
    assert [(e.row, e.column) for e in report.errors] == [(3, "country")]


def _versions_of(title):
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.title == title))
    return {v.language: (v.title, v.description) for v in opportunity.versions}


def test_versions_in_other_languages_round_trip_and_survive_a_file_without_them(ctx, runner, tmp_path):
    from matchmaker.models import User

    organiser = User(email="o@example.com", password_hash="x", role="organiser")
    db.session.add(organiser)
    header = [*HEADER, "title_vi", "description_vi", "title_en", "description_en"]
    row = [*ROWS[2], "Thiết bị thu hồi môi chất lạnh", "Thu hồi CFC, HCFC từ điều hòa cũ.", "Refrigerant recovery unit", ""]
    report = importer.import_rows(db.session, [dict(zip(header, row))], organiser)
    assert not report.errors
    db.session.commit()
    expected = {"vi": ("Thiết bị thu hồi môi chất lạnh", "Thu hồi CFC, HCFC từ điều hòa cũ."), "en": ("Refrigerant recovery unit", "")}
    assert _versions_of("フロン回収装置") == expected
    # the export carries them in their columns, and importing it again changes nothing
    exported = importer.export_rows(db.session)
    assert exported[0][-6:] == ["title_ja", "description_ja", "title_vi", "description_vi", "title_en", "description_en"]
    line = next(r for r in exported if r[7] == "フロン回収装置")
    assert line[-6:] == ["", "", *expected["vi"], "Refrigerant recovery unit", ""]
    assert not importer.import_rows(db.session, [dict(zip(exported[0], line))], organiser).errors
    db.session.commit()
    assert _versions_of("フロン回収装置") == expected
    # a file in the old format (no version columns) updates the offer and leaves its versions alone
    assert not importer.import_rows(db.session, [dict(zip(HEADER, ROWS[2]))], organiser).errors
    db.session.commit()
    assert _versions_of("フロン回収装置") == expected


def test_a_version_in_the_originals_language_is_a_row_error(ctx):
    from matchmaker.models import User

    organiser = User(email="o@example.com", password_hash="x", role="organiser")
    db.session.add(organiser)
    header = [*HEADER, "title_ja"]
    report = importer.import_rows(db.session, [dict(zip(header, [*ROWS[2], "同じ言語"]))], organiser)
    assert [(e.row, e.column) for e in report.errors] == [(2, "title_ja")]
    assert "original is written in this language" in report.errors[0].message
