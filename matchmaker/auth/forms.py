"""Forms for registration, sign-in and password reset."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo

from matchmaker.forms import Form


class RegisterForm(Form):
    """A company registers with one account."""

    company_name = StringField(_l("Company name"))
    country = SelectField(_l("Country"), validate_choice=False)
    email = EmailField(_l("Email"))
    password = PasswordField(_l("Password"), description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Create account"))


class LoginForm(Form):
    """Email and password."""

    email = EmailField(_l("Email"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Log in"))


class ForgotForm(Form):
    """Ask for a password-reset link."""

    email = EmailField(_l("Email"))
    submit = SubmitField(_l("Send me a link"))


class ResetForm(Form):
    """Choose a new password."""

    password = PasswordField(_l("New password"), description=_l("At least 8 characters."))
    confirm = PasswordField(_l("Repeat password"), validators=[EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Save new password"))


class InvitationForm(ResetForm):
    """An invited company's contact chooses the first password."""

    password = PasswordField(_l("Password"), description=_l("At least 8 characters."))
    submit = SubmitField(_l("Save the password and sign in"))


class ConfirmForm(Form):
    """One button: confirm the address (a POST, so that opening the link alone changes nothing)."""

    submit = SubmitField(_l("Confirm and continue"))
