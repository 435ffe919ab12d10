"""Forms of the feedback and follow-up pages. Values stay strings: the services check them."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from matchmaker.companies.forms import MultiCheckboxField
from matchmaker.forms import Form


FOLLOW_UP_LABELS = {"yes": _l("Yes"), "maybe": _l("Maybe"), "no": _l("No")}


class FeedbackForm(Form):
    """A company's feedback on one held meeting (the view gives the choices)."""

    rating = RadioField(_l("How useful was the meeting? (1 = not at all, 5 = very)"), validate_choice=False)
    follow_up = RadioField(_l("Will you follow up with this company?"), validate_choice=False)
    categories = MultiCheckboxField(_l("Cooperation areas the meeting concerned"), validate_choice=False)
    next_step = TextAreaField(_l("Next step"), description=_l("For example “send our technical data by the end of the month”."))
    comment = TextAreaField(_l("Comment for the organisers"), description=_l("Only the organisers read this; your partner does not."))
    submit = SubmitField(_l("Send feedback"))


class StageForm(Form):
    """One stage of a pair's follow-up."""

    stage = SelectField(_l("Stage"), validate_choice=False)
    happened_on = StringField(_l("Date"), render_kw={"type": "date"})
    category = SelectField(_l("Cooperation area"), validate_choice=False)
    note = TextAreaField(_l("Note"), description=_l("Both companies and the organisers read this note."))
    submit = SubmitField(_l("Save the stage"))
