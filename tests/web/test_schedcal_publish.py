"""Publishing asks first, can be undone for a while, and tells the companies only after that."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import MatchSession, ScheduleNotification, utcnow
from matchmaker.services.schedule import publish
from tests.conftest import csrf_from, translated, user_email
from tests.schedule_helpers import accept, generate, meetings, new_session
from tests.webforms import submit


@pytest.fixture
def drafted(app, make_company):
    """A session whose draft holds one meeting between a Japanese and a Vietnamese company."""
    a = make_company(name="Kitakyushu Eco", country="JP", languages="ja")
    b = make_company(name="Hai Phong Water", country="VN", languages="vi")
    with app.app_context():
        accept(a, b)
        ms_id = new_session()
        generate(app, ms_id)
    return ms_id, a, b


def _notices(app, ms_id):
    with app.app_context():
        return db.session.scalar(select(func.count(ScheduleNotification.id)).where(ScheduleNotification.session_id == ms_id))


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_publish_asks_first_then_can_be_undone_without_telling_anyone(organiser_client, client, app, drafted, lang):
    ms_id, a, b = drafted
    page = organiser_client.get(f"/{lang}/admin/schedule/{ms_id}/")
    confirm = organiser_client.get(f"/{lang}/admin/schedule/{ms_id}/publish")
    html = confirm.get_data(as_text=True)
    assert 'id="publish"' in page.get_data(as_text=True)
    assert translated(app, lang, "Yes, publish") in html
    with app.app_context():
        assert meetings(ms_id, "published") == []  # the confirm page changes nothing
    done = submit(organiser_client, confirm, "#confirm-publish form", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert translated(app, lang, "Undo publishing") in html
    with app.app_context():
        assert len(meetings(ms_id, "published")) == 1
        notice = db.session.scalar(select(ScheduleNotification).where(ScheduleNotification.session_id == ms_id))
        assert notice.deliver_at > utcnow() + timedelta(minutes=9)  # held back for the undo window
        assert publish.notifications_for(db.session, a) == []
    undone = submit(organiser_client, done, "#undo form", follow_redirects=True).get_data(as_text=True)
    assert translated(app, lang, "Publishing undone: the companies were not told.") in undone
    assert translated(app, lang, "Undo publishing") not in undone
    with app.app_context():
        assert meetings(ms_id, "published") == []
        assert db.session.get(MatchSession, ms_id).published_at is None
    assert _notices(app, ms_id) == 0


def test_notices_and_mail_go_out_when_the_window_closes(organiser_client, app, drafted, monkeypatch):
    ms_id, a, b = drafted
    submit(organiser_client, f"/en/admin/schedule/{ms_id}/publish", "#confirm-publish form")
    sent = []
    monkeypatch.setattr(publish, "send_mail", lambda config, to, subject, body: sent.append(to))
    config = {"SMTP_HOST": "smtp.example.org"}
    with app.app_context():
        assert publish.deliver_due(db.session, config, lambda lang: "") == 0  # still in the window
        later = utcnow() + timedelta(minutes=11)
        assert publish.deliver_due(db.session, config, lambda lang: "", now=later) == 2
        assert publish.deliver_due(db.session, config, lambda lang: "", now=later) == 0  # once
        db.session.commit()
    assert sorted(sent) == sorted([user_email(app, a), user_email(app, b)])


def test_undo_after_the_window_is_refused_with_a_message(organiser_client, app, drafted):
    ms_id, _a, _b = drafted
    done = submit(organiser_client, f"/vi/admin/schedule/{ms_id}/publish", "#confirm-publish form", follow_redirects=True)
    with app.app_context():
        db.session.get(MatchSession, ms_id).undo_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    answer = submit(organiser_client, done, "#undo form", follow_redirects=True).get_data(as_text=True)
    assert translated(app, "vi", "It is too late to undo: the companies have been told. Withdraw the publication instead.") in answer
    with app.app_context():
        assert len(meetings(ms_id, "published")) == 1


def test_undo_puts_the_previous_publication_back_with_a_higher_sequence(organiser_client, app, drafted):
    ms_id, a, b = drafted
    with app.app_context():
        from matchmaker.services.schedule import review
        from tests.schedule_helpers import organiser

        publish.publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
        [old] = meetings(ms_id, "published")
        before, old_sequence = (old.slot_id, old.table_id), old.sequence
        [m] = meetings(ms_id)
        other_slot = next(s.id for s in db.session.get(MatchSession, ms_id).slots if s.id != m.slot_id)
        review.move_meeting(db.session, organiser(), m.id, other_slot, m.table_id)
        db.session.commit()
    done = submit(organiser_client, f"/en/admin/schedule/{ms_id}/publish", "#confirm-publish form", follow_redirects=True)
    with app.app_context():
        [moved] = meetings(ms_id, "published")
        assert (moved.slot_id, moved.table_id) != before
    submit(organiser_client, done, "#undo form")
    with app.app_context():
        [back] = meetings(ms_id, "published")
        assert (back.slot_id, back.table_id) == before
        assert back.sequence > moved.sequence > old_sequence  # calendars that fetched the undone version update


def test_empty_draft_shows_no_publish_button_and_is_refused(organiser_client, app, make_company):
    with app.app_context():
        ms_id = new_session()
    html = organiser_client.get(f"/ja/admin/schedule/{ms_id}/").get_data(as_text=True)
    assert 'id="publish"' not in html
    assert translated(app, "ja", "The draft is empty: generate it or add meetings before publishing.") in html
    answer = organiser_client.get(f"/ja/admin/schedule/{ms_id}/publish", follow_redirects=True).get_data(as_text=True)
    assert translated(app, "ja", "The draft is empty: generate it or add meetings before publishing.") in answer


def test_without_undo_window_mail_goes_out_at_once_with_the_agenda_link(organiser_client, app, drafted, monkeypatch):
    ms_id, a, b = drafted
    sent = []
    monkeypatch.setattr(publish, "send_mail", lambda config, to, subject, body: sent.append((to, body)))
    monkeypatch.setitem(app.config, "PUBLISH_UNDO_MINUTES", 0)
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.org")
    done = submit(organiser_client, f"/en/admin/schedule/{ms_id}/publish", "#confirm-publish form", follow_redirects=True)
    assert "Undo publishing" not in done.get_data(as_text=True)
    bodies = dict(sent)
    assert set(bodies) == {user_email(app, a), user_email(app, b)}
    assert all(body.endswith("http://localhost/en/agenda/") for body in bodies.values())  # the users' language


def test_cli_delivers_due_notices(runner, app, drafted, monkeypatch):
    ms_id, a, b = drafted
    sent = []
    monkeypatch.setattr(publish, "send_mail", lambda config, to, subject, body: sent.append(body))
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.org")
    with app.app_context():
        from tests.schedule_helpers import organiser

        publish.publish_schedule(db.session, organiser(), ms_id, undo_minutes=10, now=utcnow() - timedelta(minutes=11))
        db.session.commit()
    result = runner.invoke(args=["schedule", "deliver", "--base-url", "https://week.example.org/"])
    assert result.exit_code == 0, result.output
    assert len(sent) == 2 and all("https://week.example.org/" in body for body in sent)


def test_hostile_posts_change_nothing(organiser_client, app, drafted):
    ms_id, _a, _b = drafted
    assert organiser_client.post(f"/en/admin/schedule/{ms_id}/publish", data={}).status_code == 400  # no CSRF token
    assert organiser_client.post(f"/en/admin/schedule/{ms_id}/undo", data={}).status_code == 400
    with app.app_context():
        assert meetings(ms_id, "published") == []
    assert organiser_client.get("/en/admin/schedule/99999/publish").status_code == 404
    assert organiser_client.get("/en/admin/schedule/export.csv?session=99999999999999999999999").status_code == 400  # not an id
    assert organiser_client.post("/en/admin/schedule/99999/undo", data={"csrf_token": csrf_from(organiser_client.get(f"/en/admin/schedule/{ms_id}/").get_data(as_text=True))}).status_code == 404


def test_company_users_cannot_publish_or_undo(client, app, drafted, login):
    ms_id, a, _b = drafted
    login(user_email(app, a))
    assert client.get(f"/en/admin/schedule/{ms_id}/publish").status_code == 403
    token = csrf_from(client.get("/en/agenda/").get_data(as_text=True))
    assert client.post(f"/en/admin/schedule/{ms_id}/undo", data={"csrf_token": token}).status_code == 403
