"""Forms of the interpreter pages. Values stay strings: the service checks them and says what is wrong."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from matchmaker.companies.forms import MultiCheckboxField
from matchmaker.forms import Form

PAIR_LABELS = {"ja-vi": _l("Japanese ↔ Vietnamese"), "en-ja": _l("Japanese ↔ English"), "en-vi": _l("Vietnamese ↔ English")}
MODE_LABELS = {"onsite": _l("On site"), "online": _l("Online")}


class InterpreterForm(Form):
    """An interpreter's name, email, language pairs, mode and notes."""

    name = StringField(_l("Name"))
    email = EmailField(_l("Email"), description=_l("Optional: where the organisers send the agenda link."))
    pairs = MultiCheckboxField(_l("Language pairs"), validate_choice=False,
                               choices=[SelectChoice(key, label) for key, label in PAIR_LABELS.items()])
    mode = RadioField(_l("Works"), validate_choice=False, default="onsite",
                      choices=[SelectChoice(key, label) for key, label in MODE_LABELS.items()],
                      description=_l("An interpreter who works online serves online meetings only."))
    notes = TextAreaField(_l("Notes for the organisers"))
    submit = SubmitField(_l("Save the interpreter"))


class GridForm(Form):
    """One session's grid of unavailable slots (check boxes named ``unavailable``)."""

    submit = SubmitField(_l("Save"))


class DeleteForm(Form):
    """Delete an interpreter; ``confirmed`` is set by the confirmation page."""

    confirmed = HiddenField(default="")
    submit = SubmitField(_l("Delete"))
