"""No server error on any input: every route of ``app.url_map`` gets hostile ids, query values and form fields.

The walker reads the routes from the application itself, so a route added later is covered
without touching this file. Each request must answer below 500; an error page must be in the
reader's language (the path's, or Accept-Language's where the path names none).
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import cycle

import lxml.html
import pytest
from sqlalchemy import func, select

from matchmaker import jobs
from matchmaker.extensions import db
from matchmaker.models import Category, MeetingRequest, pair_key, utcnow
from tests.conftest import csrf_from, translated, user_email
from tests.programme_helpers import build_programme
from tests.schedule_helpers import new_session

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
BIG = "99999999999999999999"
HOSTILE_IDS = (BIG, str(2**63), str(2**31), str(2**31 - 1), "0", "-1", "²", "١", "%00")
HOSTILE_STRINGS = ("%00", "x" * 3000, "..%2F..%2Fetc%2Fpasswd")
# Each route reads at most one of the numeric names, so one query string per row tests them all;
# the names of url_for's own keywords (endpoint, _method, _external…) and text with NUL go on their own.
HOSTILE_QUERIES = (
    f"page={BIG}&threshold=nan&job={BIG}&session={BIG}&ids={BIG},%C2%B2",
    "page=-1&threshold=inf&job=-1&session=0&ids=-1",
    "page=%C2%B2&threshold=-0.5&job=%C2%B2&session=%C2%B2&ids=%00",
    "endpoint=x&_method=PUT&lang_code=xx&_external=1&_scheme=javascript&_anchor=x&q=a%00b&next=%00&tz=%00",
)
HOSTILE_FIELDS = ("a\x00b", "²", BIG, "nan", "x" * 5000)
VALID_STRINGS = {"fmt": "csv", "filename": "css/site.css", "token": "not-a-token"}
ERROR_TITLES = {400: ("Bad request", "The form has expired"), 403: ("Not allowed",), 404: ("Page not found",),
                405: ("Not allowed",), 413: ("File too large",), 429: ("Too many attempts",)}
LANGS = ("ja", "vi", "en")


@pytest.fixture
def world(app, make_company, make_opportunity, make_organiser):
    """Rows behind every kind of id a route takes; returns their ids by argument name."""
    ids = {}
    mine = make_company("Kitakyushu Eco Energy", country="JP")
    other = make_company("Moi Truong Xanh", country="VN", languages="vi")
    ids["opportunity_id"] = make_opportunity(mine)
    make_opportunity(other, title="Landfill gas", kind="need")
    make_organiser()
    programme = build_programme(app)
    with app.app_context():
        low, high = pair_key(mine, other)
        request = MeetingRequest(requester_id=other, recipient_id=mine, pair_low=low, pair_high=high,
                                 expires_at=utcnow() + timedelta(days=7))
        db.session.add(request)
        db.session.commit()
        ids.update(request_id=request.id, session_id=new_session(),
                   category_id=db.session.scalar(select(func.min(Category.id))))
    ids.update(company_id=other, partner_id=other, seminar_id=programme["A"], room_id=programme["main"],
               speaker_id=programme["sato"])
    return {"ids": ids, "company": user_email(app, mine)}


def rules(app):
    """Every route, static files included, as (rule, its arguments as (converter, name) pairs)."""
    return [(rule, ARGUMENT.findall(rule.rule)) for rule in app.url_map.iter_rules()]


def build(rule, lang: str, ids: dict, hostile: tuple[str, str] | None = None) -> str:
    """The path of *rule* with real values, or with *hostile* = (argument name, value) in one position."""
    def value(match):
        name = match.group(2)
        if hostile and name == hostile[0]:
            return hostile[1]
        if name == "lang_code":
            return lang
        return str(ids.get(name, VALID_STRINGS.get(name, 1)))
    return ARGUMENT.sub(value, rule.rule)


def variants(arguments):
    """(hostile argument, query) pairs: each hostile value in each argument, then hostile queries."""
    for converter, name in arguments:
        if name == "lang_code":
            continue
        for bad in HOSTILE_IDS if converter == "id" else HOSTILE_STRINGS:
            yield (name, bad), ""
    for query in HOSTILE_QUERIES:
        yield None, query


def problem(app, response, lang: str | None) -> str | None:
    """What is wrong with *response*: a server error, or an HTML error page not in *lang* or without its title.

    *lang* None (a path that names no language): the page may be in any of them, its title in that one.
    """
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if response.status_code < 400 or response.mimetype != "text/html":
        return None
    html = response.get_data(as_text=True)
    declared = re.search(r'<html lang="(\w+)"', html)
    lang = lang or (declared.group(1) if declared and declared.group(1) in LANGS else None)
    if lang is None or f'<html lang="{lang}"' not in html:
        return f"{response.status_code} page not in {lang or 'a site language'}"
    titles = [translated(app, lang, title) for title in ERROR_TITLES.get(response.status_code, ())]
    if not any(f"<h1>{title}</h1>" in html for title in titles):
        return f"{response.status_code} page without its title in {lang}"
    return None


class Walk:
    """Requests sent and the problems found, with the request that showed each."""

    def __init__(self, app):
        self.app, self.sent, self.problems = app, 0, []

    def send(self, client, method: str, path: str, lang: str, data: dict | None = None):
        """Send one request in *lang*; note a problem (an exception escaping the app included)."""
        self.sent += 1
        where = f"{method} {path[:120]}" + (f" fields={next(iter(data.values()))[:20]!r}" if data and len(data) > 1 else "")
        try:
            response = client.open(path, method=method, data=data, headers={"Accept-Language": lang})
        except Exception as error:  # noqa: BLE001 - an escaping exception is the 500 we look for
            self.problems.append(f"{where}: raised {error!r}"[:400])
            return None
        response.get_data()  # read the body (a static file's too), then let go of what serves it
        response.close()
        found = problem(self.app, response, lang if path.startswith(f"/{lang}/") else None)
        if found:
            self.problems.append(f"{where}: {found}")
        return response


def field_names(html: str) -> set[str]:
    """Names of the inputs, selects and textareas of every form on a page."""
    if "<form" not in html:
        return set()
    return {name for name in lxml.html.fromstring(html).xpath("//form//*[@name]/@name") if name != "csrf_token"}


def walk(client, app, ids: dict, token: str) -> Walk:
    """Send every route its hostile variants (GETs first, logout last)."""
    langs, seen, names = cycle(LANGS), Walk(app), set()
    ordered = sorted(rules(app), key=lambda item: (item[0].endpoint == "auth.logout", "GET" not in item[0].methods))
    for rule, arguments in ordered:
        for hostile, query in variants(arguments):
            lang = next(langs)
            path = build(rule, lang, ids, hostile) + (f"?{query}" if query else "")
            if "GET" in rule.methods:
                response = seen.send(client, "GET", path, lang)
                html = response and response.status_code == 200 and response.mimetype == "text/html"  # not a PDF
                names |= field_names(response.get_data(as_text=True)) if html else set()
            if "POST" in rule.methods:
                seen.send(client, "POST", path, lang, {"csrf_token": token})
        if "POST" in rule.methods:
            post_fields(client, seen, rule, ids, token, names)
        wrong_methods(client, seen, rule, ids, token)
    return seen


def wrong_methods(client, seen: Walk, rule, ids: dict, token: str) -> None:
    """GET or POST where the route does not take it: a 405 page in the reader's language."""
    for index, method in enumerate(m for m in ("GET", "POST") if m not in rule.methods):
        lang = LANGS[index % len(LANGS)]
        response = seen.send(client, method, build(rule, lang, ids), lang, {"csrf_token": token} if method == "POST" else None)
        if response is not None and response.status_code != 405:
            seen.problems.append(f"{method} {rule.rule}: {response.status_code}, not 405")


