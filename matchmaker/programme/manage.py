"""Organiser pages of the programme: overview with every warning, event days, seminars, rooms,
speakers, exhibition halls and booths, spreadsheet import.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.admin.imports import import_page
from matchmaker.choices import LANGUAGE_LABELS
from matchmaker.core.numbers import parse_id
from matchmaker.extensions import db
from matchmaker.forms import attach_error
from matchmaker.models import PROGRAMME_LANGUAGES, Booth, Hall, ProgrammeDay, Room, Seminar, Speaker, Venue
from matchmaker.programme.forms import (
    ActionForm, BoothForm, DayForm, HallForm, ImportForm, RoomForm, SeminarForm, SpeakerForm, VenueForm,
)
from matchmaker.services.programme import seminars as svc
from matchmaker.services.programme import attendance
from matchmaker.services.programme import exhibition
from matchmaker.services.programme import rooms as rooms_svc
from matchmaker.services.programme import speakers as speakers_svc
from matchmaker.services.programme import trash as seminar_trash
from matchmaker.services.categories import list_categories
from matchmaker.services.imports.table import XLSX_TYPE, to_csv, to_xlsx
from matchmaker.services.programme import importing as programme_import
from matchmaker.services.programme.common import reader_language, seminar_title
from matchmaker.services.programme.conflicts import ConflictError, all_conflicts, time_span
from matchmaker.services.undo import UNDO_MINUTES
from matchmaker.services.validation import ValidationError
from matchmaker.undo import offer_undo

bp = Blueprint("manage", __name__, url_prefix="/admin/programme")


def photo_folder() -> Path:
    """Where uploaded speaker photos are kept (``instance/uploads/speakers``)."""
    return Path(current_app.config.get("PROGRAMME_UPLOADS") or Path(current_app.instance_path) / "uploads" / "speakers")


def _tz() -> str:
    return current_app.config["EVENT_TIMEZONE"]


@bp.route("/")
@organiser_required
def overview():
    """Every seminar (drafts too), the event days and every conflict in the programme."""
    seminars = svc.list_seminars(db.session)
    return render_template(
        "programme/manage/overview.html", seminars=seminars, conflicts=all_conflicts(db.session, _tz()),
        days=db.session.scalars(db.select(ProgrammeDay).order_by(ProgrammeDay.day)).all(), day_form=DayForm(),
        action_form=ActionForm(), drafts=sum(1 for s in seminars if s.published_at is None),
    )


@bp.post("/days")
@organiser_required
def add_day():
    """Add an event day."""
    form = DayForm()
    if form.validate_on_submit():
        try:
            svc.add_event_day(db.session, current_user, form.day.data)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for(".overview"))


@bp.post("/days/<id:day_id>/delete")
@organiser_required
def delete_day(day_id: int):
    """Remove an event day."""
    if ActionForm().validate_on_submit():
        svc.remove_event_day(db.session, current_user, day_id)
        db.session.commit()
    return redirect(url_for(".overview"))


@bp.post("/publish")
@organiser_required
def publish():
    """Make every draft seminar public."""
    if ActionForm().validate_on_submit():
        count = svc.publish_seminars(db.session, current_user)
        db.session.commit()
        flash(ngettext("%(num)d seminar published.", "%(num)d seminars published.", count), "success")
    return redirect(url_for(".overview"))


def _seminar_form(seminar: Seminar | None) -> SeminarForm:
    form = SeminarForm(obj=seminar if request.method == "GET" else None)
    form.room_id.choices = [(str(r.id), f"{r.name} · {r.venue.name}") for r in rooms_svc.list_rooms(db.session)]
    languages = [(code, str(LANGUAGE_LABELS[code])) for code in PROGRAMME_LANGUAGES]
    form.spoken_language.choices, form.interpretation.choices = languages, languages
    form.categories.choices = [(c.key, c.name(reader_language())) for c in list_categories(db.session)]
    form.speakers.choices = [(str(s.id), s.name) for s in speakers_svc.list_speakers(db.session)]
    if request.method == "GET" and seminar is not None:
        for key, value in svc.local_form_values(seminar, _tz()).items():
            getattr(form, key).data = value
        form.room_id.data, form.interpretation.data = str(seminar.room_id), seminar.interpretation_list
        form.categories.data = [c.key for c in seminar.categories]
        form.speakers.data = [str(s.id) for s in seminar.speakers]
        form.capacity.data = "" if seminar.capacity is None else str(seminar.capacity)
    return form


def _seminar_data(form: SeminarForm) -> svc.SeminarData:
    return svc.SeminarData(
        day=form.day.data, start=form.start.data, end=form.end.data,
        room_id=parse_id(form.room_id.data),
        titles={lang: getattr(form, f"title_{lang}").data for lang in PROGRAMME_LANGUAGES},
        abstracts={lang: getattr(form, f"abstract_{lang}").data for lang in PROGRAMME_LANGUAGES},
        spoken_language=form.spoken_language.data or "", interpretation=tuple(form.interpretation.data or ()),
        categories=list(form.categories.data or ()), capacity=form.capacity.data, code=form.code.data or "",
        speaker_ids=[i for i in map(parse_id, form.speakers.data or ()) if i],
    )


@bp.route("/seminars/new", methods=["GET", "POST"], defaults={"seminar_id": None})
@bp.route("/seminars/<id:seminar_id>", methods=["GET", "POST"])
@organiser_required
def edit_seminar(seminar_id: int | None):
    """Create or change a seminar; conflicts are listed and block saving unless overridden."""
    seminar = db.get_or_404(Seminar, seminar_id) if seminar_id else None
    form, conflicts = _seminar_form(seminar), []
    if form.validate_on_submit():
        try:
            result = svc.save_seminar(db.session, current_user, _seminar_data(form), tz=_tz(), seminar=seminar,
                                      allow_conflicts=form.allow_conflicts.data)
            db.session.commit()
        except ConflictError as error:
            db.session.rollback()
            conflicts = error.conflicts
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            attendance.mail_followers(current_app.config, result.notified, result.seminar, "moved")
            flash(_("Seminar saved."), "success")
            return redirect(url_for(".overview"))
    reservations = attendance.attendees(db.session, seminar) if seminar else []
    return render_template("programme/manage/seminar.html", form=form, seminar=seminar, conflicts=conflicts,
                           reservations=reservations, action_form=ActionForm())


@bp.route("/seminars/<id:seminar_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete_seminar(seminar_id: int):
    """Ask first (GET), then delete (POST with confirm=1); followers are told; can be undone for a while."""
    seminar = db.get_or_404(Seminar, seminar_id)
    form = ActionForm()
    if request.method == "GET" or not request.form.get("confirm"):
        return _confirm_delete(seminar)
    if form.validate_on_submit():
        followers = attendance.followers(db.session, seminar) if seminar.published_at else []
        mails = attendance.compose_mails(followers, seminar, "cancelled", _tz())  # before the seminar is gone
        action, _notified = seminar_trash.delete_seminar(db.session, current_user, seminar)
        db.session.commit()
        attendance.send_mails(current_app.config, mails)
        offer_undo(action)
    return redirect(url_for(".overview"))


def _confirm_delete(seminar: Seminar):
    followers = len(attendance.followers(db.session, seminar)) if seminar.published_at else 0
    details = [_("%(time)s in %(room)s", time=time_span(seminar.starts_at, seminar.ends_at),
                 room=seminar.room.name_in(reader_language()))]
    if followers:
        details.append(ngettext("%(num)d person follows it and will be told it is cancelled.",
                                "%(num)d people follow it and will be told it is cancelled.", followers))
    return render_template(
        "confirm.html", confirm_title=_("Delete “%(title)s”?", title=seminar_title(seminar)),
        confirm_message=(_("The seminar is published: it disappears from the programme and its seats are released.")
                         if seminar.published_at else _("The draft seminar is removed.")),
        details=details, note=_("You can undo this for %(minutes)d minutes.", minutes=UNDO_MINUTES),
        confirm_action=url_for(".delete_seminar", seminar_id=seminar.id), confirm_button=_("Delete this seminar"),
        cancel_url=url_for(".edit_seminar", seminar_id=seminar.id),
    )


@bp.route("/rooms", methods=["GET", "POST"])
@organiser_required
def rooms():
    """Venues and their rooms; add a venue."""
    form = VenueForm()
    if form.validate_on_submit():
        try:
            rooms_svc.save_venue(db.session, current_user, form.name.data, form.address.data)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Venue saved."), "success")
            return redirect(url_for(".rooms"))
    venues = db.session.scalars(db.select(Venue).order_by(Venue.name)).all()
    return render_template("programme/manage/rooms.html", venues=venues, form=form, action_form=ActionForm())


@bp.route("/rooms/new", methods=["GET", "POST"], defaults={"room_id": None})
@bp.route("/rooms/<id:room_id>", methods=["GET", "POST"])
@organiser_required
def edit_room(room_id: int | None):
    """Create or change a room."""
    room = db.get_or_404(Room, room_id) if room_id else None
    form = RoomForm(obj=room if request.method == "GET" else None)
    form.venue_id.choices = [(str(v.id), v.name) for v in db.session.scalars(db.select(Venue).order_by(Venue.name))]
    if request.method == "GET" and room is not None:
        form.venue_id.data, form.capacity.data = str(room.venue_id), str(room.capacity)
    if form.validate_on_submit():
        venue_id = parse_id(form.venue_id.data)
        data = rooms_svc.RoomData(venue_id=venue_id, name=form.name.data, capacity=form.capacity.data, floor=form.floor.data,
                                  names=_form_names(form))
        try:
            rooms_svc.save_room(db.session, current_user, data, room)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Room saved."), "success")
            return redirect(url_for(".rooms"))
    return render_template("programme/manage/room.html", form=form, room=room)


@bp.post("/rooms/<id:room_id>/delete")
@organiser_required
def delete_room(room_id: int):
    """Remove a room that no seminar uses."""
    room = db.get_or_404(Room, room_id)
    if ActionForm().validate_on_submit():
        try:
            rooms_svc.delete_room(db.session, current_user, room)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for(".rooms"))


@bp.route("/speakers")
@organiser_required
def speakers():
    """Every speaker."""
    return render_template("programme/manage/speakers.html", speakers=speakers_svc.list_speakers(db.session))


@bp.route("/speakers/new", methods=["GET", "POST"], defaults={"speaker_id": None})
@bp.route("/speakers/<id:speaker_id>", methods=["GET", "POST"])
@organiser_required
def edit_speaker(speaker_id: int | None):
    """Create or change a speaker, with an optional photo upload."""
    speaker = db.get_or_404(Speaker, speaker_id) if speaker_id else None
    form = SpeakerForm(obj=speaker if request.method == "GET" else None)
    if form.validate_on_submit():
        data = speakers_svc.SpeakerData(
            name=form.name.data, photo_url=form.photo_url.data, remove_photo=form.remove_photo.data,
            affiliations={lang: getattr(form, f"affiliation_{lang}").data for lang in PROGRAMME_LANGUAGES},
            bios={lang: getattr(form, f"bio_{lang}").data for lang in PROGRAMME_LANGUAGES},
        )
        upload = form.photo.data.read() if form.photo.data and form.photo.data.filename else None
        try:
            speakers_svc.save_speaker(db.session, current_user, data, speaker=speaker, upload=upload, folder=photo_folder())
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            speakers_svc.prune_photos(db.session, photo_folder())
            flash(_("Speaker saved."), "success")
            return redirect(url_for(".speakers"))
    return render_template("programme/manage/speaker.html", form=form, speaker=speaker)


def _form_names(form) -> dict[str, str]:
    """The per-language names of a room or hall form."""
    return {lang: getattr(form, f"name_{lang}").data or "" for lang in PROGRAMME_LANGUAGES}


@bp.route("/exhibition", methods=["GET", "POST"])
@organiser_required
def exhibition_page():
    """Halls and their booths; add a hall."""
    form = HallForm()
    if form.validate_on_submit() and _save_hall(form, None):
        return redirect(url_for(".exhibition_page"))
    return render_template("programme/manage/exhibition.html", halls=exhibition.list_halls(db.session), form=form,
                           action_form=ActionForm())


@bp.route("/halls/<id:hall_id>", methods=["GET", "POST"])
@organiser_required
def edit_hall(hall_id: int):
    """Rename a hall, in each language too."""
    hall = db.get_or_404(Hall, hall_id)
    form = HallForm(obj=hall if request.method == "GET" else None)
    if form.validate_on_submit() and _save_hall(form, hall):
        return redirect(url_for(".exhibition_page"))
    return render_template("programme/manage/hall.html", form=form, hall=hall)


def _save_hall(form: HallForm, hall: Hall | None) -> bool:
    """Save the hall form (flash and True), or put the error on the form (False)."""
    try:
        exhibition.save_hall(db.session, current_user, form.name.data, form.floor.data, hall, names=_form_names(form))
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        attach_error(form, error)
        return False
    flash(_("Hall saved."), "success")
    return True


@bp.route("/booths/new", methods=["GET", "POST"], defaults={"booth_id": None})
@bp.route("/booths/<id:booth_id>", methods=["GET", "POST"])
@organiser_required
def edit_booth(booth_id: int | None):
    """Create or change a booth."""
    booth = db.get_or_404(Booth, booth_id) if booth_id else None
    form = BoothForm(obj=booth if request.method == "GET" else None)
    form.hall_id.choices = [(str(h.id), h.name) for h in db.session.scalars(db.select(Hall).order_by(Hall.position))]
    form.categories.choices = [(c.key, c.name(reader_language())) for c in list_categories(db.session)]
    if request.method == "GET" and booth is not None:
        form.hall_id.data, form.categories.data = str(booth.hall_id), [c.key for c in booth.categories]
        form.company_email.data = booth.company.contact_email if booth.company else ""
    if form.validate_on_submit():
        data = exhibition.BoothData(
            hall_id=parse_id(form.hall_id.data), number=form.number.data,
            company_email=form.company_email.data or "", exhibitor=form.exhibitor.data or "",
            categories=list(form.categories.data or ()),
        )
        try:
            exhibition.save_booth(db.session, current_user, data, booth)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Booth saved."), "success")
            return redirect(url_for(".exhibition_page"))
    return render_template("programme/manage/booth.html", form=form, booth=booth)


@bp.post("/booths/<id:booth_id>/delete")
@organiser_required
def delete_booth(booth_id: int):
    """Remove a booth."""
    booth = db.get_or_404(Booth, booth_id)
    if ActionForm().validate_on_submit():
        exhibition.delete_booth(db.session, current_user, booth)
        db.session.commit()
    return redirect(url_for(".exhibition_page"))


@bp.route("/import", methods=["GET", "POST"])
@organiser_required
def import_programme():
    """Upload a programme spreadsheet: every row goes in, or none and every bad row is listed.

    A file of more than ``IMPORT_JOB_ROWS`` rows goes to a background job, which the page then
    follows (``?job=ID``), as the company import does.
    """
    form = ImportForm()
    return import_page("programme", form, "programme/manage/import.html", after="programme.manage.overview", tz=_tz(),
                       allow_conflicts=bool(form.allow_conflicts.data))


@bp.route("/export.<fmt>")
@organiser_required
def export_programme(fmt: str):
    """Download the whole programme (drafts included) in the import format: edit it and import it back."""
    rows = programme_import.export_programme_rows(db.session, _tz())
    if fmt == "csv":
        body, mime = to_csv(rows), "text/csv"  # Flask adds "; charset=utf-8" to text types
    elif fmt == "xlsx":
        body, mime = to_xlsx(rows, sheet_title="programme"), XLSX_TYPE
    else:
        abort(404)
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="programme.{fmt}"'})
