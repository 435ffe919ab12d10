"""A live server on a free loopback port and Debian's Chromium driven by Playwright.

Every page made here is watched: a console error, an uncaught page error, a failed request or a
response of 400 and more fails the test, and axe-core (shipped by ``axe-playwright-python``) runs
on every page the test loads; a serious or critical violation fails the test too. The findings
are gathered while the test runs and checked when its pages close, so a report names every
problem of the test at once (rule, page, nodes).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BLOCKING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {"resultTypes": ["violations"]}
# A generated PDF or workbook (WeasyPrint, plots) takes well over the 15 s default click timeout
# when browser journeys run four at a time on two busy cores.
DOCUMENT_TIMEOUT = 60_000


@pytest.fixture
def live_server(app):
    """Serve *app* on 127.0.0.1 in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def axe_script():
    """axe-core's source as the binding ships it (no network)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


@dataclass
class PageChecks:
    """What the watched pages of one test reported; ``allow_status`` accepts an expected error page."""

    problems: list[str] = field(default_factory=list)
    violations: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    interrupted: list[str] = field(default_factory=list)
    allowed: list[tuple[int, str]] = field(default_factory=list)
    watching: bool = True

    def allow_status(self, status: int, url_part: str) -> None:
        """A test that visits an error page on purpose declares it (status and a part of its URL)."""
        self.allowed.append((status, url_part))

    def is_allowed(self, status: int, url: str) -> bool:
        return any(status == code and part in url for code, part in self.allowed)

    def on_console(self, message) -> None:
        if message.type != "error" or not self.watching:
            return
        # Chromium logs every response >= 400 as a console error too; those are judged on the response
        if "Failed to load resource: the server responded with a status of" in message.text:
            return
        self.problems.append(f"console error on {message.location.get('url')}: {message.text}")

    def on_response(self, response) -> None:
        if self.watching and response.status >= 400 and not self.is_allowed(response.status, response.url):
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def on_request_failed(self, request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" in failure or not self.watching:
            return  # cancelled by the browser: a navigation turned download, or the page left mid-request
        self.problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def record_axe(self, url: str, results: dict) -> None:
        self.checked.add(url)
        for violation in results.get("violations", []):
            if violation.get("impact") not in BLOCKING_IMPACTS:
                continue
            nodes = self.violations.setdefault((violation["id"], url), [])
            for node in violation["nodes"]:
                summary = f"{', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}"
                if summary not in nodes:
                    nodes.append(summary)

    def report(self) -> str:
        lines = list(self.problems)
        for (rule, url), nodes in sorted(self.violations.items()):
            lines.append(f"axe {rule} on {url}:")
            lines.extend(f"    {node}" for node in nodes[:10])
        return "\n".join(lines)


# Controls whose text has the colour of their own background (a red "Delete" on red: CSS rules of
# two kinds of button meeting). axe leaves equal colours "to review" rather than a violation.
INVISIBLE_TEXT = """() => [...document.querySelectorAll('a, button, summary, input[type=submit], input[type=button]')]
  .filter(e => e.offsetParent !== null && (e.innerText || e.value || '').trim())
  .filter(e => { const s = getComputedStyle(e); return s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent'
                 && s.color === s.backgroundColor; })
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '')
            + ' "' + (e.innerText || e.value).trim().slice(0, 30) + '"')"""


def _run_axe(page, checks: PageChecks) -> None:
    """axe on the page as it is now; a navigation during the run leaves the URL to re-check."""
    url = page.url
    if not url.startswith("http"):
        return
    try:
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        invisible = page.evaluate(INVISIBLE_TEXT)
    except Exception:  # noqa: BLE001 - the page went away (navigation, download, closed context)
        checks.interrupted.append(url)
        return
    if invisible:
        results.setdefault("violations", []).append({"id": "invisible-text", "impact": "serious", "nodes": [
            {"target": [target], "failureSummary": "text in the colour of its own background"} for target in invisible]})
    checks.record_axe(url, results)


def _check_the_rest(context, checks: PageChecks) -> None:
    """At the end of a test: the open pages not checked yet, then the pages left before axe
    finished, loaded again (GET, same cookies) in an unwatched page of the same context."""
    for page in context.pages:
        if page.url not in checks.checked:
            _run_axe(page, checks)
    for url in dict.fromkeys(checks.interrupted):
        if url in checks.checked:
            continue
        checks.watching = False  # the reload's own responses are not the test's
        page = context.new_page()
        try:
            response = page.goto(url, wait_until="load")
            if response is not None and response.ok:
                _run_axe(page, checks)
        finally:
            page.close()
            checks.watching = True


@pytest.fixture
def page_checks():
    """The findings of the test's watched pages (see PageChecks)."""
    return PageChecks()


@pytest.fixture
def new_page(browser, axe_script, page_checks, live_server):
    """Factory: a fresh watched browser context (no cookies) and its page; ``locale`` overridable.

    A journey uses a second one for a second person (an organiser beside the company).
    """
    contexts = []

    def make(locale="ja-JP"):
        context = browser.new_context(locale=locale, accept_downloads=True)
        context.add_init_script(script=axe_script)
        contexts.append(context)
        page = context.new_page()
        _watch(page, page_checks)
        context.on("page", lambda popup: _watch(popup, page_checks))
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        _check_the_rest(context, page_checks)
        context.close()
    report = page_checks.report()
    assert not report, "the browser saw problems:\n" + report


def _watch(page, checks: PageChecks) -> None:
    page.on("console", checks.on_console)
    page.on("pageerror", lambda error: checks.problems.append(f"page error on {page.url}: {error}"))
    page.on("requestfailed", checks.on_request_failed)
    page.on("response", checks.on_response)
    page.on("load", lambda loaded: checks.watching and _run_axe(loaded, checks))


@pytest.fixture
def page(new_page):
    """A fresh browser context (no cookies) and page, in Japanese, watched as the module says."""
    return new_page()


@pytest.fixture(scope="session", autouse=True)
def embedding_model():
    """Load the embedding model once per worker, before a test's first offer needs it.

    The first save of an offer embeds its text; loading the model then takes longer than a
    click's timeout on a busy machine.
    """
    from matchmaker import embeddings

    embeddings.encode(["warm-up"], "passage")
