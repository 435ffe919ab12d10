"""In a real browser, in ja, vi and en: a company opens the feedback form from My agenda, sends it,
records a follow-up stage; its partner sees the stage. The database holds what was typed."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import FollowupStage, MeetingFeedback
from tests.browser.journeys import JP_COMPANY, LANGS, VN_COMPANY, follow, log_in
from tests.conftest import translated, user_email
from tests.outcomes_helpers import published_meeting


@pytest.mark.parametrize("lang", LANGS)
def test_feedback_then_follow_up_seen_by_the_partner(live_server, page, app, make_company, lang):
    jp = make_company(name=JP_COMPANY, country="JP", languages="ja", email="a@kitakyushu.example")
    vn = make_company(name=VN_COMPANY, country="VN", languages="vi", email="b@haiphong.example")
    with app.app_context():
        meeting_id = published_meeting(jp, vn)

    log_in(page, live_server, user_email(app, jp), lang)
    follow(page, f"/{lang}/agenda/", "header")
    follow(page, f"/{lang}/outcomes/meetings/{meeting_id}/feedback", "#after-meetings")
    page.check("#rating-3")  # the fourth choice: 4
    page.check("#follow_up-0")  # yes
    page.check("input[name=categories][value=jcm]")
    page.check("input[name=categories][value=waste-to-energy]")
    page.fill("#next_step", "技術資料を送付します")
    page.fill("#comment", "Only for the organisers")
    with page.expect_navigation():
        page.click("#submit")
    assert translated(app, lang, "Thank you: your feedback is saved. You can change it here at any time.") in page.inner_text("main")
    with app.app_context():
        [row] = db.session.scalars(select(MeetingFeedback)).all()
        assert (row.company_id, row.rating, row.follow_up, row.next_step, row.comment) == (
            jp, 4, "yes", "技術資料を送付します", "Only for the organisers")
        assert sorted(c.key for c in row.categories) == ["jcm", "waste-to-energy"]

    follow(page, f"/{lang}/outcomes/leads/{vn}", "main")
    page.select_option("#stage", "agreement")
    page.fill("#happened_on", "2026-11-20")
    page.select_option("#category", "jcm")
    page.fill("#note", "NDA signed in Hanoi")
    with page.expect_navigation():
        page.click("#submit")
    assert translated(app, lang, "The stage is saved. %(partner)s sees it too.", partner=VN_COMPANY) in page.inner_text("main")
    with app.app_context():
        [stage] = db.session.scalars(select(FollowupStage)).all()
        assert (stage.stage, str(stage.happened_on), stage.note, stage.category.key, stage.entered_by) == (
            "agreement", "2026-11-20", "NDA signed in Hanoi", "jcm", jp)

    page.context.clear_cookies()
    log_in(page, live_server, user_email(app, vn), lang)
    follow(page, f"/{lang}/agenda/", "header")
    follow(page, f"/{lang}/outcomes/", "#after-meetings")
    follow(page, f"/{lang}/outcomes/leads/{jp}", "#leads")
    stages = page.inner_text("#stages")
    assert translated(app, lang, "MoU or NDA signed") in stages and "NDA signed in Hanoi" in stages
    assert "Only for the organisers" not in page.content()
