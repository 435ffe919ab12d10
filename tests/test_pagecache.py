"""The page cache of anonymous public pages: what it serves, to whom, and when it lets go.

Every test reads pages as a visitor would and asserts on what the page says. A change that the
cache must not see (SQL straight on the engine, bypassing the session) shows that a page really
came from the cache; a change through the app or a service must show at once.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from flask import Response, flash, session
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from matchmaker import create_app, pagecache
from matchmaker.extensions import db
from matchmaker.models import Company, DataVersion, Seminar, User
from matchmaker.services import companies as company_svc
from matchmaker.services.programme import seminars as programme_svc
from matchmaker.services.programme.attendance import reserve_seat
from tests.conftest import user_email
from tests.programme_helpers import DAY1, TZ, build_programme, organiser, seminar_data
from tests.webforms import submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _rename_behind_the_apps_back(app, company_id: int, name: str) -> None:
    """Change a name with SQL on the engine: no session, so no new data version."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(Company).where(Company.id == company_id).values(name=name))


def _retitle_behind_the_apps_back(app, seminar_id: int, title: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(Seminar).where(Seminar.id == seminar_id).values(title_en=title))


def _rename(app, company_id: int, name: str) -> None:
    """An organiser renames a company through the service layer."""
    with app.app_context():
        company = db.session.get(Company, company_id)
        data = company_svc.ProfileData(name=name, country=company.country, languages=tuple(company.language_list))
        company_svc.update_profile(db.session, company, data, organiser())
        db.session.commit()


def _version(app) -> str:
    with app.app_context():
        return pagecache.current_version()


@pytest.fixture
def second_client(app):
    """Another browser: a visitor next to a signed-in user, or the other way round."""
    return app.test_client()


# --------------------------------------------------------------------------- served from the cache


@pytest.mark.parametrize("path", ["/en/companies/{id}", "/en/companies/", "/ja/companies/?q=eco"])
def test_a_repeated_visit_to_a_company_page_is_served_from_the_cache(client, app, make_company, path):
    company_id = make_company(name="Kitakyushu Eco Energy")
    url = path.format(id=company_id)
    first = client.get(url)
    assert first.headers["X-Page-Cache"] == "miss" and "Kitakyushu Eco Energy" in _text(first)
    _rename_behind_the_apps_back(app, company_id, "Renamed Behind The Back")
    again = client.get(url)
    assert again.headers["X-Page-Cache"] == "hit"
    assert _text(again) == _text(first)  # the stored page, not a new rendering


@pytest.mark.parametrize("path", [f"/en/programme/?day={DAY1}", "/vi/programme/seminars/{id}"])
def test_a_repeated_visit_to_a_programme_page_is_served_from_the_cache(client, app, path):
    ids = build_programme(app)
    url = path.format(id=ids["A"])
    assert "JCM update" in _text(client.get(url))
    _retitle_behind_the_apps_back(app, ids["A"], "Retitled Behind The Back")
    again = client.get(url)
    assert again.headers["X-Page-Cache"] == "hit"
    assert "JCM update" in _text(again) and "Retitled Behind The Back" not in _text(again)


def test_cached_pages_keep_etag_and_answer_304(client, make_company):
    url = f"/en/companies/{make_company()}"
    first = client.get(url)
    cached = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.headers["X-Page-Cache"] == "hit"
    assert cached.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")


# --------------------------------------------------------------------------- invalidation


def test_an_organiser_renaming_a_company_changes_its_cached_pages(client, app, make_company):
    company_id = make_company(name="Old Name Ltd")
    pages = [f"/en/companies/{company_id}", "/en/companies/", "/en/companies/?q=old"]
    for url in pages:
        assert "Old Name Ltd" in _text(client.get(url))
    _rename(app, company_id, "Old Name Holdings")
    for url in pages:
        assert "Old Name Holdings" in _text(client.get(url)), url


def test_a_company_editing_its_profile_on_the_site_changes_the_public_page(client, second_client, app, make_company):
    company_id = make_company(name="Hai Phong Water")
    assert "Hai Phong Water" in _text(second_client.get(f"/en/companies/{company_id}"))
    submit(client, "/en/auth/login", fields={"email": user_email(app, company_id), "password": "correct horse battery"})
    saved = submit(client, "/en/profile/", fields={"name": "Hai Phong Clean Water", "country": "VN", "languages": ["vi"]})
    assert saved.status_code == 302
    assert "Hai Phong Clean Water" in _text(second_client.get(f"/en/companies/{company_id}"))
    assert "Hai Phong Clean Water" in _text(second_client.get("/en/companies/?q=hai+phong"))


def test_an_organiser_approving_a_company_on_the_site_lists_it(client, second_client, app, make_company,
                                                              make_organiser, login):
    company_id = make_company(name="Pending Recycling JSC", status="pending")
    assert "Pending Recycling JSC" not in _text(second_client.get("/en/companies/"))
    login(make_organiser())
    submit(client, "/en/admin/companies", f'form[action^="/en/admin/companies/{company_id}/status"]', button="Approve")
    assert "Pending Recycling JSC" in _text(second_client.get("/en/companies/"))
    assert "Pending Recycling JSC" in _text(second_client.get(f"/en/companies/{company_id}"))


