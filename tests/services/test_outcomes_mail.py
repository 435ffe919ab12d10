"""The mails after the event: feedback links once per company and meeting, follow-up reminders once
per pair and milestone (a fake clock), each in the recipient's language."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, FollowupReminder
from matchmaker.outcomes.tasks import send_outcome_mails
from matchmaker.services.outcomes.reminders import add_months, reminder_months
from tests.conftest import REDIS_TEST_URL, translated
from tests.mailbox import empty_outbox, link_in, mails_to
from tests.outcomes_helpers import published_meeting

END = datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)  # slot 0 of the default session ends 09:30 ICT


@pytest.fixture
def met(app, make_company):
    """A Japanese and a Vietnamese company (users in ja and vi) that held a meeting; a no-show pair."""
    empty_outbox(app)
    jp = make_company("Kitakyushu Eco Energy", "JP", email="jp@example.com")
    vn = make_company("Hai Phong Green Works", "VN", email="vn@example.com", languages="vi")
    other = make_company("Absent Co", "VN", email="absent@example.com", languages="vi")
    with app.app_context():
        for company_id, lang in ((jp, "ja"), (vn, "vi")):
            db.session.get(Company, company_id).users[0].locale = lang
        db.session.commit()
        meeting_id = published_meeting(jp, vn)
        published_meeting(jp, other, status="no-show", slot=1)
    return jp, vn, other, meeting_id


def run(app, when: datetime) -> tuple[int, int]:
    return send_outcome_mails(app, "http://event.example", when.isoformat())


def test_feedback_links_go_once_after_the_meeting_in_each_language(app, met, client):
    jp, vn, other, meeting_id = met
    assert run(app, datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)) == (0, 0)  # the meeting is not over
    assert run(app, END) == (2, 0)
    assert run(app, END) == (0, 0)
    ja_mail, vi_mail = mails_to(app, "jp@example.com"), mails_to(app, "vn@example.com")
    assert len(ja_mail) == 1 and len(vi_mail) == 1 and not mails_to(app, "absent@example.com")
    assert ja_mail[0]["subject"] == translated(app, "ja", "Japan–Vietnam Environment Week: how was your meeting?")
    assert "Hai Phong Green Works" in ja_mail[0]["body"]
    assert vi_mail[0]["subject"] == translated(app, "vi", "Japan–Vietnam Environment Week: how was your meeting?")
    path = link_in(vi_mail[0], f"/vi/outcomes/meetings/{meeting_id}/feedback")
    page = client.get(path)
    assert page.status_code == 200 and "Kitakyushu Eco Energy" in page.get_data(as_text=True)


def test_reminders_once_per_pair_and_milestone(app, met):
    jp, vn, other, _ = met
    run(app, END)  # the feedback links
    assert run(app, datetime(2026, 12, 31, tzinfo=timezone.utc))[1] == 0
    assert run(app, datetime(2027, 1, 1, 3, tzinfo=timezone.utc))[1] == 2  # one month: both companies
    assert run(app, datetime(2027, 1, 2, tzinfo=timezone.utc))[1] == 0
    assert run(app, datetime(2027, 6, 2, tzinfo=timezone.utc))[1] == 2  # months 3 and 6 due: one mail each
    assert run(app, datetime(2027, 9, 1, tzinfo=timezone.utc))[1] == 0
    with app.app_context():
        sent = sorted(db.session.execute(select(FollowupReminder.months)).scalars())
    assert sent == [1, 3, 6]
    reminders = [m for m in mails_to(app, "vn@example.com")
                 if m["subject"] == translated(app, "vi", "Japan–Vietnam Environment Week: update your follow-up")]
    assert len(reminders) == 2 and "Kitakyushu Eco Energy" in reminders[1]["body"]
    assert link_in(reminders[0], f"/vi/outcomes/leads/{jp}")
    assert not mails_to(app, "absent@example.com")


def test_reminder_months_setting():
    assert reminder_months("2, 12") == (2, 12)
    assert reminder_months("") == (1, 3, 6) and reminder_months("x") == (1, 3, 6)
    assert add_months(datetime(2027, 1, 31), 1) == datetime(2027, 2, 28)


def test_send_mail_command(app, met, runner):
    result = runner.invoke(args=["outcomes", "send-mail", "--base-url", "http://event.example",
                                 "--now", "2027-01-02T00:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "Feedback mails: 2. Follow-up reminders: 2." in result.output
    assert link_in(mails_to(app, "jp@example.com")[0], "/ja/outcomes/meetings/")
    queued = runner.invoke(args=["outcomes", "send-mail", "--queue"])
    assert queued.exit_code != 0 and "REDIS_URL" in queued.output


def test_send_mail_through_the_queue(app, met, runner, monkeypatch):
    """``--queue`` puts the task on the real RQ queue; a worker sends the mails (this worker's Redis db)."""
    from redis import Redis
    from rq import Queue

    from matchmaker import jobs

    url = REDIS_TEST_URL
    queue = Queue(jobs.QUEUE_NAME, connection=Redis.from_url(url))
    queue.empty()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    result = runner.invoke(args=["outcomes", "send-mail", "--queue", "--now", "2026-12-02T00:00:00+00:00"])
    assert result.exit_code == 0 and "Queued: rq:" in result.output
    assert queue.count == 1 and not mails_to(app, "vn@example.com")
    jobs.run_worker(app, url, burst=True, fork=False)
    assert len(mails_to(app, "vn@example.com")) == 1
