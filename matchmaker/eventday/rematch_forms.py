"""Forms of the re-matching pages. Values stay strings: the services check them and explain what is wrong."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField

from matchmaker.forms import Form


class AbsentForm(Form):
    """Mark a company absent from a time (the session's local time) for the rest of the day."""

    company = SelectField(_l("Company"), coerce=int, validate_choice=False)
    from_time = StringField(_l("Absent from (HH:MM)"), render_kw={"type": "time"},
                            description=_l("The session's local time. Empty: from now, or from the session's start."))
    submit = SubmitField(_l("Mark absent and propose replacements"))


class ConfirmAllForm(Form):
    """Make every open proposal of the session a meeting."""

    submit = SubmitField(_l("Confirm all"))


class DecideForm(Form):
    """The organiser's answer to one proposal."""

    confirm = SubmitField(_l("Confirm"))
    decline = SubmitField(_l("Decline"))


class AnswerForm(Form):
    """A company's answer to a proposal on its agenda."""

    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))
