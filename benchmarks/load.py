"""Load test: gunicorn (as ``make serve`` runs it) under 50 concurrent clients, SQLite and PostgreSQL.

    python benchmarks/load.py [--duration 10] [--connections 50] [--databases sqlite,postgresql]

For each database: a fresh database is seeded with SYNTHETIC load data (benchmarks/load_seed.py:
2,000 companies, 10,000 offers/needs with random unit vectors in place of real embeddings,
1,000 meeting requests, a 3-day programme of 144 seminars and 120 booths); gunicorn starts with
gunicorn.conf.py (2 workers, access log to a file) on a free loopback port; then ``wrk``, a
second process, drives each page for --duration seconds over --connections connections:

- programme          /en/programme/ (public)
- directory search   /en/companies/?q=… cycling through 8 search terms (public)
- company page       /en/companies/<id> cycling through 49 approved companies (public)
- suggestions        /en/matches/ with the session cookie of a signed-in company

Every path is first checked to answer 200 (so a redirect to the login page cannot pass for a
fast page), then warmed up with a few requests in a row. After the run, each path is asked for
once more: "page cache" counts those the server's page cache answered (``X-Page-Cache: hit``;
"—" where it never answers from the cache, as for signed-in pages). Errors are responses with a status of
400 or more plus socket errors (connect, read, write, timeout; wrk's timeout is 10 s);
"answered" is the number of responses in the run, fewer than the clients when most of them
waited the whole run without one. Targets on the 2-core machine: zero errors everywhere, p99
under 150 ms on the public pages. "suggestions, 2 clients" (one per worker, measured first)
shows the signed-in page's own time per request, without queueing.

Traffic goes to 127.0.0.1 only. The PostgreSQL database (``matchmaker_load`` on the server of
--pg-admin-url) is created for the run and dropped afterwards; the SQLite one lives in a
temporary folder. Needs ``wrk`` (Debian package; ``make bench-load`` installs it).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = ROOT / "benchmarks" / "load.lua"
USER_AGENT = "matchmaker-load/1"
SEARCH_TERMS = ["solar", "hydrogen", "wastewater", "recycling", "リサイクル", "năng lượng", "green finance", "buses"]
PUBLIC_TARGET_MS = 150.0
PG_DATABASE = os.environ.get("LOAD_PG_DATABASE", "matchmaker_load")  # another name when two checkouts run it at once


@dataclass
class Page:
    """One page of the test: its paths (requests cycle through them) and whether it is public."""

    name: str
    paths: list[str]
    public: bool
    cookie: str = ""
    connections: int | None = None  # None: --connections


@dataclass
class Result:
    """What wrk measured for one page on one database."""

    database: str
    page: str
    public: bool
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    connections: int
    cached: str = "—"  # paths answered from the page cache after the run, e.g. "49/49"

    @property
    def verdict(self) -> str:
        if self.requests < self.connections:
            return "fewer answers than clients: most waited the whole run"
        if not self.public:
            return "no target" if self.errors == 0 else "ERRORS"
        return "met" if self.errors == 0 and self.p99_ms < PUBLIC_TARGET_MS else "MISSED"


# --------------------------------------------------------------------------- databases


@contextmanager
def database(kind: str, pg_admin_url: str, workdir: Path):
    """Yield the URL of an empty database of *kind*, or None (with a note) when there is none."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'load.sqlite3'}"
        return
    import psycopg

    try:
        admin = psycopg.connect(pg_admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"note: PostgreSQL skipped, {pg_admin_url} does not answer ({error})")
        yield None
        return
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        try:
            yield urllib.parse.urlparse(pg_admin_url)._replace(path=f"/{PG_DATABASE}").geturl()
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def seed(env: dict, companies: int, items: int) -> dict:
    """Run benchmarks/load_seed.py in its own process against env's DATABASE_URL."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load_seed.py"), str(companies), str(items)],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"seeding failed:\n{out.stderr[-3000:]}")
    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  seeded in {time.perf_counter() - started:.1f} s: {seeded['counts']}; {seeded['programme_note']}")
    return seeded


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process(argv: list[str], env: dict, log: Path):
    """Run *argv* (from the project's folder, output to *log*) meanwhile; stop it (SIGTERM, then SIGKILL)."""
    with open(log, "w") as out:
        running = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield running
    finally:
        running.terminate()
        try:
            running.wait(timeout=40)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait()


@contextmanager
def gunicorn(env: dict, log: Path, pids: list[int] | None = None):
    """Start gunicorn with gunicorn.conf.py; yield its base URL (its process id appended to *pids*); stop it."""
    with process([str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"], env, log) as server:
        base = f"http://{env['GUNICORN_BIND']}"
        wait_until_up(base, server, log)
        if pids is not None:
            pids.append(server.pid)
        yield base


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process *pid* and its children that still run
    (gunicorn's master and workers): a measure of the work per request that a busy machine does
    not inflate, unlike the latencies."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return float("nan")
    for each in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime and stime (fields 14 and 15 of stat)
    return total


def wait_until_up(base: str, server: subprocess.Popen, log: Path, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(base + "/en/", timeout=5).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within {limit:.0f} s:\n{log.read_text()[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    """A client that keeps cookies, does not follow redirects, and sends the load test's User-Agent."""
    built = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar() if jar is None else jar))
    built.addheaders = [("User-Agent", USER_AGENT)]
    return built


def login_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the login form; return the Cookie header value of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    client = opener(jar)
    html = client.open(base + "/en/auth/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    try:
        client.open(base + "/en/auth/login", data=form, timeout=10)
        sys.exit("login failed: the login form answered without redirecting")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            sys.exit(f"login failed with HTTP {answer.code}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(base: str, path: str, cookie: str) -> int:
    """GET one page (redirects not followed); return the status."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener().open(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def page_cache_answer(base: str, path: str, cookie: str) -> str:
    """The X-Page-Cache header of one GET ("hit", "miss", or "" when the page is not cacheable)."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener().open(request, timeout=120) as response:
            response.read()
            return response.headers.get("X-Page-Cache", "")
    except urllib.error.HTTPError:
        return ""


def cached_share(base: str, page: Page) -> str:
    """How many of the page's paths the page cache answers now, e.g. "49/49" ("—" for none ever cached)."""
    answers = [page_cache_answer(base, path, page.cookie) for path in page.paths]
    if not any(answers):
        return "—"
    return f"{answers.count('hit')}/{len(answers)}"


def warm_up(base: str, page: Page, rounds: int = 6) -> None:
    """A few requests one after the other (none left running): templates compiled, caches filled."""
    for n in range(rounds):
        fetch(base, page.paths[n % len(page.paths)], page.cookie)


def check_pages(base: str, pages: list[Page]) -> None:
    """Every path must answer 200 (a redirect to the login page would look like a fast page)."""
    for page in pages:
        for path in page.paths:
            status = fetch(base, path, page.cookie)
            if status != 200:
                sys.exit(f"{page.name}: {path} answered HTTP {status}, not 200")


# --------------------------------------------------------------------------- wrk


def wrk(base: str, page: Page, connections: int, duration: float) -> dict:
    """Run wrk (one thread: its event loop keeps 50 connections busy and leaves the cores to gunicorn)."""
    headers = ["-H", f"User-Agent: {USER_AGENT}"] + (["-H", f"Cookie: {page.cookie}"] if page.cookie else [])
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s", "-s", str(LUA), *headers,
               base + "/", "--", *page.paths]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60)
    return json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])


def measure(database_name: str, base: str, page: Page, args) -> Result:
    connections = page.connections or args.connections
    busy = os.getloadavg()[0]  # other work on the machine skews the figures: say so
    warm_up(base, page)
    raw = wrk(base, page, connections, args.duration)
    errors = sum(raw[key] for key in ("status", "connect", "read", "write", "timeout"))
    seconds = raw["duration_us"] / 1e6
    name = page.name if connections == args.connections else f"{page.name}, {connections} clients"
    result = Result(database_name, name, page.public, raw["requests"] / seconds, raw["p50_us"] / 1000,
                    raw["p99_us"] / 1000, errors, raw["requests"], connections, cached_share(base, page))
    print(f"  {name:<34} {result.requests_per_s:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
          f"p99 {result.p99_ms:7.1f} ms  errors {errors}{_breakdown(raw)}  page cache {result.cached}  "
          f"(load average before: {busy:.2f})")
    return result


def _breakdown(raw: dict) -> str:
    kinds = {"status": "HTTP >= 400", "connect": "connect", "read": "read", "write": "write", "timeout": "over 10 s"}
    parts = [f"{raw[key]} {label}" for key, label in kinds.items() if raw[key]]
    return f" ({', '.join(parts)})" if parts else ""


def pages_for(seeded: dict, cookie: str) -> list[Page]:
    pages = [
        Page("directory search", [f"/en/companies/?q={urllib.parse.quote(term)}" for term in SEARCH_TERMS], True),
        Page("company page", [f"/en/companies/{cid}" for cid in seeded["sample_company_ids"]], True),
        # One client per worker first: the page's own time, before 50 clients queue up behind it
        # (requests wrk gives up on at the end of a run keep the workers busy afterwards).
        Page("suggestions (signed in)", ["/en/matches/"], False, cookie, connections=2),
        Page("suggestions (signed in)", ["/en/matches/"], False, cookie),
    ]
    if seeded["programme_note"].startswith("programme:"):
        pages.insert(0, Page("programme", ["/en/programme/"], True))
    else:
        print(f"  note: {seeded['programme_note']}")
    return pages


# --------------------------------------------------------------------------- main


def run_database(kind: str, args, workdir: Path) -> list[Result]:
    print(f"== {kind}")
    with database(kind, args.pg_admin_url, workdir) as url:
        if url is None:
            return []
        env = {**os.environ, "DATABASE_URL": url, "MATCHMAKER_INSTANCE_PATH": str(workdir / f"instance-{kind}"),
               "MATCHMAKER_SECRET_KEY": "load-test", "WEB_CONCURRENCY": str(args.workers),
               "GUNICORN_BIND": f"127.0.0.1:{free_port()}", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        seeded = seed(env, args.companies, args.items)
        with gunicorn(env, workdir / f"gunicorn-{kind}.log") as base:
            from load_seed import PASSWORD  # noqa: PLC0415 - the seeder's module is only needed here

            pages = pages_for(seeded, login_cookie(base, seeded["login_email"], PASSWORD))
            check_pages(base, pages)
            return [measure(kind, base, page, args) for page in pages]


def print_table(results: list[Result], args) -> None:
    print(f"\nwrk: {args.connections} connections, {args.duration:g} s per page; gunicorn: {args.workers} sync workers; "
          f"{os.cpu_count()} cores; target: 0 errors, p99 < {PUBLIC_TARGET_MS:.0f} ms on public pages\n")
    print("| database | page | requests/s | p50 (ms) | p99 (ms) | errors | answered | page cache | target |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        p50, p99 = (f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}") if r.requests else ("—", "—")
        print(f"| {r.database} | {r.page} | {r.requests_per_s:.1f} | {p50} | {p99} | {r.errors} | {r.requests} "
              f"| {r.cached} | {r.verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10000, help="offers and needs in all")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-admin-url", default=os.environ.get("LOAD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (make bench-load does it)")
    host = urllib.parse.urlparse(args.pg_admin_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the load test only talks to this machine: --pg-admin-url must point to 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="matchmaker-load-") as tmp:
        results = [r for kind in args.databases.split(",") for r in run_database(kind.strip(), args, Path(tmp))]
    print_table(results, args)


if __name__ == "__main__":
    main()
