"""Run schedule generation off the request path: one daemon thread per run, in this process.

A later job queue only has to call ``services.schedule.generation.run_generation(app, run_id)``
instead of ``launch``. ``wait_for_runs`` lets tests and the CLI wait for the threads.
"""

from __future__ import annotations

import threading

from flask import Flask

from matchmaker.services.schedule.generation import run_generation

_threads: list[threading.Thread] = []
_lock = threading.Lock()


def launch(app: Flask, run_id: int) -> threading.Thread | None:
    """Start ``run_generation(app, run_id)`` off the request path.

    With ``REDIS_URL`` the run goes to the job queue (``flask jobs worker`` carries it out) and
    None is returned; otherwise it runs in a daemon thread of this process, which is returned.
    """
    if app.config.get("REDIS_URL"):
        from matchmaker import jobs

        jobs.submit(app, "matchmaker.services.schedule.generation.run_generation", run_id)
        return None
    thread = threading.Thread(target=run_generation, args=(app, run_id), name=f"schedule-run-{run_id}", daemon=True)
    with _lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_runs(timeout: float = 120.0) -> None:
    """Wait until every launched run has ended (or *timeout* seconds per thread)."""
    with _lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)


def deliver_notices(app: Flask, delay: float, base_url: str = "") -> threading.Timer | None:
    """Mail the schedule notifications that are due, after *delay* seconds (0: now).

    *base_url* (the site's address, e.g. ``request.host_url``) makes the agenda links in the mails.

    The undo window of a publication delays its mails; a timer in this process sends them when it
    closes, and ``flask schedule deliver`` does the same from cron if the process went away.
    """
    if delay <= 0:
        _deliver(app, base_url)
        return None
    if app.testing:
        return None  # a timer would outlive the test's database; tests call deliver_due themselves
    timer = threading.Timer(delay, _deliver, args=(app, base_url))
    timer.daemon = True
    timer.start()
    return timer


def _deliver(app: Flask, base_url: str) -> None:
    from flask import url_for

    from matchmaker.extensions import db
    from matchmaker.services.schedule.publish import deliver_due

    with app.app_context(), app.test_request_context(base_url=base_url or None):
        deliver_due(db.session, app.config, lambda lang: url_for("agenda.index", lang_code=lang, _external=True))
        db.session.commit()
