"""Forms of the organisers' badge page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField

from matchmaker.forms import Form


class LatinNameForm(Form):
    """Correct the Latin line of one badge."""

    name_latin = StringField(_l("Name in Latin letters"))
    submit = SubmitField(_l("Save"))


class PersonForm(Form):
    """Another person of a company, with a badge of their own."""

    name = StringField(_l("Name (as the person writes it)"))
    name_latin = StringField(_l("Name in Latin letters"), description=_l("Leave empty to derive it from the name."))
    submit = SubmitField(_l("Add the person"))


class BadgeActionForm(Form):
    """Revoke or re-issue a badge: the confirm page sends ``confirm=1``."""

    confirm = HiddenField()
