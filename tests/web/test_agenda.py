"""The company agenda: .ics content, the private feed, the availability grid, and the CLI."""

import json
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduleRun, SessionSlot, Unavailability
from matchmaker.services.schedule.publish import publish_schedule
from matchmaker.services.schedule.review import move_meeting
from tests.conftest import csrf_from, translated, user_email
from tests.schedule_helpers import accept, generate, meetings, new_session, organiser
from tests.webforms import submit


@pytest.fixture
def published(app, make_company):
    """Two companies whose accepted meeting is published; returns (session id, a, b)."""
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session()
        generate(app, ms_id)
        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    return ms_id, a, b


def events(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk("VEVENT")]


def test_ics_has_stable_uid_vtimezone_and_local_dtstart(client, app, published, login):
    ms_id, a, b = published
    login(user_email(app, a), lang="ja")
    submit(client, "/ja/agenda/", "form.tz-switch", button="tz=Asia/Tokyo")
    first = client.get("/ja/agenda/agenda.ics")
    assert first.mimetype == "text/calendar" and "attachment" in first.headers["Content-Disposition"]
    calendar = Calendar.from_ical(first.get_data())
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    [event] = events(first.get_data())
    start = event.decoded("DTSTART")
    with app.app_context():
        [m] = meetings(ms_id, "published")
        assert start == m.slot.starts_at and event.decoded("DTEND") == m.slot.ends_at
    assert str(start.tzinfo) == "Asia/Tokyo" and start.utcoffset().total_seconds() == 9 * 3600
    assert event.get("DTSTART").params["TZID"] == "Asia/Tokyo"
    assert str(event["SUMMARY"]) == translated(app, "ja", "Meeting with %(name)s", name="Hai Phong Water")
    assert str(event["UID"]) == f"meeting-{ms_id}-{min(a, b)}-{max(a, b)}@jv-environment-week"
    assert int(event["SEQUENCE"]) == 1
    [again] = events(client.get("/ja/agenda/agenda.ics").get_data())
    assert again["UID"] == event["UID"]


def test_moving_and_republishing_keeps_the_uid_and_bumps_sequence(client, app, published, login):
    ms_id, a, b = published
    login(user_email(app, a))
    [before] = events(client.get("/en/agenda/agenda.ics").get_data())
    with app.app_context():
        [m] = meetings(ms_id)
        slot = next(s for s in db.session.get(MatchSession, ms_id).slots if s.id != m.slot_id)
        move_meeting(db.session, organiser(), m.id, slot.id, m.table_id)
        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
    [after] = events(client.get("/en/agenda/agenda.ics").get_data())
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") != before.decoded("DTSTART")


def test_private_feed_can_be_regenerated_and_revoked(client, app, published, login):
    ms_id, a, b = published
    login(user_email(app, b), lang="vi")
    submit(client, "/vi/agenda/", 'form[action="/vi/agenda/feed"]')
    html = client.get("/vi/agenda/").get_data(as_text=True)
    url = html.split('class="feed-url" type="text" readonly value="', 1)[1].split('"', 1)[0]
    path = url.split("localhost", 1)[1]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    [event] = events(feed.get_data())
    assert str(event["SUMMARY"]) == translated(app, "vi", "Meeting with %(name)s", name="Kitakyushu Eco")  # the owner's language
    submit(client, "/vi/agenda/", 'form[action="/vi/agenda/feed"]')
    assert anonymous.get(path).status_code == 404
    submit(client, "/vi/agenda/", 'form[action="/vi/agenda/feed/revoke"]')
    assert "feed-url" not in client.get("/vi/agenda/").get_data(as_text=True)
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_availability_grid_saves_and_refuses_bad_input(client, app, make_company, login):
    a = make_company(name="Da Nang Solar", country="VN", languages="vi")
    with app.app_context():
        ms_id = new_session()
    login(user_email(app, a), lang="vi")
    page = client.get("/vi/agenda/availability").get_data(as_text=True)
    assert f'name="s{ms_id}-unavailable"' in page
    submit(client, "/vi/agenda/availability", f'form[action="/vi/agenda/availability/{ms_id}"]',
           fields={f"s{ms_id}-unavailable": ["1", "2"], f"s{ms_id}-max_meetings": "2"})
    with app.app_context():
        marked = db.session.scalars(select(SessionSlot.number).join(Unavailability).where(Unavailability.company_id == a))
        assert sorted(marked) == [1, 2]
    token = csrf_from(page)
    # hostile input: the grid has no slot 9, and no session 999
    client.post(f"/vi/agenda/availability/{ms_id}", data={f"s{ms_id}-csrf_token": token, f"s{ms_id}-unavailable": ["9"],
                                                          f"s{ms_id}-max_meetings": ""})
    html = client.get("/vi/agenda/availability").get_data(as_text=True)
    assert translated(app, "vi", "The slot “%(slot)s” does not exist in this session.", slot="9") in html
    with app.app_context():
        assert db.session.scalar(select(Unavailability.slot_id).limit(1)) is not None  # the old marks stay
    assert client.post("/vi/agenda/availability/999", data={"s999-csrf_token": token}).status_code == 404


def test_agenda_is_for_company_users(client, app, make_organiser, login):
    login(make_organiser())
    assert client.get("/en/agenda/").status_code == 403
    assert client.get("/en/agenda/agenda.ics").status_code == 403


