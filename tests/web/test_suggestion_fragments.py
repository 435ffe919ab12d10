"""The suggestions page's list kept rendered (``services.suggestion_cache.listing``): shown again
without rendering, with the visitor's own CSRF token, and never another company's, language's,
filter's or user's; a change shows on the next view."""

import re
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from matchmaker import jobs
from matchmaker.extensions import db
from matchmaker.models import Company, HiddenSuggestion, MeetingRequest, PairRule
from matchmaker.services import match_store, suggestion_cache
from tests.conftest import PASSWORD, csrf_from, translated, user_email
from tests.web.test_matching import event  # noqa: F401 - the fixture: four companies with real texts
from tests.webforms import submit

pytestmark = pytest.mark.model
LANGS = ["ja", "vi", "en"]
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
PARTNER = re.compile(r'<h2><a href="/\w\w/companies/(\d+)">')


def _no_rendering(monkeypatch) -> None:
    """From now on, rendering a list fails the test: a page must come from the kept HTML."""
    def rendered(*args, **kwargs):
        raise AssertionError("the list was rendered again")

    monkeypatch.setattr(suggestion_cache, "_rows", rendered)


def _partners(html: str) -> list[int]:
    return [int(i) for i in PARTNER.findall(html)]


def _other_client(app, email: str, lang: str = "en"):
    other = app.test_client()
    assert submit(other, f"/{lang}/auth/login", fields={"email": email, "password": PASSWORD}).status_code == 302
    return other


@pytest.mark.parametrize("lang", LANGS)
def test_the_kept_list_is_the_page_as_rendered_and_its_forms_work(app, client, event, login, monkeypatch, lang):  # noqa: F811
    login(user_email(app, event["hp"]), lang=lang)
    first = client.get(f"/{lang}/matches/").get_data(as_text=True)
    with monkeypatch.context() as patched:
        _no_rendering(patched)
        second = client.get(f"/{lang}/matches/").get_data(as_text=True)
        assert TOKEN.sub(r"\1", second) == TOKEN.sub(r"\1", first)  # the same page, but for the token
        assert suggestion_cache.CSRF_PLACEHOLDER not in second and "&lt;csrf-token&gt;" not in second
        assert _partners(second)[0] == event["kk"] and translated(app, lang, "Why") in second
        # the kept list's forms carry this visit's token: hiding from it works
        assert submit(client, f"/{lang}/matches/", f'form[action="/{lang}/matches/{event["kk"]}/hide"]').status_code == 302
    with app.app_context():
        assert db.session.scalar(select(HiddenSuggestion.partner_id).where(HiddenSuggestion.company_id == event["hp"])) == event["kk"]
    assert event["kk"] not in _partners(client.get(f"/{lang}/matches/").get_data(as_text=True))  # shown at once


