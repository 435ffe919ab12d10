"""Event-day pages and commands: badges, the check-in desk, table hosts, same-day re-matching.

``blueprint`` holds the blueprints; each ``*_views`` module adds its routes to them, and
``routes.blueprints()`` imports them all (the app factory registers what it returns).
"""
