"""XLSX uploads with a DOCTYPE or entity declarations are refused with a message, nothing imported."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, Seminar
from matchmaker.services.imports import table as importer
from matchmaker.services.xml_guard import XmlDeclarationError, refuse_xml_declarations
from tests.conftest import translated
from tests.webforms import submit

COMPANY_HEADER = ["company", "country", "city", "sector", "email", "website", "kind", "title", "description", "categories", "language"]
COMPANY_ROW = ["Osaka Hydrogen KK", "JP", "Osaka", "", "", "", "offer", "Fuel cells", "", "hydrogen", "en"]
REFUSED = ("This file contains XML declarations (DOCTYPE or ENTITY) that spreadsheet programs do not write. "
           "Save it again from your spreadsheet program and try again.")
ENTITY = '<!DOCTYPE worksheet [<!ENTITY boom "Injected">]>'
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = '<!DOCTYPE worksheet [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_declaration(data: bytes, part: str, declaration: str) -> bytes:
    """*data* with *declaration* put after the XML declaration of *part* (or at its start)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    assert part in source.namelist()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == part:
                text = body.decode("utf-8")
                head, sep, rest = text.partition("?>")
                text = head + sep + declaration + rest if sep else declaration + text
                body = text.replace("<v>", "<v>&boom;", 1) if "boom" in declaration else text
                body = body.encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels", "docProps/core.xml"]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("declaration", [ENTITY, LAUGHS, EXTERNAL, "<!DOCTYPE worksheet>"])
def test_any_part_with_a_declaration_is_refused(part, declaration):
    crafted = with_declaration(workbook([COMPANY_HEADER, COMPANY_ROW]), part, declaration)
    with pytest.raises(XmlDeclarationError):
        refuse_xml_declarations(crafted)


def test_a_plain_workbook_and_non_zip_data_pass_the_check():
    refuse_xml_declarations(workbook([COMPANY_HEADER, COMPANY_ROW]))
    refuse_xml_declarations(b"not a zip")
    assert importer.read_table("c.xlsx", workbook([COMPANY_HEADER, COMPANY_ROW]))[0]["company"] == "Osaka Hydrogen KK"


def test_read_table_names_the_refusal(ctx):
    crafted = with_declaration(workbook([COMPANY_HEADER, COMPANY_ROW]), "xl/styles.xml", ENTITY)
    with pytest.raises(importer.ImportFileError, match="DOCTYPE or ENTITY"):
        importer.read_table("c.xlsx", crafted)


@pytest.mark.parametrize("garbage", [b"PK\x03\x04" + b"\x00" * 200, b"PK" + b"x" * 50])
def test_broken_archives_are_refused_as_not_xlsx(ctx, garbage):
    with pytest.raises(importer.ImportFileError, match="does not look like an XLSX file"):
        importer.read_table("c.xlsx", garbage)


def _upload(client, url: str, data: bytes):
    return submit(client, url, "form[enctype='multipart/form-data']", files={"file": (io.BytesIO(data), "upload.xlsx")})


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_company_import_refuses_a_doctype_in_the_readers_language(client, app, make_organiser, login, lang):
    login(make_organiser(), lang=lang)
    crafted = with_declaration(workbook([COMPANY_HEADER, COMPANY_ROW]), "xl/worksheets/sheet1.xml", LAUGHS)
    response = _upload(client, f"/{lang}/admin/import", crafted)
    assert response.status_code == 200
    assert translated(app, lang, REFUSED) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == 0


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_programme_import_refuses_an_entity_in_the_readers_language(client, app, make_organiser, login, lang):
    login(make_organiser(), lang=lang)
    crafted = with_declaration(workbook([["record", "title_en"], ["seminar", "Hydrogen"]]), "xl/worksheets/sheet1.xml", ENTITY)
    response = _upload(client, f"/{lang}/admin/programme/import", crafted)
    assert response.status_code == 200
    assert translated(app, lang, REFUSED) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Seminar.id))) == 0
