"""Event day: checkin (see the package docstring)."""
