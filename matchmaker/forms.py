"""Shared view helpers: a service's ValidationError on its form field, or as a flash message."""

from __future__ import annotations

from typing import Callable

from flask import abort, current_app, flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError as FieldError

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


def within_upload_limit(form, field) -> None:
    """WTForms validator: an uploaded file of at most ``UPLOAD_MAX_MB`` (the form then keeps the other fields)."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return
    stream = upload.stream
    stream.seek(0, 2)
    size, limit = stream.tell(), current_app.config["UPLOAD_MAX_MB"]
    stream.seek(0)
    if size > limit * 1024 * 1024:
        raise FieldError(_("Files may be at most %(mb)d MB.", mb=limit))
