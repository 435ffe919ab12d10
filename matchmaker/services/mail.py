"""Outgoing mail: through SMTP when configured, else written to the application log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Mapping

log = logging.getLogger("matchmaker.mail")


def send_mail(config: Mapping, to: str, subject: str, body: str) -> None:
    """Send a plain-text message; without ``SMTP_HOST`` log it instead (no server needed)."""
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "matchmaker@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    host = config.get("SMTP_HOST")
    if not host:
        log.info("mail to %s: %s\n%s", to, subject, body)
        return
    with smtplib.SMTP(host, config.get("SMTP_PORT", 587), timeout=20) as smtp:
        if config.get("SMTP_TLS", True):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(message)
