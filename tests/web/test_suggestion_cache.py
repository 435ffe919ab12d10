"""Suggestion lists and the organiser's pairs, computed off the request path and kept per matching version."""

import re
import time

import pytest
from sqlalchemy import select

from matchmaker import jobs
from matchmaker.extensions import db
from matchmaker.models import Company, HiddenSuggestion
from matchmaker.services import match_store, pair_overview, suggestion_cache
from tests.conftest import translated, translated_plural, user_email
from tests.web.test_matching import event  # noqa: F401 - the fixture: four companies with real texts
from tests.webforms import submit

pytestmark = pytest.mark.model
LANGS = ["ja", "vi", "en"]
NEWCOMER_OFFER = "Grate incinerator with power generation for 500 t/day of mixed municipal waste"


def _kept(app, company_id: int):
    with app.app_context():
        return match_store.read(suggestion_cache.key_of(company_id)), match_store.matching_version(db.session, app.config)


def _wait_until_current(app, company_id: int, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kept, version = _kept(app, company_id)
        if kept is not None and kept[0] == version:
            return
        time.sleep(0.1)
    raise AssertionError("the suggestion lists were not recomputed")


def _add_newcomer(make_company, make_opportunity) -> int:
    newcomer = make_company(name="Yokohama Waste Power", country="JP", languages="ja,en")
    make_opportunity(newcomer, kind="offer", language="en", categories=("waste-to-energy",), title=NEWCOMER_OFFER,
                     description="Burns unsorted household waste, generates electricity and cuts landfill methane.")
    return newcomer


@pytest.mark.parametrize("lang", LANGS)
def test_a_profile_change_shows_after_the_lists_are_recomputed(app, client, event, login, make_company, make_opportunity,  # noqa: F811
                                                               monkeypatch, lang):
    login(user_email(app, event["hp"]), lang=lang)
    assert "北九州エコエナジー" in client.get(f"/{lang}/matches/").get_data(as_text=True)
    before, version = _kept(app, event["hp"])
    assert before[0] == version and before[1].company_ids[0] == event["hp"]  # kept under the current version
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT_STALE", 0)  # as in production: no waiting on an older list
    _add_newcomer(make_company, make_opportunity)
    kept, version = _kept(app, event["hp"])
    assert kept[0] != version  # the new offer changed the matching version
    html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    if 'id="being-updated"' in html:  # the task had not finished: the previous list, said to be updated
        assert "Yokohama Waste Power" not in html and "北九州エコエナジー" in html
        assert translated(app, lang, "Refresh now") in html
    _wait_until_current(app, event["hp"])
    html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    assert "Yokohama Waste Power" in html and NEWCOMER_OFFER in html and 'id="being-updated"' not in html


def test_the_page_does_no_matrix_work_once_the_lists_are_kept(app, client, event, login, monkeypatch):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    client.get("/en/matches/")  # computes and keeps the lists

    def no_matrix(*args, **kwargs):
        raise AssertionError("the page scored the pool")

    monkeypatch.setattr(suggestion_cache.core, "suggest", no_matrix)
    monkeypatch.setattr(suggestion_cache.svc, "build_snapshot", no_matrix)
    html = client.get("/en/matches/?country=JP").get_data(as_text=True)
    assert "北九州エコエナジー" in html and "Lion City Solar" not in html  # the filter applies to the kept list


@pytest.mark.parametrize("lang", LANGS)
def test_a_first_visit_before_the_task_ran_says_the_list_is_being_prepared(app, client, event, login, monkeypatch, lang):  # noqa: F811
    started = []
    monkeypatch.setattr(jobs, "submit", lambda app_, task, *args: started.append((task, args)) or "test:held")
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT", 0)
    login(user_email(app, event["hp"]), lang=lang)
    for _ in range(2):
        html = client.get(f"/{lang}/matches/").get_data(as_text=True)
        assert 'id="being-prepared"' in html and 'data-refresh-after="3"' in html
        assert translated(app, lang, "These figures are being computed for the current data. This page refreshes by itself in a few seconds.") in html
        assert translated(app, lang, "No suggestions match these filters.") not in html
    assert [task for task, _ in started] == [suggestion_cache.TASK]  # one task for both visits
    suggestion_cache.refresh_suggestions(app, *started[0][1])  # the task, as a worker would run it
    html = client.get(f"/{lang}/matches/").get_data(as_text=True)
    assert "北九州エコエナジー" in html and 'id="being-prepared"' not in html


def test_hiding_applies_to_the_kept_list_at_once(app, client, event, login):  # noqa: F811
    login(user_email(app, event["hp"]), lang="en")
    page = client.get("/en/matches/")
    version = _kept(app, event["hp"])[1]
    submit(client, page, f'form[action="/en/matches/{event["kk"]}/hide"]')
    with app.app_context():
        assert db.session.scalar(select(HiddenSuggestion.partner_id)) == event["kk"]
    assert _kept(app, event["hp"])[1] == version  # hiding is the company's own business: nothing recomputed
    html = client.get("/en/matches/").get_data(as_text=True)
    assert "北九州エコエナジー" not in html and "大阪水素" in html
    assert "北九州エコエナジー" in client.get("/en/matches/?hidden=1").get_data(as_text=True)


def test_an_unapproved_company_still_gets_its_own_list(app, client, event, login):  # noqa: F811
    with app.app_context():
        db.session.get(Company, event["hp"]).status = "pending"
        db.session.commit()
    login(user_email(app, event["hp"]), lang="en")
    assert "北九州エコエナジー" in client.get("/en/matches/").get_data(as_text=True)
    assert _kept(app, event["hp"])[0] is None  # not in the shared pool: nothing kept for it


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_pairs_are_paged_and_searched(app, client, event, make_organiser, login, monkeypatch, lang):  # noqa: F811
    monkeypatch.setattr(pair_overview, "PAGE_SIZE", 2)
    login(make_organiser(), lang=lang)
    first = submit(client, f"/{lang}/admin/matches", "#pair-search", fields={"threshold": "0"})
    html = first.get_data(as_text=True)
    with app.app_context():
        index = match_store.read(pair_overview._key(0.0))[1]
    ids = [(index.company_ids[a], index.company_ids[b]) for a, b in zip(index.low, index.high)]
    total = len(ids)
    assert total >= 3  # Hải Phòng's need meets the three offers
    assert translated_plural(app, lang, "%(num)d pair found", "%(num)d pairs found", total) in html
    pairs = html[html.index('id="pairs"'):]
    assert pairs.count("<h3>") == 2 and f"page={-(-total // 2)}" in html  # pages of two
    second = client.get(f"/{lang}/admin/matches?threshold=0.0&page=2").get_data(as_text=True)
    assert second[second.index('id="pairs"'):].count("<h3>") == min(2, total - 2)
    found = submit(client, f"/{lang}/admin/matches", "#pair-search", fields={"threshold": "0", "q": "ＬＩＯＮ city"}).get_data(as_text=True)
    of_lion = [p for p in ids if event["sg"] in p]
    assert of_lion and translated_plural(app, lang, "%(num)d pair found", "%(num)d pairs found", len(of_lion)) in found
    shown = found[found.index('id="pairs"'):]
    assert shown.count("<h3>") == min(2, len(of_lion)) == len(re.findall(r"<h3>[^<]*Lion City Solar", shown))


def test_organiser_pairs_leave_out_a_pair_accepted_since(app, client, event, make_organiser, login):  # noqa: F811
    from matchmaker.models import MeetingRequest, pair_key
    from matchmaker.models import utcnow

    login(make_organiser(), lang="en")
    submit(client, "/en/admin/matches", "#pair-search", fields={"threshold": "0"})
    low, high = pair_key(event["hp"], event["kk"])
    with app.app_context():
        db.session.add(MeetingRequest(requester_id=low, recipient_id=high, pair_low=low, pair_high=high, status="accepted",
                                      expires_at=utcnow()))
        db.session.commit()
    html = client.get("/en/admin/matches?threshold=0").get_data(as_text=True)
    with app.app_context():
        index = match_store.read(pair_overview._key(0.0))[1]
    total = len(index.low)
    assert f"{total - 1} pairs found" in html or (total == 2 and "1 pair found" in html)  # less the pair that now meets
