"""gunicorn settings for ``make serve`` (``gunicorn --config gunicorn.conf.py``).

Environment variables (the rest of the configuration is the app's own, see matchmaker/config.py):

``GUNICORN_BIND``      address to listen on (default ``127.0.0.1:8000``: a reverse proxy in front).
``WEB_CONCURRENCY``    worker processes (default 2, one per core of the event server).
``GUNICORN_THREADS``   threads per worker (default 1: plain sync workers; more switches to gthread).
``GUNICORN_TIMEOUT``   seconds a worker may stay silent on one request before it is restarted (default 60).

The app is loaded once in the master (``preload_app``) and the workers are forked from it, so
they share its memory pages; ``post_fork`` then drops the pooled database connections the master
may hold, so that no two processes ever talk over the same socket.
"""

from __future__ import annotations

import os

wsgi_app = "wsgi:app"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
preload_app = True

# A sync worker holds one request at a time, so slow clients are the proxy's job (nginx
# buffers them). A request still running after `timeout` seconds is killed; on a restart
# (SIGTERM or SIGHUP) workers get `graceful_timeout` seconds to finish what they are doing.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart a worker now and then so that slow memory growth cannot accumulate for days. Cached
# pages are served at ~1,500 requests/s on two cores, so the period is long and the jitter wide:
# two workers restarting together stall every client for a moment (seen in benchmarks/load.py).
max_requests = 100000
max_requests_jitter = 50000
# Heartbeat files in memory: a slow or full disk must not look like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No control socket (newer gunicorn opens one at ~/.gunicorn/gunicorn.ctl): nothing here uses it,
# and two servers on one machine (say `make serve` and `make bench-load`) would fight over it.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Combined log format plus the time taken in milliseconds (%(M)s).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def post_fork(server, worker):
    """Give each new worker its own connection pool: forget (without closing) the master's connections.

    ``close=False`` matters: closing would send a goodbye over a socket the master (and the
    other workers) still share, breaking their connections instead of just leaving them.
    """
    from matchmaker.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
