"""The base of the site's forms, and shared view helpers: a service's ValidationError on its form
field, or as a flash message."""

from __future__ import annotations

from typing import Callable

from flask import abort, current_app, flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError as FieldError

from matchmaker.extensions import db

from matchmaker.services.validation import ValidationError


class Form(FlaskForm):
    """The base of every form of the site.

    Hidden fields (the CSRF token first) render without an ``id``: a page repeats a form once per
    row, no label points at a hidden input, and its id would only be repeated on the page. A page
    that shows several forms' submit buttons names each one (``form.submit(id="...")``).
    """

    class Meta:
        def render_field(self, field, render_kw):
            if field.type in ("CSRFTokenField", "HiddenField") and "id" not in render_kw:
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


def attach_error(form: FlaskForm, error: ValidationError) -> None:
    """Show each problem of *error* under its field, or at the top of the form when the field is not on it."""
    for problem in error.errors:
        field = getattr(form, problem.field, None)
        if field is not None and hasattr(field, "errors"):
            if problem.message not in field.errors:
                field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def submit_form(form: FlaskForm, action: Callable[[], object]):
    """Run the form's validators AND the service *action*, commit only when both pass.

    A person sees every problem of a submission at once: a WTForms validator that fails does not
    hide the service's checks. *action* must not act outside the database before the commit
    (no mail): when the form fails its work is rolled back. Returns the action's result, or
    None when nothing was saved (the errors are on the form). A forged or expired CSRF token
    stops everything before the service runs.
    """
    if not form.is_submitted():
        return None
    valid = form.validate()
    if "csrf_token" in form.errors:
        return None
    try:
        result = action()
    except ValidationError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    if not valid:
        db.session.rollback()
        return None
    db.session.commit()
    return result


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


def flash_errors(form: FlaskForm) -> None:
    """Flash each of *form*'s error messages once: a form answered by a redirect is never refused silently."""
    messages = [*form.form_errors, *(message for field in form for message in field.errors)]
    for message in dict.fromkeys(str(m) for m in messages):
        flash(message, "error")
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
