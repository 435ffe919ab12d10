"""A shared cache of the pages anonymous visitors read (programme, directory, company, seminar,
exhibitor and hall pages, the front page).

What is cached: the HTML a view rendered for a GET by a visitor without a session and not signed
in, answered 200, that set no cookie and left nothing (a flash message, a CSRF token) in the
session. Everything else renders as before, and a signed-in page is never stored.

The key: host, path with its query string, the page language, the visitor's time zone (the
``tz`` cookie or the event's zone) and the DATA VERSION. The version is a random token in the
one-row table ``data_version``: a session event writes a new one in the same transaction as
any insert, update or delete of data that public pages show, just before COMMIT (see
``_note_changes`` for what counts). Every worker of every app server reads the version at the
start of a request, before the page's own queries, so a page is never stored under a version
newer than its data: a commit makes every older entry unreachable at once, with nothing to
delete. A token, not a counter: a database emptied or restored from a backup cannot bring back
a token that named other data.

The store is Redis when ``REDIS_URL`` is set (shared by all workers and servers), else this
process's memory. Entries also expire after ``PAGE_CACHE_SECONDS`` (default 60): what depends on
the clock rather than on the data (today's day of the programme, "Changed" badges that expire
after a day) is at most that late. A store that fails is logged and skipped: pages then render.
``PAGE_CACHE = False`` in the configuration turns serving and storing off (the version is still
kept). Responses say ``X-Page-Cache: hit`` or ``miss`` (benchmarks/load.py counts the hits).

Not covered: writes that bypass the ORM session (SQL on ``db.engine`` directly, another program
writing the database). Nothing in this code base does that; a restore brings back its own token.
"""

from __future__ import annotations

import hashlib
import logging
from itertools import chain
from uuid import uuid4

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from matchmaker.extensions import db
from matchmaker.models import DataVersion, utcnow

log = logging.getLogger(__name__)

cache = Cache()

# The endpoints whose anonymous GETs are cached.
PAGES = frozenset({
    "main.index",
    "companies.directory",
    "companies.detail",
    "programme.index",
    "programme.seminar",
    "programme.exhibitors",
    "programme.halls",
})

# Tables that no public page reads: writing them leaves the version alone. Every other table
# counts as public, so a table added later invalidates the cache until it is listed here
# (stale pages would be a bug; a few extra renders are not).
PRIVATE_TABLES = frozenset({
    "users", "jobs", "data_version", "opportunity_embeddings", "meeting_requests", "hidden_suggestions",
    "pair_rules", "seminar_bookmarks", "seminar_reservations", "seminar_notices", "calendar_feeds",
    "match_sessions", "session_slots", "session_breaks", "session_companies", "meeting_tables",
    "meeting_seats", "scheduled_meetings", "schedule_runs", "schedule_notifications", "unavailabilities",
    "notifications", "undo_actions", "concept_detections",
    "concept_changes", "pair_feedback",
})

_CHANGED = "public_data_changed"  # key in Session.info: this transaction wrote public data
_KEY = "page_cache_key"  # attribute of flask.g: the key under which to store this response
NO_VERSION = "none"  # before the first change is ever recorded


def init_app(app: Flask) -> None:
    """Attach the cache to *app*: the store, the request hooks and the version-bumping events.

    Call it after the other extensions: its ``after_request`` hook must see the response
    before the language cookie, the ETag and a 304 are added.
    """
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("PAGE_CACHE_SECONDS", 60)
    # in-process store: 1,000 entries kept at most (a programme day is ~70 kB)
    cache.init_app(app, config=store_config(app, "matchmaker:page:", app.config["PAGE_CACHE_SECONDS"], 1000))
    app.before_request(serve_cached_page)
    app.after_request(store_page)
    _listen(db.session)
    prepare_rendering(app)


def store_config(app: Flask, prefix: str, timeout: int, threshold: int) -> dict:
    """Flask-Caching settings of a store: Redis when ``REDIS_URL`` is set, else this process's
    memory (keeping at most *threshold* entries); keys start with *prefix*."""
    redis_url = app.config.get("REDIS_URL")
    return {"CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache", "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": prefix, "CACHE_DEFAULT_TIMEOUT": timeout, "CACHE_THRESHOLD": threshold}


# Templates of the cached pages (and what they include), compiled when the app is made.
TEMPLATES = ("base.html", "main/index.html", "companies/directory.html", "companies/detail.html",
             "companies/_opportunity.html", "programme/_macros.html", "programme/index.html",
             "programme/seminar.html", "programme/exhibitors.html", "programme/halls.html")