def post_fields(client, seen: Walk, rule, ids: dict, token: str, names: set[str]) -> None:
    """POST the route at its real ids with every form field name seen so far set to each hostile value."""
    for index, bad in enumerate(HOSTILE_FIELDS):
        lang = LANGS[index % len(LANGS)]
        path = build(rule, lang, ids)
        seen.send(client, "POST", path, lang, {name: bad for name in names} | {"csrf_token": token})


@pytest.fixture
def no_background_jobs(app, monkeypatch):
    """Jobs started by the walk (embedding, generation, imports, matching figures) are not run: the
    routes are under test (and pages do not wait for matching figures that never come)."""
    monkeypatch.setattr(jobs, "submit", lambda app, task, *args: "test:not-run")
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT", 0)
    monkeypatch.setitem(app.config, "MATCH_CACHE_WAIT_STALE", 0)


@pytest.mark.parametrize("role", ["anonymous", "company", "organiser"])
def test_every_route_survives_hostile_input(app, client, world, login, role, no_background_jobs):
    if role == "company":
        login(world["company"])
    elif role == "organiser":
        login("organiser@example.com")
    token = csrf_from(client.get("/en/auth/login" if role == "anonymous" else "/en/dashboard").get_data(as_text=True))
    seen = walk(client, app, world["ids"], token)
    assert not seen.problems, "\n".join(seen.problems[:60])
    assert seen.sent > 1000  # every route was sent its variants


