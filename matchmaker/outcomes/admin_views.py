"""Organiser pages after the meetings: every feedback (ratings and comments included) per
session, and the follow-up pipeline of every pair."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from matchmaker.access import organiser_required
from matchmaker.extensions import db
from matchmaker.models import FOLLOW_UP_ANSWERS, FOLLOWUP_STAGES, Company, ScheduledMeeting
from matchmaker.services.outcomes import feedback as feedback_svc
from matchmaker.services.outcomes import pipeline
from matchmaker.services.outcomes.privacy import small_count
from matchmaker.services.schedule.common import session_label
from matchmaker.services.schedule.sessions import list_sessions
from matchmaker.urls import query_id

bp = Blueprint("outcomes_admin", __name__, url_prefix="/<lang_code>/admin/outcomes")


@bp.route("/feedback")
@organiser_required
def feedback():
    """Feedback per meeting (both sides), with ratings and comments; a session filter."""
    session_id = query_id("session")
    rows = feedback_svc.feedback_for_organisers(db.session, session_id)
    meetings = {m.id: m for m in db.session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.id.in_({row.meeting_id for row in rows})))} if rows else {}
    by_meeting: dict[int, list] = {}
    for row in rows:
        by_meeting.setdefault(row.meeting_id, []).append(row)
    ratings = {n: small_count(c) for n, c in feedback_svc.rating_counts(db.session, session_id).items()}
    answers = {a: small_count(c) for a, c in feedback_svc.follow_up_counts(db.session, session_id).items()}
    return render_template("outcomes/admin_feedback.html", sessions=list_sessions(db.session), session_id=session_id,
                           by_meeting=by_meeting, meetings=meetings, ratings=ratings, answers=answers,
                           answer_keys=FOLLOW_UP_ANSWERS, session_label=session_label)


@bp.route("/leads")
@organiser_required
def leads():
    """Every pair with a recorded follow-up, furthest stage first; pairs reaching each stage."""
    furthest = pipeline.furthest_stage_by_pair(db.session)
    ids = {cid for pair in furthest for cid in pair}
    companies = {c.id: c for c in db.session.scalars(select(Company).where(Company.id.in_(ids)))} if ids else {}
    rows = sorted(furthest.items(), key=lambda item: (-FOLLOWUP_STAGES.index(item[1]), item[0]))
    reached = {stage: small_count(n) for stage, n in pipeline.pairs_reaching_stage(db.session).items()}
    return render_template("outcomes/admin_leads.html", rows=rows, companies=companies, reached=reached,
                           stages=FOLLOWUP_STAGES, stage_label=pipeline.stage_label)


@bp.route("/leads/<id:low>-<id:high>")
@organiser_required
def lead(low: int, high: int):
    """The follow-up of one pair, as both companies see it."""
    first, second = db.session.get(Company, low), db.session.get(Company, high)
    if first is None or second is None or low >= high:
        abort(404)
    return render_template("outcomes/admin_lead.html", first=first, second=second, stage_label=pipeline.stage_label,
                           stages=pipeline.pair_stages(db.session, low, high))
