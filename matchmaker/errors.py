"""Error pages in the visitor's language: nothing a person does should show a bare 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from matchmaker.extensions import db


def _page(code: int, title: str, message: str):
    return render_template("errors.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    """Register handlers for the HTTP errors a visitor can meet."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, _("The form has expired"), _("Please go back, reload the page and send the form again."))

    @app.errorhandler(400)
    def bad_request(error):
        return _page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("Not allowed"), _("Your account cannot open this page."))

    @app.errorhandler(404)
    def not_found(error):
        return _page(404, _("Page not found"), _("There is no page at this address."))

    @app.errorhandler(405)
    def not_allowed(error):
        return _page(405, _("Not allowed"), _("This page cannot be used that way."))

    @app.errorhandler(413)
    def too_large(error):
        return _page(
            413,
            _("File too large"),
            _("Files may be at most %(mb)d MB.", mb=app.config["UPLOAD_MAX_MB"]),
        )

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("Too many attempts"), _("Please wait a few minutes before trying again."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _page(500, _("Something went wrong"), _("The error has been logged. Please try again in a moment."))
