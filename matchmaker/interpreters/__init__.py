"""Organiser pages and commands for the event's interpreters (``services/interpreters.py`` holds the rules)."""
