"""The public programme: day grid and list, seminar pages, exhibitors, hall plan, calendar feeds,
and the attendee's bookmarks and seat reservations.

No login is needed to read; bookmarks live in the browser (static/js/programme.js) until the
visitor signs in, then in the database.
"""

from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, g, has_request_context, redirect, render_template, request,
    send_from_directory, url_for,
)
from flask_babel import get_timezone, gettext as _, ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from matchmaker import timefmt
from matchmaker.extensions import db
from matchmaker.models import Seminar, Speaker, utcnow
from matchmaker.programme.forms import ActionForm
from matchmaker.programme.manage import bp as manage_bp
from matchmaker.services.programme import overlap_warnings
from matchmaker.services.programme import attendance
from matchmaker.services.programme import public
from matchmaker.services.categories import list_categories
from matchmaker.services.agenda import cancellation_events
from matchmaker.services.ics import calendar_bytes
from matchmaker.services.programme.common import local_day, reader_language, seminar_title
from matchmaker.services.programme.conflicts import time_span
from matchmaker.services.programme.exhibition import exhibitors as find_exhibitors
from matchmaker.services.programme.exhibition import list_halls, public_booth
from matchmaker.services.programme.speakers import is_photo_name
from matchmaker.services.schedule import cancellations
from matchmaker.services.validation import ValidationError
from matchmaker.urls import safe_next

bp = Blueprint("programme", __name__, url_prefix="/<lang_code>")
bp.register_blueprint(manage_bp)


def remembered(name: str, formatter):
    """*formatter* whose results are kept for the rest of the request.

    A day of the programme shows the same few start and end times dozens of times; language
    and zone do not change within a request, so each label is formatted once.
    """
    def format_once(*args):
        labels = g.setdefault(f"remembered_{name}", {})
        if args not in labels:
            labels[args] = formatter(*args)
        return labels[args]

    return format_once


bp.add_app_template_filter(remembered("timespan", time_span), "timespan")
bp.add_app_template_filter(remembered("clock", timefmt.clock), "clock")


def agenda_source(session, user) -> list:
    """Bookmarked and reserved seminars for the personal agenda (``services.agenda``), with page links."""
    def link(seminar: Seminar) -> str:
        return url_for("programme.seminar", seminar_id=seminar.id, _external=True)

    return attendance.bookmarked_agenda_items(session, user, link=link if has_request_context() else None)


@bp.record_once
def _join_personal_agenda(state) -> None:
    from matchmaker.services import agenda

    agenda.register_source(agenda_source)


def _event_tz() -> str:
    return current_app.config["EVENT_TIMEZONE"]


def _user():
    return current_user if current_user.is_authenticated else None


def _action_form() -> ActionForm | None:
    """The CSRF-carrying form of the buttons, for signed-in users only.

    Building it puts a CSRF token in the session: for a visitor that would set a session
    cookie and make the public page uncacheable (visitors get no such buttons anyway).
    """
    return ActionForm() if current_user.is_authenticated else None


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


@bp.route("/programme/")
def index():
    """The programme of one day as a grid (rooms × time) and as a list, with filters."""
    filters = public.ProgrammeFilters(
        day=request.args.get("day", "")[:10], category=request.args.get("category", "")[:40],
        language=request.args.get("language", "")[:2], text=request.args.get("q", "")[:200],
    )
    days = public.programme_days(db.session, _event_tz())
    day = public.choose_day(days, filters.day, local_day(utcnow(), _event_tz()))
    seminars = public.published_seminars(db.session, filters, _event_tz(), day) if day else []
    rows = public.seminar_rows(seminars, reader_language(), attendance.bookmarked_ids(db.session, _user()))
    return render_template(
        "programme/index.html", filters=filters, days=days, day=day, rows=rows, grid=public.build_grid(rows),
        view=request.args.get("view", "grid"), categories=list_categories(db.session),
        changed_days=public.changed_days(db.session, _event_tz()),
    )


@bp.route("/programme.ics")
def feed():
    """The whole published programme as an iCalendar file."""
    seminars = public.published_seminars(db.session, public.ProgrammeFilters(), _event_tz())
    return _calendar(seminars, "programme.ics", cancelled_for={})


