"""``flask event checkin TOKEN_OR_URL`` (see ``eventday.cli``).

Prints ``{"outcome", "badge", "company", "name", "checked_in_at", "already"}`` as JSON: outcome
``checked-in`` or ``already`` (exit 0), or forged, expired, other-event, unknown, revoked (exit 1,
nothing changed; badge and company are then null unless the badge is known, as for revoked).
"""

from __future__ import annotations

import json

import click

from matchmaker.eventday.cli_group import event_cli
from matchmaker.extensions import db
from matchmaker.services.eventday import checkin as desk


def result_json(result: desk.Result) -> dict:
    """The command's JSON for *result* (``checked_in_at`` in UTC, ISO 8601)."""
    badge, row = result.badge, result.checkin
    return {
        "outcome": result.outcome,
        "badge": badge.id if badge is not None else None,
        "company": badge.company_id if badge is not None else None,
        "name": (badge.name or badge.name_latin) if badge is not None else None,
        "checked_in_at": row.checked_in_at.isoformat() if row is not None else None,
        "already": result.already,
    }


@event_cli.command("checkin")
@click.argument("token_or_url")
def checkin_command(token_or_url: str) -> None:
    """Check in the badge's company from its token or link (exit 0 also when already checked in)."""
    result = desk.check_in(db.session, token_or_url, None, "cli")
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    click.echo(json.dumps(result_json(result), ensure_ascii=False))
    if not result.ok:
        raise SystemExit(1)
