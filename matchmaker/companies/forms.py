"""Forms for the company profile and its offers and needs."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField, widgets

from matchmaker.forms import Form


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProfileForm(Form):
    """The company's public profile."""

    name = StringField(_l("Company name"))
    country = SelectField(_l("Country"), validate_choice=False)
    city = StringField(_l("City"))
    sector = StringField(_l("Sector"))
    size = SelectField(_l("Size"), validate_choice=False)
    website = StringField(_l("Website"))
    contact_name = StringField(_l("Contact person"))
    contact_email = EmailField(_l("Contact email"))
    languages = MultiCheckboxField(_l("Languages you can hold meetings in"), validate_choice=False)
    # not the offers' "Description in …": a company's introduction of itself
    description_ja = TextAreaField(_l("Company description in Japanese"))
    description_vi = TextAreaField(_l("Company description in Vietnamese"))
    description_en = TextAreaField(_l("Company description in English"))
    submit = SubmitField(_l("Save profile"))

    def description_fields(self, first: str) -> list:
        """The description fields, the reader's language *first*, then the others in site order."""
        order = sorted(("ja", "vi", "en"), key=lambda lang: lang != first)
        return [getattr(self, f"description_{lang}") for lang in order]


class OpportunityForm(Form):
    """One offer or need."""

    kind = SelectField(_l("Offer or need"), validate_choice=False)
    type = SelectField(_l("Type"), validate_choice=False)
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    categories = MultiCheckboxField(_l("Categories"), validate_choice=False)
    language = SelectField(_l("Written in"), validate_choice=False)
    version_title_ja = StringField(_l("Title in Japanese"))
    version_description_ja = TextAreaField(_l("Description in Japanese"))
    version_title_vi = StringField(_l("Title in Vietnamese"))
    version_description_vi = TextAreaField(_l("Description in Vietnamese"))
    version_title_en = StringField(_l("Title in English"))
    version_description_en = TextAreaField(_l("Description in English"))
    submit = SubmitField(_l("Save"))

    def version_fields(self, language: str) -> tuple:
        """The (title, description) fields of the version in *language*."""
        return getattr(self, f"version_title_{language}"), getattr(self, f"version_description_{language}")


class DeleteForm(Form):
    """A bare form that carries the CSRF token of a delete button."""

    submit = SubmitField(_l("Delete"))
