"""Languages, time zones and the ``/<lang>/`` URL prefix.

The language of a page is the first part of its path (``/ja/…``, ``/vi/…``, ``/en/…``). A bare
``/`` is sent to the best language: the signed-in user's saved choice, then the ``lang`` cookie,
then ``Accept-Language``, then English. Times are stored in UTC and shown in the viewer's chosen
zone (Vietnam or Japan time), always with the zone named.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Flask, abort, g, has_request_context, request, url_for
from flask_babel import format_decimal, get_timezone
from flask_login import current_user

from matchmaker import timefmt
from matchmaker.timefmt import TIMEZONES, zone_label

LANGUAGES = ("ja", "vi", "en")
LANGUAGE_NAMES = {"ja": "日本語", "vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "lang"
TZ_COOKIE = "tz"
COOKIE_AGE = 365 * 24 * 3600


def best_language() -> str:
    """Return the language for a request that did not name one in its path."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def unrouted_language() -> str | None:
    """The language a path names when no route matched it (``/ja/no-such-page`` is a Japanese 404)."""
    if request.url_rule is not None:
        return None
    first = request.path.lstrip("/").partition("/")[0]
    return first if first in LANGUAGES else None


def select_locale() -> str:
    """Flask-Babel locale selector: the path's language, else the best guess."""
    code = getattr(g, "lang_code", None) if has_request_context() else None
    return code if code in LANGUAGES else best_language()


def select_timezone(default: str) -> str:
    """Flask-Babel timezone selector: this browser's choice, then the account's, then the event zone."""
    if not has_request_context():
        return default
    cookie = request.cookies.get(TZ_COOKIE)
    if cookie in TIMEZONES:
        return cookie
    if current_user.is_authenticated and current_user.timezone in TIMEZONES:
        return current_user.timezone
    return default


def when(value: datetime | None) -> str:
    """Jinja filter: a UTC datetime as a day and a time in the viewer's zone, the zone named."""
    return timefmt.moment(value)


def switch_language_url(lang: str) -> str:
    """URL of the current page in language *lang*, its query string kept as a query string.

    Only the page's own view arguments go into ``url_for``: query parameters named like its
    keywords (``endpoint``, ``_method``, ``lang_code``…) would break or redirect the build.
    """
    rule = request.url_rule
    if rule is None or "lang_code" not in rule.arguments:
        return url_for("main.index", lang_code=lang)
    path = url_for(request.endpoint, **{**(request.view_args or {}), "lang_code": lang})
    query = urlencode(list(request.args.items(multi=True)))
    return f"{path}?{query}" if query else path


def init_app(app: Flask) -> None:
    """Wire the URL prefix handling and template helpers into *app*."""

    @app.url_value_preprocessor
    def pull_lang_code(endpoint, values):
        if values and "lang_code" in values:
            g.lang_code = values.pop("lang_code")

    @app.url_defaults
    def add_lang_code(endpoint, values):
        if "lang_code" in values or not getattr(g, "lang_code", None):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = g.lang_code

    @app.before_request
    def check_lang_code():
        code = getattr(g, "lang_code", None)
        g.lang_in_path = code in LANGUAGES
        if not g.lang_in_path:
            g.lang_code = unrouted_language() or best_language()
            if code is not None:
                abort(404)

    @app.after_request
    def remember_language(response):
        code = getattr(g, "lang_code", None)
        if getattr(g, "lang_in_path", False) and request.cookies.get(LANG_COOKIE) != code:
            response.set_cookie(LANG_COOKIE, code, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        return response

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        TIMEZONES=TIMEZONES,
        switch_language_url=switch_language_url,
        zone_label=zone_label,
        current_timezone=lambda: str(get_timezone()),
    )
    app.jinja_env.filters.update(when=when, day=timefmt.day, clock=timefmt.clock, timespan=timefmt.span, decimal=decimal)


def decimal(value: float, digits: int = 2) -> str:
    """*value* with *digits* decimals as the reader's language writes numbers (Vietnamese "77,05" and
    "1.234,50": "77.05" would read as seventy-seven thousand and five)."""
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))
