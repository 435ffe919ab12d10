"""Organiser schedule pages: set up, generate in the background, review, publish, export, print; access rules."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduledMeeting, ScheduleRun
from matchmaker.schedule import background
from tests.conftest import translated, user_email
from tests.schedule_helpers import accept, generate, meetings, new_session
from tests.webforms import submit

SESSION_FORM = dict(name_en="Day 1 morning", day="2026-12-01", timezone="Asia/Ho_Chi_Minh", start="09:00", end="10:00",
                    slot_minutes="25", buffer_minutes="5", breaks="", tables="2", table_names="Booth A\nBooth B")


@pytest.fixture
def pair(app, make_company):
    """A Japanese and a Vietnamese company with an accepted request, and a third company."""
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    c = make_company(name="=HYPERLINK(\"http://evil\")", country="SG", languages="en")
    with app.app_context():
        accept(a, b)
    return a, b, c


def test_organiser_creates_a_session(organiser_client, app):
    response = submit(organiser_client, "/en/admin/schedule/new", fields=SESSION_FORM)
    with app.app_context():
        ms = db.session.scalar(select(MatchSession))
        assert response.headers["Location"] == f"/en/admin/schedule/{ms.id}/"
        assert len(ms.slots) == 2 and [t.name for t in ms.tables] == ["Booth A", "Booth B"]
    html = organiser_client.get(f"/en/admin/schedule/{ms.id}/").get_data(as_text=True)
    assert "Booth B" in html and "Not published" in html and "Vietnam time" in html
    assert "Day 1 morning" in organiser_client.get("/en/admin/schedule/").get_data(as_text=True)
    edit = organiser_client.get(f"/en/admin/schedule/{ms.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-01"' in edit and "Booth A\nBooth B" in edit.replace("&#10;", "\n")
    assert "Booth A" in organiser_client.get(f"/en/admin/schedule/{ms.id}/tables").get_data(as_text=True)


def test_bad_session_input_is_shown_on_its_field_in_japanese(organiser_client, app):
    html = submit(organiser_client, "/ja/admin/schedule/new", fields={**SESSION_FORM, "slot_minutes": "17"}).get_data(as_text=True)
    message = translated(app, "ja", "Use a meeting length in steps of %(step)d minutes, such as 20, 25 or 30.", step=5)
    assert message in html and message != "Use a meeting length in steps of 5 minutes, such as 20, 25 or 30."
    with app.app_context():
        assert db.session.scalar(select(func.count(MatchSession.id))) == 0


def test_company_users_get_403_and_visitors_the_login(client, app, make_company, login):
    login(user_email(app, make_company()))
    for url in ("/en/admin/schedule/", "/en/admin/schedule/new", "/en/admin/schedule/export.csv"):
        assert client.get(url).status_code == 403
    submit(client, "/en/", 'form[action$="/auth/logout"]')
    assert "/auth/login" in client.get("/en/admin/schedule/").headers["Location"]


def test_generate_button_runs_in_the_background_and_shows_the_report(organiser_client, app, pair):
    a, b, _c = pair
    with app.app_context():
        ms_id = new_session()
    generate_form = f'form[action="/en/admin/schedule/{ms_id}/generate"]'
    response = submit(organiser_client, f"/en/admin/schedule/{ms_id}/", generate_form, fields={"method": "optimal", "time_limit": "10"})
    assert response.status_code == 302
    background.wait_for_runs()
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun))
        assert run.status == "done"
        assert [m.pair for m in meetings(ms_id)] == [tuple(sorted((a, b)))]
    status = organiser_client.get(f"/en/admin/schedule/runs/{run.id}").get_json()
    assert status["status"] == "done" and status["active"] is False
    html = organiser_client.get(f"/en/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert "Total score" in html and "Share of the best possible" in html and "Kitakyushu Eco ↔ Hai Phong Water" in html


def test_bad_time_limit_is_refused(organiser_client, app):
    with app.app_context():
        ms_id = new_session()
    submit(organiser_client, f"/vi/admin/schedule/{ms_id}/", f'form[action="/vi/admin/schedule/{ms_id}/generate"]',
           fields={"method": "optimal", "time_limit": "abc"})
    html = organiser_client.get(f"/vi/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert translated(app, "vi", "The time limit is %(low)d to %(high)d seconds.", low=1, high=600) in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ScheduleRun.id))) == 0


def test_move_refused_with_reason_then_publish_reaches_the_company(organiser_client, client, app, pair, make_company):
    a, b, c = pair
    with app.app_context():
        ms_id = new_session()
        generate(app, ms_id)
        [m] = meetings(ms_id)
        ms = db.session.get(MatchSession, ms_id)
        other_table = next(t.id for t in ms.tables if t.id != m.table_id)
        blocker = ScheduledMeeting(session_id=ms_id, slot_id=ms.slots[1].id, table_id=other_table,
                                   company_low=min(a, c), company_high=max(a, c))
        meeting_id, target_slot = m.id, ms.slots[1].id
        db.session.add(blocker)
        db.session.commit()
    submit(organiser_client, f"/en/admin/schedule/meetings/{meeting_id}", f'form[action="/en/admin/schedule/meetings/{meeting_id}/move"]',
           fields={"slot": target_slot, "table": other_table})
    html = organiser_client.get(f"/en/admin/schedule/meetings/{meeting_id}").get_data(as_text=True)
    assert "Kitakyushu Eco already has a meeting at" in html
    submit(organiser_client, f"/en/admin/schedule/{ms_id}/publish")  # the confirm page's form
    with app.app_context():
        assert len(meetings(ms_id, "published")) == 2


def test_company_sees_meetings_only_after_publication(client, app, pair, login):
    a, b, _c = pair
    with app.app_context():
        ms_id = new_session()
        generate(app, ms_id)
    login(user_email(app, b), lang="vi")
    html = client.get("/vi/agenda/").get_data(as_text=True)
    assert translated(app, "vi", "No meetings yet. Your meetings appear here when the organisers publish the schedule.") in html
    assert "Kitakyushu Eco" not in html
    with app.app_context():
        from matchmaker.services.schedule.publish import publish_schedule
        from tests.schedule_helpers import organiser

        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    dashboard = client.get("/vi/dashboard").get_data(as_text=True)
    assert translated(app, "vi", "Your meeting schedule for “%(session)s” is published.", session="Day 1 morning") in dashboard
    html = client.get("/vi/agenda/").get_data(as_text=True)
    assert translated(app, "vi", "Meeting with %(name)s", name="Kitakyushu Eco") in html
    assert translated(app, "vi", "Interpreter needed: no common language") in html
    print_html = client.get("/vi/agenda/print").get_data(as_text=True)
    assert "Kitakyushu Eco" in print_html and "print-table" in print_html


def test_meeting_page_of_a_published_meeting_is_404_and_unknown_session_404(organiser_client, app, pair):
    with app.app_context():
        ms_id = new_session()
        generate(app, ms_id)
        from matchmaker.services.schedule.publish import publish_schedule
        from tests.schedule_helpers import organiser

        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
        published = meetings(ms_id, "published")[0].id
    assert organiser_client.get(f"/en/admin/schedule/meetings/{published}").status_code == 404
    assert organiser_client.get("/en/admin/schedule/999/").status_code == 404


def test_export_neutralises_formulas(organiser_client, app, pair):
    a, b, c = pair
    with app.app_context():
        ms_id = new_session()
        from matchmaker.services.schedule.review import add_meeting
        from tests.schedule_helpers import organiser

        ms = db.session.get(MatchSession, ms_id)
        add_meeting(db.session, organiser(), ms_id, a, c, ms.slots[0].id, ms.tables[0].id)
        db.session.commit()
    csv_text = organiser_client.get(f"/en/admin/schedule/export.csv?session={ms_id}&state=draft").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "Kitakyushu Eco" in csv_text and "Start – Vietnam time (UTC+7)" in csv_text
    data = organiser_client.get(f"/en/admin/schedule/export.xlsx?session={ms_id}&state=draft").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in values and "Interpreter needed" in values
    assert organiser_client.get("/en/admin/schedule/export.pdf").status_code == 404


def test_table_sheets_print_one_section_per_table(organiser_client, app, pair):
    with app.app_context():
        ms_id = new_session(table_names="Booth A\nBooth B")
        generate(app, ms_id)
    html = organiser_client.get(f"/en/admin/schedule/{ms_id}/print?state=draft").get_data(as_text=True)
    assert html.count('class="print-sheet table-sheet"') == 2 and "<h1>Booth A" in html and "Table Booth A" not in html
    assert "Kitakyushu Eco ↔ Hai Phong Water" in html


def test_fixed_tables_and_caps_pages(organiser_client, app, pair):
    a, b, c = pair
    with app.app_context():
        ms_id = new_session()
        table_id = db.session.get(MatchSession, ms_id).tables[0].id
    submit(organiser_client, f"/en/admin/schedule/{ms_id}/tables", fields={f"table-{table_id}": str(a)})
    response = submit(organiser_client, f"/en/admin/schedule/{ms_id}/companies", fields={f"cap-{a}": "0", f"cap-{b}": "", f"cap-{c}": "1"})
    assert response.status_code == 200  # refused: stays on the page
    assert "Kitakyushu Eco has 1 accepted meetings" in response.get_data(as_text=True)
    with app.app_context():
        from matchmaker.models import MeetingTable, SessionCompany

        assert db.session.get(MeetingTable, table_id).company_id == a
        assert db.session.scalar(select(func.count()).select_from(SessionCompany)) == 0


def _running_run(app, started_seconds_ago: float) -> tuple[int, int]:
    """A session whose lock is held by a run marked running since *started_seconds_ago* (30 s limit)."""
    from datetime import timedelta

    from matchmaker.models import utcnow

    with app.app_context():
        ms_id = new_session()
        started = utcnow() - timedelta(seconds=started_seconds_ago)
        run = ScheduleRun(session_id=ms_id, method="optimal", time_limit=30.0, status="running", started_at=started)
        db.session.add(run)
        db.session.flush()
        db.session.get(MatchSession, ms_id).generation_lock = run.id
        db.session.commit()
        return ms_id, run.id


def _dead_run(app) -> tuple[int, int]:
    """A run killed mid-solve: still 'running', silent past its time limit and the grace."""
    from matchmaker.services.schedule.common import STALE_GRACE

    return _running_run(app, 30 + STALE_GRACE + 1)


def test_a_run_that_died_is_shown_as_failed_and_frees_the_draft(organiser_client, app, pair):
    """A worker killed mid-run leaves its run 'running' and the lock held; past its time limit (and
    a grace) the session page shows it failed instead of running forever."""
    ms_id, run_id = _dead_run(app)
    page = organiser_client.get(f"/vi/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert translated(app, "vi", "The generation failed; the previous draft is unchanged.") in page
    assert 'data-active="0"' in page
    with app.app_context():
        assert db.session.get(ScheduleRun, run_id).error == "interrupted"
        assert db.session.get(MatchSession, ms_id).generation_lock is None


def test_the_progress_poll_alone_stops_a_dead_run(organiser_client, app, pair):
    ms_id, run_id = _dead_run(app)
    status = organiser_client.get(f"/en/admin/schedule/runs/{run_id}").get_json()
    assert (status["status"], status["active"]) == ("failed", False)
    with app.app_context():
        assert db.session.get(MatchSession, ms_id).generation_lock is None


def test_a_live_run_keeps_its_lock(organiser_client, app, pair):
    ms_id, run_id = _running_run(app, 5)
    assert organiser_client.get(f"/en/admin/schedule/runs/{run_id}").get_json()["status"] == "running"
    organiser_client.get(f"/en/admin/schedule/{ms_id}/")
    with app.app_context():
        assert db.session.get(MatchSession, ms_id).generation_lock == run_id
