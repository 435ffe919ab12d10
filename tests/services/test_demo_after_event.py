"""``flask demo-data --after-event``: the demo event as it stands some weeks after the week."""

from collections import Counter

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import FollowupStage, MeetingFeedback, ScheduledMeeting
from matchmaker.services.outcomes.pipeline import pairs_reaching_stage


def test_after_event_demo(runner, app):
    result = runner.invoke(args=["demo-data", "--after-event"])
    assert result.exit_code == 0, result.output
    assert "After the event:" in result.output and "organiser@demo.example" in result.output
    with app.app_context():
        statuses = Counter(db.session.scalars(select(ScheduledMeeting.status).where(ScheduledMeeting.state == "published")))
        assert statuses["held"] >= 20 and statuses["no-show"] >= 2 and statuses["cancelled"] >= 2
        assert set(statuses) == {"held", "no-show", "cancelled"}
        answers = db.session.execute(select(MeetingFeedback.meeting_id, func.count()).group_by(MeetingFeedback.meeting_id)).all()
        assert Counter(count for _, count in answers)[2] >= 10  # both sides answered
        held_ids = set(db.session.scalars(select(ScheduledMeeting.id).where(ScheduledMeeting.status == "held")))
        assert {meeting_id for meeting_id, _ in answers} <= held_ids
        reached = pairs_reaching_stage(db.session)
        assert all(count >= 3 for count in reached.values()), reached
        areas = {s.category.key for s in db.session.scalars(select(FollowupStage)) if s.category}
        assert len(areas) >= 5
        feedback_count = db.session.scalar(select(func.count(MeetingFeedback.id)))
    again = runner.invoke(args=["demo-data", "--after-event"])
    assert again.exit_code != 0 and "loaded already" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingFeedback.id))) == feedback_count


def test_plain_demo_tells_how_to_switch(runner):
    result = runner.invoke(args=["demo-data"])
    assert "flask demo-data --after-event" in result.output
