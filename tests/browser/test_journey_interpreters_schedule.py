"""Journey, in ja, vi and en: the event has interpreters (on site and online, Japanese↔Vietnamese)
and a company attending online; the organiser generates the session's draft and reads on its page
the interpreters assigned, the online meeting in the "Online" row with its video link, then
publishes: the published meetings keep their interpreter, mode and link."""

import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Interpreter, MatchSession, ScheduleRun, SessionCompany
from matchmaker.services.schedule import generation
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import decimal, translated, translated_plural
from tests.interpreter_helpers import second_best_partners, second_best_scores
from tests.schedule_helpers import meetings, new_session, scores

HA, DUC = "Nguyễn Thu Hà", "Trần Minh Đức"
JP, JP2, VN, VN_ONLINE = "博多マリンクリーン", "エコタウン樹脂再生", "Hai Phong Green Environment", "Tan Uyen Recycled Plastics"


def demo_like(app, make_company) -> tuple[int, dict[str, int]]:
    """Four companies that share no language by pairs, one attending online, two interpreters, a video template."""
    ids = {name: make_company(name=name, country=country, languages=lang, email=f"c{i}@example.com")
           for i, (name, country, lang) in enumerate(((JP, "JP", "ja"), (JP2, "JP", "ja"), (VN, "VN", "vi"),
                                                      (VN_ONLINE, "VN", "vi")))}
    with app.app_context():
        ms_id = new_session(name_en="Day 1 afternoon", tables="2")
        ms = db.session.get(MatchSession, ms_id)
        ms.video_source, ms.video_template = "template", "https://meet.jit.si/jvew-{room}"
        db.session.add(SessionCompany(session_id=ms_id, company_id=ids[VN_ONLINE], mode="online"))
        db.session.add_all([Interpreter(name=HA, pairs="ja-vi", mode="onsite", token="tok-ha"),
                            Interpreter(name=DUC, pairs="ja-vi", mode="online", token="tok-duc")])
        db.session.commit()
    return ms_id, ids


@pytest.mark.parametrize("lang", LANGS)
def test_generated_draft_assigns_interpreters_and_video_links_then_publishes(lang, live_server, page, app, make_company,
                                                                            make_organiser, monkeypatch):
    ms_id, ids = demo_like(app, make_company)
    # fixed scores instead of the model: both Japanese companies would like both Vietnamese ones
    monkeypatch.setattr(generation, "suggested_pairs", scores({(ids[JP], ids[VN]): 0.9, (ids[JP2], ids[VN_ONLINE]): 0.8,
                                                               (ids[JP], ids[VN_ONLINE]): 0.3}))
    log_in(page, live_server, make_organiser(), lang)
    follow(page, f"/{lang}/admin/companies", "nav.main-nav")
    follow(page, f"/{lang}/admin/schedule/", "main nav.subnav")
    follow(page, f"/{lang}/admin/schedule/{ms_id}/", "main")
    assert translated(app, lang, "Interpreters and online meetings") in page.inner_text("#resources")
    assert page.inner_text("#interpreter-rule").strip() == translated(app, lang, (
        "The generator treats the interpreters as a resource: each meeting of two companies without a common language "
        "gets an interpreter who is free in its slot and speaks a language of each side; a pair that no interpreter can "
        "serve is not scheduled."))

    page.click("#run form [type=submit]")
    page.wait_for_selector("#report", timeout=60000)  # schedule.js reloads the page when the run ends
    used = page.inner_text("#interpreters-used")
    assert HA in used and DUC in used
    assert page.inner_text("#online-count").strip() == "2"  # the online company meets both Japanese ones
    assert page.inner_text("#lost-to-interpreters").strip() == "0"
    assert page.locator("#interpreter-needed").count() == 0 and page.locator("#no-video-links").count() == 0
    online_row = page.inner_text("#online-row")
    assert online_row.startswith(translated(app, lang, "Online")) and VN_ONLINE in online_row
    assert translated(app, lang, "Interpreter: %(name)s", name=DUC) in online_row or \
        translated(app, lang, "Interpreter: %(name)s", name=HA) in online_row
    with app.app_context():
        draft = {m.pair: (m.online, m.table_id, m.video_url, m.interpreter.name if m.interpreter else None)
                 for m in meetings(ms_id)}
    onsite = draft[tuple(sorted((ids[JP], ids[VN])))]
    assert onsite[0] is False and onsite[1] is not None and onsite[2] == "" and onsite[3] in (HA, DUC)
    remote = [row for pair, row in draft.items() if ids[VN_ONLINE] in pair]
    assert len(remote) == 2 and all(online and table is None and re.fullmatch(r"https://meet\.jit\.si/jvew-\S{20,}", url)
                                    and who for online, table, url, who in remote)

    # the online meeting's own page shows its link and its interpreter
    page.click("#online-row a >> nth=0")
    page.wait_for_selector("#video-url")
    assert page.inner_text("#meeting").count(translated(app, lang, "Online")) >= 1
    assert page.get_attribute("#video-url", "href").startswith("https://meet.jit.si/jvew-")
    assert page.inner_text("#interpreter").split(translated(app, lang, "Interpreter: %(name)s", name=""))[-1].strip() in (HA, DUC)
    page.go_back()

    with page.expect_navigation():
        page.click("#publish")  # publishing asks first
    with page.expect_navigation():
        page.click("#confirm-publish-button")
    assert translated(app, lang, "Published") in page.inner_text("#publication")
    with app.app_context():
        published = {m.pair: (m.online, m.table_id, m.video_url, m.interpreter.name if m.interpreter else None)
                     for m in meetings(ms_id, "published")}
    assert published == draft