def test_a_seminar_added_appears_in_the_cached_programme(client, app):
    build_programme(app)
    url = f"/en/programme/?day={DAY1}"
    assert "Circular economy clinic" not in _text(client.get(url))
    with app.app_context():
        main = db.session.scalar(select(Seminar).where(Seminar.code == "A")).room
        programme_svc.save_seminar(db.session, organiser(), seminar_data(main, start="16:00", end="17:00",
                                   titles={"en": "Circular economy clinic"}), tz=TZ)
        programme_svc.publish_seminars(db.session, organiser())
        db.session.commit()
    assert "Circular economy clinic" in _text(client.get(url))


def test_a_reservation_changes_the_seats_left_on_the_cached_seminar_page(client, app, make_company):
    company_id = make_company()
    ids = build_programme(app)
    url = f"/en/programme/seminars/{ids['A']}"
    assert "2 seats left" in _text(client.get(url))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.company_id == company_id))
        reserve_seat(db.session, user, db.session.get(Seminar, ids["A"]))  # a conditional UPDATE, not a flush
        db.session.commit()
    assert "1 seat left" in _text(client.get(url))


def test_bulk_update_statements_through_the_session_count_as_changes(client, app, make_company):
    company_id = make_company(name="Bulk Before KK")
    assert "Bulk Before KK" in _text(client.get("/en/companies/"))
    with app.app_context():
        db.session.execute(update(Company).where(Company.id == company_id).values(name="Bulk After KK"))
        db.session.commit()
    assert "Bulk After KK" in _text(client.get("/en/companies/"))


def test_a_rolled_back_change_keeps_the_version_and_private_data_never_moves_it(app, make_company):
    company_id = make_company()
    before = _version(app)
    with app.app_context():
        db.session.get(Company, company_id).name = "Never Saved"
        db.session.flush()
        db.session.rollback()
        db.session.get(User, db.session.scalar(select(User.id))).locale = "vi"  # no public page shows users
        db.session.commit()
    assert _version(app) == before
    _rename(app, company_id, "Saved Name")
    assert _version(app) != before


def test_a_failed_transaction_leaves_the_version_and_the_page_alone(client, app, make_company):
    company_id = make_company(name="Atomic Co", email="taken@example.com")
    url = f"/en/companies/{company_id}"
    assert "Atomic Co" in _text(client.get(url))
    before = _version(app)
    with app.app_context():
        db.session.get(Company, company_id).name = "Atomic Group"
        db.session.add(Company(name="Duplicate", country="VN", contact_email="taken@example.com"))
        db.session.add(Company(name="Duplicate 2", country="VN", contact_email="taken@example.com"))
        with pytest.raises(IntegrityError):
            db.session.commit()  # nothing of the failed transaction is kept, its new version neither
        db.session.rollback()
    assert _version(app) == before and "Atomic Co" in _text(client.get(url))
    with app.app_context():
        db.session.get(Company, company_id).name = "Atomic Group"
        db.session.commit()
        token = db.session.scalar(select(DataVersion.token))
    assert token != before and len(token) == 32 and "Atomic Group" in _text(client.get(url))


def test_two_app_servers_share_the_version(app, make_company):
    """Two apps (two workers or two servers, each with its own in-process store) on one database."""
    company_id = make_company(name="Shared Version Co")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test-secret"})
    reader = other.test_client()
    assert "Shared Version Co" in _text(reader.get(f"/en/companies/{company_id}"))
    _rename(app, company_id, "Shared Version Group")  # committed by the first app
    assert "Shared Version Group" in _text(reader.get(f"/en/companies/{company_id}"))
    with other.app_context():
        db.engine.dispose()


# --------------------------------------------------------------------------- what is in the key


def test_query_strings_are_part_of_the_key(client, make_company):
    make_company(name="Solar Rooftops KK", country="JP")
    make_company(name="Hanoi Hydrogen JSC", country="VN", languages="vi")
    solar = _text(client.get("/en/companies/?q=solar"))
    hydrogen = _text(client.get("/en/companies/?q=hydrogen"))
    assert "Solar Rooftops KK" in solar and "Hanoi Hydrogen JSC" not in solar
    assert "Hanoi Hydrogen JSC" in hydrogen and "Solar Rooftops KK" not in hydrogen
    vietnam = _text(client.get("/en/companies/?country=VN"))
    assert "Hanoi Hydrogen JSC" in vietnam and "Solar Rooftops KK" not in vietnam


def test_languages_do_not_share_entries(client, app, make_company):
    company_id = make_company()
    english, japanese = (_text(client.get(f"/{lang}/companies/{company_id}")) for lang in ("en", "ja"))
    assert '<html lang="en">' in english and '<html lang="ja">' in japanese
    assert _text(client.get(f"/en/companies/{company_id}")) == english


