"""matchmaker: business matching, seminars and exhibition of the Japan–Vietnam Environment Week.

Flask is imported inside the factory so that the pure ``matchmaker.core`` package loads
without it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from matchmaker.config import PROJECT_ROOT  # re-exported for scripts and tests

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> "Flask":
    """Build the application; *test_config* overrides the configuration (used by tests)."""
    from flask import Flask

    instance = os.environ.get("MATCHMAKER_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from matchmaker.config import defaults

    app.config.from_mapping(defaults(app.instance_path))
    if test_config:
        app.config.update(test_config)
    _trust_proxies(app)
    _init_extensions(app)
    from matchmaker.urls import IdConverter, refuse_nul_bytes

    app.url_map.converters["id"] = IdConverter  # every route's ids: before the blueprints add their rules
    app.before_request(refuse_nul_bytes)  # after the language is known, so the 400 page speaks it
    _register_blueprints(app)
    from matchmaker import choices, cli, errors

    choices.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    # Page cache of anonymous public pages (matchmaker/pagecache.py). Set up last: its
    # after_request hook then runs first, on the page as rendered, before cookies and ETags.
    from matchmaker import pagecache

    pagecache.init_app(app)
    from matchmaker.services import match_store

    match_store.init_app(app)  # suggestion lists and the pairs overview, computed off the request path
    return app


def _trust_proxies(app: "Flask") -> None:
    """Behind ``PROXY_HOPS`` reverse proxies, take the client's address, scheme and host from them.

    Each proxy appends to X-Forwarded-For, so only the last ``PROXY_HOPS`` entries are believed:
    what a client writes there itself is ignored (it cannot dodge the per-address throttling).
    """
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: "Flask") -> None:
    from matchmaker import database, i18n
    from matchmaker import security
    from matchmaker.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=lambda: i18n.select_timezone(app.config["EVENT_TIMEZONE"]),
    )
    i18n.init_app(app)
    limiter.init_app(app)
    security.init_app(app)


def _register_blueprints(app: "Flask") -> None:
    from matchmaker.admin.views import bp as admin_bp
    from matchmaker.auth.views import bp as auth_bp
    from matchmaker.companies.views import bp as companies_bp
    from matchmaker.main.views import bp as main_bp
    from matchmaker.matching.views import bp as matching_bp
    from matchmaker.programme.views import bp as programme_bp

    for blueprint in (main_bp, auth_bp, companies_bp, admin_bp, matching_bp, programme_bp):
        app.register_blueprint(blueprint)
    from matchmaker.schedule import agenda_views, interpreter_views, review_views, views as schedule_views

    for blueprint in (schedule_views.bp, review_views.bp, agenda_views.bp, agenda_views.feed_bp,
                      interpreter_views.bp, interpreter_views.feed_bp):
        app.register_blueprint(blueprint)
    from matchmaker.interpreters.views import bp as interpreters_bp
    from matchmaker.schedule import online_views

    app.register_blueprint(interpreters_bp)
    app.register_blueprint(online_views.bp)
    from matchmaker import undo

    app.register_blueprint(undo.bp)
    from matchmaker.eventday.routes import blueprints as eventday_blueprints

    for blueprint in eventday_blueprints():
        app.register_blueprint(blueprint)
    from matchmaker.outcomes import admin_views as outcomes_admin, dashboard_views, views as outcomes_views

    for blueprint in (outcomes_views.bp, outcomes_admin.bp, dashboard_views.bp):
        app.register_blueprint(blueprint)
    from matchmaker.concepts import admin_views as concepts_admin, views as concepts_views

    for blueprint in (concepts_admin.bp, concepts_views.bp):
        app.register_blueprint(blueprint)
