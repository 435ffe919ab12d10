"""Interpreters (register, availability, token, delete), companies' mode per session, video settings:
every bad input refused whole, in the reader's language, nothing saved."""

import pytest
from flask import g
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (
    Company,
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    ScheduledMeeting,
    SessionCompany,
    pair_key,
)
from matchmaker.services import interpreters as svc
from matchmaker.services.schedule import availability, modes, video_settings
from matchmaker.services.validation import ValidationError
from tests.conftest import translated
from tests.schedule_helpers import company_user, new_session, organiser


def data(**overrides) -> svc.InterpreterData:
    return svc.InterpreterData(**{**dict(name="Nguyễn Thị Lan", email="Lan@Example.com", pairs=["ja-vi"], mode="onsite"), **overrides})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_normalises_pairs_and_email_and_gives_a_token(ctx):
    one = svc.create_interpreter(db.session, organiser(), data(pairs=["vi-ja", "ja-en", "ja-vi"]))
    two = svc.create_interpreter(db.session, organiser(), data(name="Sato Ken", email="", mode="online"))
    db.session.commit()
    assert (one.pairs, one.email, one.mode) == ("en-ja,ja-vi", "lan@example.com", "onsite")
    assert one.language_set == {"ja", "vi", "en"} and two.mode == "online" and two.email == ""
    assert len(one.token) >= 30 and one.token != two.token
    assert [r.interpreter.name for r in svc.list_interpreters(db.session)] == ["Nguyễn Thị Lan", "Sato Ken"]


@pytest.mark.parametrize("overrides, field, message, variables", [
    (dict(pairs=[]), "pairs", "Choose at least one language pair the interpreter covers.", {}),
    (dict(pairs=["ja-ko"]), "pairs", "“%(pair)s” is not a language pair: choose Japanese–Vietnamese, Japanese–English or Vietnamese–English.", {"pair": "ja-ko"}),
    (dict(pairs=["ja"]), "pairs", "“%(pair)s” is not a language pair: choose Japanese–Vietnamese, Japanese–English or Vietnamese–English.", {"pair": "ja"}),
    (dict(mode="hybrid"), "mode", "Choose on site or online.", {}),
    (dict(mode=""), "mode", "Choose on site or online.", {}),
    (dict(name="  "), "name", "This field is required.", {}),
    (dict(email="not-an-address"), "email", "This is not a valid email address.", {}),
])
def test_bad_interpreter_input_is_refused_in_the_readers_language(app, overrides, field, message, variables):
    with app.test_request_context("/vi/"):
        g.lang_code = "vi"
        with pytest.raises(ValidationError) as error:
            svc.create_interpreter(db.session, organiser(), data(**overrides))
        db.session.rollback()
        assert field in {e.field for e in error.value.errors}
        assert translated(app, "vi", message, **variables) in error.value.message
        assert translated(app, "vi", message, **variables) != (message % variables if variables else message)
        assert count(Interpreter) == 0


def test_every_problem_of_a_form_is_reported_at_once(ctx):
    with pytest.raises(ValidationError) as error:
        svc.create_interpreter(db.session, organiser(), data(name="", pairs=[], mode="boat"))
    assert {e.field for e in error.value.errors} == {"name", "pairs", "mode"}


def test_update_checks_everything_before_writing(ctx):
    interpreter = svc.create_interpreter(db.session, organiser(), data())
    db.session.commit()
    with pytest.raises(ValidationError):
        svc.update_interpreter(db.session, organiser(), interpreter.id, data(name="Renamed", pairs=[]))
    db.session.rollback()
    assert (db.session.get(Interpreter, interpreter.id).name, interpreter.pairs) == ("Nguyễn Thị Lan", "ja-vi")
    svc.update_interpreter(db.session, organiser(), interpreter.id, data(name="Renamed", pairs=["en-vi"], mode="online"))
    db.session.commit()
    assert (interpreter.name, interpreter.pairs, interpreter.mode) == ("Renamed", "en-vi", "online")


