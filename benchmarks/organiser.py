"""Organiser pages at 1,000 and 5,000 companies: time of each page against a small organiser page.

    python benchmarks/organiser.py [--sizes 1000,5000] [--every-page-at 1000] [--repeat 5]

For each size, a fresh SQLite database in a temporary folder is seeded with the SYNTHETIC load
data of benchmarks/load_seed.py (N companies, 5 offers/needs each with random unit vectors,
1,000 meeting requests, a 3-day programme) and an organiser signs in through the login form
(Flask's test client, in this process: no network, no gunicorn). Then:

- "figures computed in the background": the time of the background tasks that compute the
  matches page's pairs and every company's suggestion list (``services.pair_overview`` and
  ``services.suggestion_cache``), run directly, once; the pages themselves only read them;
- each organiser page: the best and the median of --repeat GETs (after one warm-up GET), and
  the ratio of the median to the median of the baseline, ``/en/admin/categories`` (a small
  organiser page: the same sign-in, layout and database, measured in the same run);
- at --every-page-at companies every organiser page without an id in its address gets a line;
  at the other sizes the two pages issue 16 is about, the companies list and the matches page
  (first page, a search, a later page).

Target: every page under 1 s at 1,000 and 5,000 companies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.models import User  # noqa: E402
from matchmaker.services import match_store, pair_overview, suggestion_cache  # noqa: E402

BASELINE = "/en/admin/categories"
TARGET_S = 1.0
ISSUE_PAGES = ["/en/admin/companies", "/en/admin/companies?q=hydrogen", "/en/admin/companies?page=10",
               "/en/admin/companies?status=pending", "/en/admin/matches", "/en/admin/matches?q=solar",
               "/en/admin/matches?page=5"]
EVERY_PAGE = [
    "/en/dashboard", "/en/admin/import", "/en/admin/export.csv", "/en/admin/programme/", "/en/admin/programme/rooms",
    "/en/admin/programme/speakers", "/en/admin/programme/exhibition", "/en/admin/programme/import",
    "/en/admin/programme/export.csv", "/en/admin/schedule/", "/en/admin/schedule/new", "/en/admin/schedule/export.csv",
    "/en/admin/staff/", "/en/admin/outcomes/feedback", "/en/admin/outcomes/leads", "/en/event/attendance",
    "/en/event/badges/", "/en/event/checkin/",
]
PASSWORD = "organiser password"


def make_app(workdir: Path):
    url = f"sqlite:///{workdir / 'organiser.sqlite3'}"
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "MATCHMAKER_INSTANCE_PATH": str(workdir),
                       "MATCH_CACHE_WAIT": 600.0, "RATELIMIT_ENABLED": False})


def seed(app, n: int) -> None:
    from load_seed import seed as seed_load  # noqa: PLC0415 - a benchmark helper next to this file
    from werkzeug.security import generate_password_hash

    with app.app_context():
        db.create_all()
        seed_load(db.session, n, 5 * n, app.config["EVENT_TIMEZONE"], app.config["EMBEDDING_MODEL"])
        db.session.add(User(email="organiser@bench.example", role="organiser", password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()


def sign_in(client) -> None:
    import re

    html = client.get("/en/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post("/en/auth/login", data={"email": "organiser@bench.example", "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        sys.exit(f"sign-in failed: HTTP {answer.status_code}")


def background(app) -> tuple[float, float]:
    """Seconds of the two background tasks (pairs at the default threshold, every suggestion list)."""
    times = []
    for task, args in ((pair_overview.refresh_overview, (0.5,)), (suggestion_cache.refresh_suggestions, ())):
        with app.app_context():
            version = match_store.matching_version(db.session, app.config)
            db.session.remove()
        started = time.perf_counter()
        task(app, version, *args)
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def timed(client, path: str, repeat: int) -> tuple[float, float, int]:
    """Best and median seconds of *repeat* GETs after one warm-up; the size of the answer (bytes)."""
    first = client.get(path)
    if first.status_code != 200:
        sys.exit(f"{path} answered HTTP {first.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        answer.get_data()
        times.append(time.perf_counter() - started)
    if b"being-prepared" in answer.get_data() or b"being-updated" in answer.get_data():
        sys.exit(f"{path}: the figures were not current (a background task ran during the measurement)")
    return min(times), statistics.median(times), len(answer.get_data())


def run_size(n: int, every: bool, repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="matchmaker-organiser-") as tmp:
        app = make_app(Path(tmp))
        started = time.perf_counter()
        seed(app, n)
        print(f"N={n}: seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        client = app.test_client()
        sign_in(client)  # first: a sign-in that wrote public data would make the figures below out of date
        pairs_s, lists_s = background(app)
        _best, base, _size = timed(client, BASELINE, repeat)
        rows = [f"| {n:,} | figures computed in the background: pairs (threshold 0.5) {pairs_s:.2f} s, "
                f"every suggestion list {lists_s:.2f} s | | | | | |",
                f"| {n:,} | {BASELINE} (baseline) | {base * 1000:.0f} | {base * 1000:.0f} | 1.0 | | |"]
        for path in ISSUE_PAGES + (EVERY_PAGE if every else []):
            best, median, size = timed(client, path, repeat)
            verdict = "met" if median < TARGET_S else "MISSED"
            rows.append(f"| {n:,} | {path} | {best * 1000:.0f} | {median * 1000:.0f} | {median / base:.1f} | {size / 1024:.0f} | {verdict} |")
            print(rows[-1], file=sys.stderr)
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--every-page-at", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}\n")
    rows = [row for n in map(int, args.sizes.split(",")) for row in run_size(n, n == args.every_page_at, args.repeat)]
    print("| companies | page | best ms | median ms | × baseline | KiB | target < 1 s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    print(f"\nLoad average at the end {os.getloadavg()[0]:.2f}.")


if __name__ == "__main__":
    main()
