"""Forms of the attendance pages: a table host's marks, a company's "running late" and cancellation."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField

from matchmaker.forms import Form


class MarkForm(Form):
    """One meeting's buttons (``name="action"``, rendered by the template) and the status the page showed."""

    expected = HiddenField()


class LateForm(Form):
    """How late the company will be."""

    minutes = SelectField(_l("How late"), validate_choice=False)  # choices: the view, in the reader's language
    submit = SubmitField(_l("Tell my partner I am running late"))


class CancelForm(Form):
    """Cancel a meeting, with an optional reason for the partner."""

    reason = TextAreaField(_l("Reason for your partner (optional)"), render_kw={"maxlength": 500, "rows": 3})
    submit = SubmitField(_l("Cancel the meeting"))
