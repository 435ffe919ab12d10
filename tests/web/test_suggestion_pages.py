"""The whole suggestions page kept rendered (``matching.kept_page``): served again without
rendering anything, and never where any part of its key differs: each test below keeps a page,
changes one thing the key holds, and fails if the kept page is served all the same."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.matching import views
from matchmaker.models import Notification, UndoAction, User, utcnow
from tests.conftest import PASSWORD, translated, user_email
from tests.web.test_matching import event  # noqa: F401 - the fixture: four companies with real texts
from tests.webforms import submit

pytestmark = pytest.mark.model
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
PARTNER = re.compile(r'<h2><a href="/\w\w/companies/(\d+)">')


def _kept(client, monkeypatch, path: str = "/en/matches/", **get) -> str:
    """*path* viewed until its page is kept, then once more with rendering failing the test: that view."""
    client.get(path, **get), client.get(path, **get)

    def rendered(*args, **kwargs):
        raise AssertionError("the page was rendered again")

    with monkeypatch.context() as patched:
        patched.setattr(views, "render_template", rendered)
        answer = client.get(path, **get)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_the_kept_page_is_the_page_as_rendered_with_the_visitors_token(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    first = client.get("/en/matches/").get_data(as_text=True)
    kept = _kept(client, monkeypatch)
    assert TOKEN.sub(r"\1", kept) == TOKEN.sub(r"\1", first)  # the same page but for the token (equal within a second)
    assert "&lt;csrf-token&gt;" not in kept and "<csrf-token>" not in kept
    # its forms, the layout's too, carry this visit's token: logging out from it works
    assert submit(client, "/en/matches/", 'form[action="/en/auth/logout"]').status_code == 302
    assert client.get("/en/matches/").status_code == 302  # signed out: to the login page


def test_another_user_of_the_company_gets_the_page_with_its_own_token(app, client, event, login, monkeypatch):  # noqa: F811
    with app.app_context():
        first = db.session.scalar(select(User).where(User.company_id == event["hp"]))
        db.session.add(User(email="second@example.com", password_hash=first.password_hash, role="company", company_id=event["hp"]))
        db.session.commit()
    login(user_email(app, event["hp"]), lang="en")
    _kept(client, monkeypatch)
    other = app.test_client()
    assert submit(other, "/en/auth/login", fields={"email": "second@example.com", "password": PASSWORD}).status_code == 302
    html = _kept(other, monkeypatch)
    assert event["kk"] in [int(i) for i in PARTNER.findall(html)]
    assert submit(other, "/en/matches/", f'form[action="/en/matches/{event["kk"]}/hide"]').status_code == 302
    assert event["kk"] not in [int(i) for i in PARTNER.findall(client.get("/en/matches/").get_data(as_text=True))]


def test_a_new_notice_shows_in_the_menu_of_a_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert 'class="nav-count"' not in _kept(client, monkeypatch)
    with app.app_context():
        db.session.add(Notification(company_id=event["hp"], kind="approved"))
        db.session.commit()
    html = client.get("/en/matches/").get_data(as_text=True)
    assert translated(app, "en", "%(num)d unread notice", num=1) in html
    assert 'class="nav-count"' in _kept(client, monkeypatch)
    with app.app_context():
        db.session.get(Notification, db.session.scalar(select(Notification.id))).read_at = db.func.now()
        db.session.commit()
    assert 'class="nav-count"' not in client.get("/en/matches/").get_data(as_text=True)  # read: the count goes


def test_a_change_of_role_shows_in_the_menu_of_a_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert 'href="/en/admin/companies"' not in _kept(client, monkeypatch)
    with app.app_context():
        db.session.scalar(select(User).where(User.company_id == event["hp"])).role = "organiser"
        db.session.commit()
    assert 'href="/en/admin/companies"' in client.get("/en/matches/").get_data(as_text=True)


def test_the_visitors_time_zone_shows_on_a_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert 'value="Asia/Ho_Chi_Minh" class="chip active"' in _kept(client, monkeypatch)
    client.set_cookie("tz", "Asia/Tokyo")
    html = client.get("/en/matches/").get_data(as_text=True)
    assert 'value="Asia/Tokyo" class="chip active"' in html and 'value="Asia/Ho_Chi_Minh" class="chip active"' not in html


def test_each_query_string_has_its_own_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert 'href="/ja/matches/"' in _kept(client, monkeypatch)
    html = client.get("/en/matches/?country=JP").get_data(as_text=True)
    assert 'href="/ja/matches/?country=JP"' in html and 'name="next" value="/en/matches/?country=JP"' in html
    assert "Lion City Solar" not in html
    html = client.get("/en/matches/?hidden=1").get_data(as_text=True)
    assert 'href="/ja/matches/?hidden=1"' in html


def test_each_script_root_has_its_own_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert 'href="/one/en/companies/' in _kept(client, monkeypatch, base_url="http://localhost/one/")
    html = client.get("/en/matches/", base_url="http://localhost/two/").get_data(as_text=True)
    assert 'href="/two/en/companies/' in html and 'href="/one/' not in html


def test_a_flash_message_shows_once_over_a_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    _kept(client, monkeypatch)
    with client.session_transaction() as session:
        session["_flashes"] = [("error", "A message shown once")]
    assert "A message shown once" in client.get("/en/matches/").get_data(as_text=True)
    assert "A message shown once" not in _kept(client, monkeypatch)  # and the page kept is the one without it


def test_an_undo_offer_shows_once_over_a_kept_page(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    _kept(client, monkeypatch)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.company_id == event["hp"]))
        action = UndoAction(kind="test", actor_id=user_id, label="Something done", expires_at=utcnow() + timedelta(minutes=5))
        db.session.add(action)
        db.session.commit()
        action_id = action.id
    with client.session_transaction() as session:
        session["undo_offer"] = action_id  # as matchmaker.undo.offer_undo leaves it
    assert f'action="/en/undo/{action_id}"' in client.get("/en/matches/").get_data(as_text=True)
    assert f'action="/en/undo/{action_id}"' not in _kept(client, monkeypatch)
