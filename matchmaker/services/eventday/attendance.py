"""Event day: attendance (see the package docstring)."""
