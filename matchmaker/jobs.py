"""Running long tasks off the request path.

With ``REDIS_URL`` set, tasks go to an RQ queue in Redis and any number of ``flask jobs worker``
processes (on any machine) carry them out; without it, the embedded default runs them in a
daemon thread of the web process, so a request never waits for them either way. RQ was chosen
over Celery and Huey because it needs nothing but the Redis the site already uses for shared
rate limits, has the smallest API, and is maintained.

A task is a plain function ``task(app, *args)`` named by its dotted path; it records its own
progress in the database (a ``Job`` row, or e.g. a schedule run), which the pages poll.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from werkzeug.utils import import_string

from matchmaker.extensions import db

QUEUE_NAME = "matchmaker"
log = logging.getLogger(__name__)
# The application a worker process runs its tasks with: the one ``flask jobs worker`` built, given
# to ``run_worker`` (importing the app factory here would make an import circle with it).
_WORKER: dict[str, Flask] = {}


def submit(app: Flask, task: str, *args) -> str:
    """Start *task* (a dotted path) with ``(app, *args)``; return an id for the log."""
    url = app.config.get("REDIS_URL")
    if url:
        job = _queue(url).enqueue(run_task, task, *args, job_timeout=6 * 3600, result_ttl=24 * 3600)
        return f"rq:{job.id}"
    thread = threading.Thread(target=_run_here, args=(app, task, args), name=f"job:{task}", daemon=True)
    thread.start()
    return f"thread:{thread.name}"


def _queue(url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def _run_here(app: Flask, task: str, args: tuple) -> None:
    try:
        import_string(task)(app, *args)
    except Exception:  # a thread has no caller to tell: the task records its failure itself
        log.exception("background task %s failed", task)


def worker_app() -> Flask:
    """The application of this worker process (the one ``run_worker`` was given)."""
    if "app" not in _WORKER:
        raise RuntimeError("start workers with `flask jobs worker`: it gives them the application")
    return _WORKER["app"]


def run_task(task: str, *args):
    """What an RQ worker executes: the task with the worker's application."""
    return import_string(task)(worker_app(), *args)


def run_worker(app: Flask, url: str, *, burst: bool = False, fork: bool = True) -> None:
    """Work the queue (``flask jobs worker``) with *app*; *burst* stops when it is empty."""
    from redis import Redis
    from rq import SimpleWorker, Worker

    _WORKER["app"] = app
    with app.app_context():
        db.engine.dispose()  # each job runs in a fork of this process: none inherits an open connection

    worker_class = Worker if fork else SimpleWorker
    worker_class([QUEUE_NAME], connection=Redis.from_url(url)).work(burst=burst, with_scheduler=False)
