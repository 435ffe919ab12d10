"""Companies are told: approved, a meeting request received, a request answered (point 7 of issue 11).

The dashboard notice, the count in the menu and the mail (in the recipient's language, sent only
after the commit) are checked; the requests awaiting an answer are listed on the dashboard.
"""

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, MeetingRequest, Notification, User
from matchmaker.services import meetings as meet_svc
from matchmaker.services import outbox
from tests.conftest import csrf_from, translated
from tests.webforms import submit


@pytest.fixture
def mailbox(monkeypatch):
    """Every mail sent through services.mail.send_mail, as (to, subject, body)."""
    sent = []
    monkeypatch.setattr("matchmaker.services.mail.send_mail", lambda config, to, subject, body: sent.append((to, subject, body)))
    return sent


def _set_locale(app, company_id, locale):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.company_id == company_id))
        user.locale = locale
        db.session.commit()


def _request(app, requester_id, recipient_id, message="Xin chào, chúng tôi muốn gặp."):
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.company_id == requester_id))
        request_id = meet_svc.request_meeting(db.session, actor, recipient_id, message, cap=10, expiry_hours=48).id
        db.session.commit()
        return request_id


def _answer(app, recipient_id, request_id, accept, reason=""):
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.company_id == recipient_id))
        meet_svc.respond(db.session, actor, request_id, accept=accept, reason=reason)
        db.session.commit()


def _csrf_of(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def _notices(app, company_id):
    with app.app_context():
        return [(n.kind, n.partner_name, n.reason, n.read_at is not None)
                for n in db.session.scalars(select(Notification).where(Notification.company_id == company_id).order_by(Notification.id))]


def test_approval_is_told_on_the_dashboard_in_the_menu_and_by_mail(client, app, make_company, make_organiser, login, mailbox):
    company_id = make_company(name="Môi Trường Xanh", country="VN", status="pending", languages="vi", email="xanh@example.com")
    login(make_organiser())
    submit(client, "/en/admin/companies?status=pending", f"form[action^='/en/admin/companies/{company_id}/status']",
           button="Approve")
    assert _notices(app, company_id) == [("approved", "", "", False)]
    # the mail is in the company's language (its user has no language yet: the company's first one)
    assert [(to, subject) for to, subject, _ in mailbox] == [
        ("xanh@example.com", translated(app, "vi", "Japan–Vietnam Environment Week: %(news)s",
                                        news=translated(app, "vi", "your company profile is approved")))]
    client.post("/en/auth/logout", data={"csrf_token": _csrf_of(client, "/en/dashboard")})
    login("xanh@example.com", lang="vi")
    page = client.get("/vi/dashboard").get_data(as_text=True)
    assert translated(app, "vi", "Your company profile has been approved: it is public now, and you can request meetings.") in page
    assert 'class="nav-count"' in page and translated(app, "vi", "%(num)d unread notice", num=1) in page


def test_a_received_request_is_listed_and_told_in_the_recipients_language(client, app, make_company, login, mailbox):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja", email="kk@example.com")
    _set_locale(app, kk, "ja")
    _request(app, hp, kk, message="Xin chào\nchúng tôi cần lò đốt rác.")
    assert _notices(app, kk) == [("request_received", "Hải Phòng Urban Environment", "", False)]
    ((to, subject, body),) = mailbox
    assert to == "kk@example.com"
    assert translated(app, "ja", "a meeting request from %(name)s", name="Hải Phòng Urban Environment") in subject
    assert "Xin chào\nchúng tôi cần lò đốt rác." in body  # the message, line break kept
    login("kk@example.com", lang="ja")
    page = client.get("/ja/dashboard").get_data(as_text=True)
    assert translated(app, "ja", "%(name)s has sent you a meeting request.", name="Hải Phòng Urban Environment") in page
    unanswered = page[page.index('id="unanswered-requests"'):]
    assert "Hải Phòng Urban Environment" in unanswered[:unanswered.index("</section>")]


def test_an_answer_is_told_with_the_reason_and_the_request_leaves_the_list(client, app, make_company, login, mailbox):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi", email="hp@example.com")
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja", email="kk@example.com")
    sg = make_company(name="Lion City Solar", country="SG", languages="en", email="sg@example.com")
    _set_locale(app, hp, "vi")
    declined, accepted = _request(app, hp, kk), _request(app, sg, kk)
    mailbox.clear()
    _answer(app, kk, declined, accept=False, reason="Chúng tôi không có thời gian")
    _answer(app, kk, accepted, accept=True)
    assert _notices(app, hp) == [("request_declined", "北九州エコエナジー", "Chúng tôi không có thời gian", False)]
    assert _notices(app, sg) == [("request_accepted", "北九州エコエナジー", "", False)]
    assert {to for to, _, _ in mailbox} == {"hp@example.com", "sg@example.com"}
    vi_body = next(body for to, _, body in mailbox if to == "hp@example.com")
    assert translated(app, "vi", "Reason: %(reason)s", reason="Chúng tôi không có thời gian") in vi_body
    login("hp@example.com", lang="vi")
    page = client.get("/vi/dashboard").get_data(as_text=True)
    assert translated(app, "vi", "%(name)s declined your meeting request.", name="北九州エコエナジー") in page
    client.post("/vi/auth/logout", data={"csrf_token": _csrf_of(client, "/vi/dashboard")})
    login("kk@example.com", lang="ja")
    assert 'id="unanswered-requests"' not in client.get("/ja/dashboard").get_data(as_text=True)


def test_marking_one_notice_read_then_all(client, app, make_company, login, mailbox):
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja", email="kk@example.com")
    for name in ("A Co", "B Co", "C Co"):
        _request(app, make_company(name=name, country="VN", languages="vi"), kk)
    login("kk@example.com")
    page = client.get("/en/dashboard")
    assert "3 unread notices" in page.get_data(as_text=True)
    first = _notice_ids(app, kk)[0]
    after = submit(client, page, f"form[action='/en/notifications/{first}/read']", follow_redirects=True)
    assert [read for *_, read in _notices(app, kk)] == [True, False, False]
    assert "2 unread notices" in after.get_data(as_text=True)
    submit(client, "/en/dashboard", "form[action='/en/notifications/read']", button="Mark all as read")
    assert all(read for *_, read in _notices(app, kk))
    page = client.get("/en/dashboard").get_data(as_text=True)
    assert 'class="nav-count"' not in page and "B Co has sent you a meeting request." in page  # read notices stay listed


def _notice_ids(app, company_id):
    with app.app_context():
        return list(db.session.scalars(select(Notification.id).where(Notification.company_id == company_id).order_by(Notification.id)))


def test_another_companys_notice_cannot_be_marked_read(client, app, make_company, login, mailbox):
    kk = make_company(name="北九州エコエナジー", country="JP", email="kk@example.com")
    _request(app, make_company(name="A Co", country="VN"), kk)
    other = make_company(name="Other Co", email="other@example.com")
    login("other@example.com")
    (notice_id,) = _notice_ids(app, kk)
    response = client.post(f"/en/notifications/{notice_id}/read", data={"csrf_token": _csrf_of(client, "/en/dashboard")})
    assert response.status_code == 404
    assert _notices(app, kk)[0][3] is False and other


def test_mark_read_without_csrf_token_is_refused(client, app, make_company, login, mailbox):
    kk = make_company(name="北九州エコエナジー", country="JP", email="kk@example.com")
    _request(app, make_company(name="A Co", country="VN"), kk)
    login("kk@example.com")
    assert client.post("/en/notifications/read").status_code == 400
    assert _notices(app, kk)[0][3] is False


def test_an_organiser_has_no_notices_to_mark(client, app, make_organiser, login):
    login(make_organiser())
    assert client.post("/en/notifications/read", data={"csrf_token": _csrf_of(client, "/en/dashboard")}).status_code == 403


def test_nothing_is_told_when_the_transaction_fails(app, make_company, mailbox):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN")
    kk = make_company(name="北九州エコエナジー", country="JP")
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.company_id == hp))
        meet_svc.request_meeting(db.session, actor, kk, "hello", cap=10, expiry_hours=48)
        assert len(outbox.queued(db.session)) == 1  # queued, waiting for the commit
        db.session.rollback()
        assert outbox.queued(db.session) == []
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert db.session.scalar(select(func.count(MeetingRequest.id))) == 0
    assert mailbox == []