def test_companies_cannot_register_interpreters(ctx, make_company):
    company = make_company()
    with pytest.raises(PermissionError):
        svc.create_interpreter(db.session, company_user(company), data())


def test_unavailable_slots_are_replaced_per_session_and_a_foreign_slot_refuses_all(ctx):
    first, second = new_session(), new_session(day="2026-12-02")
    interpreter = svc.create_interpreter(db.session, organiser(), data())
    db.session.commit()
    svc.set_unavailable(db.session, organiser(), interpreter.id, first, ["0", "3"])
    svc.set_unavailable(db.session, organiser(), interpreter.id, second, ["1"])
    db.session.commit()
    svc.set_unavailable(db.session, organiser(), interpreter.id, first, ["2"])
    db.session.commit()
    assert [(g.session.id, g.unavailable) for g in svc.availability_of(db.session, interpreter)] == [(first, {2}), (second, {1})]
    for hostile in (["1", "4"], ["-1"], ["abc"], ["1.5"]):  # the session has slots 0..3
        with pytest.raises(ValidationError) as error:
            svc.set_unavailable(db.session, organiser(), interpreter.id, first, hostile)
        db.session.rollback()
        assert error.value.field == "unavailable"
    assert count(InterpreterUnavailability) == 2
    with pytest.raises(LookupError):
        svc.set_unavailable(db.session, organiser(), interpreter.id, 9999, ["0"])


def test_reissued_token_replaces_the_old_one(ctx):
    interpreter = svc.create_interpreter(db.session, organiser(), data())
    old = interpreter.token
    svc.reissue_token(db.session, organiser(), interpreter.id)
    db.session.commit()
    assert interpreter.token != old and db.session.scalar(select(Interpreter).where(Interpreter.token == old)) is None


def _meeting(ms_id: int, a: int, b: int, slot: int, state: str, interpreter_id: int, sequence: int = 2) -> int:
    ms = db.session.get(MatchSession, ms_id)
    low, high = pair_key(a, b)
    meeting = ScheduledMeeting(session_id=ms_id, slot_id=ms.slots[slot].id, table_id=ms.tables[0].id, company_low=low,
                               company_high=high, state=state, interpreter_id=interpreter_id, sequence=sequence)
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def test_delete_keeps_the_meetings_without_interpreter_and_bumps_published_sequences(ctx, make_company):
    a, b = make_company(name="Osaka Water", languages="ja"), make_company(name="Hue Solar", country="VN", languages="vi")
    c = make_company(name="Da Nang Wind", country="VN", languages="vi")
    ms_id = new_session()
    interpreter = svc.create_interpreter(db.session, organiser(), data())
    other = svc.create_interpreter(db.session, organiser(), data(name="Other"))
    db.session.commit()
    published = _meeting(ms_id, a, b, 0, "published", interpreter.id)
    draft = _meeting(ms_id, a, b, 0, "draft", interpreter.id)
    kept = _meeting(ms_id, a, c, 1, "published", other.id)
    assert svc.published_meetings(db.session, interpreter.id) == 1
    assert [(r.draft, r.published) for r in svc.list_interpreters(db.session)] == [(1, 1), (0, 1)]
    assert svc.delete_interpreter(db.session, organiser(), interpreter.id) == 1
    db.session.commit()
    rows = {m.id: (m.interpreter_id, m.sequence) for m in db.session.scalars(select(ScheduledMeeting))}
    assert rows == {published: (None, 3), draft: (None, 2), kept: (other.id, 2)}
    assert db.session.get(Interpreter, interpreter.id) is None


