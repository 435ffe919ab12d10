"""The check-in desk: camera and USB scanner, search by name, undo, live counts; the badge link.

Every check-in answer is a flash message on the desk page (Post/Redirect/Get), in the reader's
language. The desk page may use the camera: its response alone widens ``Permissions-Policy``
to ``camera=(self)``; the CSP stays the site's.
"""

from __future__ import annotations

from flask import abort, flash, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_timezone, gettext as _
from flask_login import current_user

from matchmaker import timefmt
from matchmaker.access import staff_required
from matchmaker.eventday.blueprint import badge_link_bp, bp
from matchmaker.eventday.desk_forms import BadgeCheckInForm, ScanForm, UndoCheckInForm
from matchmaker.eventday.staff_fence import fence_staff
from matchmaker.extensions import db
from matchmaker.i18n import best_language, unrouted_language
from matchmaker.models import Badge
from matchmaker.services.eventday import badges as badge_svc
from matchmaker.services.eventday import checkin as desk
from matchmaker.services.eventday import tokens

CAMERA_POLICY = "camera=(self), microphone=(), geolocation=()"
QUERY_MAX = 100


def clock_with_zone(moment) -> str:
    """'13:30 ICT': the time of day in the viewer's zone, its short name beside it."""
    zone = str(get_timezone())
    return f"{timefmt.clock(moment)} {timefmt.ZONE_SHORT.get(zone, zone)}"


def _who(badge: Badge) -> dict:
    return {"name": badge.name or badge.name_latin, "company": badge.company.name}


def outcome_message(result: desk.Result) -> tuple[str, str]:
    """The desk's answer to a check-in attempt, and its flash category."""
    if result.outcome == desk.CHECKED_IN:
        return _("Checked in: %(name)s (%(company)s) at %(time)s.", time=clock_with_zone(result.checkin.checked_in_at),
                 **_who(result.badge)), "success"
    if result.outcome == desk.ALREADY:
        return _("%(name)s (%(company)s) was already checked in at %(time)s. Nothing was changed.",
                 time=clock_with_zone(result.checkin.checked_in_at), **_who(result.badge)), "info"
    messages = {
        "forged": _("This code is not a valid badge of this event. Nothing was changed."),
        "expired": _("This badge has expired. Nothing was changed: the organisers can print a new badge."),
        "other-event": _("This badge belongs to another event. Nothing was changed."),
        "unknown": _("This badge is no longer valid: it was replaced or deleted. Nothing was changed."),
        "revoked": _("This badge has been revoked. Nothing was changed: ask the organisers."),
    }
    return messages[result.outcome], "error"


def _answer(result: desk.Result):
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    flash(*outcome_message(result))
    return redirect(url_for("eventday.desk", q=request.form.get("q") or None))


def _with_camera(page: str):
    response = make_response(page)
    response.headers["Permissions-Policy"] = CAMERA_POLICY
    return response


@bp.route("/checkin/", endpoint="desk")
@staff_required
def desk_page():
    """The desk: scan (camera or USB scanner), search by name, the latest check-ins, the counts.

    Contacts of approved companies get their badge here too (as on the badge page): a person whose
    company nobody printed badges for is still found by name and counted as expected."""
    if badge_svc.ensure_badges(db.session):
        db.session.commit()
    query = request.args.get("q", "")[:QUERY_MAX]
    found = desk.search(db.session, query) if query.strip() else []
    page = render_template(
        "eventday/desk.html", scan_form=ScanForm(), badge_form=BadgeCheckInForm(), undo_form=UndoCheckInForm(),
        query=query, found=found, recent=desk.recent(db.session), counts=desk.counts(db.session),
        clock_with_zone=clock_with_zone,
    )
    return _with_camera(page)


@bp.post("/checkin/scan")
@staff_required
def scan():
    """A scanned or typed badge link: check its person in, or say why not."""
    form = ScanForm()
    if not form.validate_on_submit():
        flash(_("The form has expired or is incomplete. Scan the badge again."), "error")
        return redirect(url_for("eventday.desk"))
    return _answer(desk.check_in(db.session, form.code.data or "", current_user, "scan"))


def _badge_from_form(form: BadgeCheckInForm) -> Badge | None:
    if not form.validate_on_submit() or not (form.badge.data or "").isdigit():
        return None
    return db.session.get(Badge, int(form.badge.data))


@bp.post("/checkin/badge")
@staff_required
def check_in_badge():
    """Check in a badge found by name on the desk, or confirmed on its link's page."""
    badge = _badge_from_form(BadgeCheckInForm())
    if badge is None:
        flash(_("This badge was not found. Nothing was changed."), "error")
        return redirect(url_for("eventday.desk"))
    method = "scan" if request.form.get("via") == "link" else "search"
    return _answer(desk.check_in_badge(db.session, badge, current_user, method))


@bp.post("/checkin/undo")
@staff_required
def undo_checkin():
    """Take back a check-in; the badge can be checked in again."""
    form = UndoCheckInForm()
    checkin_id = int(form.checkin.data) if form.validate_on_submit() and (form.checkin.data or "").isdigit() else 0
    row = desk.undo(db.session, checkin_id, current_user) if checkin_id else None
    if row is None:
        db.session.rollback()
        flash(_("There is no check-in to undo here: it may have been undone already."), "error")
    else:
        db.session.commit()
        flash(_("Check-in undone: %(name)s (%(company)s).", **_who(row.badge)), "success")
    return redirect(url_for("eventday.desk", q=request.form.get("q") or None))


@bp.get("/checkin/counts.json")
@staff_required
def checkin_counts():
    """The live figures for the desk's polling script."""
    return jsonify(desk.counts(db.session).as_json())


@badge_link_bp.url_value_preprocessor
def badge_link_language(endpoint, values):
    """The badge link has no language in it: choose one before anything (a CSRF error page) renders."""
    g.lang_code = unrouted_language() or best_language()


@badge_link_bp.route("/b/<token>", methods=["GET", "POST"])
def badge_link(token: str):
    """A badge's QR link opened with a phone: staff confirm the check-in with a button (a GET
    changes nothing); anyone else is told to show the badge at the desk."""
    verdict = tokens.verify(token[:2000])
    runs_desk = current_user.is_authenticated and current_user.runs_event_day
    if request.method == "POST":
        if not runs_desk:
            abort(403)
        form = BadgeCheckInForm()
        if not form.validate_on_submit() or not verdict.ok:
            flash(*outcome_message(desk.Result(verdict.outcome if not verdict.ok else "forged")))
            return redirect(url_for("eventday.desk"))
        return _answer(desk.check_in_badge(db.session, verdict.badge, current_user, "scan"))
    own = (verdict.badge is not None and current_user.is_authenticated
           and current_user.company_id == verdict.badge.company_id)
    live = desk.live_checkin(db.session, verdict.badge.id) if verdict.badge is not None and (own or runs_desk) else None
    message = None if verdict.ok else outcome_message(desk.Result(verdict.outcome))[0]
    return render_template("eventday/badge_link.html", verdict=verdict, runs_desk=runs_desk, own=own, live=live,
                           message=message, form=BadgeCheckInForm(badge=verdict.badge.id if verdict.badge else ""),
                           clock_with_zone=clock_with_zone)


badge_link_bp.before_app_request(fence_staff)
