"""Shared fixtures: an app on SQLite (or ``TEST_DATABASE_URL``), clients and factories.

Tests run with CSRF protection on, as in production: a web test submits the form the page
rendered with ``tests.webforms.submit`` (token included); ``csrf_from`` is for hostile-input tests
that post hand-made data.
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest
from sqlalchemy import text
from werkzeug.security import generate_password_hash

os.environ.setdefault("MATCHMAKER_INSTANCE_PATH", tempfile.mkdtemp(prefix="matchmaker-test-"))

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.models import Company, Opportunity, User  # noqa: E402
from matchmaker.services.categories import categories_by_keys, seed_categories  # noqa: E402

PASSWORD = "correct horse battery"
# Redis database of the tests that use the real queue: 15, and one lower per pytest-xdist worker
# (gw0 -> 15, gw1 -> 14, ...) so that two workers never empty each other's queue; TEST_REDIS_URL
# overrides it for a second checkout testing at the same time.
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL") or \
    f"redis://127.0.0.1:6379/{15 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:]) % 8}"
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # fast hashes for factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _worker_database(url).replace("postgresql://", "postgresql+psycopg://", 1)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database, ``<db>_<worker id>``.

    Workers emptying and filling one database would see each other's rows; the worker's
    database is created (from the server's ``postgres`` database) when it does not exist yet.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    maintenance = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One application for the session; tables are emptied before every test."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory), "SECRET_KEY": "test-secret",
                      # a page waits for the matching figures computed in the background (tests that
                      # look at the "being prepared" states set these to 0)
                      "MATCH_CACHE_WAIT": 300.0, "MATCH_CACHE_WAIT_STALE": 300.0})
    # each pytest-xdist worker its own outbox file, apart from the demo's (two workers reading one
    # file saw each other's mails)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    app.config["MAIL_OUTBOX"] = os.path.join(app.instance_path, "mail", f"outbox-tests-{worker}.log")
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # One round trip of DELETEs (children first) and sequence restarts: TRUNCATE of every
        # table costs about 110 ms a test on PostgreSQL, this about 8 ms (tests hold few rows).
        sequences = db.session.execute(text("SELECT relname FROM pg_class WHERE relkind = 'S'")).scalars()
        statements = [f'DELETE FROM "{t.name}"' for t in tables] + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
        db.session.execute(text("; ".join(statements)))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_db(app):
    """Every test starts with empty tables plus the default categories."""
    from matchmaker.extensions import limiter
    from matchmaker.services import match_store

    with app.app_context():
        _empty_tables()
        seed_categories(db.session)
        db.session.commit()
        limiter.reset()  # rate-limit counters do not leak from one test into the next
        match_store.store.clear()  # nor matching figures kept for ids another test reuses
    yield


@pytest.fixture
def ctx(app):
    """An application context for tests that use services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for ``flask`` commands."""
    return app.test_cli_runner()


def in_app(app):
    """The current app context if one is active (tests using ``ctx``), else a new one.

    Reusing it keeps a factory on the test's own session: a second session would wait on the
    first one's SQLite write lock.
    """
    from contextlib import nullcontext

    from flask import has_app_context

    return nullcontext() if has_app_context() else app.app_context()


@pytest.fixture
def make_company(app):
    """Factory: an approved company (``status``, ``country`` … overridable) with its own user."""

    def make(name="Kitakyushu Eco Energy", country="JP", status="approved", email=None, languages="ja", **overrides):
        with in_app(app):
            company = Company(name=name, country=country, status=status, languages=languages, **overrides)
            from matchmaker.services.companies import refresh_search_text

            refresh_search_text(company)
            db.session.add(company)
            address = email or f"user{abs(hash(name)) % 10**8}@example.com"
            db.session.add(User(email=address, password_hash=_HASH, role="company", company=company))
            db.session.commit()
            return company.id

    return make


@pytest.fixture
def make_opportunity(app):
    """Factory: an offer/need for a company id, tagged with category keys."""

    def make(company_id, title="Waste-to-energy plant", kind="offer", language="en", categories=("waste-to-energy",), description=""):
        with in_app(app):
            company = db.session.get(Company, company_id)
            opp = Opportunity(kind=kind, title=title, language=language, description=description)
            db.session.add(opp)
            opp.company = company
            opp.categories = categories_by_keys(db.session, "categories", list(categories))
            from matchmaker.services.companies import refresh_search_text

            refresh_search_text(company)
            db.session.commit()
            return opp.id

    return make


@pytest.fixture
def make_organiser(app):
    """Factory: an organiser account; returns its email."""

    def make(email="organiser@example.com"):
        with in_app(app):
            db.session.add(User(email=email, password_hash=_HASH, role="organiser"))
            db.session.commit()
        return email

    return make


@pytest.fixture
def organiser_client(client, make_organiser, login):
    """The client, signed in as an organiser (tests pick the page language)."""
    login(make_organiser())
    return client


def user_email(app, company_id: int) -> str:
    """The login email of a factory-made company."""
    with app.app_context():
        return db.session.get(Company, company_id).users[0].email


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a page (for hostile-input tests that post hand-made data)."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def login(client):
    """Log the client in as *email* (password of the factories) through the rendered login form."""
    from tests.webforms import submit

    def do(email, password=PASSWORD, lang="en"):
        response = submit(client, f"/{lang}/auth/login", fields={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


def pytest_collection_modifyitems(config, items):
    """Mark tests by folder: browser/ and model/ tests, and the database-free core/ tests."""
    for item in items:
        parts = item.path.parts
        for folder in ("browser", "model", "core"):
            if folder in parts[-3:-1]:
                item.add_marker(getattr(pytest.mark, folder))


def translated(app, lang: str, message: str, **variables) -> str:
    """*message* as the catalog of *lang* renders it (HTML-escaped, as a page shows it)."""
    from flask import g
    from flask_babel import gettext
    from markupsafe import escape

    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        return str(escape(gettext(message, **variables)))


def decimal(lang: str, number: str) -> str:
    """*number* (written "1.40") as the pages of *lang* write it: Vietnamese "1,40" (the decimal comma)."""
    return number.replace(".", ",") if lang == "vi" else number


def translated_plural(app, lang: str, singular: str, plural: str, num: int, **variables) -> str:
    """The ngettext form of *lang* for *num* (HTML-escaped, as a page shows it)."""
    from flask import g
    from flask_babel import ngettext
    from markupsafe import escape

    with app.test_request_context(f"/{lang}/"):
        g.lang_code = lang
        return str(escape(ngettext(singular, plural, num, **variables)))