def test_each_language_has_its_own_kept_list(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    assert translated(app, "en", "Match score") in client.get("/en/matches/").get_data(as_text=True)
    for lang in ("ja", "vi"):
        html = client.get(f"/{lang}/matches/").get_data(as_text=True)
        assert translated(app, lang, "Match score") in html and "Match score" not in html
        assert f'href="/{lang}/companies/{event["kk"]}"' in html and 'href="/en/companies/' not in html


def test_no_company_sees_another_companys_list_or_token(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    hp_page = client.get("/en/matches/").get_data(as_text=True)
    kk = _other_client(app, user_email(app, event["kk"]))
    kk_page = kk.get("/en/matches/").get_data(as_text=True)
    with monkeypatch.context() as patched:
        _no_rendering(patched)  # both kept now
        hp_again, kk_again = client.get("/en/matches/").get_data(as_text=True), kk.get("/en/matches/").get_data(as_text=True)
    assert event["hp"] not in _partners(hp_again) and event["kk"] in _partners(hp_again)
    assert event["kk"] not in _partners(kk_again) and event["hp"] in _partners(kk_again)
    assert _partners(hp_again) == _partners(hp_page) and _partners(kk_again) == _partners(kk_page)
    assert csrf_from(hp_again) != csrf_from(kk_again)  # each page carries its own visitor's token
    # and each token is the one its session accepts: hiding works for both, each on its own list
    assert submit(kk, "/en/matches/", f'form[action="/en/matches/{event["hp"]}/hide"]').status_code == 302
    with app.app_context():
        hidden = {tuple(row) for row in db.session.execute(select(HiddenSuggestion.company_id, HiddenSuggestion.partner_id))}
    assert hidden == {(event["kk"], event["hp"])}
    assert event["kk"] in _partners(client.get("/en/matches/").get_data(as_text=True))  # hp's list is untouched


def test_a_request_and_its_answer_show_on_the_next_view(app, client, event, login):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    client.get("/en/matches/")
    submit(client, "/en/matches/", f'form[action="/en/meetings/request/{event["kk"]}"]')
    html = client.get("/en/matches/").get_data(as_text=True)
    assert translated(app, "en", "Request sent") in html  # the company's own request: no recomputation needed
    kk = _other_client(app, user_email(app, event["kk"]))
    with app.app_context():
        request_id = db.session.scalar(select(MeetingRequest.id).where(MeetingRequest.requester_id == event["hp"]))
    submit(kk, "/en/meetings/", f'form.decline[action="/en/meetings/{request_id}/answer"]', button="answer=decline")
    with app.app_context():
        assert db.session.get(MeetingRequest, request_id).status == "declined"
    assert event["kk"] not in _partners(client.get("/en/matches/").get_data(as_text=True))  # a declined pair is not suggested again


@pytest.mark.parametrize("lang", LANGS)
def test_a_profile_change_shows_once_the_lists_are_recomputed(app, client, event, login, monkeypatch, lang):  # noqa: F811
    login(user_email(app, event["hp"]), lang=lang)
    client.get(f"/{lang}/matches/")
    started = []
    monkeypatch.setattr(jobs, "submit", lambda app_, task, *args: started.append((task, args)) or "test:held")
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT_STALE", 0)  # as in production: no waiting on an older list
    with app.app_context():
        db.session.get(Company, event["kk"]).name = "Kitakyushu Eco Energy Renamed"
        db.session.commit()
    with monkeypatch.context() as patched:
        _no_rendering(patched)  # the list shown while the new one is computed is the kept rendering
        html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    assert 'id="being-updated"' in html and translated(app, lang, "Refresh now") in html
    assert [task for task, _ in started] == [suggestion_cache.TASK]
    suggestion_cache.refresh_suggestions(app, *started[0][1])  # the task, as a worker would run it
    html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    assert "Kitakyushu Eco Energy Renamed" in html and "北九州エコエナジー" not in html and 'id="being-updated"' not in html


def test_only_the_filters_the_page_offers_are_kept(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    kept = []
    keep = match_store.keep_fragment
    monkeypatch.setattr(match_store, "keep_fragment", lambda key, html: kept.append(key) or keep(key, html))
    unfiltered = client.get("/en/matches/").get_data(as_text=True)
    keys = len(set(kept))
    japan = client.get("/en/matches/?country=JP").get_data(as_text=True)
    assert "Lion City Solar" in unfiltered and "Lion City Solar" not in japan and len(set(kept)) > keys
    before = len(kept)  # lists and whole pages (matching.kept_page) alike
    for hand_typed in ("/en/matches/?category=no-such-category", "/en/matches/?country=XX",
                       "/en/matches/?country=JP&utm=1", "/en/matches/?country=JP&country=VN"):  # hostile input
        assert client.get(hand_typed).status_code == 200
    assert len(kept) == before
    keys = len(set(kept))
    client.get("/en/matches/?category=hydrogen")
    assert len(set(kept)) > keys


def test_a_change_from_another_process_shows_after_the_version_window(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    clock = SimpleNamespace(now=1000.0, sleep=time.sleep)
    clock.monotonic = lambda: clock.now
    monkeypatch.setattr(match_store, "time", clock)
    client.get("/en/matches/")
    assert event["kk"] in _partners(client.get("/en/matches/").get_data(as_text=True))  # kept, its version read
    with app.app_context(), db.engine.begin() as connection:  # an organiser's rule written by another process
        low, high = sorted((event["hp"], event["kk"]))
        connection.execute(insert(PairRule.__table__).values(company_low=low, company_high=high, rule="forbid", note=""))
    clock.now += app.config["MATCH_VERSION_SECONDS"] / 2
    assert event["kk"] in _partners(client.get("/en/matches/").get_data(as_text=True))  # within the window: as kept
    clock.now += app.config["MATCH_VERSION_SECONDS"]
    html = client.get("/en/matches/").get_data(as_text=True)
    assert event["kk"] not in _partners(html) and event["h2"] in _partners(html)  # then the forbidden pair is gone
