"""Read what the site mailed: without an SMTP host every mail goes to the outbox file."""

from __future__ import annotations

import os
import re

from matchmaker.services.mail import read_outbox


def mails_to(app, address: str) -> list[dict[str, str]]:
    """Every mail sent to *address* so far, oldest first."""
    return [m for m in read_outbox(app.config["MAIL_OUTBOX"]) if m["to"] == address]


def last_mail(app, address: str) -> dict[str, str]:
    """The newest mail to *address* (fails when there is none)."""
    found = mails_to(app, address)
    assert found, f"no mail to {address}"
    return found[-1]


def link_in(mail: dict[str, str], path_part: str) -> str:
    """The path (with query) of the first link in *mail* whose path contains *path_part*."""
    for url in re.findall(r"https?://\S+", mail["body"]):
        path = re.sub(r"^https?://[^/]+", "", url)
        if path_part in path:
            return path
    raise AssertionError(f"no link with {path_part!r} in: {mail['body']}")


def empty_outbox(app) -> None:
    """Forget earlier tests' mails (the outbox file lives as long as the instance folder)."""
    if os.path.exists(app.config["MAIL_OUTBOX"]):
        os.remove(app.config["MAIL_OUTBOX"])
