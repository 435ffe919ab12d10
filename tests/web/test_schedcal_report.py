"""The schedule report: share of the best possible, every company without a meeting and why, hand edits, left out."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduleRun, SessionCompany
from matchmaker.services.schedule import review
from matchmaker.services.validation import ValidationError
from tests.conftest import decimal, translated, user_email
from tests.schedule_helpers import accept, generate, meetings, new_session, organiser
from tests.webforms import submit


@pytest.fixture
def companies(make_company, make_opportunity):
    """A and B (accepted request), C without offers or needs, D to be left out, E unavailable all day."""
    ids = {key: make_company(name=name, country=country, languages=lang) for key, name, country, lang in [
        ("a", "Kitakyushu Eco", "JP", "ja"), ("b", "Hai Phong Water", "VN", "vi"), ("c", "Empty Profile Co", "VN", "vi"),
        ("d", "Osaka Hydrogen", "JP", "ja"), ("e", "Hue Solar", "VN", "vi")]}
    for key in ("d", "e"):
        make_opportunity(ids[key])
    return ids


def _leave_out(organiser_client, ms_id, company_id, lang="en"):
    return submit(organiser_client, f"/{lang}/admin/schedule/{ms_id}/companies", "#caps", fields={f"out-{company_id}": "1"},
                  follow_redirects=True)


def _unavailable_all_day(client, app, login, company_id, ms_id):
    login(user_email(app, company_id))
    with app.app_context():
        numbers = [str(s.number) for s in db.session.get(MatchSession, ms_id).slots]
    submit(client, "/en/agenda/availability", f"form[action$='/availability/{ms_id}']",
           fields={f"s{ms_id}-unavailable": numbers})
    client.get("/en/auth/logout")


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_report_names_each_company_without_a_meeting_and_why(client, app, companies, login, make_organiser, lang):
    with app.app_context():
        accept(companies["a"], companies["b"])
        earlier = new_session(day="2026-12-01")
        generate(app, earlier)  # A and B meet in the earlier session
        ms_id = new_session(day="2026-12-02", name_en="Day 2")
    _unavailable_all_day(client, app, login, companies["e"], ms_id)
    login(make_organiser())
    saved = _leave_out(client, ms_id, companies["d"], lang).get_data(as_text=True)
    assert translated(app, lang, "Saved.") in saved
    with app.app_context():
        assert db.session.get(SessionCompany, (ms_id, companies["d"])).excluded is True
        generate(app, ms_id)
        assert meetings(ms_id) == []
        assert db.session.scalar(select(ScheduleRun).where(ScheduleRun.session_id == ms_id)).fewest_meetings == 0
    html = client.get(f"/{lang}/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert translated(app, lang, "Share of the best possible") in html
    expected = {"Kitakyushu Eco": "meets all its partners in another session",
                "Hai Phong Water": "meets all its partners in another session",
                "Empty Profile Co": "no offers or needs, so no partner was suggested",
                "Osaka Hydrogen": "left out of this session by the organisers",
                "Hue Solar": "unavailable in every slot"}
    for name, reason in expected.items():
        assert f"{name}: {translated(app, lang, reason)}" in html
    with app.test_request_context(f"/{lang}/"):
        from flask import g
        from flask_babel import ngettext

        g.lang_code = lang
        assert ngettext("%(num)d company has no meeting", "%(num)d companies have no meeting", 5) in html
    assert '<dd id="fewest">0</dd>' in html


def test_left_out_company_gets_no_meeting_and_cannot_be_added_by_hand(organiser_client, app, companies):
    with app.app_context():
        accept(companies["a"], companies["b"])
        ms_id = new_session()
    _leave_out(organiser_client, ms_id, companies["a"])
    with app.app_context():
        generate(app, ms_id)
        assert meetings(ms_id) == []
        ms = db.session.get(MatchSession, ms_id)
        with pytest.raises(ValidationError, match="left Kitakyushu Eco out"):
            review.add_meeting(db.session, organiser(), ms_id, companies["a"], companies["b"], ms.slots[0].id, ms.tables[0].id)
        db.session.rollback()
    back = submit(organiser_client, f"/en/admin/schedule/{ms_id}/companies", "#caps", fields={f"out-{companies['a']}": False},
                  follow_redirects=True)
    assert 'name="out-%d" value="1" checked' % companies["a"] not in back.get_data(as_text=True)
    with app.app_context():
        generate(app, ms_id)
        assert len(meetings(ms_id)) == 1


def test_report_says_when_the_draft_was_edited_by_hand(organiser_client, app, companies):
    with app.app_context():
        accept(companies["a"], companies["b"])
        ms_id = new_session()
        generate(app, ms_id)
        [m] = meetings(ms_id)
    html = organiser_client.get(f"/vi/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert 'id="edited"' not in html
    submit(organiser_client, f"/vi/admin/schedule/meetings/{m.id}", f"form[action$='/meetings/{m.id}/remove']")
    html = organiser_client.get(f"/vi/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert 'id="edited"' in html
    assert f"Kitakyushu Eco: {translated(app, 'vi', 'its meetings were removed by hand')}" in html
    with app.app_context():
        generate(app, ms_id)  # a new generation describes the draft again
    assert 'id="edited"' not in organiser_client.get(f"/vi/admin/schedule/{ms_id}/").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_the_bound_hint_says_the_schedule_reaches_the_bound_when_the_share_shows_100(organiser_client, app, companies, lang):
    def written(number: str) -> str:  # Vietnamese writes 12,50 (12.50 would read as twelve thousand five hundred)
        return decimal(lang, number)

    with app.app_context():
        accept(companies["a"], companies["b"])
        ms_id = new_session()
        generate(app, ms_id)
        run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.session_id == ms_id))
        run_id, score = run.id, 12.5
        run.score = run.bound = score  # as a run that reached its bound records it (texts here score 0)
        db.session.commit()
    reached = translated(app, lang, "This schedule reaches the best possible score (%(bound)s), a ceiling worked out with the "
                                    "rules loosened: no schedule at least as fair scores more.")
    seldom = translated(app, lang, "The best possible score (%(bound)s) is a ceiling that no schedule can pass, worked out with "
                                   "the rules loosened; the real best can be lower, so 100 %% is seldom reached.")
    html = organiser_client.get(f"/{lang}/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert f'<dd id="share">{written("100.0")} %</dd>' in html and f'<dd>{written("12.50")}</dd>' in html
    assert reached % {"bound": written("12.50")} in html and seldom % {"bound": written("12.50")} not in html
    with app.app_context():
        db.session.get(ScheduleRun, run_id).bound = 12.5 / 0.9
        db.session.commit()
    html = organiser_client.get(f"/{lang}/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert f'<dd id="share">{written("90.0")} %</dd>' in html and seldom % {"bound": written("13.89")} in html
    assert reached % {"bound": written("13.89")} not in html
