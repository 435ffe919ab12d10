"""Background jobs: in-process threads by default, RQ on the real Redis when REDIS_URL is set."""

import time

import pytest
from sqlalchemy import select

from matchmaker import embeddings, jobs
from matchmaker.extensions import db
from matchmaker.models import Job, User
from matchmaker.services import vectors
from tests.conftest import REDIS_TEST_URL

pytestmark = pytest.mark.model


@pytest.fixture
def stale_items(app, make_company, make_opportunity, make_organiser):
    a = make_company(name="Hà Nội Water", country="VN")
    make_opportunity(a, kind="need", language="vi", title="Xử lý nước thải khu công nghiệp", categories=("water",))
    b = make_company(name="大阪水処理", country="JP")
    make_opportunity(b, kind="offer", language="ja", title="膜分離活性汚泥法による排水処理", categories=("water",))
    make_organiser()
    with app.app_context():
        organiser = db.session.scalar(select(User).where(User.role == "organiser"))
        job, created = vectors.start_embedding(db.session, organiser)
        db.session.commit()
        assert created
        again, created_again = vectors.start_embedding(db.session, organiser)
        assert again.id == job.id and not created_again  # one embedding job at a time
        return job.id


def wait_for(app, job_id, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.status in ("done", "failed"):
                return job.status, job.message
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def assert_all_current(app):
    with app.app_context():
        model_id = embeddings.model_id(app.config["EMBEDDING_MODEL"])
        assert vectors.stale_texts(db.session, model_id) == []


def test_without_redis_a_thread_runs_the_job(app, stale_items):
    assert app.config["REDIS_URL"] == ""
    handle = jobs.submit(app, "matchmaker.services.vectors.embed_job", stale_items)
    assert handle.startswith("thread:")
    assert wait_for(app, stale_items) == ("done", "2/2")
    assert_all_current(app)


def test_with_redis_a_worker_runs_the_job(app, stale_items, monkeypatch):
    from redis import Redis
    from rq import Queue

    redis = Redis.from_url(REDIS_TEST_URL)
    Queue(jobs.QUEUE_NAME, connection=redis).empty()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    handle = jobs.submit(app, "matchmaker.services.vectors.embed_job", stale_items)
    assert handle.startswith("rq:")
    assert Queue(jobs.QUEUE_NAME, connection=redis).count == 1
    with app.app_context():
        assert db.session.get(Job, stale_items).status == "queued"  # nothing ran in the web process
    jobs.run_worker(app, REDIS_TEST_URL, burst=True, fork=False)  # the worker uses the test database
    assert wait_for(app, stale_items, seconds=5) == ("done", "2/2")
    assert_all_current(app)


def test_failed_job_records_why(app, stale_items, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "EMBEDDING_MODEL", str(tmp_path / "missing-model"))
    vectors.embed_job(app, stale_items)
    status, message = wait_for(app, stale_items, seconds=1)
    assert status == "failed" and "make model" in message