def _calendar(seminars: list[Seminar], filename: str, cancelled_for: dict | None = None) -> Response:
    """*seminars* as iCalendar; with *cancelled_for* (``{}`` = the public, or ``{"user_id": …}``),
    the deleted seminars of that audience follow as cancelled entries."""
    def link(seminar: Seminar) -> str:
        return url_for("programme.seminar", seminar_id=seminar.id, _external=True)

    events = public.seminar_events(seminars, reader_language(), link)
    if cancelled_for is not None:
        rows = cancellations.cancelled_for(db.session, keep_days=current_app.config["CALENDAR_CANCELLED_DAYS"], **cancelled_for)
        live = {event.uid for event in events}
        events += [event for event in cancellation_events(rows) if event.uid not in live]
    body = calendar_bytes(events, tz=str(get_timezone()), name=_("Japan–Vietnam Environment Week"))
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    return Response(body, mimetype="text/calendar", headers=headers)


def _published_or_404(seminar_id: int) -> Seminar:
    seminar = db.get_or_404(Seminar, seminar_id)
    if seminar.published_at is None and not (current_user.is_authenticated and current_user.is_organiser):
        abort(404)
    return seminar


@bp.route("/programme/seminars/<id:seminar_id>")
def seminar(seminar_id: int):
    """One seminar: texts, time, room, languages, speakers, bookmark and seats."""
    item = _published_or_404(seminar_id)
    reader = reader_language()
    row = public.seminar_rows([item], reader, attendance.bookmarked_ids(db.session, _user()))[0]
    reservation = attendance.reservation_of(db.session, current_user, item) if _user() else None
    position = attendance.waiting_position(db.session, reservation) if reservation and reservation.status == "waiting" else None
    return render_template("programme/seminar.html", row=row, speakers=public.speaker_rows(item.speakers, reader),
                           reservation=reservation, position=position, action_form=_action_form())


@bp.route("/programme/seminars/<id:seminar_id>.ics")
def seminar_ics(seminar_id: int):
    """One seminar as an iCalendar file."""
    return _calendar([_published_or_404(seminar_id)], f"seminar-{seminar_id}.ics")


@bp.route("/programme/mine")
def mine():
    """My agenda: the account's bookmarks and reservations, or the browser's bookmarks (``?ids=``)."""
    reservations = attendance.reservations_of(db.session, current_user) if _user() else {}
    if _user():
        ids = sorted(attendance.bookmarked_ids(db.session, current_user) | set(reservations))
    else:
        ids = public.parse_ids(request.args.get("ids"))
    seminars = public.seminars_by_ids(db.session, ids)
    rows = public.seminar_rows(seminars, reader_language(), set(ids) if _user() else set())
    warnings = attendance.meeting_overlaps(db.session, current_user, seminars) if _user() else {}
    return render_template("programme/mine.html", rows=rows, reservations=reservations, ids=",".join(map(str, ids)),
                           warnings=warnings, action_form=_action_form())


@bp.route("/programme/mine.ics")
def mine_ics():
    """My agenda as an iCalendar file (the account's, or the seminars named by ``?ids=``)."""
    if _user():
        ids = sorted(attendance.bookmarked_ids(db.session, current_user) | set(attendance.reservations_of(db.session, current_user)))
    else:
        ids = public.parse_ids(request.args.get("ids"))
    return _calendar(public.seminars_by_ids(db.session, ids), "my-programme.ics",
                     cancelled_for={"user_id": current_user.id} if _user() else None)


@bp.post("/programme/seminars/<id:seminar_id>/bookmark")
@login_required
def bookmark(seminar_id: int):
    """Add the seminar to the account's agenda, or take it off (``on=0``)."""
    item = _published_or_404(seminar_id)
    if ActionForm().validate_on_submit():
        on = request.form.get("on") != "0"
        warnings = overlap_warnings.bookmark_warnings(db.session, current_user, item) if on else []
        if warnings and not request.form.get("confirm"):
            return _ask_overlap(item, warnings, "programme.bookmark", _("Bookmark anyway"), {"on": "1"})
        attendance.set_bookmark(db.session, current_user, item, on=on)
        db.session.commit()
    return _back(url_for("programme.seminar", seminar_id=seminar_id))


