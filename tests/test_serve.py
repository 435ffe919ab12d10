"""gunicorn.conf.py: settings from the environment, and a fresh connection pool in every forked worker."""

from __future__ import annotations

import runpy
import sys
import types

import pytest
from gunicorn.config import Config

from matchmaker import PROJECT_ROOT
from matchmaker.extensions import db

CONF = PROJECT_ROOT / "gunicorn.conf.py"


def load_settings() -> Config:
    """Read gunicorn.conf.py the way gunicorn does (its validators check every value)."""
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_defaults(monkeypatch):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = load_settings()
    assert config.bind == ["127.0.0.1:8000"]
    assert (config.workers, config.threads, config.worker_class_str) == (2, 1, "sync")
    assert config.preload_app and config.accesslog == "-" and config.timeout == 60
    assert config.post_fork.__module__ != "gunicorn.config"  # ours, not gunicorn's no-op


@pytest.mark.parametrize(("env", "expected"), [
    ({"WEB_CONCURRENCY": "5", "GUNICORN_BIND": "0.0.0.0:9000"}, (["0.0.0.0:9000"], 5, "sync")),
    ({"GUNICORN_THREADS": "4"}, (["127.0.0.1:8000"], 2, "gthread")),
])
def test_settings_from_the_environment(monkeypatch, env, expected):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_settings()
    assert (config.bind, config.workers, config.worker_class_str) == expected


def test_post_fork_drops_the_pool_without_closing_the_parents_connections(app, monkeypatch):
    monkeypatch.setitem(sys.modules, "wsgi", types.SimpleNamespace(app=app))
    post_fork = runpy.run_path(str(CONF))["post_fork"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # start from an empty pool: only `inherited` below is left to close by hand
        raw = db.engine.raw_connection()  # a connection the master would hold in its pool
        inherited, parent_pool = raw.dbapi_connection, db.engine.pool
        raw.close()  # back into the pool
        post_fork(server=None, worker=None)
        assert db.engine.pool is not parent_pool and db.engine.pool.checkedout() == 0
        # The "parent's" connection is still open: disposing closed nothing behind its back.
        assert inherited.cursor().execute("SELECT 1").fetchone()[0] == 1
        inherited.close()
