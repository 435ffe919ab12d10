"""Meeting attendance: table-host pages, running late and cancelling from the agenda."""

from matchmaker.eventday.blueprint import bp  # noqa: F401
