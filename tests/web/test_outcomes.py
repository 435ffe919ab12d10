"""Feedback and follow-up pages: the forms the pages render, their error paths, privacy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import FollowupStage, MeetingFeedback, ScheduledMeeting
from matchmaker.services.outcomes.feedback import feedback_token
from tests.conftest import csrf_from, translated, user_email
from tests.outcomes_helpers import published_meeting
from tests.webforms import submit

ANSWERS = {"rating": "4", "follow_up": "yes", "categories": ["waste-to-energy", "jcm"],
           "next_step": "Send the plant data", "comment": "Secret for organisers"}


@pytest.fixture
def met(app, make_company):
    """(jp, vn, held meeting id, no-show meeting id with a third company, the third company)."""
    jp = make_company("Kitakyushu Eco Energy", "JP")
    vn = make_company("Hai Phong Green Works", "VN", languages="vi")
    third = make_company("Da Nang Solar", "VN", languages="vi")
    with app.app_context():
        held = published_meeting(jp, vn)
        missed = published_meeting(jp, third, status="no-show", slot=1)
    return jp, vn, held, missed, third


def feedback_rows(app):
    with app.app_context():
        return [(f.company_id, f.rating, f.follow_up, sorted(c.key for c in f.categories), f.next_step, f.comment)
                for f in db.session.scalars(select(MeetingFeedback))]


def test_feedback_from_the_agenda_then_updated(app, client, login, met):
    jp, vn, held, _, _ = met
    login(user_email(app, jp))
    agenda = client.get("/en/agenda/").get_data(as_text=True)
    assert f"/en/outcomes/meetings/{held}/feedback" in agenda
    response = submit(client, f"/en/outcomes/meetings/{held}/feedback", "#feedback-form", fields=ANSWERS)
    assert response.status_code == 302
    assert feedback_rows(app) == [(jp, 4, "yes", ["jcm", "waste-to-energy"], "Send the plant data", "Secret for organisers")]
    page = client.get(response.headers["Location"])
    assert "Thank you: your feedback is saved" in page.get_data(as_text=True)
    submit(client, page, "#feedback-form", fields={"rating": "2", "categories": ["hydrogen"]})
    assert feedback_rows(app) == [(jp, 2, "yes", ["hydrogen"], "Send the plant data", "Secret for organisers")]


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_missing_rating_is_explained_and_nothing_saved(app, client, login, met, lang):
    jp, vn, held, _, _ = met
    login(user_email(app, vn), lang=lang)
    response = submit(client, f"/{lang}/outcomes/meetings/{held}/feedback", "#feedback-form",
                      fields={"follow_up": "maybe", "next_step": "x"})
    assert response.status_code == 200
    assert translated(app, lang, "Choose a rating from 1 to 5.") in response.get_data(as_text=True)
    assert feedback_rows(app) == []


def test_hostile_rating_refused(app, client, login, met):
    jp, vn, held, _, _ = met
    login(user_email(app, jp))
    page = client.get(f"/en/outcomes/meetings/{held}/feedback").get_data(as_text=True)
    # hostile input: a rating no radio button offers, and an unknown category
    response = client.post(f"/en/outcomes/meetings/{held}/feedback",
                           data={"csrf_token": csrf_from(page), "rating": "9", "follow_up": "yes", "categories": "nope"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose a rating from 1 to 5." in body and "Unknown category: nope." in body
    assert feedback_rows(app) == []


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_meeting_not_held_is_refused(app, client, login, met, lang):
    jp, _, _, missed, _ = met
    login(user_email(app, jp), lang=lang)
    response = client.get(f"/{lang}/outcomes/meetings/{missed}/feedback")
    assert response.status_code == 403
    message = translated(app, lang, "This meeting did not take place, so there is nothing to give feedback on.")
    assert message in response.get_data(as_text=True)


def test_another_companys_meeting_is_refused(app, client, login, met):
    jp, vn, held, _, third = met
    login(user_email(app, third))
    response = client.get(f"/en/outcomes/meetings/{held}/feedback")
    assert response.status_code == 403 and "not one of your company" in response.get_data(as_text=True)
    assert client.get("/en/outcomes/meetings/999999/feedback").status_code == 404


def _token(app, meeting_id, company_id):
    with app.app_context():
        return feedback_token(db.session.get(ScheduledMeeting, meeting_id), company_id, app.config["SECRET_KEY"])


def test_signed_link_works_without_login(app, client, met):
    jp, vn, held, _, _ = met
    url = f"/vi/outcomes/meetings/{held}/feedback?t={_token(app, held, vn)}"
    response = submit(client, url, "#feedback-form", fields=ANSWERS)
    assert response.status_code == 302
    assert feedback_rows(app)[0][:3] == (vn, 4, "yes")
    assert translated(app, "vi", "Thank you: your feedback is saved. You can change it here at any time.") in \
        client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_link_for_another_meeting_or_forged_is_refused(app, client, met, lang):
    jp, vn, held, missed, _ = met
    other = client.get(f"/{lang}/outcomes/meetings/{missed}/feedback?t={_token(app, held, jp)}")
    assert other.status_code == 403
    assert translated(app, lang, "This link is for another meeting. Open the link from the mail about this meeting.") \
        in other.get_data(as_text=True)
    forged = client.get(f"/{lang}/outcomes/meetings/{held}/feedback?t={_token(app, held, jp)[:-3]}abc")
    assert forged.status_code == 403
    assert translated(app, lang, "This feedback link is not valid or has expired. Sign in and give your feedback from My agenda.") \
        in forged.get_data(as_text=True)


def test_expired_link_is_refused(app, client, met):
    jp, vn, held, _, _ = met
    token = _token(app, held, jp)
    app.config["FEEDBACK_LINK_DAYS"] = -1
    try:
        response = client.get(f"/en/outcomes/meetings/{held}/feedback?t={token}")
    finally:
        app.config["FEEDBACK_LINK_DAYS"] = 90
    assert response.status_code == 403 and "not valid or has expired" in response.get_data(as_text=True)


def test_anonymous_without_link_goes_to_login(client, met):
    response = client.get(f"/en/outcomes/meetings/{met[2]}/feedback")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def stage_rows(app):
    with app.app_context():
        return [(s.stage, str(s.happened_on), s.note, s.category.key if s.category else None, s.entered_by)
                for s in db.session.scalars(select(FollowupStage).order_by(FollowupStage.id))]


def test_stage_recorded_by_one_side_seen_by_the_other(app, client, login, met):
    jp, vn, held, _, _ = met
    login(user_email(app, jp))
    index = client.get("/en/outcomes/").get_data(as_text=True)
    assert f"/en/outcomes/leads/{vn}" in index
    response = submit(client, f"/en/outcomes/leads/{vn}", "#stage-form",
                      fields={"stage": "agreement", "happened_on": "2026-11-20", "category": "jcm", "note": "NDA signed"})
    assert response.status_code == 302
    assert stage_rows(app) == [("agreement", "2026-11-20", "NDA signed", "jcm", jp)]
    login(user_email(app, vn), lang="vi")
    page = client.get(f"/vi/outcomes/leads/{jp}")
    assert "NDA signed" in page.get_data(as_text=True)
    assert translated(app, "vi", "MoU or NDA signed") in page.get_data(as_text=True)
    submit(client, page, "#stage-form", fields={"stage": "agreement", "happened_on": "2026-11-21", "note": "MoU"})
    assert stage_rows(app) == [("agreement", "2026-11-21", "MoU", None, vn)]


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_stage_errors_explained_nothing_saved(app, client, login, met, lang):
    jp, vn, _, _, _ = met
    login(user_email(app, jp), lang=lang)
    response = submit(client, f"/{lang}/outcomes/leads/{vn}", "#stage-form",
                      fields={"stage": "contact", "happened_on": "", "note": "x"})
    assert response.status_code == 200
    assert translated(app, lang, "Give the date as YYYY-MM-DD.") in response.get_data(as_text=True)
    assert stage_rows(app) == []


def test_pair_that_did_not_meet_has_no_follow_up_page(app, client, login, met):
    jp, vn, _, _, third = met
    login(user_email(app, jp))
    assert client.get(f"/en/outcomes/leads/{third}").status_code == 404  # the meeting was a no-show
    login(user_email(app, third))
    assert client.get(f"/en/outcomes/leads/{vn}").status_code == 404


def test_partner_never_sees_rating_or_comment_organiser_does(app, client, login, make_organiser, met):
    jp, vn, held, _, _ = met
    login(user_email(app, jp))
    submit(client, f"/en/outcomes/meetings/{held}/feedback", "#feedback-form", fields=ANSWERS)
    login(make_organiser())
    organiser = client.get("/en/admin/outcomes/feedback").get_data(as_text=True)
    assert "Secret for organisers" in organiser and "Kitakyushu Eco Energy" in organiser
    assert "&lt;3" in organiser  # one rating: shown as <3 in the summary
    login(user_email(app, vn))
    for path in ("/en/outcomes/", f"/en/outcomes/meetings/{held}/feedback", f"/en/outcomes/leads/{jp}", "/en/agenda/"):
        body = client.get(path).get_data(as_text=True)
        assert "Secret for organisers" not in body and "Send the plant data" not in body, path
    assert client.get("/en/admin/outcomes/feedback").status_code == 403


def test_organiser_pipeline_pages(app, client, login, make_organiser, met):
    jp, vn, _, _, _ = met
    login(user_email(app, vn))
    submit(client, f"/en/outcomes/leads/{jp}", "#stage-form", fields={"stage": "proposal", "happened_on": "2026-11-30"})
    login(make_organiser())
    leads = client.get("/en/admin/outcomes/leads").get_data(as_text=True)
    assert "Project proposal (JCM or another scheme)" in leads and "&lt;3" in leads
    low, high = sorted((jp, vn))
    pair = client.get(f"/en/admin/outcomes/leads/{low}-{high}").get_data(as_text=True)
    assert "Hai Phong Green Works" in pair and "Project proposal" in pair
