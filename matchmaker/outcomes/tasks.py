"""The periodic task after the event: feedback links for ended held meetings, follow-up reminders.

``send_outcome_mails(app, base_url, now_iso)`` is a job of the existing queue
(``matchmaker.jobs.submit``); ``flask outcomes send-mail --queue`` puts it there (run it from
cron, e.g. hourly during and after the week), without ``--queue`` it runs in place. It is
idempotent: every mail is remembered and goes once.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for

from matchmaker.extensions import db
from matchmaker.services.outcomes.reminders import reminder_months, send_feedback_requests, send_followup_reminders

TASK = "matchmaker.outcomes.tasks.send_outcome_mails"


def _feedback_link(meeting_id: int, company_id: int, token: str, lang: str) -> str:
    return url_for("outcomes.feedback", lang_code=lang, meeting_id=meeting_id, t=token, _external=True)


def _pair_link(company_id: int, partner_id: int, lang: str) -> str:
    return url_for("outcomes.lead", lang_code=lang, partner_id=partner_id, _external=True)


def send_outcome_mails(app: Flask, base_url: str = "", now_iso: str | None = None) -> tuple[int, int]:
    """Queue the feedback mails and the reminders due at *now_iso* (default: now), commit, send.

    Returns (feedback mails, reminder mails). *base_url* is the site's address for the links.
    """
    now = datetime.fromisoformat(now_iso) if now_iso else None
    with app.app_context(), app.test_request_context(base_url=base_url or None):
        feedback = send_feedback_requests(db.session, app.config, _feedback_link, now)
        months = reminder_months(app.config.get("FOLLOWUP_REMINDER_MONTHS"))
        reminders = send_followup_reminders(db.session, _pair_link, months, now)
        db.session.commit()
    return feedback, reminders
