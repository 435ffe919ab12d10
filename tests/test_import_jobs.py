"""Large imports as background jobs: the threshold, progress, the outcome on the page, RQ, stale jobs."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker import jobs
from matchmaker.extensions import db
from matchmaker.models import Company, Job, Opportunity, Room, Seminar, User, utcnow
from matchmaker.services.imports import jobs as import_jobs
from tests.conftest import REDIS_TEST_URL, translated, translated_plural
from tests.webforms import submit

HEADER = "company,country,city,sector,email,website,kind,title,description,categories,language\n"


def companies_csv(rows: int, bad: dict[int, str] | None = None) -> bytes:
    """*rows* offers/needs, two per company; ``bad`` replaces the lines at those row numbers (header = 1)."""
    lines = [f"Công ty {i // 2},VN,Hà Nội,energy,c{i // 2}@example.vn,,{'offer' if i % 2 else 'need'},Xử lý {i},,water,vi"
             for i in range(rows)]
    for number, line in (bad or {}).items():
        lines[number - 2] = line
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def organiser(client, app, make_organiser, login, monkeypatch):
    """A signed-in organiser's id; imports of more than 5 rows go to a job."""
    email = make_organiser()
    login(email)
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 5)
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def upload(client, data: bytes, lang: str = "en", name: str = "companies.csv"):
    return submit(client, f"/{lang}/admin/import", files={"file": (io.BytesIO(data), name)})


