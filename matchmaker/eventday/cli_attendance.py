"""``flask event attendance SESSION_ID --json`` (see ``eventday.cli``).

Prints ``{"companies": [{"id", "name", "checked_in_at"}], "meetings": [{"id", "a", "b", "slot",
"table", "status"}]}``: ``a``/``b`` company ids, ``slot`` the slot's index in the session (from 0),
``table`` the table's name as the table sheets print it, ``checked_in_at`` ISO-8601 UTC or null.
"""

import json

import click

from matchmaker.eventday.cli_group import event_cli
from matchmaker.extensions import db


@event_cli.command("attendance")
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only output there is; kept for scripts).")
def attendance_command(session_id: int, as_json: bool) -> None:
    """Print the companies (with check-in time) and meetings (with status) of a session as JSON."""
    from matchmaker.services.eventday.attendance import attendance_report

    try:
        report = attendance_report(db.session, session_id)
    except LookupError:
        raise click.ClickException(f"No matchmaking session has the id {session_id}.") from None
    click.echo(json.dumps(report, ensure_ascii=False, indent=None if as_json else 2))
