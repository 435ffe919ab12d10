"""Event-day overview and replacement proposals on the web: forms the pages render, hostile posts refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Absence, ReplacementProposal, ScheduledMeeting
from tests.conftest import csrf_from, translated, user_email
from tests.rematch_helpers import waste_day
from tests.webforms import submit


@pytest.fixture
def event_day(app, make_company, make_opportunity):
    """See ``waste_day``."""
    return waste_day(app, make_company, make_opportunity)


def _proposals(app) -> list[ReplacementProposal]:
    with app.app_context():
        rows = db.session.scalars(select(ReplacementProposal).order_by(ReplacementProposal.id)).all()
        db.session.expunge_all()
        return rows


def _mark_absent(client, e, lang="en", from_time=""):
    url = f"/{lang}/event/sessions/{e['ms']}/"
    return submit(client, url, "#mark-absent form", fields={"absent-company": str(e["a"]), "absent-from_time": from_time})


def test_organiser_marks_absent_sees_proposals_and_confirms_all(app, organiser_client, event_day):
    e = event_day
    response = _mark_absent(organiser_client, e)
    assert response.status_code == 302
    page = organiser_client.get(response.location).get_data(as_text=True)
    assert "Hanoi Waste" in page and "marked absent by the organisers" in page
    assert "ICT" in page  # the absence's time says its zone
    rows = _proposals(app)
    assert rows and all(r.status == "proposed" for r in rows)
    assert "Kitakyushu Eco ↔ Da Nang Recycling" in page or "Da Nang Recycling ↔ Kitakyushu Eco" in page
    response = submit(organiser_client, f"/en/event/sessions/{e['ms']}/", "#confirm-all-form")
    page = organiser_client.get(response.location).get_data(as_text=True)
    assert "Replacement meetings confirmed: " in page
    with app.app_context():
        made = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.source == "replacement")).all()
        assert len(made) == len(rows) and all(m.state == "published" and m.status == "replacement" for m in made)
    refilled, possible = re.search(r'id="refilled">(\d+) / (\d+)<', page).groups()
    assert refilled == possible and int(refilled) >= 1


def test_absent_from_a_time_frees_only_later_meetings(app, organiser_client, event_day):
    e = event_day
    _mark_absent(organiser_client, e, from_time="09:30")
    with app.app_context():
        assert db.session.get(ScheduledMeeting, e["meetings"][0]).status == "scheduled"
        assert db.session.get(ScheduledMeeting, e["meetings"][1]).status == "no-show"


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_a_time_after_the_session_is_refused_in_the_readers_language(app, organiser_client, event_day, lang):
    response = _mark_absent(organiser_client, event_day, lang, "11:30")
    assert response.status_code == 400
    assert translated(app, lang, "The session has ended by then: nothing is left to free.") in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Absence)) is None


def test_organiser_declines_one_proposal(app, organiser_client, event_day):
    _mark_absent(organiser_client, event_day)
    first = _proposals(app)[0]
    submit(organiser_client, f"/en/event/sessions/{event_day['ms']}/", f"#proposal-{first.id} form",
           button=f"decline-{first.id}")
    with app.app_context():
        assert db.session.get(ReplacementProposal, first.id).status == "declined"


def test_both_companies_accept_on_their_agenda(app, client, login, make_organiser, event_day):
    e = event_day
    login(make_organiser())
    _mark_absent(client, e)
    proposal = next(p for p in _proposals(app) if {p.company_low, p.company_high} == {e["p"], e["f"]})
    for company in (e["p"], e["f"]):
        client.delete_cookie("session")
        login(user_email(app, company))
        agenda = client.get("/en/agenda/").get_data(as_text=True)
        assert "Replacement meetings proposed to you" in agenda
        submit(client, "/en/agenda/", f"#offer-{proposal.id} form", button=f"accept-{proposal.id}")
    with app.app_context():
        meeting_id = db.session.get(ReplacementProposal, proposal.id).meeting_id
        assert db.session.get(ScheduledMeeting, meeting_id).source == "replacement"
    agenda = client.get("/en/agenda/").get_data(as_text=True)
    assert "Meeting with Kitakyushu Eco" in agenda


def test_a_company_cannot_answer_another_pairs_proposal(app, client, login, make_organiser, make_company, event_day):
    e = event_day
    login(make_organiser())
    _mark_absent(client, e)
    proposal = _proposals(app)[0]
    make_company(name="Outsider", email="out@example.com")
    client.delete_cookie("session")
    login("out@example.com")
    page = client.get("/en/agenda/").get_data(as_text=True)
    # hostile input: a company posts an answer to a proposal of two other companies
    response = client.post(f"/en/event/proposals/{proposal.id}/answer",
                           data={"csrf_token": csrf_from(page), f"p{proposal.id}-accept": "Accept"})
    assert response.status_code == 403
    with app.app_context():
        row = db.session.get(ReplacementProposal, proposal.id)
        assert (row.status, row.accepted_low_at, row.accepted_high_at) == ("proposed", None, None)


def test_companies_and_staff_cannot_open_the_overview(app, client, login, event_day):
    login(user_email(app, event_day["p"]))
    assert client.get(f"/en/event/sessions/{event_day['ms']}/").status_code == 403
    # hostile input: a company posts the organisers' confirm-all form
    page = client.get("/en/agenda/").get_data(as_text=True)
    response = client.post(f"/en/event/sessions/{event_day['ms']}/confirm-all", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403


@pytest.mark.parametrize("lang", ("ja", "vi", "en"))
def test_event_day_page_links_to_the_session_and_the_tables_and_shows_a_demo_clock(app, organiser_client, event_day,
                                                                                  lang):
    from datetime import timedelta

    e = event_day
    page = organiser_client.get(f"/{lang}/event/sessions/{e['ms']}/").get_data(as_text=True)
    assert f'href="/{lang}/admin/schedule/{e["ms"]}/"' in page
    assert f'href="/{lang}/event/sessions/{e["ms"]}/tables/"' in page
    assert 'id="event-clock"' not in page  # the real time: nothing to say
    app.config["EVENT_CLOCK_OFFSET"] = timedelta(days=3)
    try:
        page = organiser_client.get(f"/{lang}/event/sessions/{e['ms']}/").get_data(as_text=True)
    finally:
        app.config["EVENT_CLOCK_OFFSET"] = timedelta(0)
    clock = re.search(r'id="event-clock">([^<]*)<', page).group(1)
    assert translated(app, lang, "Demo clock: the event-day pages take the time to be %(time)s "
                                 "(MATCHMAKER_EVENT_CLOCK).", time="@").split("@")[0] in clock.replace("&#39;", "'")
    assert "ICT" in clock or "ベトナム時間" in clock or "giờ Việt Nam" in clock
