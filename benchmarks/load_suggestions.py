"""Load test of the suggestions page: 50 signed-in companies at once, then with profiles changing.

    python benchmarks/load_suggestions.py [--companies 1000] [--duration 15] [--warm-up 10] [--databases sqlite,postgresql]
                                          [--scenarios at-once,changing] [--redis-url redis://127.0.0.1:6379/N]

Part of ``make bench-load`` (after benchmarks/load.py, whose database, gunicorn and wrk helpers
it uses). For each database: the SYNTHETIC load data of benchmarks/load_seed.py with --companies
companies (5 offers/needs each), gunicorn as ``make serve`` runs it (2 workers, no Redis: each
worker keeps its own suggestion lists, computed by a thread of its own), and 50 companies signed
in through the login form. Then:

1. "first visits": each company opens its suggestions once, one after the other, right after
   the start (the lists are computed in the background; a page that finds none yet says they are
   being prepared, and is asked again every 0.25 s): how long until every company saw its list;
2. "50 companies at once": after --warm-up seconds of the same load, not measured (without Redis,
   the worker that did not answer a company's first visit computes the lists and renders that
   company's page on its first request: the steady state comes after), wrk keeps 50 connections
   busy for --duration seconds, requests cycling through the 50 companies' sessions: p50/p95/p99
   and errors (target: p95 < 150 ms, no errors);
3. "profiles changing": the same load while, every 3 s, another process changes a company's
   profile (its city, through the application's models, so the data version moves as with any
   edit); after each change, one company's page is asked every 0.1 s until it no longer says its
   list is being updated: the time a change takes to show, and the load's figures meanwhile
   (``--scenarios at-once`` leaves this phase out).

With --redis-url (or ``LOAD_REDIS_URL``) every database runs twice: as above, then as a large
event is advised to run, with Redis (the lists and the rendered pages shared by both workers) and
one ``flask jobs worker`` computing the lists outside the web workers. That Redis database is
given over to the benchmark: it is emptied first (its queue must hold no other site's jobs).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - benchmarks/load.py: databases, gunicorn, wrk

TARGET_P95_MS = 150.0
COMPANIES_AT_ONCE = 50


def company_emails(n: int) -> list[str]:
    """The first *n* approved companies' sign-in addresses (load_seed.py leaves every 50th pending)."""
    return [f"company{k}@load.example" for k in range(1, 2 * n) if (k - 1) % 50 != 49][:n]


def page_state(base: str, cookie: str) -> str:
    """'prepared', 'updating' or 'current' for one GET of /en/matches/ with *cookie*."""
    request = urllib.request.Request(base + "/en/matches/", headers={"Cookie": cookie})
    with load.opener().open(request, timeout=120) as response:
        html = response.read()
    if b'id="being-prepared"' in html:
        return "prepared"
    return "updating" if b'id="being-updated"' in html else "current"


def first_visits(base: str, cookies: list[str]) -> float:
    """Seconds until every company's first visit found its list (asking again every 0.25 s)."""
    started = time.perf_counter()
    for cookie in cookies:
        while page_state(base, cookie) != "current":
            time.sleep(0.25)
    return time.perf_counter() - started


class ProfileChanger(threading.Thread):
    """Every *every* seconds, change a company's city; then time until *cookie*'s page is current."""

    def __init__(self, url: str, base: str, cookie: str, every: float = 3.0):
        super().__init__(daemon=True)
        self.url, self.base, self.cookie, self.every = url, base, cookie, every
        self.stop = threading.Event()
        self.delays: list[float] = []

    def run(self) -> None:
        from sqlalchemy import select

        from matchmaker import create_app
        from matchmaker.extensions import db
        from matchmaker.models import Company

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "load-test"})
        n = 0
        while not self.stop.wait(self.every):
            n += 1
            with app.app_context():
                company = db.session.scalar(select(Company).where(Company.status == "approved").order_by(Company.id).offset(n * 7 % 500))
                company.city = f"Hanoi {n}"
                db.session.commit()  # a public change: the data version moves, every list is out of date
            changed = time.perf_counter()
            while page_state(self.base, self.cookie) != "current" and not self.stop.is_set():
                time.sleep(0.1)
            self.delays.append(time.perf_counter() - changed)


def measure(name: str, database: str, base: str, paths: list[str], args, server: int) -> dict:
    page = load.Page(name, paths, False)
    cpu = load.cpu_seconds(server)
    raw = load.wrk(base, page, COMPANIES_AT_ONCE, args.duration)
    cpu = load.cpu_seconds(server) - cpu
    errors = sum(raw[key] for key in ("status", "connect", "read", "write", "timeout"))
    row = {"database": database, "scenario": name, "rps": raw["requests"] / (raw["duration_us"] / 1e6),
           "p50": raw["p50_us"] / 1000, "p95": raw["p95_us"] / 1000, "p99": raw["p99_us"] / 1000,
           "errors": errors, "requests": raw["requests"], "cpu_ms": 1000 * cpu / max(1, raw["requests"]),
           "load": os.getloadavg()[0]}
    print(f"  {name:<28} {row['rps']:7.1f} req/s  p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  p99 {row['p99']:7.1f} ms  "
          f"errors {errors}  gunicorn CPU {row['cpu_ms']:.1f} ms/request  (load average {row['load']:.2f})")
    return row


