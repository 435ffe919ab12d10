"""Forms of the programme pages (organiser editors and attendee buttons)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from matchmaker.companies.forms import MultiCheckboxField
from matchmaker.forms import Form, within_upload_limit
from matchmaker.services.programme.speakers import PHOTO_MAX_BYTES


class ActionForm(Form):
    """A bare form carrying the CSRF token of a button (bookmark, reserve, delete, publish)."""


class SeminarForm(Form):
    """One seminar: texts in three languages, time in the event's zone, room and panel."""

    code = StringField(_l("Code (optional, for imports)"))
    day = StringField(_l("Day"), render_kw={"type": "date"})
    start = StringField(_l("Starts at"), render_kw={"type": "time"})
    end = StringField(_l("Ends at"), render_kw={"type": "time"})
    room_id = SelectField(_l("Room"), coerce=str, validate_choice=False)
    title_ja = StringField(_l("Title in Japanese"))
    title_vi = StringField(_l("Title in Vietnamese"))
    title_en = StringField(_l("Title in English"))
    abstract_ja = TextAreaField(_l("Abstract in Japanese"))
    abstract_vi = TextAreaField(_l("Abstract in Vietnamese"))
    abstract_en = TextAreaField(_l("Abstract in English"))
    spoken_language = SelectField(_l("Spoken language"), validate_choice=False)
    interpretation = MultiCheckboxField(_l("Simultaneous interpretation into"), validate_choice=False)
    categories = MultiCheckboxField(_l("Categories"), validate_choice=False)
    speakers = MultiCheckboxField(_l("Speakers"), validate_choice=False)
    capacity = StringField(_l("Seats that can be reserved (empty: no reservation)"))
    allow_conflicts = BooleanField(_l("Save even with the conflicts listed above"))
    submit = SubmitField(_l("Save seminar"))


class VenueForm(Form):
    """A venue."""

    name = StringField(_l("Venue name"))
    address = StringField(_l("Address"))
    submit = SubmitField(_l("Save venue"))


class RoomForm(Form):
    """A seminar room."""

    venue_id = SelectField(_l("Venue"), coerce=str, validate_choice=False)
    name = StringField(_l("Room name"), description=_l("The name the programme import uses; shown when no name is given in the reader's language."))
    name_ja = StringField(_l("Room name in Japanese"))
    name_vi = StringField(_l("Room name in Vietnamese"))
    name_en = StringField(_l("Room name in English"))
    floor = StringField(_l("Floor"))
    capacity = StringField(_l("Capacity"))
    submit = SubmitField(_l("Save room"))


class SpeakerForm(Form):
    """A speaker with affiliation and biography per language and a photo."""

    name = StringField(_l("Name"))
    affiliation_ja = StringField(_l("Affiliation in Japanese"))
    affiliation_vi = StringField(_l("Affiliation in Vietnamese"))
    affiliation_en = StringField(_l("Affiliation in English"))
    bio_ja = TextAreaField(_l("Biography in Japanese"))
    bio_vi = TextAreaField(_l("Biography in Vietnamese"))
    bio_en = TextAreaField(_l("Biography in English"))
    photo_url = StringField(_l("Photo web address"))
    photo = FileField(_l("Or upload a photo (JPEG, PNG or WebP, at most 2 MB)"), validators=[within_upload_limit],
                      render_kw={"data-max-bytes": PHOTO_MAX_BYTES})
    remove_photo = BooleanField(_l("Remove the uploaded photo"))
    submit = SubmitField(_l("Save speaker"))


class HallForm(Form):
    """An exhibition hall."""

    name = StringField(_l("Hall name"), description=_l("The name the programme import uses; shown when no name is given in the reader's language."))
    name_ja = StringField(_l("Hall name in Japanese"))
    name_vi = StringField(_l("Hall name in Vietnamese"))
    name_en = StringField(_l("Hall name in English"))
    floor = StringField(_l("Floor"))
    submit = SubmitField(_l("Save hall"))


class BoothForm(Form):
    """A booth in a hall."""

    hall_id = SelectField(_l("Hall"), coerce=str, validate_choice=False)
    number = StringField(_l("Booth number"))
    company_email = StringField(_l("Exhibiting company (its contact email)"))
    exhibitor = StringField(_l("Or the exhibitor's name (not a registered company)"))
    categories = MultiCheckboxField(_l("Categories"), validate_choice=False)
    submit = SubmitField(_l("Save booth"))


class DayForm(Form):
    """Add an event day."""

    day = StringField(_l("Event day"), render_kw={"type": "date"})
    submit = SubmitField(_l("Add day"))


class ImportForm(Form):
    """Upload a programme spreadsheet."""

    file = FileField(_l("CSV (UTF-8) or XLSX file"), validators=[within_upload_limit])
    allow_conflicts = BooleanField(_l("Import even when seminars conflict"))
    submit = SubmitField(_l("Import"))
