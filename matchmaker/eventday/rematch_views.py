"""Same-day re-matching: absences, replacement proposals, confirming and accepting them."""

from matchmaker.eventday.blueprint import bp  # noqa: F401
