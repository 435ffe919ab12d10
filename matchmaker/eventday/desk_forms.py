"""Forms of the check-in desk and of the organisers' staff page."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, StringField, SubmitField

from matchmaker.forms import Form


class ScanForm(Form):
    """What the camera decoded or a USB scanner typed (the badge link), or a pasted token."""

    code = StringField(_l("Badge code"), description=_l("Scan the badge with a USB scanner here, or paste its link."),
                       render_kw={"autocomplete": "off", "autofocus": True, "spellcheck": "false"})
    submit = SubmitField(_l("Check in"))


class BadgeCheckInForm(Form):
    """Check in a badge found by name (or confirmed after opening its link)."""

    badge = HiddenField()
    submit = SubmitField(_l("Check in"))


class UndoCheckInForm(Form):
    """Take back a check-in made by mistake."""

    checkin = HiddenField()
    submit = SubmitField(_l("Undo check-in"))


class StaffForm(Form):
    """A new event-day staff account."""

    name = StringField(_l("Name"))
    email = EmailField(_l("Email"))
    submit = SubmitField(_l("Create staff account"))


class StaffActionForm(Form):
    """Remove a staff account, or mail it a new link to choose a password."""

    user = HiddenField()
    submit = SubmitField(_l("OK"))
