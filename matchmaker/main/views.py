"""Home page, language redirect, dashboard and the time-zone switch."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from matchmaker.access import company_required
from matchmaker.extensions import db
from matchmaker.i18n import COOKIE_AGE, TIMEZONES, TZ_COOKIE, best_language
from matchmaker.models import Company, Opportunity
from matchmaker.matching.forms import ActionForm
from matchmaker.services import notifications as notices_svc
from matchmaker.services.accounts import set_preferences
from matchmaker.services import undo as undo_svc
from matchmaker.services.companies import review_flags
from matchmaker.urls import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
def root_redirect():
    """Send a bare ``/`` to the visitor's best language."""
    return redirect(url_for("main.index", lang_code=best_language()))


@bp.route("/<lang_code>/")
def index():
    """The event's front page with the figures a visitor cares about."""
    counts = {
        "companies": db.session.scalar(select(func.count(Company.id)).where(Company.status == "approved")) or 0,
        "countries": db.session.scalar(select(func.count(func.distinct(Company.country))).where(Company.status == "approved")) or 0,
        "offers": db.session.scalar(
            select(func.count(Opportunity.id)).join(Company).where(Company.status == "approved", Opportunity.kind == "offer")
        ) or 0,
        "needs": db.session.scalar(
            select(func.count(Opportunity.id)).join(Company).where(Company.status == "approved", Opportunity.kind == "need")
        ) or 0,
    }
    return render_template("main/index.html", counts=counts)


@bp.route("/<lang_code>/dashboard")
@login_required
def dashboard():
    """What a signed-in person should look at next."""
    pending, empty = 0, 0
    company_news = {}
    if current_user.is_organiser:
        pending = db.session.scalar(select(func.count(Company.id)).where(Company.status == "pending")) or 0
        empty = len(review_flags(db.session).empty)
        company_news = {"undoable": undo_svc.pending_for(db.session, current_user)}
    elif current_user.company_id:
        company_news = {
            "notices": [(n, notices_svc.notice_text(n)) for n in notices_svc.notices_for(db.session, current_user.company_id)],
            "unanswered": notices_svc.unanswered_requests(db.session, current_user.company_id),
        }
    return render_template("main/dashboard.html", pending=pending, empty=empty, action_form=ActionForm(), **company_news)


@bp.post("/<lang_code>/notifications/read", defaults={"notice_id": None})
@bp.post("/<lang_code>/notifications/<id:notice_id>/read")
@company_required
def mark_notices_read(notice_id: int | None):
    """Mark one notice (or all of them) read; back to the dashboard."""
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = notices_svc.mark_read(db.session, current_user, notice_id)
    db.session.commit()
    if notice_id is not None and not changed:
        abort(404)
    return redirect(url_for("main.dashboard", _anchor="notices"))


@bp.app_context_processor
def unread_notices():
    """``unread_notice_count()`` in templates: the signed-in company's unread notices (for the menu)."""

    def count() -> int:
        if not current_user.is_authenticated or current_user.company_id is None:
            return 0
        return notices_svc.unread_count(db.session, current_user.company_id)

    return {"unread_notice_count": count}


@bp.route("/<lang_code>/timezone", methods=["GET", "POST"])
def set_timezone():
    """Remember the zone in which the visitor wants times shown.

    The header's switch uses GET, so public pages carry no CSRF token and set no session
    cookie (they stay cacheable); it only sets the ``tz`` cookie. A POST (with its CSRF
    token) also saves the choice in the signed-in user's account.
    """
    values = request.form if request.method == "POST" else request.args
    zone = values.get("tz", "")
    target = safe_next(values.get("next")) or url_for("main.index")
    response = redirect(target)
    if zone in TIMEZONES:
        response.set_cookie(TZ_COOKIE, zone, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        if current_user.is_authenticated and request.method == "POST":
            set_preferences(db.session, current_user, timezone=zone)
            db.session.commit()
    return response


@bp.before_app_request
def remember_user_language():
    """A signed-in user who reads a page in another language keeps that language."""
    code = g.lang_code if g.get("lang_in_path") else None
    if code and current_user.is_authenticated and current_user.locale != code:
        set_preferences(db.session, current_user, locale=code)
        db.session.commit()
