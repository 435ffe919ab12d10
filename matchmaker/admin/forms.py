"""Organiser forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from wtforms import BooleanField, HiddenField, StringField, SubmitField

from matchmaker.forms import within_upload_limit


class StatusForm(FlaskForm):
    """Approve or reject a company."""

    status = HiddenField()
    confirm = HiddenField()  # "1" once the organiser confirmed a rejection
    submit = SubmitField(_l("Save"))


class CategoryForm(FlaskForm):
    """A category's key (new ones only) and its names."""

    key = StringField(_l("Key"), description=_l("Lower-case letters, digits and hyphens, e.g. waste-to-energy. Cannot be changed later."))
    name_ja = StringField(_l("Name in Japanese"))
    name_vi = StringField(_l("Name in Vietnamese"))
    name_en = StringField(_l("Name in English"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    """A CSV or XLSX file of companies with their offers and needs."""

    file = FileField(_l("File (CSV in UTF-8, or XLSX)"), validators=[within_upload_limit])
    pending = BooleanField(_l("Leave new companies awaiting approval"))
    submit = SubmitField(_l("Import"))
