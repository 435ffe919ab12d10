"""Shared form helpers: putting a service's ValidationError on the right form field."""

from __future__ import annotations

from flask_wtf import FlaskForm

from matchmaker.services.validation import ValidationError


def attach_error(form: FlaskForm, error: ValidationError) -> None:
    """Show *error* under its field, or at the top of the form when the field is not on it."""
    field = getattr(form, error.field, None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
