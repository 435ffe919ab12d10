"""Forms of the concept pages: the organisers' glossary editor, a company's topics."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField

from matchmaker.forms import Form

ONE_PER_LINE = _l("One per line; the first is the topic's name in this language. Variants (other spellings, abbreviations, without diacritics) help find it.")


class ConceptForm(Form):
    """A concept of the glossary: key (new ones only), category, forms per language, broader keys."""

    key = StringField(_l("Key"), description=_l("Lower-case letters, digits and hyphens, e.g. landfill-gas-power. Cannot be changed later."))
    category = SelectField(_l("Category"), validate_choice=False)
    forms_ja = TextAreaField(_l("Forms in Japanese"), description=ONE_PER_LINE, render_kw={"rows": 4})
    forms_vi = TextAreaField(_l("Forms in Vietnamese"), description=ONE_PER_LINE, render_kw={"rows": 4})
    forms_en = TextAreaField(_l("Forms in English"), description=ONE_PER_LINE, render_kw={"rows": 4})
    broader = StringField(_l("Broader topics"), description=_l("Keys of broader topics, separated by spaces, e.g. waste-to-energy."))
    submit = SubmitField(_l("Save the topic"))


class ActionForm(Form):
    """A button that acts on one concept or one topic (retire, restore, remove, add)."""

    key = HiddenField()
    submit = SubmitField(_l("Save"))