def prepare_rendering(app: Flask) -> None:
    """Do now what the first page of a process would otherwise do: compile the templates and set up the ORM.

    gunicorn loads the app once and forks its workers from it (``preload_app``), so every
    worker, including each one restarted after ``max_requests``, starts with this done: its
    first pages cost a few milliseconds, not a hundred (with an empty in-process cache, each
    of them renders).
    """
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    for name in TEMPLATES:
        app.jinja_env.get_template(name)


# --------------------------------------------------------------------------- serving pages


def _cacheable_request() -> bool:
    return (current_app.config["PAGE_CACHE"] and request.method == "GET" and request.endpoint in PAGES
            and not session and not current_user.is_authenticated)


_READ_VERSION = select(DataVersion.__table__.c.token).where(DataVersion.__table__.c.id == 1)  # Core: no ORM work per hit


def current_version() -> str:
    """The data version as committed now (read first, before the page's own queries)."""
    return db.session.scalar(_READ_VERSION) or NO_VERSION


def page_key(version: str) -> str:
    """The cache key of the current request's page under data *version*."""
    parts = (version, request.host, request.full_path, str(get_locale()), str(get_timezone()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def serve_cached_page() -> Response | None:
    """``before_request``: answer from the cache, or note the key to store the page under."""
    if not _cacheable_request():
        return None
    key = page_key(current_version())
    try:
        body = cache.get(key)
    except Exception:  # a cache that is down must not take the site with it
        log.warning("page cache unavailable: rendering %s", request.path, exc_info=True)
        return None
    if body is None:
        setattr(g, _KEY, key)
        return None
    return Response(body, mimetype="text/html", headers={"X-Page-Cache": "hit"})


def _storable(response: Response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough
            and "Set-Cookie" not in response.headers and not session and not current_user.is_authenticated)


def store_page(response: Response) -> Response:
    """``after_request``: keep a freshly rendered anonymous page under the key noted before."""
    key = g.pop(_KEY, None)
    if key is None or not _storable(response):
        return response
    try:
        cache.set(key, response.get_data())
    except Exception:  # as above: the page is served all the same
        log.warning("page cache unavailable: %s not stored", request.path, exc_info=True)
    response.headers["X-Page-Cache"] = "miss"
    return response


# --------------------------------------------------------------------------- the data version


def _public(instance) -> bool:
    return inspect(instance).mapper.local_table.name not in PRIVATE_TABLES


def _note_changes(session: Session, flush_context, instances) -> None:
    """``before_flush``: added, changed or deleted objects of public tables mark the transaction."""
    if any(_public(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


def _note_statement(state: ORMExecuteState) -> None:
    """``do_orm_execute``: bulk INSERT/UPDATE/DELETE statements, and raw SQL that is not a SELECT."""
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if table is None or table.name not in PRIVATE_TABLES:
            state.session.info[_CHANGED] = True
    elif not state.is_select and not str(statement).lstrip().upper().startswith(("SELECT", "PRAGMA")):
        state.session.info[_CHANGED] = True


def _bump_before_commit(session: Session) -> None:
    """``before_commit``: flush, then write a new version if the transaction changed public data.

    The version is the transaction's last write: its row lock (PostgreSQL) is held only for
    the COMMIT, so two transactions cannot deadlock over it. A savepoint's commit waits for
    the outer transaction's.
    """
    if session.in_nested_transaction():
        return
    session.flush()
    if session.info.pop(_CHANGED, False):
        bump_version(session)


def _forget_rolled_back(session: Session, previous_transaction) -> None:
    """``after_soft_rollback``: a whole transaction undone changed nothing (a savepoint may have)."""
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)


def bump_version(session: Session) -> str:
    """Write a new data version in *session*'s transaction; return it."""
    token = uuid4().hex
    connection = session.connection()
    values = {"token": token, "changed_at": utcnow()}
    changed = connection.execute(update(DataVersion).where(DataVersion.id == 1).values(**values)).rowcount
    if not changed:
        _insert_version(connection, values)
    return token


def _insert_version(connection, values: dict) -> None:
    """The first version ever: insert the row, or update it if another transaction just did."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy import insert

        connection.execute(insert(DataVersion).values(id=1, **values))
        return
    connection.execute(insert(DataVersion).values(id=1, **values)
                       .on_conflict_do_update(index_elements=[DataVersion.id], set_=values))


def _listen(target) -> None:
    for name, listener in (("before_flush", _note_changes), ("do_orm_execute", _note_statement),
                           ("before_commit", _bump_before_commit), ("after_soft_rollback", _forget_rolled_back)):
        if not event.contains(target, name, listener):  # one registration, however many apps
            event.listen(target, name, listener)
