"""Organiser interpreter pages, a company's mode per session, video link settings, and ``flask interpreters``:
forms submitted as rendered, hostile posts refused with nothing saved, messages in the reader's language."""

import json

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    ScheduledMeeting,
    SessionCompany,
    pair_key,
)
from matchmaker.services import interpreters as svc
from tests.conftest import csrf_from, translated, translated_plural, user_email
from tests.schedule_helpers import new_session, organiser
from tests.webforms import submit

NEW = "/{lang}/admin/interpreters/new"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def make_interpreter(app, name="Trần Minh", pairs=("ja-vi",), mode="onsite") -> Interpreter:
    with app.app_context():
        interpreter = svc.create_interpreter(db.session, organiser(), svc.InterpreterData(name=name, pairs=list(pairs), mode=mode))
        db.session.commit()
        db.session.refresh(interpreter)
        db.session.expunge(interpreter)
        return interpreter


def test_organiser_adds_an_interpreter_and_the_list_shows_pairs_mode_and_agenda_link(organiser_client, app):
    response = submit(organiser_client, NEW.format(lang="en"), "#interpreter-form",
                      fields={"name": "Trần Minh", "email": "minh@example.com", "pairs": ["ja-vi", "en-vi"], "mode": "online"})
    with app.app_context():
        interpreter = db.session.scalar(select(Interpreter))
        assert (interpreter.pairs, interpreter.mode, interpreter.email) == ("en-vi,ja-vi", "online", "minh@example.com")
        token = interpreter.token
    assert response.headers["Location"] == f"/en/admin/interpreters/{interpreter.id}/availability"
    html = organiser_client.get("/en/admin/interpreters/").get_data(as_text=True)
    assert "Trần Minh" in html and "Japanese ↔ Vietnamese" in html and "Vietnamese ↔ English" in html and "Online" in html
    assert f"http://localhost/en/interpreter/{token}/" in html and f"http://localhost/interpreter/{token}.ics" in html
    response = submit(organiser_client, f"/en/admin/interpreters/{interpreter.id}/edit", "#interpreter-form",
                      fields={"pairs": ["en-ja"], "mode": "onsite"})
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.get(Interpreter, interpreter.id)
        assert (changed.name, changed.pairs, changed.mode, changed.email) == ("Trần Minh", "en-ja", "onsite", "minh@example.com")


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_no_language_pair_is_refused_in_the_readers_language(organiser_client, app, lang):
    html = submit(organiser_client, NEW.format(lang=lang), "#interpreter-form",
                  fields={"name": "Sato Ken", "pairs": []}).get_data(as_text=True)
    message = translated(app, lang, "Choose at least one language pair the interpreter covers.")
    assert message in html and message != "Choose at least one language pair the interpreter covers."
    assert 'value="Sato Ken"' in html  # what was typed stays on the form
    assert count(app, Interpreter) == 0


def test_unknown_mode_is_refused(organiser_client, app):
    # hostile input: a mode the radio buttons do not offer
    page = organiser_client.get(NEW.format(lang="vi")).get_data(as_text=True)
    html = organiser_client.post(NEW.format(lang="vi"), data={"csrf_token": csrf_from(page), "name": "X", "pairs": "ja-vi",
                                                              "mode": "hologram"}).get_data(as_text=True)
    assert translated(app, "vi", "Choose on site or online.") in html
    assert count(app, Interpreter) == 0


def test_availability_grid_saves_the_ticked_slots(organiser_client, app):
    interpreter = make_interpreter(app)
    with app.app_context():
        ms_id = new_session()
    url = f"/en/admin/interpreters/{interpreter.id}/availability"
    submit(organiser_client, url, f"#session-{ms_id} form", fields={f"s{ms_id}-unavailable": ["1", "3"]})
    html = organiser_client.get(url).get_data(as_text=True)
    assert "Availability saved." in html and "Vietnam time" in html
    with app.app_context():
        ms = db.session.get(MatchSession, ms_id)
        saved = set(db.session.scalars(select(InterpreterUnavailability.slot_id)))
        assert saved == {ms.slots[1].id, ms.slots[3].id}


