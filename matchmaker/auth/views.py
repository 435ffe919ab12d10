"""Register, log in, log out, forgotten password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from matchmaker.auth.forms import ForgotForm, LoginForm, RegisterForm, ResetForm
from matchmaker.choices import country_choices
from matchmaker.extensions import db, limiter, login_account_key
from matchmaker.forms import submit_form
from matchmaker.services import accounts
from matchmaker.services.mail import send_mail
from matchmaker.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/<lang_code>/auth")


def _login(user, remember: bool = False) -> None:
    session.clear()  # a fresh session at login (no fixation)
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A company creates its account; the company waits for an organiser's approval."""
    form = RegisterForm()
    form.country.choices = country_choices(blank=_("Choose a country"))
    user = submit_form(form, lambda: accounts.register_company(
        db.session, email=form.email.data, password=form.password.data,
        company_name=form.company_name.data, country=form.country.data, locale=g.lang_code,
    ))
    if user is not None:
        _login(user)
        flash(_("Welcome! Complete your profile and add your offers and needs."), "success")
        return redirect(url_for("companies.edit_profile"))
    return render_template("auth/register.html", form=form)


def _failed_login(response) -> bool:
    """Only failed attempts count towards the limit (a success redirects)."""
    return response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(_login_limit, methods=["POST"], key_func=login_account_key, deduct_when=_failed_login)
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Wrong email or password."))
        else:
            target = safe_next(request.args.get("next"))
            _login(user, remember=form.remember.data)
            return redirect(target or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot():
    """Mail a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(db.session, form.email.data)
        if user is not None:
            token = accounts.make_reset_token(user, current_app.config["SECRET_KEY"])
            link = url_for("auth.reset", token=token, _external=True)
            minutes = current_app.config["RESET_MAX_AGE"] // 60
            body = _("Open this link to choose a new password (valid for %(minutes)d minutes, once):\n\n%(link)s",
                     minutes=minutes, link=link)
            send_mail(current_app.config, user.email, _("Your Japan–Vietnam Environment Week password"), body)
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
    if submit_form(form, lambda: accounts.set_password(db.session, user, form.password.data) or True):
        flash(_("Your password has been changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
