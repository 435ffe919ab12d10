"""The mails about an account (confirm, reset, invitation, "someone used your address"), each
composed in its reader's language. Links are made by the caller (they are URLs of the web layer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping

from flask_babel import force_locale, gettext as _

from matchmaker.i18n import LANGUAGES
from matchmaker.services.mail import send_mail

log = logging.getLogger("matchmaker.mail")


@dataclass(frozen=True)
class AccountMail:
    """A message to one address, already in its reader's language."""

    to: str
    subject: str
    body: str


def mail_language(*candidates: str | None) -> str:
    """The first of *candidates* that the site speaks, else English."""
    return next((code for code in candidates if code in LANGUAGES), "en")


def confirm_mail(to: str, lang: str, link: str, days: int) -> AccountMail:
    """The link that confirms a new registration."""
    with force_locale(lang):
        return AccountMail(to, _("Japan–Vietnam Environment Week: confirm your email address"), _(
            "Thank you for registering your company. Open this link to confirm your email address and "
            "continue (valid for %(days)d days, once):\n\n%(link)s\n\n"
            "If you did not register, ignore this message.", days=days, link=link))


def taken_mail(to: str, lang: str, login_link: str, forgot_link: str) -> AccountMail:
    """Someone registered with an address that already has an account: tell its owner, not them."""
    with force_locale(lang):
        return AccountMail(to, _("Japan–Vietnam Environment Week: someone tried to register with your address"), _(
            "Someone tried to register a company with this email address, which already has an account.\n\n"
            "If it was you, log in:\n%(login)s\n\nForgot your password? Choose a new one here:\n%(forgot)s\n\n"
            "If it was not you, ignore this message: nothing has changed.", login=login_link, forgot=forgot_link))


def reset_mail(to: str, lang: str, link: str, minutes: int) -> AccountMail:
    """The link that sets a new password."""
    with force_locale(lang):
        return AccountMail(to, _("Your Japan–Vietnam Environment Week password"), _(
            "Open this link to choose a new password (valid for %(minutes)d minutes, once):\n\n%(link)s",
            minutes=minutes, link=link))


def invitation_mail(to: str, lang: str, company: str, link: str, days: int) -> AccountMail:
    """An organiser invites an imported company to create its login."""
    with force_locale(lang):
        return AccountMail(to, _("Japan–Vietnam Environment Week: your company's account"), _(
            "The organisers of the Japan–Vietnam Environment Week have registered %(company)s for the "
            "business matching. Open this link to choose a password and sign in to your company's "
            "profile (valid for %(days)d days, once):\n\n%(link)s", company=company, days=days, link=link))


def deliver(config: Mapping, mail: AccountMail) -> bool:
    """Send *mail*; a failing mail server is logged, not raised (the action is already saved)."""
    try:
        send_mail(config, mail.to, mail.subject, mail.body)
    except OSError:
        log.exception("could not mail %s", mail.to)
        return False
    return True
