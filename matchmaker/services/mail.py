"""Outgoing mail: through SMTP when configured, else appended to the outbox file.

Without ``SMTP_HOST`` (a laptop, a fresh machine) every message is appended, readable as plain
text, to ``MAIL_OUTBOX`` (default ``instance/mail/outbox.log``), so a password-reset or
invitation link can be found there; it is also logged. Each message starts with the line
``OUTBOX_SEPARATOR`` followed by its headers, a blank line and the body.
"""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Mapping

log = logging.getLogger("matchmaker.mail")

OUTBOX_SEPARATOR = "=" * 20 + " mail " + "=" * 20


def send_mail(config: Mapping, to: str, subject: str, body: str) -> None:
    """Send a plain-text message; without ``SMTP_HOST`` write it to the outbox file instead."""
    sender = config.get("MAIL_FROM", "matchmaker@localhost")
    host = config.get("SMTP_HOST")
    if not host:
        log.info("mail to %s: %s\n%s", to, subject, body)
        if config.get("MAIL_OUTBOX"):
            _append_to_outbox(config["MAIL_OUTBOX"], sender, to, subject, body)
        return
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, config.get("SMTP_PORT", 587), timeout=20) as smtp:
        if config.get("SMTP_TLS", True):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(message)


def _append_to_outbox(path: str, sender: str, to: str, subject: str, body: str) -> None:
    """Append one message in one write (O_APPEND: several workers do not interleave)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    text = (f"{OUTBOX_SEPARATOR}\nDate: {formatdate(localtime=False)}\nFrom: {sender}\nTo: {to}\n"
            f"Subject: {subject}\n\n{body.rstrip()}\n\n")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)


def read_outbox(path: str) -> list[dict[str, str]]:
    """The messages in the outbox file, oldest first, as dicts (``to``, ``subject``, ``body``)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        chunks = handle.read().split(OUTBOX_SEPARATOR + "\n")[1:]
    messages = []
    for chunk in chunks:
        head, _, body = chunk.partition("\n\n")
        headers = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        messages.append({"to": headers.get("To", ""), "subject": headers.get("Subject", ""), "body": body.rstrip("\n")})
    return messages
