"""Faults with real parts: the database going away, processes killed with SIGKILL, two organisers at once.

Nothing here is mocked: PostgreSQL connections are ended by the server (``pg_terminate_backend``),
the SQLite file really disappears, and generations and imports run in real ``flask`` processes
that are killed in the middle of their work. Every test runs on SQLite and, with
``TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from matchmaker import PROJECT_ROOT
from matchmaker.extensions import db
from matchmaker.models import Company, MatchSession, MeetingRequest, Opportunity, ScheduleRun, pair_key, utcnow
from matchmaker.schedule import background
from matchmaker.services.schedule import generation
from matchmaker.services.schedule.common import STALE_GRACE, ScheduleBusy
from matchmaker.services.schedule.publish import publish_schedule
from tests.conftest import PASSWORD, translated
from tests.schedule_helpers import generate, meetings, new_session, organiser
from tests.webforms import submit

WAIT = 20.0  # seconds a test waits at most for a process to reach the point where it is killed


def _dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def _libpq_url(app) -> str:
    with app.app_context():
        return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _wait_until(condition, what: str, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- the database goes away -------------------------------------------------------------------


def _terminate(url: str, pids: set[int]) -> None:
    """End the PostgreSQL backends *pids* from outside, and wait until they are gone."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(pids)])
        _wait_until(lambda: not admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                                              [list(pids)]).fetchone()[0], "the backends to end")


class PostgresOutage:
    """The server ends this app's connections, one of them in the middle of a request's query."""

    def __init__(self, app):
        self.app, self.url, self.pids = app, _libpq_url(app), set()

    def _pid(self, dbapi_connection) -> int:
        return dbapi_connection.info.backend_pid

    @contextmanager
    def watch(self):
        """Note the backend of every connection the app checks out meanwhile."""
        def checkout(dbapi_connection, record, proxy):
            self.pids.add(self._pid(dbapi_connection))

        with self.app.app_context():
            engine = db.engine
        event.listen(engine.pool, "checkout", checkout)
        try:
            yield
        finally:
            event.remove(engine.pool, "checkout", checkout)

    def end_idle_connections(self) -> None:
        _terminate(self.url, self.pids)

    @contextmanager
    def during(self, table: str):
        """While inside, the first query reading *table* finds its connection ended by the server."""
        fired = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not fired and f"FROM {table}" in statement:
                fired.append(statement)
                _terminate(self.url, self.pids | {self._pid(conn.connection.dbapi_connection)})

        with self.app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert fired, "the request never queried the table"


class SqliteOutage:
    """The database file's folder disappears (a lost volume), then comes back.

    An open SQLite connection is a file handle that survives a move, so the outage meets the
    connections opened while the file is away: the pool starts empty, as in a fresh worker.
    """

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.folder = Path(db.engine.url.database).parent

    @contextmanager
    def watch(self):
        yield

    def end_idle_connections(self) -> None:
        with self.app.app_context():
            db.engine.dispose()

    @contextmanager
    def during(self, table: str):
        away = self.folder.with_name(self.folder.name + "-away")
        self.end_idle_connections()
        self.folder.rename(away)
        try:
            yield
        finally:
            away.rename(self.folder)


@pytest.fixture
def outage(app):
    return PostgresOutage(app) if _dialect(app) == "postgresql" else SqliteOutage(app)


def test_database_lost_mid_request_gives_a_translated_503_then_the_next_request_works(app, organiser_client, make_company, outage):
    make_company(name="Hà Nội Water", country="VN")
    with outage.watch():
        assert "Hà Nội Water" in organiser_client.get("/ja/admin/companies").get_data(as_text=True)
        with outage.during("companies"):
            failed = organiser_client.get("/ja/admin/companies")
    html = failed.get_data(as_text=True)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "30"
    assert '<html lang="ja">' in html and "Traceback" not in html and "OperationalError" not in html
    title = translated(app, "ja", "Something went wrong")
    assert title != "Something went wrong" and title in html
    assert translated(app, "ja", "The error has been logged. Please try again in a moment.") in html
    again = organiser_client.get("/ja/admin/companies")  # same app, same pool, still signed in
    assert again.status_code == 200 and "Hà Nội Water" in again.get_data(as_text=True)


