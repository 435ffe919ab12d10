"""``flask event absent`` and ``flask event sweep``: same-day re-matching from the command line.

    flask event absent COMPANY_ID --session SESSION_ID [--from HH:MM]

prints ``{"freed": [meeting ids], "proposals": [{"slot", "a", "b", "table", "score"}],
"refilled", "possible"}`` (``slot`` and ``table`` are the numbers in the session, ``a`` < ``b``
company ids; ``refilled`` lone partners given a proposal now, ``possible`` the most any set of
replacement meetings could refill). A bad company, session or time exits 1 with a message and
saves nothing.
"""

from __future__ import annotations

import json

import click
from flask import current_app

from matchmaker.eventday.cli_group import event_cli
from matchmaker.extensions import db
from matchmaker.models import Company, MatchSession
from matchmaker.services.eventday import rematch
from matchmaker.services.validation import ValidationError

def _as_json(result: rematch.Rematched) -> dict:
    return {
        "freed": [m.id for m in result.freed],
        "proposals": [{"slot": p.slot, "a": p.a, "b": p.b, "table": p.table, "score": round(p.score, 4)}
                      for p in (result.outcome.proposals if result.outcome else [])],
        "refilled": result.refilled,
        "possible": result.possible,
    }


@event_cli.command("absent")
@click.argument("company_id", type=int)
@click.option("--session", "session_id", type=int, required=True, help="The matchmaking session's id.")
@click.option("--from", "from_hhmm", default=None, metavar="HH:MM",
              help="Absent from this time (the session's local time); default now, or the session's start.")
def absent_command(company_id: int, session_id: int, from_hhmm: str | None) -> None:
    """Mark a company absent for the rest of the session's day, free its meetings, propose replacements."""
    ms = db.session.get(MatchSession, session_id)
    if ms is None:
        raise click.ClickException(f"--session: no matchmaking session has the id {session_id}")
    company = db.session.get(Company, company_id)
    if company is None or company.status != "approved":
        raise click.ClickException(f"COMPANY_ID: no approved company has the id {company_id}")
    try:
        from_time = rematch.parse_local_time(ms, from_hhmm)
        result = rematch.mark_absent(db.session, company.id, ms.id, from_time, "organiser", None,
                                     config=current_app.config)
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(f"--from: {error.message}") from None
    payload = _as_json(result)
    db.session.commit()
    click.echo(json.dumps(payload, ensure_ascii=False))


@event_cli.command("sweep")
def sweep_command() -> None:
    """Mark absent the companies not checked in before their first meeting (for cron, every few minutes)."""
    marked = {}
    for ms in rematch.sessions_of_today(db.session):
        marked[ms.id] = rematch.sweep_not_checked_in(db.session, ms, config=current_app.config)
        db.session.commit()
    click.echo(json.dumps({"absent": marked}))