@contextlib.contextmanager
def jobs_worker(env: dict, log: Path):
    """With REDIS_URL in *env*: empty that Redis database, run one ``flask jobs worker`` meanwhile."""
    if not env["REDIS_URL"]:
        yield
        return
    from redis import Redis  # noqa: PLC0415

    Redis.from_url(env["REDIS_URL"]).flushdb()
    with load.process([str(load.BIN / "flask"), "--app", "wsgi", "jobs", "worker"], env, log):
        yield


def run_database(kind: str, args, workdir: Path) -> list[dict]:
    print(f"== {kind}")
    with load.database(kind, args.pg_admin_url, workdir) as url:
        if url is None:
            return []
        rows = []
        for redis_url in ["", *([args.redis_url] if args.redis_url else [])]:
            env = {**os.environ, "DATABASE_URL": url, "MATCHMAKER_INSTANCE_PATH": str(workdir / f"instance-{kind}"),
                   "MATCHMAKER_SECRET_KEY": "load-test", "WEB_CONCURRENCY": "2", "REDIS_URL": redis_url,
                   "GUNICORN_BIND": f"127.0.0.1:{load.free_port()}", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
            if not rows:
                load.seed(env, args.companies, 5 * args.companies)
            setup = "Redis + jobs worker" if redis_url else "no Redis"
            print(f"  -- {setup}")
            with jobs_worker(env, workdir / f"jobs-{kind}.log"):
                rows += [{**row, "setup": setup} for row in run_server(kind, env, args, workdir)]
        return rows


def run_server(kind: str, env: dict, args, workdir: Path) -> list[dict]:
    """The three phases against one gunicorn started with *env*."""
    from load_seed import PASSWORD  # noqa: PLC0415

    pids: list[int] = []
    with load.gunicorn(env, workdir / f"gunicorn-suggestions-{kind}.log", pids) as base:
        cookies = [load.login_cookie(base, email, PASSWORD) for email in company_emails(COMPANIES_AT_ONCE)]
        paths = [f"/en/matches/\t{cookie}" for cookie in cookies]
        first = first_visits(base, cookies)
        print(f"  first visits: every company saw its list {first:.1f} s after the first asked")
        if args.warm_up > 0:
            load.wrk(base, load.Page("warm-up", paths, False), COMPANIES_AT_ONCE, args.warm_up)
        rows = [measure("50 companies at once", kind, base, paths, args, pids[0])]
        rows[0]["shows"] = f"first visits: all lists in {first:.1f} s"
        if "changing" not in args.scenarios:
            return rows
        changer = ProfileChanger(env["DATABASE_URL"], base, cookies[0])
        changer.start()
        rows.append(measure("profiles changing meanwhile", kind, base, paths, args, pids[0]))
        changer.stop.set()
        changer.join(timeout=120)
        delays = changer.delays or [float("nan")]
        rows[-1]["shows"] = f"{statistics.median(delays):.1f} s median, {max(delays):.1f} s max ({len(changer.delays)} changes)"
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of unmeasured load before the first measurement")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default="at-once,changing",
                        help="at-once: 50 companies at once (always run); changing: profiles changing meanwhile")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", ""),
                        help="a Redis database given over to the benchmark (emptied): adds the runs with Redis and a jobs worker")
    parser.add_argument("--pg-admin-url", default=os.environ.get("LOAD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matchmaker-load-suggestions-") as tmp:
        rows = [r for kind in args.databases.split(",") for r in run_database(kind.strip(), args, Path(tmp))]
    print(f"\nSuggestions at {args.companies:,} companies: wrk, {COMPANIES_AT_ONCE} connections cycling through "
          f"{COMPANIES_AT_ONCE} signed-in companies, {args.duration:g} s after {args.warm_up:g} s of warm-up; gunicorn 2 sync workers; {os.cpu_count()} cores; "
          f"target p95 < {TARGET_P95_MS:.0f} ms, 0 errors\n")
    print("| database | setup | scenario | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | gunicorn CPU ms/request | load average | a change shows after | target |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        verdict = "met" if r["requests"] and r["errors"] == 0 and r["p95"] < TARGET_P95_MS else "MISSED"
        print(f"| {r['database']} | {r['setup']} | {r['scenario']} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
              f"| {r['errors']} | {r['cpu_ms']:.1f} | {r['load']:.1f} | {r.get('shows', '')} | {verdict} |")


if __name__ == "__main__":
    main()
