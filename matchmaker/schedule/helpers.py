"""What the schedule's views share: running a service call the Post/Redirect/Get way."""

from __future__ import annotations

from typing import Callable

from flask import abort, flash
from flask_babel import format_time

from matchmaker.extensions import db
from matchmaker.services.validation import ValidationError


def apply_action(action: Callable[[], object], success: str) -> bool:
    """Run *action*, commit and flash *success*; on refusal roll back, flash why and return False.

    A LookupError (an object that does not exist, or belongs to another company) answers 404.
    """
    try:
        action()
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    flash(success, "success")
    return True


def slot_choices(ms) -> list[tuple[int, str]]:
    """(slot id, "09:00–09:25") in the viewer's zone, for select boxes (the page names the zone)."""
    return [(s.id, f"{format_time(s.starts_at, 'short')}–{format_time(s.ends_at, 'short')}") for s in ms.slots]
