"""Error pages in the visitor's language: nothing a person does should show a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, current_app, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from matchmaker.extensions import db, login_manager
from matchmaker.urls import BadQuery

log = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds a visitor is asked to wait when the database does not answer


def _page(code: int, title: str, message: str):
    return render_template("errors.html", code=code, title=title, message=message), code


def _forget_database_state() -> None:
    """End the failed transaction and show the page as to a visitor, without another query.

    The signed-in user's row is expired by the rollback (or was never loaded): reading it to
    draw the menu would ask the database again, and fail again while it is away.
    """
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is already gone: drop the session instead
        db.session.remove()
    g._login_user = login_manager.anonymous_user()  # flask-login's per-request user


def _unavailable_page(title: str, message: str):
    """The 503 page, or the same words without the template if even that cannot be drawn."""
    try:
        body, code = _page(503, title, message)
    except Exception:  # noqa: BLE001 - the last resort must not fail in its turn
        log.exception("the error page could not be rendered")
        body, code = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p>", 503
    return body, code, {"Retry-After": str(RETRY_AFTER)}


def _form_page_of_post() -> str | None:
    """The URL of a POST that also answers GET (the page of its form), else None."""
    if request.method != "POST" or request.url_rule is None:
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(request.path, method="GET")
    except HTTPException:
        return None
    return request.full_path.rstrip("?")


def init_app(app: Flask) -> None:
    """Register handlers for the HTTP errors a visitor can meet."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, _("The form has expired"), _("Please go back, reload the page and send the form again."))

    @app.errorhandler(400)
    def bad_request(error):
        message = error.description if isinstance(error, BadQuery) else _("The request could not be understood.")
        return _page(400, _("Bad request"), message)

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
        message = _("Files may be at most %(mb)d MB.", mb=app.config["UPLOAD_MAX_MB"])
        form_page = _form_page_of_post()
        if form_page:  # back to the form with the message (what was sent is too large to read)
            flash(" ".join([message, _("Nothing was sent: choose a smaller file.")]), "error")
            return redirect(form_page, 303)
        return _page(413, _("File too large"), message)

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("Too many attempts"), _("Please wait a few minutes before trying again."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """The database is down, restarting or unreachable: a page in the visitor's language, 503.

        The broken connection has been dropped from the pool, so the next request starts on a
        fresh one (``pool_pre_ping`` replaces the others) without restarting the app.
        """
        log.error("database unavailable: %s", error, exc_info=error)
        _forget_database_state()
        return _unavailable_page(_("Something went wrong"), _("The error has been logged. Please try again in a moment."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _page(500, _("Something went wrong"), _("The error has been logged. Please try again in a moment."))