def test_cli_generate_reports_what_the_interpreter_shortage_cost(runner, app, make_company):
    from matchmaker.models import Interpreter

    jp = [make_company(name=f"JP {i}", country="JP", languages="ja") for i in range(2)]
    vn = [make_company(name=f"VN {i}", country="VN", languages="vi") for i in range(2)]
    with app.app_context():
        for a, b in zip(jp, vn):
            accept(a, b)
        ms_id = new_session(end="09:30")  # one slot, two tables
        db.session.add(Interpreter(name="Ha", pairs="ja-vi", mode="onsite", token="tok-ha-cli"))
        db.session.commit()
    result = runner.invoke(args=["schedule", "generate", "--session", str(ms_id), "--time-limit", "5", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["meetings"] == 1 and report["lost_to_interpreters"] == 1  # one interpreter, one slot
    assert report["interpreter_slots"] == [{"slot": 0, "meetings": 1}]
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun))
        # companies with no offers or needs: their accepted meeting scores 0, so losing it costs no score
        assert report["score_lost_to_interpreters"] == run.score_lost_to_interpreters == 0.0
    text = runner.invoke(args=["schedule", "generate", "--session", str(ms_id), "--time-limit", "5"])
    assert text.exit_code == 0, text.output
    assert "lost for want of interpreters: 1 meetings" in text.output
    assert "slot 0: 1 more interpreters would help" in text.output


def test_cli_generate_json_and_solve_file(runner, app, make_company, tmp_path):
    a = make_company(name="Kitakyushu Eco", country="JP")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session()
    result = runner.invoke(args=["schedule", "generate", "--session", str(ms_id), "--time-limit", "5", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["status"] == "done" and report["meetings"] == 1 and report["unplaced"] == []
    assert set(report) >= {"score", "bound", "fraction", "fewest_meetings", "seconds", "method", "unfair_bound", "greedy_score"}
    assert (report["floor"], report["without_meeting"]) == (1, 0)
    with app.app_context():
        assert db.session.scalar(select(ScheduleRun.status)) == "done" and len(meetings(ms_id)) == 1
    text = runner.invoke(args=["schedule", "generate", "--session", str(ms_id), "--method", "greedy"])
    assert text.exit_code == 0 and "meetings 1" in text.output and "floor 1  companies without a meeting 0" in text.output
    assert runner.invoke(args=["schedule", "generate", "--session", "999"]).exit_code != 0

    instance = {"slots": 2, "tables": 1, "companies": [{"id": "c1", "cap": 2}, {"id": "c2", "cap": 2, "unavailable": [0]},
                                                        {"id": "c3", "cap": 1}],
                "pairs": [{"a": "c1", "b": "c2", "score": 0.7}, {"a": "c1", "b": "c3", "score": 0.4}],
                "required": [["c1", "c2"]], "forbidden": []}
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    solved = runner.invoke(args=["schedule", "solve-file", str(path), "--time-limit", "5"])
    assert solved.exit_code == 0, solved.output
    out = json.loads(solved.output)
    assert set(out) >= {"meetings", "score", "bound", "unplaced", "seconds"}
    assert {"a": "c1", "b": "c2", "slot": 1, "table": 0, "interpreter": None} in out["meetings"]
    assert out["bound"] >= out["score"] - 1e-9
    path.write_text(json.dumps({**instance, "forbiden": []}))
    bad = runner.invoke(args=["schedule", "solve-file", str(path)])
    assert bad.exit_code != 0 and "forbiden" in bad.output


def test_solve_file_with_languages_online_companies_and_interpreters(runner, tmp_path):
    instance = {"slots": 2, "tables": 1,
                "companies": [{"id": "j", "cap": 2, "languages": ["ja"]}, {"id": "v", "cap": 2, "languages": ["vi"]},
                              {"id": "w", "cap": 2, "languages": ["vi", "en"], "mode": "online"}],
                "pairs": [{"a": "j", "b": "v", "score": 0.9}, {"a": "j", "b": "w", "score": 0.5}],
                "interpreters": [{"id": "i1", "languages": ["ja", "vi"], "mode": "onsite", "unavailable": [1]},
                                 {"id": "i2", "languages": ["ja", "vi"], "mode": "online"}]}
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    solved = runner.invoke(args=["schedule", "solve-file", str(path), "--time-limit", "5"])
    assert solved.exit_code == 0, solved.output
    meetings = {(x["a"], x["b"]): x for x in json.loads(solved.output)["meetings"]}
    assert meetings[("j", "v")] == {"a": "j", "b": "v", "slot": 0, "table": 0, "interpreter": "i1"}
    assert meetings[("j", "w")] == {"a": "j", "b": "w", "slot": 1, "table": None, "interpreter": "i2"}
    path.write_text(json.dumps({**instance, "interpreters": [{"id": "i1", "languages": ["ja"]}]}))
    bad = runner.invoke(args=["schedule", "solve-file", str(path)])
    assert bad.exit_code != 0 and "interpreters[0].languages: an interpreter needs two languages" in bad.output


def test_dates_in_the_agenda_name_the_zone(client, app, published, login):
    ms_id, a, b = published
    login(user_email(app, a), lang="en")
    html = client.get("/en/agenda/").get_data(as_text=True)
    with app.app_context():
        [m] = meetings(ms_id, "published")
        local = m.slot.starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert "Times are shown in Vietnam time (UTC+7)." in html
    assert f"{local.hour % 12 or 12}:{local.minute:02d}" in html and "Table 1" in html
