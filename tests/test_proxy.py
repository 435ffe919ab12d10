"""Behind a reverse proxy: MATCHMAKER_PROXY_HOPS decides whose X-Forwarded-* headers are believed."""

from __future__ import annotations

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from matchmaker import create_app
from matchmaker.extensions import db
from tests.webforms import submit

LIMIT = "3 per 15 minutes"


@pytest.fixture
def proxied_app(app, monkeypatch):
    """The site as configured behind one proxy (nginx), on the test database."""
    monkeypatch.setenv("MATCHMAKER_PROXY_HOPS", "1")
    behind = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SECRET_KEY": "test-secret", "LOGIN_LIMIT": LIMIT})
    yield behind
    with behind.app_context():
        db.engine.dispose()


def failed_logins(client, forwarded_for: str, count: int) -> list[int]:
    """Statuses of *count* failed sign-ins (each on another account) sent with *forwarded_for*."""
    headers = {"X-Forwarded-For": forwarded_for}
    return [submit(client, "/en/auth/login", fields={"email": f"nobody{i}@example.com", "password": "x" * 9},
                   headers=headers).status_code for i in range(count)]


def test_the_setting_wraps_the_app_in_proxy_fix_for_address_scheme_and_host(app, proxied_app):
    fix = proxied_app.wsgi_app
    assert isinstance(fix, ProxyFix) and (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (1, 1, 1, 0, 0)
    assert app.config["PROXY_HOPS"] == 0 and not isinstance(app.wsgi_app, ProxyFix)


def test_behind_one_proxy_clients_are_throttled_by_their_own_address(proxied_app):
    first, second = proxied_app.test_client(), proxied_app.test_client()
    assert failed_logins(first, "203.0.113.5", 4) == [200, 200, 200, 429]
    assert failed_logins(second, "198.51.100.7", 1) == [200]  # another visitor behind the same proxy
    # What a client writes in the header itself comes before the proxy's entry and is not believed.
    assert failed_logins(first, "192.0.2.99, 203.0.113.5", 1) == [429]


def test_without_a_proxy_a_forged_header_does_not_dodge_the_throttle(app, client):
    app.config["LOGIN_LIMIT"] = LIMIT
    try:
        statuses = [failed_logins(client, f"198.51.100.{i}", 1)[0] for i in range(4)]
    finally:
        app.config["LOGIN_LIMIT"] = "10 per 15 minutes"
    assert statuses == [200, 200, 200, 429]


def test_the_scheme_and_host_come_from_the_proxy(proxied_app):
    """The proxy's X-Forwarded-Proto and -Host make the public https address the one the app sees."""
    from flask import request, url_for

    seen = {}

    def probe(environ, start_response):  # stands in for the app, behind the app's own ProxyFix
        with proxied_app.request_context(environ):
            seen.update(addr=request.remote_addr, secure=request.is_secure,
                        url=url_for("main.index", lang_code="en", _external=True))
        start_response("204 No Content", [])
        return [b""]

    fix = proxied_app.wsgi_app
    fix.app, original = probe, fix.app
    try:
        proxied_app.test_client().get("/en/", headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https",
                                                       "X-Forwarded-Host": "week.example.org"})
    finally:
        fix.app = original
    assert seen == {"addr": "203.0.113.5", "secure": True, "url": "https://week.example.org/en/"}


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_wrong_number_of_hops_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("MATCHMAKER_PROXY_HOPS", value)
    with pytest.raises(ValueError, match="MATCHMAKER_PROXY_HOPS"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
