"""Import pages list their columns (from the importer's spec, translated), the programme downloads in
its import format from its management page and uploads back, and company follow-up rows go in."""

from __future__ import annotations

import io
from html import unescape

import lxml.html
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, Opportunity, Seminar
from matchmaker.services.programme.importing import EXPORT_COLUMNS
from tests.conftest import translated
from tests.programme_helpers import build_programme
from tests.services.test_imports import _wipe_programme
from tests.webforms import submit

COMPANY_HEADER = "company,country,city,sector,email,website,kind,title,description,categories,language\n"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _links(html: str, selector: str) -> list[str]:
    return [a.get("href") for a in lxml.html.fromstring(html).cssselect(selector)]


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_the_programme_import_page_lists_its_columns_in_the_readers_language(organiser_client, app, lang):
    page = organiser_client.get(f"/{lang}/admin/programme/import").get_data(as_text=True)
    doc = lxml.html.fromstring(page)
    groups = [code.text for code in doc.cssselect("#import-columns h3 code")]
    assert groups == [f"record = {kind}" for kind in ("day", "room", "speaker", "hall", "booth", "seminar")]
    names = [code.text for code in doc.cssselect("#import-columns td code")]
    assert {"venue", "capacity", "speakers", "title_ja / title_vi / title_en", "company_email"} <= set(names)
    listed = doc.cssselect("#import-columns")[0].text_content()
    assert unescape(translated(app, lang, "Spoken language: ja, vi or en.")) in listed
    assert unescape(translated(app, lang, "The room's name, or “venue / room” when two venues have a room of that name.")) in listed
    language_row = next(tr for tr in doc.cssselect("#import-columns tr") if tr.cssselect("code") and tr.cssselect("code")[0].text == "language")
    assert translated(app, lang, "required") in language_row.text_content()


def test_the_company_import_page_lists_its_columns_too(organiser_client, app):
    page = organiser_client.get("/vi/admin/import").get_data(as_text=True)
    listed = lxml.html.fromstring(page).cssselect("#import-columns")[0]
    assert [code.text for code in listed.cssselect("td code")][:11] == COMPANY_HEADER.strip().split(",")
    assert unescape(translated(app, "vi", "The company's name. On a company's following rows, repeat it or leave it empty.")) \
        in listed.text_content()


def test_the_programme_downloads_from_its_page_and_uploads_back(organiser_client, app):
    build_programme(app)
    overview = organiser_client.get("/en/admin/programme/").get_data(as_text=True)
    csv_link, xlsx_link = _links(overview, "#programme-export a")
    download = organiser_client.get(csv_link)
    assert download.status_code == 200 and download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.headers["Content-Disposition"] == 'attachment; filename="programme.csv"'
    exported = download.get_data()
    assert exported.decode("utf-8-sig").splitlines()[0] == ",".join(EXPORT_COLUMNS)
    book = load_workbook(io.BytesIO(organiser_client.get(xlsx_link).get_data()))
    assert [cell.value for cell in book.active[1]] == list(EXPORT_COLUMNS)
    assert sum(row[0].value == "seminar" for row in book.active.iter_rows()) == 3
    _wipe_programme(app)
    assert _count(app, Seminar) == 0
    response = submit(organiser_client, "/en/admin/programme/import", files={"file": (io.BytesIO(exported), "programme.csv")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/programme/")
    assert "Programme imported: 9 new and 0 updated records." in organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(app, Seminar) == 3
    assert organiser_client.get(csv_link).get_data() == exported  # the same programme again


def test_only_organisers_download_the_programme_and_only_as_csv_or_xlsx(client, app, make_company, make_organiser, login):
    build_programme(app)
    make_company(email="firm@example.com")
    login("firm@example.com")
    refused = client.get("/en/admin/programme/export.csv")
    assert refused.status_code in (302, 403) and b"record,date" not in refused.get_data()
    login(make_organiser())
    assert client.get("/en/admin/programme/export.pdf").status_code == 404
    assert client.get("/en/admin/programme/export.csv").status_code == 200


def test_company_follow_up_rows_upload_and_missing_cells_are_named_in_vietnamese(organiser_client, app):
    bad = (COMPANY_HEADER + "Green Hai Phong,VN,Hải Phòng,,info@green.example.vn,,offer,Sorting line,,water,vi\n"
           "Green Hai Phong,,,,,,need,Biogas partner,,water,\n"
           "Blue Da Nang,,,,,,need,Pumps,,water,\n")
    page = submit(organiser_client, "/vi/admin/import", files={"file": (io.BytesIO(bad.encode()), "c.csv")})
    errors = lxml.html.fromstring(page.get_data(as_text=True)).cssselect("#import-errors tbody tr")
    assert [[td.text_content() for td in tr.cssselect("td")] for tr in errors] == [
        ["4", "country", "Còn thiếu: cột này cần có giá trị."]]
    assert _count(app, Company) == 0
    good = bad.replace("Blue Da Nang,,", "Blue Da Nang,VN,")
    response = submit(organiser_client, "/vi/admin/import", files={"file": (io.BytesIO(good.encode()), "c.csv")})
    assert response.status_code == 302
    with app.app_context():
        green = db.session.scalar(select(Company).where(Company.name == "Green Hai Phong"))
        assert green.contact_email == "info@green.example.vn" and len(green.opportunities) == 2
        assert db.session.scalar(select(func.count(Opportunity.id))) == 3