def _ask_overlap(item: Seminar, warnings: list[str], endpoint: str, button: str, fields: dict):
    """The page that shows what *item* overlaps and asks before going on (the same form, confirmed)."""
    back = safe_next(request.form.get("next")) or url_for("programme.seminar", seminar_id=item.id)
    return render_template(
        "confirm.html", confirm_title=_("This overlaps your agenda"),
        confirm_message=_("“%(title)s” is %(time)s.", title=seminar_title(item), time=time_span(item.starts_at, item.ends_at)),
        details=warnings, confirm_action=url_for(endpoint, seminar_id=item.id), confirm_button=button,
        cancel_url=back, fields={**fields, "next": back}, button_class="",
    )


@bp.post("/programme/bookmarks/import")
@login_required
def import_bookmarks():
    """Keep the bookmarks a visitor made before signing in."""
    if ActionForm().validate_on_submit():
        added = attendance.import_bookmarks(db.session, current_user, public.parse_ids(request.form.get("ids")))
        db.session.commit()
        flash(ngettext("%(num)d bookmark saved to your account.", "%(num)d bookmarks saved to your account.", added), "success")
    return redirect(url_for("programme.mine"))


@bp.post("/programme/seminars/<id:seminar_id>/reserve")
@login_required
def reserve(seminar_id: int):
    """Reserve a seat (or join the waiting list)."""
    item = _published_or_404(seminar_id)
    if ActionForm().validate_on_submit():
        warnings = overlap_warnings.booking_warnings(db.session, current_user, item)
        if warnings and not request.form.get("confirm") and attendance.reservation_of(db.session, current_user, item) is None:
            return _ask_overlap(item, warnings, "programme.reserve", _("Reserve anyway"), {})
        try:
            row = attendance.reserve_seat(db.session, current_user, item)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
        except IntegrityError:  # the same person reserving twice at once
            db.session.rollback()
        else:
            flash(_("Your seat is reserved.") if row.status == "confirmed" else
                  _("The seminar is full: you are on the waiting list."), "success")
    return _back(url_for("programme.seminar", seminar_id=seminar_id))


@bp.post("/programme/seminars/<id:seminar_id>/cancel")
@login_required
def cancel(seminar_id: int):
    """Give up a seat or a waiting place; the first person waiting moves up."""
    item = _published_or_404(seminar_id)
    if ActionForm().validate_on_submit():
        promoted = attendance.cancel_reservation(db.session, current_user, item)
        db.session.commit()
        attendance.mail_followers(current_app.config, promoted, item, "promoted")
        flash(_("Your reservation is cancelled."), "success")
    return _back(url_for("programme.seminar", seminar_id=seminar_id))


@bp.post("/programme/notices/dismiss")
@login_required
def dismiss_notices():
    """Mark the programme notices on the dashboard as read."""
    if ActionForm().validate_on_submit():
        attendance.dismiss_notices(db.session, current_user)
        db.session.commit()
    return redirect(url_for("main.dashboard"))


@bp.route("/programme/exhibitors/")
def exhibitors():
    """Every exhibitor with its booth, searchable and filterable by category."""
    text, category = request.args.get("q", "")[:200], request.args.get("category", "")[:40]
    booths = find_exhibitors(db.session, text, category)
    return render_template("programme/exhibitors.html", booths=booths, text=text, category=category,
                           categories=list_categories(db.session))


@bp.route("/programme/halls/")
def halls():
    """The hall plan: every hall with its booths by number."""
    return render_template("programme/halls.html", halls=list_halls(db.session), public_booth=public_booth)


@bp.route("/programme/speakers/<id:speaker_id>/photo")
def speaker_photo(speaker_id: int):
    """An uploaded speaker photo, served with its checked type and ``nosniff``."""
    speaker = db.get_or_404(Speaker, speaker_id)
    if not is_photo_name(speaker.photo_file):
        abort(404)
    folder = current_app.config.get("PROGRAMME_UPLOADS") or f"{current_app.instance_path}/uploads/speakers"
    response = send_from_directory(folder, speaker.photo_file, mimetype=speaker.photo_type, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.app_context_processor
def programme_globals():
    """Helpers for every template: the dashboard's programme notices."""
    def programme_notices():
        return attendance.notices_for(db.session, current_user) if current_user.is_authenticated else []

    return {"programme_notices": programme_notices, "programme_action_form": ActionForm}
