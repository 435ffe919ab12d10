"""Register, confirm the address, log in, log out, forgotten password, invitations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.auth import devices
from matchmaker.auth.forms import ConfirmForm, ForgotForm, InvitationForm, LoginForm, RegisterForm, ResetForm
from matchmaker.choices import country_choices
from matchmaker.extensions import db, limiter
from matchmaker.forms import submit_form
from matchmaker.models import User
from matchmaker.services import accounts, invitations
from matchmaker.services.account_mail import confirm_mail, deliver, mail_language, reset_mail, taken_mail
from matchmaker.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/<lang_code>/auth")


def _login(user, remember: bool = False) -> None:
    session.clear()  # a fresh session at login (no fixation)
    login_user(user, remember=remember)


def _link(endpoint: str, lang: str | None = None, **values) -> str:
    return url_for(endpoint, lang_code=lang or g.lang_code, _external=True, **values)


def _invite_link(token: str, lang: str) -> str:
    return _link("auth.invitation", lang, token=token)


def _mail_confirmation(user: User) -> None:
    config = current_app.config
    link = _link("auth.confirm", token=accounts.make_confirm_token(user, config["SECRET_KEY"]))
    deliver(config, confirm_mail(user.email, g.lang_code, link, config["INVITE_MAX_AGE"] // 86400))


def _mail_registration(outcome: accounts.Registration) -> None:
    """Each kind of registration gets its mail; the visitor sees the same answer for all."""
    if outcome.kind == "new":
        _mail_confirmation(outcome.user)
    elif outcome.kind == "imported":
        invitations.invite(db.session, outcome.company, current_app.config, _invite_link)
    else:
        lang = mail_language(outcome.user.locale if outcome.user else None, g.lang_code)
        deliver(current_app.config, taken_mail(outcome.email, lang, _link("auth.login", lang), _link("auth.forgot", lang)))


def _register(form: RegisterForm) -> accounts.Registration:
    outcome = accounts.register_company(
        db.session, email=form.email.data, password=form.password.data,
        company_name=form.company_name.data, country=form.country.data, locale=g.lang_code,
    )
    _mail_registration(outcome)
    return outcome


def _mail_was_sent(response) -> bool:
    """Registrations that mailed someone count towards the limit (a refused form does not)."""
    return response.status_code == 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], deduct_when=_mail_was_sent)
def register():
    """A company registers; whether the address is new, taken or an imported contact, the answer is
    "look in your mailbox" and the mail says what to do next."""
    form = RegisterForm()
    form.country.choices = country_choices(blank=_("Choose a country"))
    outcome = submit_form(form, lambda: accounts.register_company(
        db.session, email=form.email.data, password=form.password.data,
        company_name=form.company_name.data, country=form.country.data, locale=g.lang_code,
    ))
    if outcome is not None:
        _mail_registration(outcome)  # after the commit: no mail for a registration that was not saved
        db.session.commit()  # an invitation records when it was sent
        flash(_("Thank you. We have sent a message to %(email)s: open the link in it to continue. "
                "It may take a few minutes; look in the spam folder too.", email=outcome.email), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The link mailed at registration: one click (a POST, so mail scanners do not spend it) confirms."""
    config = current_app.config
    user = accounts.verify_confirm_token(db.session, token, config["SECRET_KEY"], config["INVITE_MAX_AGE"])
    if user is None:
        flash(_("This link is invalid, expired or already used. Log in, or ask for a new link."), "error")
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.confirm_address(db.session, user)
        db.session.commit()
        _login(user)
        flash(_("Welcome! Complete your profile and add your offers and needs."), "success")
        return redirect(url_for("companies.edit_profile"))
    return render_template("auth/confirm.html", form=form, email=user.email)


def _failed_login(response) -> bool:
    """Only failed attempts count towards the limit (a success redirects)."""
    return response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login, exempt_when=devices.is_known_device)
@limiter.limit(_login_limit, methods=["POST"], key_func=devices.account_attempt_key, deduct_when=_failed_login)
def login():
    """Sign in with email and password; the browser becomes a known device of the account."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Wrong email or password."))
        elif not user.confirmed:
            _mail_confirmation(user)
            flash(_("Confirm your email address first: we have sent you a new link."), "info")
            return redirect(url_for("auth.login"))
        else:
            target = safe_next(request.args.get("next"))
            _login(user, remember=form.remember.data)
            response = redirect(target or url_for("main.dashboard"))
            devices.remember_device(response, user.email)
            return response
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session everywhere: copies of the session and remember-me cookies stop working."""
    accounts.end_sessions(db.session, current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot():
    """Mail a reset link (an invitation for an imported company without a login); the answer is
    the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        config = current_app.config
        user = accounts.find_user_by_email(db.session, form.email.data)
        company = None if user else invitations.invited_company(db.session, form.email.data)
        if user is not None:
            link = _link("auth.reset", token=accounts.make_reset_token(user, config["SECRET_KEY"]))
            lang = mail_language(user.locale, g.lang_code)
            deliver(config, reset_mail(user.email, lang, link, config["RESET_MAX_AGE"] // 60))
        elif company is not None:
            invitations.invite(db.session, company, config, _invite_link)
            db.session.commit()
        flash(_("If an account uses this address, a link to reset the password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password with a valid, unexpired, unused link."""
    config = current_app.config
    user = accounts.verify_reset_token(db.session, token, config["SECRET_KEY"], config["RESET_MAX_AGE"])
    if user is None:
        flash(_("This link is invalid, expired or already used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot"))
    form = ResetForm()
    if submit_form(form, lambda: accounts.set_password(db.session, user, form.password.data) or user):
        flash(_("Your password has been changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """An imported company's contact chooses a password: this creates the company's login."""
    config = current_app.config
    company = invitations.verify_invite_token(db.session, token, config["SECRET_KEY"], config["INVITE_MAX_AGE"])
    if company is None:
        flash(_("This invitation link is invalid, expired or already used. Ask for a new link here."), "error")
        return redirect(url_for("auth.forgot"))
    form = InvitationForm()
    user = submit_form(form, lambda: invitations.accept_invitation(db.session, company, form.password.data, g.lang_code))
    if user is not None:
        _login(user)
        flash(_("Welcome! Your password is saved. Complete your profile and add your offers and needs."), "success")
        return redirect(url_for("companies.edit_profile"))
    return render_template("auth/invitation.html", form=form, company=company)
