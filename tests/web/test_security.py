"""The security checklist: each item has a test here (or names the test that covers it)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markupsafe import escape
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, OpportunityVersion, User
from tests.checkin_helpers import make_staff  # noqa: F401 - fixture
from tests.conftest import PASSWORD, csrf_from, translated, user_email
from tests.webforms import submit


def _url_for_rule(rule) -> str:
    """A concrete URL for a rule: language 'en', every other argument a plausible value."""
    values = {arg: ("en" if arg == "lang_code" else "csv" if arg == "fmt" else "x" if arg == "token" else 1)
              for arg in rule.arguments}
    url = rule.rule
    for name, value in values.items():
        url = re.sub(r"<(?:[^:<>]+:)?%s>" % name, str(value), url)
    return url


def state_changing_rules(app):
    return [r for r in app.url_map.iter_rules() if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]


def organiser_rules(app):
    return [r for r in app.url_map.iter_rules()
            if getattr(app.view_functions[r.endpoint], "organiser_only", False)]


def test_every_state_changing_route_requires_csrf(app, client, make_organiser, login):
    login(make_organiser())
    rules = state_changing_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        # hostile input: a post from another site carries no CSRF token
        response = client.post(_url_for_rule(rule), data={"anything": "1"})
        assert response.status_code == 400, rule.rule
        assert "The form has expired" in response.get_data(as_text=True), rule.rule


def test_every_admin_route_is_organiser_only(app):
    admin = {r.endpoint for r in app.url_map.iter_rules() if "/admin" in r.rule}
    assert admin and admin <= {r.endpoint for r in organiser_rules(app)}


def test_organiser_routes_turn_away_anonymous_and_companies(app, client, make_company, login):
    rules = organiser_rules(app)
    assert {"admin.companies", "admin.import_companies", "matching.overview"} <= {r.endpoint for r in rules}
    for rule in rules:
        if "GET" in rule.methods:
            response = client.get(_url_for_rule(rule))
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], rule.rule
    login(user_email(app, make_company()))
    token = csrf_from(client.get("/en/dashboard").get_data(as_text=True))
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        # hostile input: a company posts to organiser routes whose forms it is never shown
        response = client.open(_url_for_rule(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 403, rule.rule


def test_staff_are_tried_on_every_route(app, client, make_staff, login):
    """Event-day staff: every organiser and company route answers 403, and so does every other
    route but the event-day pages, logging in and out and the time-zone switch."""
    from matchmaker.eventday.staff_fence import staff_may_open

    login(make_staff())
    token = csrf_from(client.get("/en/event/checkin/").get_data(as_text=True))
    with app.app_context():
        open_to_staff = {r.endpoint for r in app.url_map.iter_rules() if staff_may_open(r.endpoint)}
    tried = refused = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in ("static", "auth.logout"):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            # hostile input: staff open or post every route, with forms they are never shown
            response = client.open(_url_for_rule(rule), method=method, data={"csrf_token": token} if method == "POST" else None)
            tried += 1
            assert response.status_code < 500, (method, rule.rule)
            if rule.endpoint in ("main.dashboard", "main.index"):
                assert response.status_code == 302 and response.headers["Location"].endswith("/event/checkin/")
            elif getattr(view, "organiser_only", False) or getattr(view, "company_only", False) or rule.endpoint not in open_to_staff:
                assert response.status_code == 403, (method, rule.rule)
                refused += 1
    assert tried > 100 and refused > 80
    assert client.get("/en/event/checkin/").status_code == 200  # still signed in: nothing logged the staff out


def test_registration_cannot_choose_role(client, app):
    data = {"company_name": "Sneaky", "country": "VN", "email": "s@example.com", "password": "long enough pass",
            "confirm": "long enough pass", "role": "organiser", "status": "approved"}
    token = csrf_from(client.get("/en/auth/register").get_data(as_text=True))
    # hostile input: "role" and "status" are not fields of the registration form
    client.post("/en/auth/register", data={**data, "csrf_token": token})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "s@example.com"))
        assert user.role == "company" and user.company.status == "pending"


@pytest.mark.parametrize("password, ok", [
    ("short", False), ("x" * 7, False), ("x" * 8 + "y", True), ("a" * 64, True), ("パスワード長いものです", True),
    ("password123", False), ("Qwerty123", False), ("12345678", False), ("x" * 129, False),
])
def test_password_policy(client, app, password, ok):
    submit(client, "/en/auth/register", fields={"company_name": "P", "country": "JP", "email": "p@example.com",
                                                "password": password, "confirm": password})
    with app.app_context():
        assert (db.session.scalar(select(User)) is not None) is ok


def test_login_is_throttled_per_account(client, app, make_company):
    app.config["LOGIN_LIMIT"] = "3 per 15 minutes"
    try:
        email = user_email(app, make_company())
        statuses = [submit(client, "/en/auth/login", fields={"email": email, "password": "wrong wrong"}).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert translated(app, "en", "Too many attempts") in submit(
            client, "/en/auth/login", fields={"email": email, "password": PASSWORD}).get_data(as_text=True)
    finally:
        app.config["LOGIN_LIMIT"] = "10 per 15 minutes"


def test_login_is_throttled_per_address(client, app, make_company):
    app.config["LOGIN_LIMIT"] = "3 per 15 minutes"
    try:
        statuses = [submit(client, "/en/auth/login", fields={"email": f"nobody{i}@example.com", "password": "x" * 9}).status_code
                    for i in range(4)]
        assert statuses[-1] == 429 and statuses[:3] == [200, 200, 200]
    finally:
        app.config["LOGIN_LIMIT"] = "10 per 15 minutes"


def test_successful_logins_do_not_count(client, app, make_company, login):
    app.config["LOGIN_LIMIT"] = "2 per 15 minutes"
    try:
        email = user_email(app, make_company())
        for _ in range(4):
            login(email)
    finally:
        app.config["LOGIN_LIMIT"] = "10 per 15 minutes"


def test_session_cookie_changes_at_login_and_has_flags(client, app, make_company):
    email = user_email(app, make_company())
    page = client.get("/en/auth/login")
    before = client.get_cookie("session").value
    response = submit(client, page, fields={"email": email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("session").value != before


def test_secure_cookies_over_https(make_company):
    from matchmaker import create_app

    https_app = create_app({"TESTING": True, "HTTPS": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
    assert https_app.config["SESSION_COOKIE_SECURE"] is True and https_app.config["REMEMBER_COOKIE_SECURE"] is True


def test_security_headers_on_every_page(client):
    for url in ("/en/", "/ja/companies/", "/vi/auth/login", "/en/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [str(p) for p in root.rglob("*.html")
                 if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|\son[a-z]+=\"", p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("query", ["' OR 1=1 --", "\"; DROP TABLE companies; --", "%' UNION SELECT email FROM users --",
                                   "_", "\\", "１００％"])
def test_sql_injection_strings_in_search_are_just_text(client, app, make_company, query):
    make_company(name="Real Company")
    html = client.get("/en/companies/", query_string={"q": query, "country": query[:2], "category": query, "kind": query}).get_data(as_text=True)
    assert "Real Company" not in html  # nothing matched, nothing leaked
    with app.app_context():
        assert db.session.scalar(select(Company.name)) == "Real Company"


NASTY = st.sampled_from(["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' onmouseover='x", "</textarea><b>x"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=NASTY, suffix=st.text(alphabet="abcあいうên", min_size=0, max_size=5))
def test_user_text_is_escaped_everywhere(client, app, make_company, make_opportunity, payload, suffix):
    text = payload + suffix
    with app.app_context():
        for company in db.session.scalars(select(Company)):
            db.session.delete(company)
        db.session.commit()
    company_id = make_company(name=text, city=text, sector=text, email=f"x{abs(hash(text))}@example.com")
    opportunity_id = make_opportunity(company_id, title=text, description=text)
    with app.app_context():  # the same offer written again in Vietnamese: shown first on /vi/, folded on /en/
        db.session.add(OpportunityVersion(opportunity_id=opportunity_id, language="vi", title=text + " (vi)", description=text))
        db.session.commit()
    for url in (f"/en/companies/{company_id}", f"/vi/companies/{company_id}", "/en/companies/", f"/ja/companies/?q={suffix}"):
        html = client.get(url).get_data(as_text=True)
        assert payload not in html, url
        if url.endswith(f"companies/{company_id}"):
            assert str(escape(text + " (vi)")) in html, url  # the version is there, escaped


def test_public_pages_are_cacheable_with_etag(client, make_company):
    make_company(name="Cached Co")
    client.get("/en/companies/")  # the first visit sets the language cookie
    first = client.get("/en/companies/")
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    again = client.get("/en/companies/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_signed_in_pages_are_private(client, app, make_company, login):
    login(user_email(app, make_company()))
    response = client.get("/en/companies/")
    assert "private" in response.headers["Cache-Control"] and "ETag" not in response.headers
