"""Where a published meeting takes place and who interprets it, as every agenda, sheet and export says it.

A meeting with an online side has no table: it is "Online" with its video link (which may still
be empty when no link source is configured). A meeting whose companies share no language names
its interpreter, or says "Interpreter needed" while it has none.
"""

from __future__ import annotations

from flask_babel import gettext as _

from matchmaker.services.schedule.common import meeting_location, table_label
from matchmaker.services.schedule.instance import lacks_interpreter


def is_online(meeting) -> bool:
    """Whether the meeting is held online (it has no table)."""
    return bool(meeting.online) or meeting.table_id is None


def online_label() -> str:
    """The word shown instead of a table for an online meeting."""
    return _("Online")


def place_label(meeting) -> str:
    """The table as people read it, or "Online"."""
    return online_label() if is_online(meeting) else table_label(meeting.table.name)


def calendar_location(meeting, venue: str = "") -> str:
    """A calendar's LOCATION: the video link of an online meeting ("Online" while it has none),
    else the table and the session's venue."""
    if is_online(meeting):
        return meeting.video_url or online_label()
    return meeting_location(meeting.table.name, venue)


def video_link(meeting) -> str:
    """The video link of an online meeting, "" for one at a table."""
    return meeting.video_url if is_online(meeting) else ""


def interpreter_missing(meeting) -> bool:
    """Whether the meeting needs an interpreter and has none (the solver's pair rule: both
    companies say their meeting languages among ja/vi/en and share none)."""
    return lacks_interpreter(meeting)


def interpreter_name(meeting) -> str:
    """The name of the meeting's interpreter, "" if it has none."""
    return meeting.interpreter.name if meeting.interpreter_id is not None and meeting.interpreter else ""


def interpreter_note(meeting) -> str:
    """One line for sheets and exports: "Interpreter: Name", "Interpreter needed", or ""."""
    name = interpreter_name(meeting)
    if name:
        return _("Interpreter: %(name)s", name=name)
    return _("Interpreter needed") if interpreter_missing(meeting) else ""
