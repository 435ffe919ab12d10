"""Forms of the suggestions and meetings pages."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired

from matchmaker.forms import Form

ANSWERS = ("accept", "decline")


class RequestForm(Form):
    """Ask a partner for a meeting, with a short message."""

    message = TextAreaField(_l("Message"), description=_l("Say in a sentence or two what you would like to discuss."))
    submit = SubmitField(_l("Request a meeting"))


class AnswerForm(Form):
    """Accept or decline a request (the decline reason is optional).

    The answer is the value of the clicked button (``name="answer"``), so the page sends exactly
    one: no hidden field carries it.
    """

    answer = StringField(validators=[InputRequired(message=_l("Choose Accept or Decline.")),
                                     AnyOf(ANSWERS, message=_l("Choose Accept or Decline."))])
    reason = StringField(_l("Reason (optional)"))  # its length is checked by the service


class ActionForm(Form):
    """A button that only needs a CSRF token (hide, cancel)."""

    submit = SubmitField(_l("OK"))


class PairRuleForm(Form):
    """The organiser pins or forbids a pair of companies."""

    company_a = SelectField(_l("Company"), coerce=int, validate_choice=False)
    company_b = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    rule = SelectField(_l("Rule"), validate_choice=False)
    note = StringField(_l("Note"))
    submit = SubmitField(_l("Save"))