def test_company_mode_is_saved_with_availability_and_a_bad_mode_saves_nothing(ctx, make_company):
    company = make_company()
    ms_id = new_session()
    assert availability.set_availability(db.session, company_user(company), ms_id, ["1"], "", "online") is True
    db.session.commit()
    assert db.session.get(SessionCompany, (ms_id, company)).mode == "online"
    assert availability.availability_of(db.session, db.session.get(Company, company))[0].mode == "online"
    with pytest.raises(ValidationError) as error:
        availability.set_availability(db.session, company_user(company), ms_id, ["2"], "3", "boat")
    db.session.rollback()
    assert error.value.field == "mode"
    row = db.session.get(SessionCompany, (ms_id, company))
    assert (row.mode, row.max_meetings) == ("online", None)
    assert availability.set_availability(db.session, company_user(company), ms_id, [], "", None) is False  # mode untouched
    db.session.commit()
    assert db.session.get(SessionCompany, (ms_id, company)).mode == "online"


def test_organisers_set_modes_checked_first(ctx, make_company):
    a, b = make_company(name="A"), make_company(name="B")
    ms_id = new_session()
    with pytest.raises(ValidationError) as error:
        modes.set_modes(db.session, organiser(), ms_id, {a: "online", b: "remote"})
    db.session.rollback()
    assert error.value.field == f"mode-{b}" and count(SessionCompany) == 0
    assert modes.set_modes(db.session, organiser(), ms_id, {a: "online", b: "onsite"}) == [a]
    db.session.commit()
    assert {r.company_id: r.mode for r in db.session.scalars(select(SessionCompany))} == {a: "online", b: "onsite"}


POOL = "https://meet.example.org/a\n\nhttps://meet.example.org/b\n"


def test_video_settings_template_pool_and_capacity(ctx):
    ms_id = new_session()
    ms = video_settings.save_video_settings(db.session, organiser(), ms_id, "template", "https://meet.example.org/{room}", "")
    db.session.commit()
    assert (ms.video_source, ms.video_template) == ("template", "https://meet.example.org/{room}")
    assert video_settings.video_capacity(ms).per_slot is None
    video_settings.save_video_settings(db.session, organiser(), ms_id, "pool", "", POOL)
    db.session.commit()
    assert ms.video_pool == "https://meet.example.org/a\nhttps://meet.example.org/b"
    assert ms.video_template == "https://meet.example.org/{room}"  # kept for a switch back
    assert video_settings.video_capacity(ms) == video_settings.VideoCapacity("pool", 2, 2)
    video_settings.save_video_settings(db.session, organiser(), ms_id, "", "", "")
    db.session.commit()
    assert video_settings.video_capacity(ms).per_slot == 0 and ms.video_pool.count("https") == 2


@pytest.mark.parametrize("source, template, pool, field, message, variables", [
    ("template", "http://meet.example.org/{room}", "", "template", "The template must be an https link of at most %(max)d characters.", {"max": 300}),
    ("template", "https://meet.example.org/room", "", "template", "The template must contain {room}, where each meeting's room name goes.", {}),
    ("template", "", "", "template", "Enter the link template, such as https://meet.example.org/{room}.", {}),
    ("pool", "", "", "pool", "Paste at least one video link, one per line.", {}),
    ("pool", "", "https://a.example/1\nftp://a.example/2", "pool", "Line %(line)d is not an https link of at most %(max)d characters.", {"line": 2, "max": 300}),
    ("pool", "", "https://a.example/1\nhttps://a.example/1", "pool", "Line %(line)d repeats a link: each link hosts one meeting at a time.", {"line": 2}),
    ("zoom", "", "", "source", "Choose where the video links come from.", {}),
])
def test_bad_video_settings_are_refused_and_nothing_changes(app, source, template, pool, field, message, variables):
    with app.test_request_context("/ja/"):
        g.lang_code = "ja"
        ms_id = new_session()
        with pytest.raises(ValidationError) as error:
            video_settings.save_video_settings(db.session, organiser(), ms_id, source, template, pool)
        db.session.rollback()
        assert error.value.field == field
        assert error.value.message == translated(app, "ja", message, **variables).replace("&#39;", "'")
        ms = db.session.get(MatchSession, ms_id)
        assert (ms.video_source, ms.video_template, ms.video_pool) == ("", "", "")
