"""Fair under scarcity on the session page: the floor reached, who is below it and why, the score given up."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import ScheduleRun
from matchmaker.schedule import background
from matchmaker.services.schedule import generation
from tests.conftest import decimal, translated
from tests.schedule_helpers import SCARCE_NAMES, meetings, new_session, scarce_event, scores
from tests.webforms import submit


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_scarce_session_gives_a_meeting_to_all_but_one_and_says_why(organiser_client, app, make_company, monkeypatch, lang):
    ids, candidates = scarce_event(make_company)
    monkeypatch.setattr(generation, "suggested_pairs", scores(candidates))  # fixed scores instead of the model
    with app.app_context():
        ms_id = new_session(end="10:00", tables="1")
    page = f"/{lang}/admin/schedule/{ms_id}/"
    response = submit(organiser_client, page, f'form[action="{page}generate"]', fields={"method": "optimal", "time_limit": "10"})
    assert response.status_code == 302
    background.wait_for_runs()
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun))
        pairs = {m.pair for m in meetings(ms_id)}
        assert run.status == "done" and run.floor_reached == 1
        assert run.score == pytest.approx(1.30) and run.greedy_score == pytest.approx(1.85)
        assert run.unfair_bound == pytest.approx(1.85) and run.bound == pytest.approx(1.30)
    assert pairs == {tuple(sorted((ids["h"], ids["a"]))), tuple(sorted((ids["c"], ids["d"])))}
    html = organiser_client.get(page).get_data(as_text=True)
    with app.test_request_context(page):
        from flask import g
        from flask_babel import ngettext

        g.lang_code = lang
        floor = ngettext("%(num)d meeting per company", "%(num)d meetings per company", 1)
    assert f'<dd id="floor">{floor}</dd>' in html
    assert '<dd id="below">1</dd>' in html
    cost = translated(app, lang, "%(low)s to %(high)s", low=decimal(lang, "0.55"), high=decimal(lang, "0.55"))
    assert f'<dd id="fairness-cost">{cost}</dd>' in html
    assert translated(app, lang, "Score given up for fairness") in html
    assert f'{SCARCE_NAMES["b"]}: {translated(app, lang, "every table was taken in the slots it could use")}' in html
    for key in "hacd":
        assert f'{SCARCE_NAMES[key]}:' not in html.split('id="idle"')[1].split("</ul>")[0]


def test_greedy_run_reports_its_own_floor_and_the_companies_it_left_out(organiser_client, app, make_company, monkeypatch):
    ids, candidates = scarce_event(make_company)
    monkeypatch.setattr(generation, "suggested_pairs", scores(candidates))
    with app.app_context():
        ms_id = new_session(end="10:00", tables="1")
    page = f"/en/admin/schedule/{ms_id}/"
    submit(organiser_client, page, f'form[action="{page}generate"]', fields={"method": "greedy", "time_limit": "10"})
    background.wait_for_runs()
    html = organiser_client.get(page).get_data(as_text=True)
    assert '<dd id="below">2</dd>' in html and '<dd id="floor">1 meeting per company</dd>' in html
    idle = html.split('id="idle"')[1].split("</ul>")[0]
    assert f'{SCARCE_NAMES["c"]}: every table was taken' in idle and f'{SCARCE_NAMES["d"]}: every table was taken' in idle