def test_a_slot_outside_the_session_is_refused_and_nothing_is_saved(organiser_client, app):
    interpreter = make_interpreter(app)
    with app.app_context():
        ms_id = new_session()
    url = f"/ja/admin/interpreters/{interpreter.id}/availability"
    page = organiser_client.get(url).get_data(as_text=True)
    # hostile input: slot 9 does not exist (the session has 0..3), sent with a real one
    organiser_client.post(f"{url}/{ms_id}", data={"csrf_token": csrf_from(page), f"s{ms_id}-unavailable": ["1", "9"]})
    html = organiser_client.get(url).get_data(as_text=True)
    assert translated(app, "ja", "The slot “%(slot)s” does not exist in this session.", slot="9") in html
    assert count(app, InterpreterUnavailability) == 0


def test_new_agenda_link_replaces_the_token(organiser_client, app):
    interpreter = make_interpreter(app)
    submit(organiser_client, "/en/admin/interpreters/", f'form[action="/en/admin/interpreters/{interpreter.id}/token"]')
    with app.app_context():
        token = db.session.get(Interpreter, interpreter.id).token
    assert token != interpreter.token
    html = organiser_client.get("/en/admin/interpreters/").get_data(as_text=True)
    assert token in html and interpreter.token not in html


def test_delete_without_published_meetings_deletes_at_once(organiser_client, app):
    interpreter = make_interpreter(app)
    response = submit(organiser_client, "/vi/admin/interpreters/", f'form[action="/vi/admin/interpreters/{interpreter.id}/delete"]')
    assert response.headers["Location"] == "/vi/admin/interpreters/"
    assert count(app, Interpreter) == 0


def _published_meeting(app, make_company, interpreter_id: int) -> int:
    a = make_company(name="Osaka Water", languages="ja")
    b = make_company(name="Huế Solar", country="VN", languages="vi")
    with app.app_context():
        ms_id = new_session(name_en="Day 3", day="2026-12-03")
        ms = db.session.get(MatchSession, ms_id)
        low, high = pair_key(a, b)
        meeting = ScheduledMeeting(session_id=ms_id, slot_id=ms.slots[0].id, table_id=ms.tables[0].id, company_low=low,
                                   company_high=high, state="published", interpreter_id=interpreter_id, sequence=1)
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_delete_with_published_meetings_asks_first_then_leaves_them_flagged(organiser_client, app, make_company, lang):
    interpreter = make_interpreter(app)
    meeting_id = _published_meeting(app, make_company, interpreter.id)
    html = organiser_client.get(f"/{lang}/admin/interpreters/").get_data(as_text=True)
    assert '<td class="published-count">1</td>' in html
    confirm = submit(organiser_client, f"/{lang}/admin/interpreters/",
                     f'form[action="/{lang}/admin/interpreters/{interpreter.id}/delete"]')
    assert confirm.status_code == 200 and count(app, Interpreter) == 1  # asked, not deleted
    text = confirm.get_data(as_text=True)
    warning = translated_plural(
        app, lang, "%(name)s interprets %(num)d published meeting. It stays on the schedule and shows “Interpreter needed” until the schedule is generated and published again.",
        "%(name)s interprets %(num)d published meetings. They stay on the schedule and show “Interpreter needed” until the schedule is generated and published again.",
        1, name="Trần Minh")
    assert warning in text
    response = submit(organiser_client, confirm, "#confirm-delete form")
    assert response.headers["Location"] == f"/{lang}/admin/interpreters/"
    with app.app_context():
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        assert (meeting.interpreter_id, meeting.sequence) == (None, 2)
        assert db.session.get(Interpreter, interpreter.id) is None