@pytest.mark.parametrize("lang", LANGS)
def test_a_shortage_that_costs_no_meeting_says_the_score_it_costs(lang, live_server, page, app, make_company,
                                                                   make_organiser, monkeypatch):
    """One interpreter for two pairs without a common language: every company still meets, but two
    of them meet their second-best partner; the page says what that cost and where one more
    interpreter would help."""
    ids = second_best_partners(make_company)
    with app.app_context():
        ms_id = new_session(name_en="Day 1 morning", end="09:30", tables="3")
        db.session.add(Interpreter(name=HA, pairs="ja-vi", mode="onsite", token="tok-ha"))
        db.session.commit()
    monkeypatch.setattr(generation, "suggested_pairs", second_best_scores(ids))
    log_in(page, live_server, make_organiser(), lang)
    follow(page, f"/{lang}/admin/companies", "nav.main-nav")
    follow(page, f"/{lang}/admin/schedule/", "main nav.subnav")
    follow(page, f"/{lang}/admin/schedule/{ms_id}/", "main")
    assert page.locator("#score-lost-to-interpreters").count() == 0  # nothing generated yet

    page.click("#run form [type=submit]")
    page.wait_for_selector("#report", timeout=60000)
    assert page.inner_text("#lost-to-interpreters").strip() == "0"
    assert page.inner_text("#score-lost-to-interpreters").strip() == decimal(lang, "1.40")
    assert page.inner_text("#score-lost-hint").strip() == translated(app, lang, (
        "With enough interpreters, companies that share no language could meet their better-suited partners instead "
        "of the second-best partner who speaks their language: the schedule would score at least %(better)s instead "
        "of %(score)s."), better=decimal(lang, "3.00"), score=decimal(lang, "1.60"))
    [line] = page.locator("#one-more li").all_inner_texts()
    said = translated_plural(app, lang, "At %(time)s, %(num)d more interpreter would let companies meet better-suited partners.",
                             "At %(time)s, %(num)d more interpreters would let companies meet better-suited partners.", 1,
                             time="@@")
    before, after = said.split("@@")
    assert line.startswith(before) and line.endswith(after) and "09:00" in line  # the slot's time, with its zone
    assert translated(app, lang, "Score lost to the shortage of interpreters") in page.inner_text("#resources")
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.session_id == ms_id))
        assert run.lost_to_interpreters == 0 and abs(run.score_lost_to_interpreters - 1.4) < 1e-6
        assert {m.pair for m in meetings(ms_id)} == {tuple(sorted((ids[a], ids[b]))) for a, b in (("J1", "V1"), ("J2", "X"), ("V2", "Y"))}
