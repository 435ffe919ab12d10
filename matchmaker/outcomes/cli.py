"""The ``flask outcomes`` command group (after the meetings)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

outcomes_cli = AppGroup("outcomes", help="After the meetings: feedback, follow-up reminders, the report.")


@outcomes_cli.command("send-mail")
@click.option("--queue", "use_queue", is_flag=True, help="Put the task on the job queue instead of running it here.")
@click.option("--base-url", default=lambda: os.environ.get("MATCHMAKER_SITE_URL", "http://127.0.0.1:5000"),
              show_default="MATCHMAKER_SITE_URL or http://127.0.0.1:5000", help="The site's address, for the links.")
@click.option("--now", "now_iso", default=None, help="Pretend it is this UTC time (ISO 8601), for trying it out.")
def send_mail_command(use_queue: bool, base_url: str, now_iso: str | None) -> None:
    """Mail feedback links for ended held meetings and the follow-up reminders that are due (each once)."""
    from matchmaker import jobs
    from matchmaker.outcomes.tasks import TASK, send_outcome_mails

    app = current_app._get_current_object()
    if use_queue:
        if not app.config.get("REDIS_URL"):
            raise click.ClickException("--queue needs REDIS_URL (a worker: flask jobs worker); without it run the command without --queue.")
        click.echo(f"Queued: {jobs.submit(app, TASK, base_url, now_iso)}")
        return
    feedback, reminders = send_outcome_mails(app, base_url, now_iso)
    click.echo(f"Feedback mails: {feedback}. Follow-up reminders: {reminders}.")


@outcomes_cli.command("report")
@click.option("--lang", "lang", required=True, type=click.Choice(["ja", "vi", "en"]), help="The report's language.")
@click.option("--format", "fmt", required=True, type=click.Choice(["pdf", "xlsx"]), help="PDF or XLSX.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write (replaced if it exists).")
def report_command(lang: str, fmt: str, out: str) -> None:
    """Write the report to the joint working group (summary, cooperation areas, plots) for the whole event."""
    from flask_babel import force_locale

    from matchmaker.extensions import db
    from matchmaker.services.outcomes.dashboard import Filters, collect
    from matchmaker.services.outcomes.report import report

    app = current_app._get_current_object()
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        body = report(collect(db.session, Filters()), lang, fmt)
    try:
        with open(out, "wb") as target:
            target.write(body)
    except OSError as error:
        raise click.ClickException(f"Cannot write {out}: {error.strerror}.") from None
    click.echo(f"Report written: {out} ({len(body)} bytes, {fmt}, {lang}).")
