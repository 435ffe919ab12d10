"""Event day: rematch (see the package docstring)."""
