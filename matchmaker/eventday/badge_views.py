"""Badges: the event's and a company's badge PDFs, a company's QR code."""

from matchmaker.eventday.blueprint import bp  # noqa: F401
