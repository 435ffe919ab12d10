"""Event day: badges (see the package docstring)."""