def test_company_chooses_online_for_a_session(client, app, make_company, login):
    company = make_company()
    with app.app_context():
        ms_id = new_session()
    login(user_email(app, company), lang="vi")
    page = client.get("/vi/agenda/availability").get_data(as_text=True)
    assert translated(app, "vi", "How your company attends this session") in page
    submit(client, "/vi/agenda/availability", f"#session-{ms_id} form", fields={f"s{ms_id}-mode": "online"})
    with app.app_context():
        assert db.session.get(SessionCompany, (ms_id, company)).mode == "online"
    html = client.get("/vi/agenda/availability").get_data(as_text=True)
    assert f'<input checked id="s{ms_id}-mode-1" name="s{ms_id}-mode" type="radio" value="online">' in html


def test_company_mode_hostile_value_is_refused(client, app, make_company, login):
    company = make_company()
    with app.app_context():
        ms_id = new_session()
    login(user_email(app, company), lang="ja")
    page = client.get("/ja/agenda/availability").get_data(as_text=True)
    # hostile input: a mode that is neither on site nor online
    client.post(f"/ja/agenda/availability/{ms_id}", data={"csrf_token": csrf_from(page), f"s{ms_id}-mode": "teleport",
                                                            f"s{ms_id}-max_meetings": "2"})
    html = client.get("/ja/agenda/availability").get_data(as_text=True)
    assert translated(app, "ja", "Choose whether the company attends on site or online.") in html
    assert count(app, SessionCompany) == 0  # nor the maximum


def test_organiser_sets_a_companys_mode_and_is_told_publication_needs_a_new_run(organiser_client, app, make_company):
    a, b = make_company(name="Kobe Filters"), make_company(name="Can Tho Solar", country="VN", languages="vi")
    with app.app_context():
        ms_id = new_session()
    url = f"/en/admin/schedule/{ms_id}/companies"
    submit(organiser_client, url, fields={f"mode-{b}": "online"})
    with app.app_context():
        assert {r.company_id: r.mode for r in db.session.scalars(select(SessionCompany))} == {a: "onsite", b: "online"}
    note = "a new way of attending takes effect only when you generate and publish the schedule again"
    assert note not in organiser_client.get(url).get_data(as_text=True)
    _published_meeting(app, make_company, None)
    with app.app_context():
        published_session = db.session.scalar(select(ScheduledMeeting.session_id))
    assert note in organiser_client.get(f"/en/admin/schedule/{published_session}/companies").get_data(as_text=True)


def test_organiser_bad_mode_is_refused_with_nothing_saved(organiser_client, app, make_company):
    company = make_company()
    with app.app_context():
        ms_id = new_session()
    url = f"/vi/admin/schedule/{ms_id}/companies"
    page = organiser_client.get(url).get_data(as_text=True)
    # hostile input: a mode the select box does not offer, with a cap that would otherwise be saved
    html = organiser_client.post(url, data={"csrf_token": csrf_from(page), f"cap-{company}": "2", f"mode-{company}": "remote"}).get_data(as_text=True)
    assert translated(app, "vi", "Choose whether the company attends on site or online.") in html
    assert count(app, SessionCompany) == 0


def test_video_settings_page_saves_a_pool_and_shows_its_capacity(organiser_client, app):
    with app.app_context():
        ms_id = new_session()
    url = f"/ja/admin/schedule/{ms_id}/video"
    submit(organiser_client, url, "#video-form", fields={"source": "pool", "pool": "https://v.example/1\nhttps://v.example/2"})
    html = organiser_client.get(url).get_data(as_text=True)
    assert translated_plural(app, "ja", "%(num)d link in the pool: at most %(num)d online meeting per slot.",
                             "%(num)d links in the pool: at most %(num)d online meetings per slot.", 2) in html
    with app.app_context():
        ms = db.session.get(MatchSession, ms_id)
        assert (ms.video_source, ms.video_pool) == ("pool", "https://v.example/1\nhttps://v.example/2")


