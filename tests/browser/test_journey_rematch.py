"""Journey, in ja, vi and en: on the event day an organiser marks a company absent from the session's
page, sees the replacement proposals with their scores, confirms them all; the partner left alone
finds the replacement meeting on its agenda. The database holds the published replacement."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Absence, ReplacementProposal, ScheduledMeeting
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, user_email
from tests.rematch_helpers import waste_day


@pytest.fixture
def event_day(app, make_company, make_opportunity):
    """See ``waste_day``."""
    return waste_day(app, make_company, make_opportunity)


@pytest.mark.parametrize("lang", LANGS)
def test_organiser_marks_absent_confirms_all_and_the_partner_sees_the_replacement(
        lang, live_server, page, new_page, app, make_organiser, event_day):
    e = event_day
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/schedule/{e['ms']}/")
    follow(page, f"/{lang}/event/sessions/{e['ms']}/", "main")

    page.select_option("#absent-company", str(e["a"]))
    with page.expect_navigation():
        page.click("#absent-submit")
    main = page.inner_text("main")
    assert "Hanoi Waste" in page.inner_text("#absences")
    assert translated(app, lang, "marked absent by the organisers") in main
    assert page.locator("#open-proposals tbody tr").count() >= 1
    assert "Da Nang Recycling" in page.inner_text("#open-proposals")

    with page.expect_navigation():
        page.click("#confirm-all")
    assert page.locator("#no-open-proposals").is_visible()
    refilled, possible = page.inner_text("#refilled").split(" / ")
    assert refilled == possible and int(refilled) >= 1

    with app.app_context():
        absence = db.session.scalar(select(Absence))
        assert (absence.company_id, absence.reason, absence.starts_at) == (e["a"], "organiser", e["start"])
        assert [db.session.get(ScheduledMeeting, m).status for m in e["meetings"]] == ["no-show", "no-show"]
        made = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.source == "replacement")).all()
        assert (min(e["p"], e["f"]), max(e["p"], e["f"])) in {(m.company_low, m.company_high) for m in made}
        assert all(m.state == "published" and m.status == "replacement" for m in made)
        assert {p.status for p in db.session.scalars(select(ReplacementProposal))} == {"confirmed"}

    partner = new_page()
    log_in(partner, live_server, user_email(app, e["p"]), lang)
    follow(partner, f"/{lang}/agenda/", "nav.main-nav")
    main = partner.inner_text("main")
    assert translated(app, lang, "Meeting with %(name)s", name="Da Nang Recycling") in main
    assert translated(app, lang, "Cancelled: your partner cannot attend") in partner.inner_text(".meeting-freed")
