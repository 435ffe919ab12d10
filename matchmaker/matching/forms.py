"""Forms of the suggestions and meetings pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField


class RequestForm(FlaskForm):
    """Ask a partner for a meeting, with a short message."""

    message = TextAreaField(_l("Message"), description=_l("Say in a sentence or two what you would like to discuss."))
    submit = SubmitField(_l("Request a meeting"))


class AnswerForm(FlaskForm):
    """Accept or decline a request (the decline reason is optional)."""

    answer = HiddenField()
    reason = StringField(_l("Reason (optional)"))
    submit = SubmitField(_l("Send"))


class ActionForm(FlaskForm):
    """A button that only needs a CSRF token (hide, cancel)."""

    submit = SubmitField(_l("OK"))


class PairRuleForm(FlaskForm):
    """The organiser pins or forbids a pair of companies."""

    company_a = SelectField(_l("Company"), coerce=int, validate_choice=False)
    company_b = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    rule = SelectField(_l("Rule"), validate_choice=False)
    note = StringField(_l("Note"))
    submit = SubmitField(_l("Save"))