def test_bad_template_is_shown_on_its_field_and_nothing_is_saved(organiser_client, app):
    with app.app_context():
        ms_id = new_session()
    url = f"/vi/admin/schedule/{ms_id}/video"
    html = submit(organiser_client, url, "#video-form", fields={"source": "template", "template": "https://meet.example.org/fixed"}).get_data(as_text=True)
    assert translated(app, "vi", "The template must contain {room}, where each meeting's room name goes.").replace("&#39;", "'") in html.replace("&#39;", "'")
    with app.app_context():
        assert db.session.get(MatchSession, ms_id).video_source == ""


def test_companies_cannot_open_the_organiser_pages(client, app, make_company, login):
    login(user_email(app, make_company()))
    with app.app_context():
        ms_id = new_session()
    for url in ("/en/admin/interpreters/", "/en/admin/interpreters/new", f"/en/admin/schedule/{ms_id}/video"):
        assert client.get(url).status_code == 403


def test_cli_add_list_unavailable_delete(runner, app, make_company):
    result = runner.invoke(args=["interpreters", "add", "--name", "Lê Hoa", "--pair", "ja-vi", "--pair", "ja-en", "--mode", "online",
                                 "--email", "hoa@example.com"])
    assert result.exit_code == 0, result.output
    new_id, path = result.output.split()
    rows = json.loads(runner.invoke(args=["interpreters", "list", "--json"]).output)
    with app.app_context():
        token = db.session.get(Interpreter, int(new_id)).token
        ms_id = new_session()
    assert rows == [{"id": int(new_id), "name": "Lê Hoa", "pairs": ["en-ja", "ja-vi"], "mode": "online",
                     "email": "hoa@example.com", "agenda": f"/interpreter/{token}/"}] and path == f"/interpreter/{token}/"
    assert runner.invoke(args=["interpreters", "unavailable", new_id, str(ms_id), "0", "2"]).exit_code == 0
    assert count(app, InterpreterUnavailability) == 2
    bad = runner.invoke(args=["interpreters", "unavailable", new_id, str(ms_id), "0", "7"])
    assert bad.exit_code == 1 and "does not exist in this session" in bad.output and count(app, InterpreterUnavailability) == 2
    _published_meeting(app, make_company, int(new_id))
    refused = runner.invoke(args=["interpreters", "delete", new_id])
    assert refused.exit_code == 1 and "1 published meetings" in refused.output and count(app, Interpreter) == 1
    assert runner.invoke(args=["interpreters", "delete", new_id, "--yes"]).exit_code == 0
    assert count(app, Interpreter) == 0


@pytest.mark.parametrize("args, message", [
    (["--name", "X"], "Choose at least one language pair"),
    (["--name", "X", "--pair", "ja-ko"], "is not a language pair"),
    (["--name", "X", "--pair", "ja-vi", "--mode", "hybrid"], "Choose on site or online."),
])
def test_cli_add_refuses_bad_input(runner, app, args, message):
    result = runner.invoke(args=["interpreters", "add", *args])
    assert result.exit_code == 1 and message in result.output
    assert count(app, Interpreter) == 0


def test_company_changing_mode_after_publication_is_told_it_waits_for_the_next_one(client, app, make_company, login):
    meeting_id = _published_meeting(app, make_company, None)
    with app.app_context():
        meeting = db.session.get(ScheduledMeeting, meeting_id)
        company, ms_id = meeting.company_low, meeting.session_id
    login(user_email(app, company), lang="ja")
    response = submit(client, "/ja/agenda/availability", f"#session-{ms_id} form", fields={f"s{ms_id}-mode": "online"},
                      follow_redirects=True)
    html = response.get_data(as_text=True)
    assert translated(app, "ja", "The schedule of this session is already published: the organisers apply the new way of attending when they publish it again.") in html
    with app.app_context():
        assert db.session.get(SessionCompany, (ms_id, company)).mode == "online"
        assert db.session.get(ScheduledMeeting, meeting_id).online is False  # nothing moved by itself
