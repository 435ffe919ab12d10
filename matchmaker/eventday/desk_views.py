"""The check-in desk: camera and USB scanner, search by name, undo, live counts; staff accounts."""

from matchmaker.eventday.blueprint import bp  # noqa: F401