def test_a_refused_request_tells_nobody(client, app, make_company, mailbox):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN")
    kk = make_company(name="北九州エコエナジー", country="JP")
    _request(app, hp, kk)
    mailbox.clear()
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.company_id == hp))
        with pytest.raises(meet_svc.RequestError):
            meet_svc.request_meeting(db.session, actor, kk, "again", cap=10, expiry_hours=48)
        db.session.rollback()
        db.session.commit()
    assert mailbox == [] and len(_notices(app, kk)) == 1


def test_a_failing_mail_server_does_not_undo_the_request(app, make_company, monkeypatch, caplog):
    def broken(*args):
        raise OSError("connection refused")

    monkeypatch.setattr("matchmaker.services.mail.send_mail", broken)
    hp = make_company(name="Hải Phòng Urban Environment", country="VN")
    kk = make_company(name="北九州エコエナジー", country="JP")
    _request(app, hp, kk)
    assert _notices(app, kk)[0][0] == "request_received"
    assert "could not mail" in caplog.text


def test_reapproving_a_company_tells_it_once(client, app, make_company, make_organiser, login, mailbox):
    company_id = make_company(name="Already Co", status="approved")
    login(make_organiser())
    with app.app_context():
        from matchmaker.services.companies import set_status

        organiser = db.session.scalar(select(User).where(User.role == "organiser"))
        set_status(db.session, db.session.get(Company, company_id), "approved", organiser)
        db.session.commit()
    assert _notices(app, company_id) == [] and mailbox == []
