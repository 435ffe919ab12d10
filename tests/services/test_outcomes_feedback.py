"""Meeting feedback and the follow-up pipeline, through the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import FollowupStage, MeetingFeedback
from matchmaker.services.outcomes import feedback as fb
from matchmaker.services.outcomes import pipeline
from matchmaker.services.outcomes.privacy import small_count
from matchmaker.services.validation import ValidationError
from tests.outcomes_helpers import published_meeting


@pytest.fixture
def pair(ctx, make_company):
    """Two companies with one held published meeting: (jp id, vn id, meeting id)."""
    jp = make_company("Kitakyushu Eco Energy", "JP")
    vn = make_company("Hai Phong Green Works", "VN", languages="vi")
    return jp, vn, published_meeting(jp, vn)


GOOD = dict(rating="4", follow_up="yes", categories=["waste-to-energy", "jcm"], next_step="Send the data", comment="Promising")


def test_feedback_saved_then_updated(pair):
    jp, vn, meeting_id = pair
    meeting = fb.meeting_for_feedback(db.session, meeting_id, jp)
    fb.save_feedback(db.session, meeting, jp, fb.FeedbackData(**GOOD))
    fb.save_feedback(db.session, meeting, jp, fb.FeedbackData(**{**GOOD, "rating": "2", "categories": ["hydrogen"]}))
    db.session.commit()
    rows = db.session.scalars(select(MeetingFeedback)).all()
    assert len(rows) == 1
    assert rows[0].rating == 2 and [c.key for c in rows[0].categories] == ["hydrogen"]


@pytest.mark.parametrize("status", ["scheduled", "no-show", "cancelled", "replacement"])
def test_only_held_meetings_take_feedback(ctx, make_company, status):
    jp, vn = make_company("A", "JP"), make_company("B", "VN")
    meeting_id = published_meeting(jp, vn, status=status)
    with pytest.raises(fb.FeedbackRefused) as refused:
        fb.meeting_for_feedback(db.session, meeting_id, jp)
    assert refused.value.reason == "not-held"


def test_a_third_company_is_refused(pair, make_company):
    jp, vn, meeting_id = pair
    other = make_company("Outsider", "VN")
    with pytest.raises(fb.FeedbackRefused) as refused:
        fb.meeting_for_feedback(db.session, meeting_id, other)
    assert refused.value.reason == "not-yours"


def test_bad_answers_all_reported_and_nothing_saved(pair):
    jp, vn, meeting_id = pair
    meeting = fb.meeting_for_feedback(db.session, meeting_id, jp)
    with pytest.raises(ValidationError) as error:
        fb.save_feedback(db.session, meeting, jp, fb.FeedbackData(rating="9", follow_up="perhaps", categories=["nope"]))
    assert {e.field for e in error.value.errors} == {"rating", "follow_up", "categories"}
    db.session.rollback()
    assert db.session.scalar(select(func.count(MeetingFeedback.id))) == 0


def test_token_names_meeting_and_company(pair):
    jp, vn, meeting_id = pair
    meeting = fb.meeting_for_feedback(db.session, meeting_id, vn)
    token = fb.feedback_token(meeting, vn, "secret")
    assert fb.company_of_token(token, meeting_id, "secret", 3600) == vn
    for token_, meeting_, secret, reason in ((token, meeting_id + 1, "secret", "other-meeting"),
                                             (token, meeting_id, "other-secret", "bad-link"),
                                             (token + "x", meeting_id, "secret", "bad-link")):
        with pytest.raises(fb.FeedbackRefused) as refused:
            fb.company_of_token(token_, meeting_, secret, 3600)
        assert refused.value.reason == reason


def test_pipeline_stages_by_either_side(pair):
    jp, vn, meeting_id = pair
    later = date(2027, 3, 1)
    pipeline.record_stage(db.session, jp, vn, pipeline.StageData("contact", "2026-12-20", "Call", "jcm"), today=later)
    pipeline.record_stage(db.session, vn, jp, pipeline.StageData("agreement", "2027-01-15", "NDA signed", ""), today=later)
    pipeline.record_stage(db.session, vn, jp, pipeline.StageData("contact", "2026-12-21", "Corrected", ""), today=later)
    db.session.commit()
    stages = pipeline.pair_stages(db.session, vn, jp)
    assert [(s.stage, s.happened_on, s.note) for s in stages] == [
        ("contact", date(2026, 12, 21), "Corrected"), ("agreement", date(2027, 1, 15), "NDA signed")]
    assert pipeline.pairs_reaching_stage(db.session) == {
        "contact": 1, "information": 1, "feasibility": 1, "agreement": 1, "proposal": 0, "project": 0}
    assert [lead.partner.id for lead in pipeline.leads_of(db.session, jp)] == [vn]


def test_pipeline_refuses_companies_that_did_not_meet(ctx, make_company):
    jp, vn = make_company("A", "JP"), make_company("B", "VN")
    published_meeting(jp, vn, status="no-show")
    with pytest.raises(pipeline.NotAPair):
        pipeline.record_stage(db.session, jp, vn, pipeline.StageData("contact", "2026-12-20"))
    assert db.session.scalar(select(func.count(FollowupStage.id))) == 0


def test_pipeline_bad_date_and_stage(pair):
    jp, vn, _ = pair
    with pytest.raises(ValidationError) as error:
        pipeline.record_stage(db.session, jp, vn, pipeline.StageData("won", "20/12/2026"), today=date(2027, 1, 1))
    assert {e.field for e in error.value.errors} == {"stage", "happened_on"}
    with pytest.raises(ValidationError):
        pipeline.record_stage(db.session, jp, vn, pipeline.StageData("contact", "2027-03-01"), today=date(2027, 1, 1))


@pytest.mark.parametrize("n, shown", [(0, "0"), (1, "<3"), (2, "<3"), (3, "3"), (40, "40"), (None, "0")])
def test_small_count(n, shown):
    assert small_count(n) == shown


def test_pair_areas_from_stage_else_feedback(ctx, make_company):
    a, b, c = make_company("A", "JP"), make_company("B", "VN"), make_company("C", "VN")
    published_meeting(a, b)
    second = published_meeting(a, c, slot=1)
    later = date(2027, 3, 1)
    pipeline.record_stage(db.session, a, b, pipeline.StageData("contact", "2026-12-20", "", "hydrogen"), today=later)
    pipeline.record_stage(db.session, b, a, pipeline.StageData("proposal", "2027-01-20", "", "jcm"), today=later)
    meeting = fb.meeting_for_feedback(db.session, second, c)
    fb.save_feedback(db.session, meeting, c, fb.FeedbackData(rating="3", follow_up="yes", categories=["water", "ccus"]))
    fb.save_feedback(db.session, meeting, a, fb.FeedbackData(rating="3", follow_up="yes", categories=["water"]))
    pipeline.record_stage(db.session, c, a, pipeline.StageData("contact", "2026-12-20"), today=later)
    db.session.commit()
    assert pipeline.pair_areas(db.session) == {tuple(sorted((a, b))): "jcm", tuple(sorted((a, c))): "water"}


def test_two_first_answers_at_once_end_as_one_row(pair, monkeypatch):
    """The other tab's first answer lands between our look-up and our insert: ours updates it."""
    jp, vn, meeting_id = pair
    meeting = fb.meeting_for_feedback(db.session, meeting_id, jp)
    fb.save_feedback(db.session, meeting, jp, fb.FeedbackData(**GOOD))
    db.session.commit()
    real, calls = fb.feedback_of, []

    def stale_then_real(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(fb, "feedback_of", stale_then_real)
    fb.save_feedback(db.session, meeting, jp, fb.FeedbackData(**{**GOOD, "rating": "1"}))
    db.session.commit()
    assert [(row.company_id, row.rating) for row in db.session.scalars(select(MeetingFeedback))] == [(jp, 1)]
