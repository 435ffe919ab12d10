"""Database engine settings: SQLite pragmas and the session's user loader."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import joinedload

from matchmaker.core.numbers import parse_id
from matchmaker.extensions import db, login_manager


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on, WAL journal and a busy timeout for every SQLite connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def init_app(app: Flask) -> None:
    """Attach the user loader and the login view to *app*."""
    from flask_babel import lazy_gettext as _l

    from matchmaker.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = session_id.partition(":")
        number = parse_id(user_id)
        if number is None:
            return None
        # with its company in the same query: nearly every signed-in page reads both
        user = db.session.get(User, number, options=[joinedload(User.company)])
        if user is None or str(user.session_version) != version:
            return None
        return user
