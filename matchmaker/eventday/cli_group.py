"""The ``flask event`` command group; the ``cli_*`` modules attach their commands to it."""

from flask.cli import AppGroup

event_cli = AppGroup("event", help="The event day: badges, check-in, attendance, absences.")
