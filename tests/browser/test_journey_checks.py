"""The watch that every browser test runs under reports what it should: a console error, an
uncaught exception, a missing resource and a serious axe-core violation, each with its page;
and a page without faults gives an empty report."""

from tests.browser.conftest import PageChecks, _check_the_rest, _watch

SITE = "http://checks.test"
FAULTY = """<!doctype html><html lang="en"><head><title>faulty</title></head><body>
<main><h1>Faulty</h1><img src="/missing.png">
<script>console.error("boom"); undefinedFunction();</script></main></body></html>"""
CLEAN = """<!doctype html><html lang="en"><head><title>clean</title></head><body>
<main><h1>Clean</h1><p>Black on white.</p></main></body></html>"""


def serve(route):
    path = route.request.url.removeprefix(SITE)
    pages = {"/faulty": FAULTY, "/clean": CLEAN}
    if path in pages:
        route.fulfill(status=200, content_type="text/html", body=pages[path])
    else:
        route.fulfill(status=404, content_type="text/plain", body="not here")


def watched_visit(browser, axe_script, path):
    checks = PageChecks()
    context = browser.new_context()
    context.add_init_script(script=axe_script)
    context.route(f"{SITE}/**", serve)
    page = context.new_page()
    _watch(page, checks)
    page.goto(SITE + path)
    _check_the_rest(context, checks)
    context.close()
    return checks


def test_a_faulty_page_is_reported_with_every_fault(browser, axe_script):
    report = watched_visit(browser, axe_script, "/faulty").report()
    assert f"console error on {SITE}/faulty: boom" in report
    assert "page error" in report and "undefinedFunction" in report
    assert f"HTTP 404 for GET {SITE}/missing.png" in report
    assert f"axe image-alt on {SITE}/faulty:" in report and "img" in report


def test_a_clean_page_gives_an_empty_report(browser, axe_script):
    checks = watched_visit(browser, axe_script, "/clean")
    assert checks.report() == "" and checks.checked == {f"{SITE}/clean"}


def test_an_expected_error_page_can_be_allowed(browser, axe_script):
    checks = PageChecks()
    checks.allow_status(404, "/missing.png")
    checks.on_response(type("Response", (), {"status": 404, "url": f"{SITE}/missing.png", "request": None})())
    assert checks.problems == []
