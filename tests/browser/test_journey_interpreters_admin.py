"""Journey, in ja, vi and en: the organiser registers an interpreter with one language pair and marks a
slot they cannot work in; a company says it attends the session online; the organiser's company
list of the session shows it, and the video link settings take a pool of links. Deleting an
interpreter who has published meetings asks first and leaves the meetings without interpreter."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Interpreter, InterpreterUnavailability, MatchSession, ScheduledMeeting, SessionCompany, pair_key
from matchmaker.services import interpreters as svc
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, translated_plural, user_email
from tests.schedule_helpers import new_session, organiser

NAME = "Nguyễn Thu Hà"


def add_interpreter(page, app, lang: str, ms_id: int) -> Interpreter:
    follow(page, f"/{lang}/admin/companies", "nav.main-nav")
    follow(page, f"/{lang}/admin/schedule/", "main nav.subnav")
    follow(page, f"/{lang}/admin/interpreters/", "main")
    assert translated(app, lang, "No interpreter yet.") in page.inner_text("#interpreters")
    follow(page, f"/{lang}/admin/interpreters/new", "main p")
    page.fill("#name", NAME)
    page.check("#pairs input[value='ja-vi']")
    with page.expect_navigation():
        page.click("#interpreter-form [type=submit]")
    assert translated(app, lang, "Interpreter saved.") in page.inner_text("main")
    assert NAME in page.inner_text("h1")  # the availability page of the new interpreter
    page.check(f"#session-{ms_id} input[type=checkbox][value='2']")
    with page.expect_navigation():
        page.click(f"#session-{ms_id} [type=submit]")
    assert translated(app, lang, "Availability saved.") in page.inner_text("main")
    assert page.is_checked(f"#session-{ms_id} input[type=checkbox][value='2']")
    with app.app_context():
        interpreter = db.session.scalar(select(Interpreter))
        slots = [u.slot_id for u in db.session.scalars(select(InterpreterUnavailability))]
        assert slots == [db.session.get(MatchSession, ms_id).slots[2].id]
        db.session.expunge(interpreter)
    follow(page, f"/{lang}/admin/interpreters/", "main nav.subnav")
    row = page.inner_text(f"#interpreter-{interpreter.id}")
    assert translated(app, lang, "Japanese ↔ Vietnamese") in row and translated(app, lang, "On site") in row
    assert f"/{lang}/interpreter/{interpreter.token}/" in row
    return interpreter


def choose_online(page, app, lang: str, company_id: int, ms_id: int) -> None:
    follow(page, f"/{lang}/agenda/", "nav.main-nav")
    follow(page, f"/{lang}/agenda/availability", "main")
    assert translated(app, lang, "How your company attends this session") in page.inner_text(f"#session-{ms_id}")
    page.check(f"#session-{ms_id} input[type=radio][value='online']")
    with page.expect_navigation():
        page.click(f"#session-{ms_id} [type=submit]")
    assert translated(app, lang, "Availability saved.") in page.inner_text("main")
    assert page.is_checked(f"#session-{ms_id} input[type=radio][value='online']")
    with app.app_context():
        assert db.session.get(SessionCompany, (ms_id, company_id)).mode == "online"


@pytest.mark.parametrize("lang", LANGS)
def test_interpreter_registered_and_company_attends_online(lang, live_server, page, new_page, app, make_company, make_organiser):
    company = make_company(name="Đà Nẵng Solar", country="VN", languages="vi", email="solar@danang.example")
    with app.app_context():
        ms_id = new_session()
    log_in(page, live_server, make_organiser(), lang)
    add_interpreter(page, app, lang, ms_id)

    company_page = new_page()
    log_in(company_page, live_server, user_email(app, company), lang)
    choose_online(company_page, app, lang, company, ms_id)

    page.goto(f"{live_server}/{lang}/admin/schedule/{ms_id}/")
    follow(page, f"/{lang}/admin/schedule/{ms_id}/companies", "main nav.subnav")
    assert page.eval_on_selector(f"#mode-{company}", "select => select.value") == "online"
    follow(page, f"/{lang}/admin/schedule/{ms_id}/video", "main nav.subnav")
    page.check("#source input[value='pool']")
    page.fill("#pool", "https://video.example/room-1\nhttps://video.example/room-2")
    with page.expect_navigation():
        page.click("#video-form [type=submit]")
    assert page.inner_text("#video-capacity").strip() == translated_plural(
        app, lang, "%(num)d link in the pool: at most %(num)d online meeting per slot.",
        "%(num)d links in the pool: at most %(num)d online meetings per slot.", 2)
    with app.app_context():
        assert db.session.get(MatchSession, ms_id).video_source == "pool"


@pytest.mark.parametrize("lang", LANGS)
def test_deleting_an_interpreter_with_published_meetings_asks_first(lang, live_server, page, app, make_company, make_organiser):
    a = make_company(name="大阪ウォーター", languages="ja", email="a@osaka.example")
    b = make_company(name="Huế Solar", country="VN", languages="vi", email="b@hue.example")
    with app.app_context():
        ms_id = new_session()
        interpreter = svc.create_interpreter(db.session, organiser(), svc.InterpreterData(name=NAME, pairs=["ja-vi"]))
        ms = db.session.get(MatchSession, ms_id)
        low, high = pair_key(a, b)
        meeting = ScheduledMeeting(session_id=ms_id, slot_id=ms.slots[0].id, table_id=ms.tables[0].id, company_low=low,
                                   company_high=high, state="published", interpreter=interpreter)
        db.session.add(meeting)
        db.session.commit()
        interpreter_id, meeting_id = interpreter.id, meeting.id
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/interpreters/")
    assert page.inner_text(f"#interpreter-{interpreter_id} .published-count").strip() == "1"
    with page.expect_navigation():
        page.click(f"#interpreter-{interpreter_id} form[action$='/delete'] [type=submit]")
    assert page.inner_text("#published-warning").strip() == translated_plural(
        app, lang, "%(name)s interprets %(num)d published meeting. It stays on the schedule and shows “Interpreter needed” until the schedule is generated and published again.",
        "%(name)s interprets %(num)d published meetings. They stay on the schedule and show “Interpreter needed” until the schedule is generated and published again.",
        1, name=NAME)
    with app.app_context():
        assert db.session.get(Interpreter, interpreter_id) is not None  # only asked so far
    with page.expect_navigation():
        page.click("#confirm-delete-button")
    assert translated(app, lang, "%(name)s was deleted.", name=NAME) in page.inner_text("main")
    assert translated(app, lang, "No interpreter yet.") in page.inner_text("#interpreters")
    with app.app_context():
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        assert (meeting.interpreter_id, meeting.sequence) == (None, 1)
