"""Journey, in ja, vi and en: the organiser sets up a session with fewer table-slots than wishes
(one table, two slots, a hub company everyone prefers), generates the draft and reads on the page
the floor reached, the one company left below it and why, and the score given up for fairness."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import ScheduleRun
from matchmaker.services.schedule import generation
from tests.browser.journeys import LANGS, fill_session_form, follow, log_in
from tests.conftest import decimal, translated
from tests.schedule_helpers import SCARCE_NAMES, meetings, scarce_event, scores


@pytest.mark.parametrize("lang", LANGS)
def test_scarce_session_shows_the_floor_and_who_is_below_it(lang, live_server, page, app, make_company, make_organiser,
                                                           monkeypatch):
    ids, candidates = scarce_event(make_company)
    monkeypatch.setattr(generation, "suggested_pairs", scores(candidates))  # fixed scores instead of the model
    log_in(page, live_server, make_organiser(), lang)
    follow(page, f"/{lang}/admin/companies", "nav.main-nav")
    follow(page, f"/{lang}/admin/schedule/", "main nav.subnav")
    follow(page, f"/{lang}/admin/schedule/new", "main")
    fill_session_form(page, "Scarce morning", "2026-12-01", "09:00", "10:00", tables="1")
    assert translated(app, lang, "Session saved.") in page.inner_text("main")

    page.click("#run form [type=submit]")
    page.wait_for_selector("#report", timeout=60000)  # schedule.js reloads the page when the run ends
    assert page.inner_text("#floor").strip().startswith("1")
    assert page.inner_text("#below").strip() == "1"
    assert translated(app, lang, "Score given up for fairness") in page.inner_text("#report")
    assert page.inner_text("#fairness-cost").strip() == translated(app, lang, "%(low)s to %(high)s", low=decimal(lang, "0.55"),
                                                                         high=decimal(lang, "0.55"))
    assert page.inner_text("#idle").strip() == f'{SCARCE_NAMES["b"]}: {translated(app, lang, "every table was taken in the slots it could use")}'
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun))
        assert (run.status, run.floor_reached, round(run.score, 2)) == ("done", 1, 1.30)
        assert {m.pair for m in meetings(run.session_id)} == {tuple(sorted((ids["h"], ids["a"]))), tuple(sorted((ids["c"], ids["d"])))}
