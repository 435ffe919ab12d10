"""Destroying asks first and can be undone for a while: rejecting a company, deleting a seminar."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Bookmark, Company, Reservation, Room, Seminar, SeminarNotice, UndoAction, User
from matchmaker.services.programme import attendance
from tests.conftest import csrf_from, translated
from tests.programme_helpers import build_programme
from tests.webforms import submit


@pytest.fixture
def organiser(client, make_organiser, login):
    login(make_organiser())
    return client


@pytest.fixture
def mailbox(monkeypatch):
    sent = []
    monkeypatch.setattr("matchmaker.services.mail.send_mail", lambda config, to, subject, body: sent.append((to, subject, body)))
    monkeypatch.setattr("matchmaker.services.programme.attendance.send_mail",
                        lambda config, to, subject, body: sent.append((to, subject, body)))
    return sent


def _status(app, company_id):
    with app.app_context():
        return db.session.get(Company, company_id).status


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_rejecting_asks_first_then_can_be_undone(organiser, app, make_company, lang):
    company_id = make_company(name="Doubtful Co", status="pending")
    listing = organiser.get(f"/{lang}/admin/companies").get_data(as_text=True)
    assert f'href="/{lang}/admin/companies/{company_id}/reject"' in listing  # a link to a question, not a button
    question = organiser.get(f"/{lang}/admin/companies/{company_id}/reject")
    assert translated(app, lang, "Reject %(name)s?", name="Doubtful Co") in question.get_data(as_text=True)
    assert _status(app, company_id) == "pending"  # asking changed nothing
    after = submit(organiser, question, "form.confirm-form", follow_redirects=True)
    assert _status(app, company_id) == "rejected"
    page = after.get_data(as_text=True)
    assert translated(app, lang, "Undo") in page
    undone = submit(organiser, after, "form[action^='/%s/undo/']" % lang, follow_redirects=True)
    assert _status(app, company_id) == "pending"
    assert translated(app, lang, "Undone: %(action)s", action=translated(app, lang, "Rejected %(name)s", name="Doubtful Co")) \
        in undone.get_data(as_text=True)


def test_the_cancel_link_leaves_the_company_alone(organiser, app, make_company):
    company_id = make_company(name="Doubtful Co", status="approved")
    question = organiser.get(f"/en/admin/companies/{company_id}/reject").get_data(as_text=True)
    assert 'href="/en/admin/companies"' in question and _status(app, company_id) == "approved"


def test_a_reject_posted_without_confirmation_only_asks(organiser, app, make_company):
    company_id = make_company(name="Doubtful Co", status="approved")
    page = organiser.get("/en/admin/companies").get_data(as_text=True)
    response = organiser.post(f"/en/admin/companies/{company_id}/status", data={"status": "rejected", "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == f"/en/admin/companies/{company_id}/reject"
    assert _status(app, company_id) == "approved"


def test_undoing_twice_or_too_late_is_refused(organiser, app, make_company):
    company_id = make_company(name="Doubtful Co", status="approved")
    after = submit(organiser, f"/en/admin/companies/{company_id}/reject", "form.confirm-form", follow_redirects=True)
    undo_form = after
    submit(organiser, undo_form, "form[action^='/en/undo/']")
    again = submit(organiser, undo_form, "form[action^='/en/undo/']", follow_redirects=True)
    assert "This has already been undone." in again.get_data(as_text=True)
    assert _status(app, company_id) == "approved"
    late = submit(organiser, f"/en/admin/companies/{company_id}/reject", "form.confirm-form", follow_redirects=True)
    with app.app_context():
        action = db.session.scalar(select(UndoAction).where(UndoAction.undone_at.is_(None)))
        action.created_at -= timedelta(minutes=11)
        action.expires_at -= timedelta(minutes=11)
        db.session.commit()
    refused = submit(organiser, late, "form[action^='/en/undo/']", follow_redirects=True)
    assert "It is too late to undo this: an action can be undone for 10 minutes." in refused.get_data(as_text=True)
    assert _status(app, company_id) == "rejected"


def test_someone_elses_undo_is_404(client, app, make_company, make_organiser, login):
    company_id = make_company(name="Doubtful Co", status="approved")
    login(make_organiser("first@example.com"))
    after = submit(client, f"/en/admin/companies/{company_id}/reject", "form.confirm-form", follow_redirects=True)
    action_url = after.get_data(as_text=True).split("action=\"/en/undo/")[1].split('"')[0]
    client.post("/en/auth/logout", data={"csrf_token": csrf_from(after.get_data(as_text=True))})
    login(make_organiser("second@example.com"))
    token = csrf_from(client.get("/en/dashboard").get_data(as_text=True))
    assert client.post(f"/en/undo/{action_url}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/en/undo/{action_url}").status_code == 400  # no CSRF token
    assert _status(app, company_id) == "rejected"


def _follow(app, seminar_id, email, locale="vi"):
    """A user who bookmarked the seminar and holds a seat."""
    with app.app_context():
        user = User(email=email, password_hash="!", role="company", locale=locale)
        db.session.add(user)
        db.session.flush()
        db.session.add(Bookmark(user_id=user.id, seminar_id=seminar_id))
        seminar = db.session.get(Seminar, seminar_id)
        attendance.reserve_seat(db.session, user, seminar)
        db.session.commit()
        return user.id


def _seminar_state(app, seminar_id):
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        if seminar is None:
            return None
        return {"code": seminar.code, "seats": seminar.seats_taken, "sequence": seminar.sequence,
                "speakers": [s.name for s in seminar.speakers], "categories": [c.key for c in seminar.categories],
                "bookmarks": db.session.scalar(select(func.count()).select_from(Bookmark).where(Bookmark.seminar_id == seminar_id)),
                "reservations": db.session.scalar(select(func.count(Reservation.id)).where(Reservation.seminar_id == seminar_id))}


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_deleting_a_published_seminar_asks_then_can_be_undone_whole(organiser, app, mailbox, lang):
    ids = build_programme(app)
    _follow(app, ids["A"], "follower@example.com")
    before = _seminar_state(app, ids["A"])
    edit = organiser.get(f"/{lang}/admin/programme/seminars/{ids['A']}").get_data(as_text=True)
    assert f'href="/{lang}/admin/programme/seminars/{ids["A"]}/delete"' in edit  # no delete button on the edit page
    question = organiser.get(f"/{lang}/admin/programme/seminars/{ids['A']}/delete")
    text = question.get_data(as_text=True)
    assert translated(app, lang, "%(num)d person follows it and will be told it is cancelled.", num=1) in text
    assert translated(app, lang, "ICT") in text and "Main Hall" in text  # when (with the zone) and where
    assert _seminar_state(app, ids["A"]) == before
    after = submit(organiser, question, "form.confirm-form", follow_redirects=True)
    assert _seminar_state(app, ids["A"]) is None
    assert [to for to, _, _ in mailbox] == ["follower@example.com"]  # told it is cancelled
    with app.app_context():
        assert db.session.scalar(select(func.count(SeminarNotice.id))) == 1
    mailbox.clear()
    submit(organiser, after, f"form[action^='/{lang}/undo/']")
    restored = _seminar_state(app, ids["A"])
    assert restored == {**before, "sequence": before["sequence"] + 2}
    with app.app_context():
        assert db.session.scalar(select(func.count(SeminarNotice.id))) == 0  # the cancellation notice is gone
    ((to, subject, body),) = mailbox
    assert to == "follower@example.com"
    assert any(title in body for title in ("二国間クレジット制度の最新動向", "JCM update"))
    assert organiser.get(f"/{lang}/programme/seminars/{ids['A']}").status_code == 200


def test_a_seminar_posted_for_deletion_without_confirmation_stays(organiser, app):
    ids = build_programme(app)
    page = organiser.get("/en/admin/programme/").get_data(as_text=True)
    response = organiser.post(f"/en/admin/programme/seminars/{ids['C']}/delete", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200 and "Delete “Hydrogen for industry”?" in response.get_data(as_text=True)
    assert _seminar_state(app, ids["C"]) is not None


def test_a_seminar_whose_room_is_gone_cannot_come_back(organiser, app, mailbox):
    ids = build_programme(app)
    after = submit(organiser, f"/en/admin/programme/seminars/{ids['C']}/delete", "form.confirm-form", follow_redirects=True)
    with app.app_context():
        db.session.execute(Seminar.__table__.delete().where(Seminar.room_id == ids["main"]))
        db.session.delete(db.session.get(Room, ids["main"]))
        db.session.commit()
    refused = submit(organiser, after, "form[action^='/en/undo/']", follow_redirects=True)
    assert "The seminar cannot come back: its room has been deleted." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(UndoAction.undone_at)) is None  # nothing half-done: it can be tried again


def test_the_organisers_page_keeps_the_undo_for_the_whole_while(organiser, app, make_company):
    company_id = make_company(name="Doubtful Co", status="approved")
    submit(organiser, f"/ja/admin/companies/{company_id}/reject", "form.confirm-form", follow_redirects=True)
    organiser.get("/ja/programme/")  # the flash's button is gone after another page
    dashboard = organiser.get("/ja/dashboard")
    listed = dashboard.get_data(as_text=True)
    assert translated(app, "ja", "Rejected %(name)s", name="Doubtful Co") in listed.split('id="undoable"')[1]
    back = submit(organiser, dashboard, "#undoable form", follow_redirects=True)
    assert _status(app, company_id) == "approved"
    assert 'id="undoable"' not in back.get_data(as_text=True)  # nothing left to undo
