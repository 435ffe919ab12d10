"""Language in the path, the redirect from /, the switcher, time zones."""

import pytest

from tests.conftest import translated, user_email
from tests.webforms import submit


@pytest.mark.parametrize(
    "accept, expected",
    [("vi-VN,vi;q=0.9,en;q=0.5", "/vi/"), ("ja", "/ja/"), ("fr-FR", "/en/"), ("", "/en/")],
)
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_language_cookie_beats_accept_language(client):
    client.get("/ja/")  # visiting a page remembers its language
    response = client.get("/", headers={"Accept-Language": "vi"})
    assert response.headers["Location"] == "/ja/"


def test_saved_user_language_beats_cookie(client, make_company, login, app):
    company = make_company()
    login(user_email(app, company), lang="vi")
    client.get("/vi/companies/")
    client.set_cookie("lang", "en")
    assert client.get("/").headers["Location"] == "/vi/"


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_pages_are_in_the_path_language(client, app, lang):
    html = client.get(f"/{lang}/companies/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    heading = translated(app, lang, "Companies")
    assert f"<h1>{heading}</h1>" in html
    assert (heading == "Companies") == (lang == "en")


def test_switcher_keeps_page_and_query(client):
    html = client.get("/en/companies/?q=solar").get_data(as_text=True)
    assert 'href="/ja/companies/?q=solar"' in html
    assert 'href="/vi/companies/?q=solar"' in html
    assert "日本語" in html and "Tiếng Việt" in html


def test_unknown_language_is_404_in_a_real_page(client, app):
    response = client.get("/xx/companies/", headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert translated(app, "ja", "Page not found") in response.get_data(as_text=True)


def test_time_zone_choice_is_remembered(client):
    response = client.get("/en/timezone", query_string={"tz": "Asia/Tokyo", "next": "/en/companies/"})
    assert response.status_code == 302 and response.headers["Location"] == "/en/companies/"
    html = client.get("/en/").get_data(as_text=True)
    assert 'value="Asia/Tokyo" class="chip active"' in html


def test_time_zone_switch_refuses_foreign_redirect(client):
    response = client.get("/en/timezone", query_string={"tz": "Asia/Tokyo", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/en/"


def test_when_filter_names_the_zone(app):
    from datetime import datetime, timezone

    from matchmaker.i18n import when

    with app.test_request_context("/ja/", headers={"Cookie": "tz=Asia/Tokyo"}):
        from flask import g

        g.lang_code = "ja"
        text = when(datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc))
    assert text == "2026年12月1日（火）10:30（日本時間）"  # one format per language, the zone beside the time


def test_public_pages_set_no_session_cookie(client):
    response = client.get("/vi/companies/")
    assert "session=" not in response.headers.get("Set-Cookie", "")
    assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_time_zone_post_saves_it_in_the_account(client, app, make_company, login):
    from sqlalchemy import select

    from matchmaker.extensions import db
    from matchmaker.models import User

    email = user_email(app, make_company())
    login(email)
    submit(client, "/en/dashboard", "form.tz-switch", button="tz=Asia/Tokyo")
    with app.app_context():
        assert db.session.scalar(select(User.timezone).where(User.email == email)) == "Asia/Tokyo"
