"""The organiser's companies page: one page at a time, searched on the server like the directory."""

import pytest

from matchmaker.services import companies as svc
from tests.conftest import translated_plural
from tests.webforms import submit

LANGS = ["ja", "vi", "en"]


@pytest.fixture
def many(make_company, monkeypatch):
    """Seven companies, pages of three: a pending one first, then the others by name."""
    monkeypatch.setattr(svc, "REVIEW_PAGE_SIZE", 3)
    names = ["Alpha Solar", "Bravo Water", "Charlie Hydrogen", "Delta Recycling", "Echo Finance", "Hải Phòng Môi Trường"]
    ids = {name: make_company(name=name) for name in names}
    ids["Zulu Pending"] = make_company(name="Zulu Pending", status="pending")
    return ids


def _names(html: str, ids: dict) -> list[str]:
    return sorted((html.index(f'/companies/{company_id}"'), name) for name, company_id in ids.items() if f'/companies/{company_id}"' in html)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_of_companies_pending_first(app, client, organiser_client, many, lang):
    first = client.get(f"/{lang}/admin/companies").get_data(as_text=True)
    assert [n for _, n in _names(first, many)] == ["Zulu Pending", "Alpha Solar", "Bravo Water"]
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 7) in first
    assert f'href="/{lang}/admin/companies?page=3"' in first  # the pager: 7 companies, pages of 3
    last = client.get(f"/{lang}/admin/companies?page=3").get_data(as_text=True)
    assert [n for _, n in _names(last, many)] == ["Hải Phòng Môi Trường"]


@pytest.mark.parametrize(("typed", "found"), [
    ("ＨＹＤＲＯＧＥＮ", "Charlie Hydrogen"),  # full-width, upper case
    ("hai phong moi truong", "Hải Phòng Môi Trường"),  # without the diacritics
    ("HẢI PHÒNG", "Hải Phòng Môi Trường"),
])
def test_search_form_finds_ignoring_case_width_and_diacritics(client, organiser_client, many, typed, found):
    answer = submit(client, "/en/admin/companies", "#company-search", fields={"q": typed})
    html = answer.get_data(as_text=True)
    assert [n for _, n in _names(html, many)] == [found]
    assert "1 company found" in html and f'value="{typed}"' in html


def test_search_keeps_the_status_filter_and_pages(client, organiser_client, many):
    html = submit(client, "/en/admin/companies?status=pending", "#company-search", fields={"q": "zulu"}).get_data(as_text=True)
    assert [n for _, n in _names(html, many)] == ["Zulu Pending"]
    assert submit(client, "/en/admin/companies?status=approved", "#company-search", fields={"q": "zulu"}).get_data(as_text=True).count("Zulu Pending") == 0


def test_a_page_past_the_end_is_empty_and_a_bad_page_number_is_a_clear_400(client, organiser_client, many):
    assert "No companies." in client.get("/en/admin/companies?page=40").get_data(as_text=True)
    bad = client.get("/vi/admin/companies?page=abc")  # hostile input: a page number no link carries
    assert bad.status_code == 400 and "page" in bad.get_data(as_text=True)


def test_invitations_list_only_the_page_and_count_all(client, organiser_client, make_company, monkeypatch):
    monkeypatch.setattr(svc, "REVIEW_PAGE_SIZE", 2)
    for n in range(4):
        make_company(name=f"Imported {n}", contact_email=f"imported{n}@example.com")
    from matchmaker.extensions import db
    from matchmaker.models import User
    from sqlalchemy import delete

    with client.application.app_context():
        db.session.execute(delete(User).where(User.role == "company"))
        db.session.commit()
    html = client.get("/en/admin/companies").get_data(as_text=True)
    assert "4 companies have no login yet" in html
    assert html.count('name="companies"') == 2  # this page's two, not all four
