"""One warm view of a company's suggestions, in this process: CPU time and SQL statements per request.

    python benchmarks/suggestions_request.py [--companies 1000] [--repeat 200] [--profile] [--statements]
                                             [--database-url postgresql://…/an_empty_database]

A fresh SQLite database in a temporary folder (or the empty database of --database-url, its
tables created and left behind) is seeded with the SYNTHETIC load data of
benchmarks/load_seed.py (--companies companies, 5 offers/needs each with random unit vectors),
every company's suggestion list is computed once by the background task, and one company signs
in through the login form (Flask's test client: no network, no gunicorn). After a warm-up (the
list rendered once and kept), --repeat GETs of ``/en/matches/`` and of the baseline, the same
company's ``/en/dashboard`` (the layout, the sign-in and two small queries), are timed
alternately: the median CPU time of the process per request (``time.process_time``) and the
number of SQL statements per request (a SQLAlchemy ``before_cursor_execute`` listener), with the
ratio of the suggestions page to the baseline measured in the same run.

--profile [FILE] prints the 25 functions of the suggestions view with the most cumulative time
(cProfile over all its GETs; kept in FILE for ``pstats``); --statements prints the SQL of one warm view.

This is the server's share of what ``benchmarks/load_suggestions.py`` measures under load.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from sqlalchemy import event  # noqa: E402

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.services import match_store, suggestion_cache  # noqa: E402

PAGE = "/en/matches/"
BASELINE = "/en/dashboard"
EMAIL = "company1@load.example"


class StatementCounter:
    """The SQL statements the engine runs while ``recording`` is on."""

    def __init__(self, engine):
        self.recording = False
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.recording:
            self.statements.append(statement)


def prepared_app(workdir: Path, companies: int, database_url: str = ""):
    """An app on a seeded database (SQLite in *workdir* unless *database_url*) whose suggestion lists are all computed."""
    from load_seed import seed  # noqa: PLC0415 - a benchmark helper next to this file

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1) or f"sqlite:///{workdir / 'request.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "MATCHMAKER_INSTANCE_PATH": str(workdir), "MATCH_CACHE_WAIT": 600.0, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        seed(db.session, companies, 5 * companies, app.config["EVENT_TIMEZONE"], app.config["EMBEDDING_MODEL"])
        db.session.commit()
    return app


def sign_in(client) -> None:
    from load_seed import PASSWORD  # noqa: PLC0415

    html = client.get("/en/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post("/en/auth/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        sys.exit(f"sign-in failed: HTTP {answer.status_code}")


def compute_lists(app) -> None:
    with app.app_context():
        version = match_store.matching_version(db.session, app.config)
        db.session.remove()
    suggestion_cache.refresh_suggestions(app, version)


def one_get(client, path: str, counter: StatementCounter) -> tuple[float, int, float]:
    """CPU seconds, SQL statements and wall seconds of one GET of *path*."""
    counter.statements.clear()
    counter.recording = True
    cpu, wall = time.process_time(), time.perf_counter()
    answer = client.get(path)
    body = answer.get_data()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    counter.recording = False
    if answer.status_code != 200:
        sys.exit(f"{path} answered HTTP {answer.status_code}")
    if path == PAGE and (b'id="being-prepared"' in body or b'id="being-updated"' in body):
        sys.exit(f"{path}: the list was not current (something changed the matching version)")
    return cpu, len(counter.statements), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", nargs="?", const="-", default=None, metavar="FILE",
                        help="profile the suggestions view; with FILE, also keep the cProfile stats there")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--database-url", default="", help="an empty database to seed instead of a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matchmaker-suggestions-request-") as tmp:
        app = prepared_app(Path(tmp), args.companies, args.database_url)
        client = app.test_client()
        sign_in(client)
        compute_lists(app)
        with app.app_context():
            counter = StatementCounter(db.engine)
        for _ in range(3):  # render and keep the list; fill the process's caches
            one_get(client, PAGE, counter), one_get(client, BASELINE, counter)
        if args.statements:
            one_get(client, PAGE, counter)
            print("\n".join(f"-- {n}\n{s}" for n, s in enumerate(counter.statements, 1)))
        profile = cProfile.Profile() if args.profile else None
        figures: dict[str, list[tuple[float, int, float]]] = {PAGE: [], BASELINE: []}
        for _ in range(args.repeat):
            figures[BASELINE].append(one_get(client, BASELINE, counter))
            if profile:
                profile.enable()
            figures[PAGE].append(one_get(client, PAGE, counter))
            if profile:
                profile.disable()
    database = args.database_url.partition(":")[0] or "sqlite"
    print(f"{args.companies:,} companies on {database}; {args.repeat} warm GETs each, alternated; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print("| page | CPU ms/request (median) | wall ms (median) | SQL statements/request | × baseline CPU |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base = statistics.median(f[0] for f in figures[BASELINE])
    for path, rows in figures.items():
        cpu = statistics.median(f[0] for f in rows)
        statements = statistics.median(f[1] for f in rows)
        wall = statistics.median(f[2] for f in rows)
        label = f"{path} (baseline)" if path == BASELINE else path
        print(f"| {label} | {cpu * 1000:.2f} | {wall * 1000:.2f} | {statements:g} | {cpu / base:.2f} |")
    if profile:
        print()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        if args.profile != "-":
            profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
