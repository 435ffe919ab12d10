"""``flask event``: badges, check-in, attendance and absences from the command line (JSON on stdout).

    flask event badges SESSION_ID --out DIR
    flask event checkin TOKEN_OR_URL
    flask event attendance SESSION_ID --json
    flask event absent COMPANY_ID --session SESSION_ID [--from HH:MM]

The commands live in ``cli_*`` modules, one per part of the event day, attached to the group of
``cli_group``; ``load_commands`` imports them all.
"""

from flask.cli import AppGroup


def load_commands() -> AppGroup:
    """The group with every command attached."""
    from matchmaker.eventday import cli_attendance, cli_badges, cli_checkin, cli_rematch  # noqa: F401

    from matchmaker.eventday.cli_group import event_cli

    return event_cli
