"""Exports and table sheets: the draft from the session page, typed cells, one zone, file names, charset."""

import datetime as dt
import io
from urllib.parse import unquote

import lxml.html
import pytest
from openpyxl import load_workbook

from matchmaker.extensions import db
from matchmaker.services.schedule import publish
from tests.conftest import translated
from tests.schedule_helpers import accept, generate, new_session, organiser
from tests.webforms import submit


@pytest.fixture
def drafted(app, make_company):
    """A session entered in Japan time (10:00–11:00 JST = 08:00–09:00 ICT) with one draft meeting."""
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session(name_ja="1日目 午前", name_en="Day 1 morning", timezone="Asia/Tokyo",
                            start="10:00", end="11:00")
        generate(app, ms_id)
    return ms_id


def _link(html: str, selector: str, index: int) -> str:
    return lxml.html.fromstring(html).cssselect(selector)[index].get("href")


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_draft_exports_and_sheets_from_the_session_page_say_draft(organiser_client, app, drafted, lang):
    page = organiser_client.get(f"/{lang}/admin/schedule/{drafted}/").get_data(as_text=True)
    sheets_url, xlsx_url, csv_url = (_link(page, "#handouts a", i) for i in range(3))
    sheets = organiser_client.get(sheets_url).get_data(as_text=True)
    assert "Kitakyushu Eco ↔ Hai Phong Water" in sheets
    assert translated(app, lang, "Draft: not yet published.") in sheets
    response = organiser_client.get(xlsx_url)
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet.title == translated(app, lang, "Draft")
    assert sheet["A1"].value == translated(app, lang, "Draft schedule: not published, it can still change.")
    assert sheet["A3"].value == translated(app, lang, "Draft") and sheet["G3"].value == "Kitakyushu Eco"
    csv_response = organiser_client.get(csv_url)
    assert "Kitakyushu Eco" in csv_response.get_data().decode("utf-8-sig")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    for answer in (response, csv_response):
        disposition = unquote(answer.headers["Content-Disposition"])
        assert "2026-12-01-draft" in disposition
    assert ("1日目-午前" if lang == "ja" else "Day-1-morning") in unquote(response.headers["Content-Disposition"])


def test_xlsx_has_typed_cells_widths_frozen_header_and_filter_in_the_pages_zone(organiser_client, app, drafted):
    page = organiser_client.get(f"/en/admin/schedule/{drafted}/").get_data(as_text=True)
    assert "Vietnam time" in page
    sheet = load_workbook(io.BytesIO(organiser_client.get(_link(page, "#handouts a", 1)).get_data())).active
    header = [c.value for c in sheet[2]]
    assert header[2] == "Date – Vietnam time (UTC+7)" and header[3] == "Start – Vietnam time (UTC+7)"
    date_cell, start_cell = sheet["C3"], sheet["D3"]
    assert isinstance(date_cell.value, dt.datetime) and date_cell.value.date() == dt.date(2026, 12, 1)
    assert date_cell.is_date and start_cell.is_date and start_cell.number_format == "hh:mm"
    assert start_cell.value in (dt.time(8, 0), dt.time(8, 30))  # the session was entered in JST: 10:00 JST = 08:00 ICT
    assert sheet["L3"].data_type == "n"  # the score is a number
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert sheet.column_dimensions["G"].width >= len("Kitakyushu Eco")


def test_export_follows_the_zone_the_organiser_chose(organiser_client, app, drafted):
    submit(organiser_client, f"/en/admin/schedule/{drafted}/", "form[action$='/timezone']", button="tz=Asia/Tokyo")
    page = organiser_client.get(f"/en/admin/schedule/{drafted}/").get_data(as_text=True)
    assert "Japan time" in page
    text = organiser_client.get(_link(page, "#handouts a", 2)).get_data().decode("utf-8-sig")
    assert "Start – Japan time (UTC+9)" in text and ",10:00," in text.replace(",10:30,", ",10:00,")


def test_published_export_and_all_sessions_file_name(organiser_client, app, drafted):
    with app.app_context():
        publish.publish_schedule(db.session, organiser(), drafted)
        db.session.commit()
    page = organiser_client.get(f"/en/admin/schedule/{drafted}/?state=published").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(organiser_client.get(_link(page, "#handouts a", 1)).get_data())).active
    assert sheet["A1"].value == "Published schedule" and sheet.title == "Published"
    every = organiser_client.get("/en/admin/schedule/export.csv")
    assert "schedule-all-" in every.headers["Content-Disposition"] and "-published.csv" in every.headers["Content-Disposition"]