def test_connections_ended_while_idle_are_replaced_before_the_next_request(app, organiser_client, make_company, outage):
    make_company(name="Osaka Hydrogen")
    with outage.watch():
        assert organiser_client.get("/en/admin/companies").status_code == 200
    outage.end_idle_connections()  # PostgreSQL restarted / failed over between two requests
    response = organiser_client.get("/en/admin/companies")
    assert response.status_code == 200 and "Osaka Hydrogen" in response.get_data(as_text=True)


# --- processes killed in the middle of their work ------------------------------------------------


@contextmanager
def flask_process(app, *args: str):
    """``flask --app wsgi ARGS`` in a process of its own on the test database; killed on the way out."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=WAIT)


def kill_9(process: subprocess.Popen) -> str:
    """SIGKILL *process* (no handler, no cleanup can run) and return what it printed."""
    assert process.poll() is None, "the process ended before it could be killed: " + process.communicate()[1][-2000:]
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL
    return out + err


@pytest.fixture
def crowded_session(app, make_company):
    """A session whose optimal schedule takes the solver its whole time limit.

    60 companies, 8 slots x 40 tables and 300 accepted requests: more than fit, so the exact
    MILP keeps searching until the deadline (no embedding model needed: no offers or needs).
    """
    ids = [make_company(name=f"Company {i:02d}", country="JP" if i % 2 else "VN") for i in range(60)]
    rng, pairs = random.Random(7), set()
    while len(pairs) < 300:
        pairs.add(pair_key(*rng.sample(ids, 2)))
    with app.app_context():
        db.session.add_all(MeetingRequest(requester_id=low, recipient_id=high, pair_low=low, pair_high=high, status="accepted",
                                          expires_at=utcnow() + timedelta(days=7)) for low, high in pairs)
        db.session.commit()
        return new_session(start="09:00", end="13:00", tables="40")


def _draft(ms_id: int) -> list[tuple]:
    db.session.expire_all()
    return [(m.pair, m.slot_id, m.table_id, m.run_id) for m in meetings(ms_id)]


def _solving(app) -> int | None:
    """The id of the run another process is carrying out, if any (read afresh)."""
    with app.app_context():
        return db.session.scalar(select(ScheduleRun.id).where(ScheduleRun.status == "running"))


def test_generation_killed_while_solving_keeps_the_draft_and_its_lock_expires(app, crowded_session):
    ms_id = crowded_session
    with app.app_context():
        assert generate(app, ms_id, method="greedy") == "done"
        before = _draft(ms_id)
        assert len(before) > 100
    with flask_process(app, "schedule", "generate", "--session", str(ms_id), "--time-limit", "60", "--json") as process:
        _wait_until(lambda: _solving(app) is not None, "the generation to start")
        time.sleep(1.0)  # reading the session takes a fraction of that; the solver may use 60 s
        killed_id = _solving(app)
        kill_9(process)
    with app.app_context():
        assert _draft(ms_id) == before  # not one row of the previous draft changed
        killed = db.session.get(ScheduleRun, killed_id)
        assert killed.status == "running" and db.session.get(MatchSession, ms_id).generation_lock == killed_id
        # A dead run cannot be told from a slow one until its time limit (plus a grace) has passed.
        with pytest.raises(generation.GenerationBusy):
            generation.start_generation(db.session, organiser(), ms_id, method="greedy")
        db.session.rollback()
        with pytest.raises(ScheduleBusy):
            publish_schedule(db.session, organiser(), ms_id)
        db.session.rollback()
        # Then the lock lapses: the intact draft can be published as it is, without generating again.
        killed.started_at -= timedelta(seconds=killed.time_limit + STALE_GRACE + 1)
        db.session.commit()
        publish_schedule(db.session, organiser(), ms_id)
        db.session.commit()
        assert [m[:3] for m in before] == [(m.pair, m.slot_id, m.table_id) for m in meetings(ms_id, "published")]
        assert (db.session.get(ScheduleRun, killed_id).status, db.session.get(ScheduleRun, killed_id).error) == ("failed", "interrupted")
        run = generation.start_generation(db.session, organiser(), ms_id, method="greedy")
        db.session.commit()
        assert generation.run_generation(app, run.id) == "done"
        after = _draft(ms_id)
        assert after and {row[3] for row in after} == {run.id} and db.session.get(MatchSession, ms_id).generation_lock is None


def big_company_file(path: Path, rows: int) -> Path:
    """A CSV of *rows* valid offers and needs, three per company."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["company", "country", "city", "sector", "email", "website", "kind", "title", "description",
                         "categories", "language"])
        for i in range(rows):
            writer.writerow([f"Công ty {i // 3}", "VN", "Hà Nội", "energy", f"c{i // 3}@example.vn", "",
                             "offer" if i % 2 else "need", f"Xử lý chất thải {i}", "", "waste-to-energy;water", "vi"])
    return path


