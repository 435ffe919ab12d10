"""Organiser forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField

from matchmaker.forms import Form, within_upload_limit


class StatusForm(Form):
    """Approve or reject a company."""

    status = HiddenField()
    confirm = HiddenField()  # "1" once the organiser confirmed a rejection
    submit = SubmitField(_l("Save"))


class CategoryForm(Form):
    """A category's key (new ones only) and its names."""

    key = StringField(_l("Key"), description=_l("Lower-case letters, digits and hyphens, e.g. waste-to-energy. Cannot be changed later."))
    name_ja = StringField(_l("Name in Japanese"))
    name_vi = StringField(_l("Name in Vietnamese"))
    name_en = StringField(_l("Name in English"))
    submit = SubmitField(_l("Save"))


class ImportForm(Form):
    """A CSV or XLSX file of companies with their offers and needs."""

    file = FileField(_l("File (CSV in UTF-8, or XLSX)"), validators=[within_upload_limit])
    pending = BooleanField(_l("Leave new companies awaiting approval"))
    submit = SubmitField(_l("Import"))


class InviteForm(Form):
    """Mail imported companies a link to create their login: the ticked ones, or all not invited yet."""

    companies = SelectMultipleField(_l("Companies"), coerce=int, validate_choice=False)
    invite_selected = SubmitField(_l("Invite the selected companies"))
    invite_all = SubmitField(_l("Invite all not yet invited"))
