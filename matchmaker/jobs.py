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
from functools import lru_cache

from flask import Flask
from werkzeug.utils import import_string

QUEUE_NAME = "matchmaker"
log = logging.getLogger(__name__)


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


@lru_cache(maxsize=1)
def worker_app() -> Flask:
    """The application of a worker process (built once per process)."""
    from matchmaker import create_app

    return create_app()


def run_task(task: str, *args):
    """What an RQ worker executes: the task with the worker's application."""
    return import_string(task)(worker_app(), *args)


def run_worker(url: str, *, burst: bool = False, fork: bool = True) -> None:
    """Work the queue (``flask jobs worker``); *burst* stops when it is empty."""
    from redis import Redis
    from rq import SimpleWorker, Worker

    worker_class = Worker if fork else SimpleWorker
    worker_class([QUEUE_NAME], connection=Redis.from_url(url)).work(burst=burst, with_scheduler=False)
