"""Mail that leaves only once the transaction that caused it has committed.

A service queues a mail on the session while it writes; the mail is sent after the commit, and
dropped when the transaction rolls back, so nobody is told about something that did not happen.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from matchmaker.services import mail

log = logging.getLogger("matchmaker.mail")
_KEY = "outbox"


def queue(session: Session, to: str, subject: str, body: str) -> None:
    """Send this mail when *session* commits (never if it rolls back)."""
    session.info.setdefault(_KEY, []).append((to, subject, body))


def queued(session: Session) -> list[tuple[str, str, str]]:
    """The mails waiting for the commit (for tests and debugging)."""
    return list(session.info.get(_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    waiting = session.info.pop(_KEY, [])
    if not waiting or not has_app_context():
        return
    for to, subject, body in waiting:
        try:
            mail.send_mail(current_app.config, to, subject, body)
        except OSError:  # the change is committed: a failing mail server is logged, not raised
            log.exception("could not mail %s", to)


@event.listens_for(Session, "after_transaction_end")
def _drop_after_rollback(session: Session, transaction) -> None:
    # Runs after after_commit; at the end of the outermost transaction, what is still queued was
    # queued by a transaction that did not commit.
    if transaction.parent is None:
        session.info.pop(_KEY, None)
