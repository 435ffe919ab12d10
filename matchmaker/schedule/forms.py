"""Forms of the schedule pages. Values stay strings: the services check them and explain what is wrong."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from matchmaker.forms import Form


class SessionForm(Form):
    """A matchmaking session's day, hours, slot length, buffer, breaks and tables."""

    name_ja = StringField(_l("Name in Japanese"))
    name_vi = StringField(_l("Name in Vietnamese"))
    name_en = StringField(_l("Name in English"), description=_l("For example “Day 1 morning” (optional)."))
    venue = StringField(_l("Venue"), description=_l("Where the tables are, such as “Hall B, National Convention Centre, Hanoi”. Calendars show it."))
    day = StringField(_l("Date"), render_kw={"type": "date"})
    timezone = SelectField(_l("Time zone of the hours"), validate_choice=False)
    start = StringField(_l("Start"), render_kw={"type": "time"})
    end = StringField(_l("End"), render_kw={"type": "time"})
    slot_minutes = StringField(_l("Meeting length (minutes)"), render_kw={"inputmode": "numeric"},
                               description=_l("15 to 60 minutes, in steps of 5."))
    buffer_minutes = StringField(_l("Pause between meetings (minutes)"), render_kw={"inputmode": "numeric"})
    breaks = TextAreaField(_l("Breaks"), description=_l("One per line, such as 12:00-13:00."))
    tables = StringField(_l("Number of tables"), render_kw={"inputmode": "numeric"})
    table_names = TextAreaField(_l("Table names"), description=_l("One per line, in order; tables without a name are numbered."))
    submit = SubmitField(_l("Save the session"))


class GenerateForm(Form):
    """Start a generation run."""

    method = SelectField(_l("Method"), validate_choice=False)
    time_limit = StringField(_l("Time limit (seconds)"), default="30", render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Generate the draft"))


class MoveForm(Form):
    """Move a draft meeting."""

    slot = SelectField(_l("Time"), coerce=int, validate_choice=False)
    table = SelectField(_l("Table"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Move"))


class AddMeetingForm(Form):
    """Add a meeting to the draft by hand."""

    company_a = SelectField(_l("Company"), coerce=int, validate_choice=False)
    company_b = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    slot = SelectField(_l("Time"), coerce=int, validate_choice=False)
    table = SelectField(_l("Table"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Add the meeting"))


class AvailabilityForm(Form):
    """A company's unavailable slots (check boxes named ``unavailable``) and its cap for one session."""

    max_meetings = StringField(_l("Most meetings you want in this session"), render_kw={"inputmode": "numeric"},
                               description=_l("Leave empty to meet as many partners as there are slots."))
    mode = RadioField(_l("How your company attends this session"), validate_choice=False, default="onsite",
                      choices=[SelectChoice("onsite", _l("On site")), SelectChoice("online", _l("Online"))],
                      description=_l("Online meetings take place by video; the link appears on your agenda."))
    submit = SubmitField(_l("Save"))


class ActionForm(Form):
    """A button that only needs a CSRF token (publish, remove, pin, feed)."""

    submit = SubmitField(_l("OK"))


class VideoForm(Form):
    """Where the session's online meetings get their video links."""

    source = RadioField(_l("Video links of online meetings"), validate_choice=False, default="",
                        choices=[SelectChoice("", _l("None yet")), SelectChoice("template", _l("A link template")),
                                 SelectChoice("pool", _l("A pool of links"))])
    template = StringField(_l("Link template"), render_kw={"type": "url", "placeholder": "https://meet.example.org/{room}"},
                           description=_l("An https link containing {room}: each meeting gets its own unguessable room name there."))
    pool = TextAreaField(_l("Pool of links"), render_kw={"rows": 6},
                         description=_l("One https link per line, no link twice. Each link hosts one meeting per slot."))
    submit = SubmitField(_l("Save the video settings"))
