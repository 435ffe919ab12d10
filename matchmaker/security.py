"""Response headers that every page carries, and cookie hardening.

The Content-Security-Policy allows scripts and styles from this site only: no inline scripts
or ``style=""`` attributes anywhere in the templates, no third-party origins.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import current_user

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

PUBLIC_MAX_AGE = 60  # seconds a shared cache may serve an anonymous page unchanged

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the security headers to every response; mark cookies Secure behind HTTPS."""
    if app.config.get("HTTPS"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")

    @app.after_request
    def http_caching(response):
        """Anonymous pages get an ETag and a short public lifetime; signed-in pages stay private."""
        if request.method != "GET" or response.status_code != 200 or response.direct_passthrough:
            return response
        if response.cache_control.no_store:  # the view said: never keep it (a private link's page)
            return response
        if current_user.is_authenticated:
            response.cache_control.private = True
            response.cache_control.no_cache = True
        elif response.mimetype == "text/html" and not session and "Set-Cookie" not in response.headers:
            response.cache_control.public = True
            response.cache_control.max_age = PUBLIC_MAX_AGE
            response.add_etag()
            response.make_conditional(request)
        return response

    @app.after_request
    def secure_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("HTTPS") and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