def _import_is_writing(app) -> bool:
    """Whether another connection holds a write lock on the companies (an import mid-way)."""
    if _dialect(app) == "postgresql":
        import psycopg

        with psycopg.connect(_libpq_url(app), autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                "WHERE c.relname = 'companies' AND l.mode = 'RowExclusiveLock' AND l.granted "
                                "AND l.pid <> pg_backend_pid()").fetchone()[0] > 0
    with app.app_context():
        path = db.engine.url.database
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")  # only one writer at a time: this fails while the import writes
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return db.session.scalar(select(func.count(Company.id))), db.session.scalar(select(func.count(Opportunity.id)))


def test_import_killed_mid_file_leaves_nothing(app, tmp_path):
    data = big_company_file(tmp_path / "companies.csv", 3000)
    with flask_process(app, "companies", "import", str(data)) as process:
        _wait_until(lambda: _import_is_writing(app), "the import to write")
        time.sleep(0.5)  # well into the file: it takes several seconds
        printed = kill_9(process)
    assert "companies:" not in printed  # it never got to report success
    assert _counts(app) == (0, 0)
    with flask_process(app, "companies", "import", str(big_company_file(tmp_path / "small.csv", 6))) as again:
        assert again.wait(WAIT) == 0  # the database is not left locked or damaged
    assert _counts(app) == (2, 6)


# --- two organisers at once ----------------------------------------------------------------------


def _signed_in(app, email: str):
    """A test client of its own, signed in as *email*."""
    client = app.test_client()
    response = submit(client, "/en/auth/login", fields={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_two_organisers_press_generate_at_once_one_wins_the_other_is_told(app, crowded_session, make_organiser):
    ms_id = crowded_session
    clients = {lang: _signed_in(app, make_organiser(f"{lang}-organiser@example.com")) for lang in ("ja", "vi")}
    shown = {lang: c.get(f"/{lang}/admin/schedule/{ms_id}/") for lang, c in clients.items()}  # both pages open
    barrier, pages = threading.Barrier(2), {}

    def press(lang: str) -> None:
        barrier.wait()
        submit(clients[lang], shown[lang], f'form[action="/{lang}/admin/schedule/{ms_id}/generate"]',
               fields={"method": "optimal", "time_limit": "2"})
        pages[lang] = clients[lang].get(f"/{lang}/admin/schedule/{ms_id}/").get_data(as_text=True)

    threads = [threading.Thread(target=press, args=(lang,)) for lang in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    background.wait_for_runs()
    started = {lang: translated(app, lang, "Generation started. This page shows its progress.") for lang in clients}
    busy = {lang: translated(app, lang, "A schedule is already being generated for this session. Wait until it finishes.")
            for lang in clients}
    winners = [lang for lang in clients if started[lang] in pages[lang]]
    told = [lang for lang in clients if busy[lang] in pages[lang]]
    assert len(winners) == 1 and told == [lang for lang in clients if lang not in winners]
    with app.app_context():
        runs = db.session.scalars(select(ScheduleRun)).all()
        assert [run.status for run in runs] == ["done"] and db.session.get(MatchSession, ms_id).generation_lock is None