def wait_for(app, job_id: int, seconds: float = 30.0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if not job.active:
                return job
        time.sleep(0.05)
    raise AssertionError("the import job did not end")


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return db.session.scalar(select(func.count(Company.id))), db.session.scalar(select(func.count(Opportunity.id)))


def job_id_from(response) -> int:
    location = response.headers["Location"]
    assert location.startswith("/en/admin/import?job=") or "/admin/import?job=" in location, location
    return int(location.rsplit("=", 1)[1])


def test_a_small_file_is_imported_at_once(client, app, organiser):
    response = upload(client, companies_csv(5))
    assert response.status_code == 302 and response.headers["Location"] == "/en/admin/companies"
    assert counts(app) == (3, 5)
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_large_file_runs_as_a_job_and_the_page_shows_the_outcome(client, app, organiser):
    response = upload(client, companies_csv(12))
    job_id = job_id_from(response)
    assert response.status_code == 302
    job = wait_for(app, job_id)
    assert (job.status, job.progress) == ("done", 1.0) and counts(app) == (6, 12)
    with app.app_context():
        assert db.session.get(Job, job_id).payload is None  # the upload is not kept once imported
    html = client.get(f"/en/admin/import?job={job_id}").get_data(as_text=True)
    assert "This file has 12 rows: it is imported in the background" in html
    assert "Import of companies.csv" in html and "Finished" in html and 'data-active="0"' in html
    assert "Imported: 6 new and 0 updated companies, 12 offers and needs." in html
    status = client.get(f"/en/admin/import/jobs/{job_id}").get_json()
    assert status["status"] == "done" and status["active"] is False and status["progress"] == 1.0


def test_a_failing_large_import_saves_nothing_and_lists_every_bad_row(client, app, organiser):
    bad = {4: "Broken Co,XX,,,,,offer,Something,,water,en", 9: "Other,VN,,,,,gift,T,,water,vi"}
    job_id = job_id_from(upload(client, companies_csv(12, bad), lang="ja"))
    job = wait_for(app, job_id)
    assert job.status == "failed" and counts(app) == (0, 0)
    html = client.get(f"/ja/admin/import?job={job_id}").get_data(as_text=True)
    assert translated_plural(app, "ja", "Nothing was imported: %(num)d row needs correcting.", "Nothing was imported: %(num)d rows need correcting.", 2) in html
    assert "<td>4</td><td><code>country</code></td>" in html and "<td>9</td><td><code>kind</code></td>" in html
    # The rows are reported in the language of the organiser who uploaded the file.
    message = translated(app, "ja", "Unknown country code “%(code)s”: use two letters such as JP or VN.", code="XX")
    assert message != "Unknown country code “XX”: use two letters such as JP or VN." and message in html


def test_a_file_that_cannot_be_read_is_refused_at_once(client, app, organiser):
    html = upload(client, companies_csv(12).decode().encode("utf-16")).get_data(as_text=True)
    assert "The file is not in UTF-8." in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def _queued(app, organiser_id: int, data: bytes, **options) -> int:
    with app.app_context():
        actor = db.session.get(User, organiser_id)
        job = import_jobs.start_import_job(db.session, actor, options.pop("what", "companies"), "upload.csv", data,
                                        lang="en", **options)
        db.session.commit()
        return job.id


def test_the_page_follows_a_queued_job_until_it_ends(client, app, organiser):
    job_id = _queued(app, organiser, companies_csv(8), approve=False)
    # While an import runs, the import page of any organiser follows it, so a reload shows how it ended.
    assert client.get("/vi/admin/import").headers["Location"] == f"/vi/admin/import?job={job_id}"
    html = client.get(f"/vi/admin/import?job={job_id}").get_data(as_text=True)
    assert translated(app, "vi", "Waiting to start") in html and 'data-active="1"' in html and "<progress" in html
    assert "js/schedule.js" in html  # the schedule page's poller: it reads the same JSON fields
    status = client.get(f"/vi/admin/import/jobs/{job_id}").get_json()
    assert status["active"] is True and status["status_label"] == translated(app, "vi", "Waiting to start")
    assert import_jobs.run_import_job(app, job_id) == "done"
    assert import_jobs.run_import_job(app, job_id) == "skipped"  # a job runs once, even if delivered twice
    with app.app_context():
        assert {c.status for c in db.session.scalars(select(Company))} == {"pending"}
    assert client.get("/vi/admin/import").status_code == 200
    assert 'data-active="0"' in client.get(f"/vi/admin/import?job={job_id}").get_data(as_text=True)


def test_progress_is_shown_while_the_import_runs(app, organiser):
    """PostgreSQL shows rows done as they go; SQLite (one writer at a time) the row count, then the end."""
    job_id = _queued(app, organiser, companies_csv(600))
    jobs.submit(app, import_jobs.IMPORT_TASK, job_id)
    seen, deadline = set(), time.monotonic() + 60
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            seen.add((job.status, job.message))
            if not job.active:
                break
        time.sleep(0.02)
    assert job.status == "done" and counts(app) == (300, 600)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    during = {message for status, message in seen if status == "running" and message}
    if postgres:
        assert any(0 < int(m.split("/")[0]) < 600 for m in during), during
    else:
        assert during == {"0/600"}


def test_an_organiser_gone_or_a_dead_worker_fails_the_job_cleanly(client, app, organiser):
    stale = _queued(app, organiser, companies_csv(8))
    with app.app_context():
        db.session.get(Job, stale).created_at = utcnow() - import_jobs.STALE_AFTER - timedelta(minutes=1)
        db.session.commit()
    html = client.get(f"/en/admin/import?job={stale}").get_data(as_text=True)
    assert "Failed" in html and "The import stopped; nothing was saved." in html and 'data-active="0"' in html
    assert import_jobs.run_import_job(app, stale) == "skipped" and counts(app) == (0, 0)
    orphan = _queued(app, organiser, companies_csv(8))
    with app.app_context():
        db.session.get(Job, orphan).created_by = None
        db.session.commit()
    assert import_jobs.run_import_job(app, orphan) == "failed" and counts(app) == (0, 0)
    assert "The import stopped; nothing was saved." in client.get(f"/en/admin/import?job={orphan}").get_data(as_text=True)


def test_only_import_jobs_have_a_page(client, app, organiser):
    with app.app_context():
        other = Job(kind="embed")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert client.get(f"/en/admin/import?job={other_id}").status_code == 404
    assert client.get(f"/en/admin/import/jobs/{other_id}").status_code == 404
    assert client.get("/en/admin/import/jobs/999999").status_code == 404


def test_with_redis_a_worker_process_runs_the_import(app, organiser, monkeypatch):
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import Queue

    try:
        Redis.from_url(REDIS_TEST_URL).ping()
    except RedisDown:
        pytest.skip("no Redis at " + REDIS_TEST_URL)
    queue = Queue(jobs.QUEUE_NAME, connection=Redis.from_url(REDIS_TEST_URL))
    queue.empty()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    job_id = _queued(app, organiser, companies_csv(8))
    assert jobs.submit(app, import_jobs.IMPORT_TASK, job_id).startswith("rq:") and queue.count == 1
    assert counts(app) == (0, 0)  # nothing ran in this process
    jobs.run_worker(app, REDIS_TEST_URL, burst=True, fork=False)  # the worker uses the test database
    assert wait_for(app, job_id, seconds=5).status == "done" and counts(app) == (4, 8)


PROGRAMME = (
    "record,date,venue,room,capacity,code,start,end,title_en,language\n"
    "day,{day},,,,,,,,\n"
    "room,,Hanoi Centre,Hall 1,200,,,,,\n"
    "seminar,{day},,Hall 1,,S-1,10:00,11:00,Opening,en\n"
    "seminar,{day},,Hall 1,,S-2,11:00,{end},Waste to energy,en\n"
)


@pytest.mark.parametrize(("end", "status", "seminars"), [("12:00", "done", 2), ("10:30", "failed", 0)])
def test_the_programme_import_runs_as_a_job_too(app, organiser, end, status, seminars):
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    data = PROGRAMME.format(day=day, end=end).encode()
    job_id = _queued(app, organiser, data, what="programme", tz="Asia/Ho_Chi_Minh", allow_conflicts=False)
    assert import_jobs.run_import_job(app, job_id) == status
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert db.session.scalar(select(func.count(Seminar.id))) == seminars
        assert db.session.scalar(select(func.count(Room.id))) == (1 if status == "done" else 0)
        if status == "done":
            assert job.result["created"]["seminar"] == 2
        else:
            assert [(e.row, e.column) for e in import_jobs.job_errors(job)] == [(5, "end")]


def test_a_large_programme_upload_runs_as_a_job_and_its_page_shows_the_outcome(client, app, organiser, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 3)  # the file has 4 records
    data = PROGRAMME.format(day=(utcnow() + timedelta(days=30)).date().isoformat(), end="12:00").encode()
    response = submit(client, "/vi/admin/programme/import", files={"file": (io.BytesIO(data), "programme.csv")})
    location = response.headers["Location"]
    assert "/vi/admin/programme/import?job=" in location
    job_id = int(location.rsplit("=", 1)[1])
    assert wait_for(app, job_id).status == "done"
    html = client.get(location).get_data(as_text=True)
    assert translated(app, "vi", "Programme imported: %(created)d new and %(updated)d updated records.", created=4, updated=0) in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Seminar.id))) == 2
    # the company import page does not show a programme job
    assert client.get(f"/vi/admin/import?job={job_id}").status_code == 404
