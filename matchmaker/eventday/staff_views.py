"""The organisers' page of event-day staff accounts: list, create (a mail to choose a password),
send a new link, remove. Staff sign in and land on the check-in desk."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.eventday.blueprint import staff_admin_bp as bp
from matchmaker.eventday.desk_forms import StaffActionForm, StaffForm
from matchmaker.extensions import db
from matchmaker.forms import submit_form
from matchmaker.models import User
from matchmaker.services.account_mail import deliver, mail_language
from matchmaker.services.accounts import make_reset_token
from matchmaker.services.eventday import staff as staff_svc


def _mail_link(user: User) -> bool:
    """Mail *user* the link that sets their password, in their language."""
    config = current_app.config
    lang = mail_language(user.locale, g.lang_code)
    link = url_for("auth.reset", lang_code=lang, token=make_reset_token(user, config["SECRET_KEY"]), _external=True)
    return deliver(config, staff_svc.staff_mail(user.email, lang, user.name, link, config["RESET_MAX_AGE"] // 60))


def _chosen(form: StaffActionForm) -> User | None:
    if not form.validate_on_submit() or not (form.user.data or "").isdigit():
        return None
    return staff_svc.staff_member(db.session, int(form.user.data))


@bp.route("/", methods=["GET", "POST"])
@organiser_required
def index():
    """The staff accounts, and the form that creates one."""
    form = StaffForm()
    user = submit_form(form, lambda: staff_svc.create_staff(
        db.session, current_user, email=form.email.data, name=form.name.data, locale=g.lang_code))
    if user is not None:
        sent = _mail_link(user)
        flash(_("Staff account created for %(name)s; a link to choose a password was mailed to %(email)s.",
                name=user.name, email=user.email) if sent else
              _("Staff account created for %(name)s, but the mail could not be sent: send a new link later.",
                name=user.name), "success" if sent else "error")
        return redirect(url_for("staff_admin.index"))
    return render_template("eventday/staff.html", form=form, action_form=StaffActionForm(),
                           staff=staff_svc.list_staff(db.session))


@bp.post("/link")
@organiser_required
def send_link():
    """Mail a staff member a new link to choose a password."""
    user = _chosen(StaffActionForm())
    if user is None:
        flash(_("This staff account does not exist (any more)."), "error")
    elif _mail_link(user):
        flash(_("A new link was mailed to %(email)s.", email=user.email), "success")
    else:
        flash(_("The mail could not be sent. Try again later."), "error")
    return redirect(url_for("staff_admin.index"))


@bp.post("/remove")
@organiser_required
def remove():
    """Delete a staff account: the person can no longer sign in; their check-ins stay."""
    form = StaffActionForm()
    user = staff_svc.remove_staff(db.session, current_user, int(form.user.data)) if _chosen(form) else None
    if user is None:
        flash(_("This staff account does not exist (any more)."), "error")
    else:
        db.session.commit()
        flash(_("Staff account removed: %(name)s (%(email)s).", name=user.name, email=user.email), "success")
    return redirect(url_for("staff_admin.index"))