def test_walker_sees_every_rule(app):
    """The walk covers every rule (none is silently skipped) and every id uses the shared converter."""
    walked = rules(app)
    assert len(walked) == len(list(app.url_map.iter_rules()))
    converters = {converter for _rule, arguments in walked for converter, _name in arguments}
    assert "int" not in converters and "id" in converters


# --- the pieces the walk relies on, one by one -------------------------------------------------


@pytest.mark.parametrize("bad", [BIG, str(2**63), str(2**31), "0", "-1", "%C2%B2", "%D9%A1", "1e3", "+1", "%201"])
def test_ids_outside_the_converter_are_a_404_in_the_readers_language(client, app, make_company, bad):
    make_company()
    response = client.get(f"/vi/companies/{bad}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="vi"' in html and f"<h1>{translated(app, 'vi', 'Page not found')}</h1>" in html


def test_largest_id_is_looked_up_and_not_found(client, app, make_company):
    make_company()
    assert client.get(f"/ja/companies/{2**31 - 1}").status_code == 404  # a query on PostgreSQL too
    assert client.get("/ja/companies/1").status_code == 200


@pytest.mark.parametrize("page", [BIG, "-1", "0", "%C2%B2", "%EF%BC%92", "1.5", "abc"])
def test_bad_page_number_is_a_400_naming_it(client, app, make_company, page):
    make_company()
    response = client.get(f"/ja/companies/?page={page}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "ja", "The value of “%(name)s” in the address is not valid.", name="page") in html
    assert f"<h1>{translated(app, 'ja', 'Bad request')}</h1>" in html


def test_page_past_the_end_is_an_empty_list_not_an_error(client, make_company):
    make_company()
    assert client.get("/en/companies/?page=1000000").status_code == 200
    assert client.get("/en/companies/?page=").status_code == 200  # an empty box is the first page


@pytest.mark.parametrize("threshold", ["nan", "inf", "-inf", "1e999", "-0.1", "1.5", "0.5x"])
def test_threshold_must_be_a_finite_share(client, app, make_organiser, login, threshold):
    login(make_organiser())
    response = client.get(f"/vi/admin/matches?threshold={threshold}")
    assert response.status_code == 400
    assert translated(app, "vi", "The value of “%(name)s” in the address is not valid.", name="threshold") in response.get_data(as_text=True)


def test_language_switcher_keeps_the_query_as_a_query(client):
    html = client.get("/en/companies/?endpoint=x&_method=PUT&lang_code=xx&q=eco&_anchor=top").get_data(as_text=True)
    links = dict(re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', html))
    assert links["ja"].startswith("/ja/companies/?") and links["vi"].startswith("/vi/companies/?")
    for part in ("endpoint=x", "_method=PUT", "lang_code=xx", "q=eco", "_anchor=top"):
        assert part in links["ja"]
    assert "#" not in links["ja"]


def test_unrouted_path_is_a_404_in_its_language(client, app):
    html = client.get("/ja/no-such-page", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="ja"' in html and translated(app, "ja", "Page not found") in html


def test_form_id_fields_with_other_digits_re_show_the_form(client, app, make_organiser, login):
    """A select posted with "²" or twenty digits (no browser sends them) is refused, nothing saved."""
    from matchmaker.models import Room

    login(make_organiser())
    build_programme(app)
    for venue in ("²", BIG):
        page = client.get("/en/admin/programme/rooms/new").get_data(as_text=True)
        response = client.post("/en/admin/programme/rooms/new", data={
            "csrf_token": csrf_from(page), "venue_id": venue, "name": "Hostile room", "capacity": BIG, "floor": ""})
        assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count(Room.id)).where(Room.name == "Hostile room")) == 0


@pytest.mark.parametrize("where", ["/ja/companies/?q=a%00b", "/ja/programme/?q=%00", "/calendar/%00.ics", "/ja/auth/login?next=%00"])
def test_nul_in_path_or_query_is_a_400(client, app, where):
    response = client.get(where, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert f"<h1>{translated(app, 'ja', 'Bad request')}</h1>" in response.get_data(as_text=True)


def test_nul_in_a_form_field_is_a_400_and_nothing_saved(client, app, make_organiser, login):
    from matchmaker.models import Speaker

    login(make_organiser(), lang="vi")
    page = client.get("/vi/admin/programme/speakers/new").get_data(as_text=True)
    response = client.post("/vi/admin/programme/speakers/new", data={"csrf_token": csrf_from(page), "name": "Sato\x00"})
    assert response.status_code == 400
    assert f"<h1>{translated(app, 'vi', 'Bad request')}</h1>" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Speaker.id))) == 0
