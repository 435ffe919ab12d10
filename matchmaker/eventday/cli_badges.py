"""``flask event`` commands (see ``eventday.cli``)."""

from matchmaker.eventday.cli_group import event_cli  # noqa: F401