def test_time_zones_do_not_share_entries(client, second_client, app):
    build_programme(app)
    url = f"/en/programme/?day={DAY1}"
    vietnam = _text(client.get(url))
    assert "Vietnam time (UTC+7)" in vietnam
    second_client.get("/en/timezone", query_string={"tz": "Asia/Tokyo", "next": url})
    japan = _text(second_client.get(url))
    assert "Japan time (UTC+9)" in japan and "11:00" in japan
    assert "Vietnam time (UTC+7)" in _text(client.get(url))  # the first visitor still gets Vietnam time


# --------------------------------------------------------------------------- signed-in users


def test_signed_in_users_never_get_the_anonymous_page(client, second_client, app, make_company, login):
    company_id = make_company(name="Own Page Co")
    anonymous = _text(second_client.get(f"/en/companies/{company_id}"))
    assert "Edit the profile" not in anonymous
    login(user_email(app, company_id))
    own = client.get(f"/en/companies/{company_id}")
    assert "Edit the profile" in _text(own) and "Log out" in _text(own)
    assert "X-Page-Cache" not in own.headers and "private" in own.headers["Cache-Control"]


def test_a_remembered_user_without_a_session_is_not_served_the_visitors_page(client, app, make_company):
    company_id = make_company(name="Remembered Co")
    client.get(f"/en/companies/{company_id}")  # cached for visitors
    submit(client, "/en/auth/login", fields={"email": user_email(app, company_id), "password": "correct horse battery",
                                             "remember": True})
    client.delete_cookie("session")  # the browser was closed: only the "keep me signed in" cookie is left
    page = _text(client.get(f"/en/companies/{company_id}"))
    assert "Edit the profile" in page and "Log out" in page


def test_a_signed_in_page_never_enters_the_cache(client, second_client, app, make_company, login):
    ids = build_programme(app)
    company_id = make_company(name="Signed In First Co")
    login(user_email(app, company_id))
    for url in (f"/en/companies/{company_id}", f"/en/programme/?day={DAY1}", f"/en/programme/seminars/{ids['A']}"):
        signed_in = _text(client.get(url))
        assert "Log out" in signed_in and 'name="csrf_token"' in signed_in
        visitor = second_client.get(url)
        assert visitor.headers["X-Page-Cache"] == "miss"
        assert "Log out" not in _text(visitor) and 'name="csrf_token"' not in _text(visitor)


def test_a_visitor_with_a_session_gets_a_fresh_page_with_its_message(client, app, make_company, login):
    company_id = make_company()
    client.get("/en/")  # cached for visitors without a session
    login(user_email(app, company_id))
    submit(client, "/en/dashboard", 'form[action$="/auth/logout"]')
    page = client.get("/en/")
    assert "You are logged out." in _text(page) and "X-Page-Cache" not in page.headers
    assert "You are logged out." not in _text(client.get("/en/"))  # shown once, as before


# --------------------------------------------------------------------------- what is stored


@pytest.mark.parametrize("spoil", ["not found", "cookie", "flash", "csrf token"])
def test_pages_that_set_cookies_or_messages_or_fail_are_not_stored(app, spoil):
    with app.test_request_context("/en/companies/"):
        app.preprocess_request()
        response = Response("<p>page</p>", mimetype="text/html")
        if spoil == "not found":
            response.status_code = 404
        elif spoil == "cookie":
            response.set_cookie("tz", "Asia/Tokyo")
        elif spoil == "flash":
            flash("Saved.")
        else:
            session["csrf_token"] = "token"
        key = pagecache.page_key(pagecache.current_version())
        pagecache.store_page(response)
        assert pagecache.cache.get(key) is None
        assert "X-Page-Cache" not in response.headers


# --------------------------------------------------------------------------- the store


def test_a_cache_that_is_down_does_not_take_the_pages_with_it(app, make_company):
    company_id = make_company(name="Still Served Co")
    down = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "SECRET_KEY": "test-secret", "REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"})
    with down.app_context():
        assert type(down.extensions["cache"][pagecache.cache]).__name__ == "RedisCache"
    page = down.test_client().get(f"/en/companies/{company_id}")
    assert page.status_code == 200 and "Still Served Co" in _text(page)
    with down.app_context():
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway Redis server on a free loopback port (skipped where Debian's redis-server is missing)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_two_app_servers_share_pages_through_redis(app, make_company, redis_url):
    company_id = make_company(name="Redis Shared Co")
    servers = [create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "SECRET_KEY": "test-secret", "REDIS_URL": redis_url}) for _ in range(2)]
    url = f"/en/companies/{company_id}"
    first = servers[0].test_client().get(url)
    second = servers[1].test_client().get(url)
    assert (first.headers["X-Page-Cache"], second.headers["X-Page-Cache"]) == ("miss", "hit")
    assert _text(second) == _text(first)
    _rename(servers[0], company_id, "Redis Shared Group")
    assert "Redis Shared Group" in _text(servers[1].test_client().get(url))
    for server in servers:
        with server.app_context():
            db.engine.dispose()
