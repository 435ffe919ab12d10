"""Shared view helpers: a service's ValidationError on its form field, or as a flash message."""

from __future__ import annotations

from typing import Callable

from flask import abort, flash
from flask_wtf import FlaskForm

from matchmaker.extensions import db

from matchmaker.services.validation import ValidationError


def attach_error(form: FlaskForm, error: ValidationError) -> None:
    """Show *error* under its field, or at the top of the form when the field is not on it."""
    field = getattr(form, error.field, None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


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
