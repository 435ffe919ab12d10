"""The matching version a page reads (``match_store.page_version``): reused for
``MATCH_VERSION_SECONDS`` in a process, read again after that, and forgotten at once by a commit
of this process that wrote something. "Another process" is a write straight on the engine: no
ORM session of this process sees it."""

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from matchmaker.extensions import db
from matchmaker.models import PairRule
from matchmaker.services import match_store


@pytest.fixture
def clock(monkeypatch):
    """match_store's monotonic clock, moved by hand (``clock.now += seconds``)."""
    fake = SimpleNamespace(now=1000.0, sleep=time.sleep)
    fake.monotonic = lambda: fake.now
    monkeypatch.setattr(match_store, "time", fake)
    return fake


@pytest.fixture
def pair(ctx, make_company):
    low, high = sorted((make_company(name="Hải Phòng Water"), make_company(name="Kitakyushu Eco Energy")))
    return low, high


def _read(app) -> str:
    """The version as a new request reads it (the previous request's transaction ended)."""
    db.session.rollback()
    return match_store.page_version(db.session, app)


def _forbid_from_another_process(low: int, high: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(PairRule.__table__).values(company_low=low, company_high=high, rule="forbid", note=""))


def test_the_default_window_is_one_second(app):
    assert app.config["MATCH_VERSION_SECONDS"] == 1.0


def test_a_version_is_reused_within_the_window_and_read_again_after_it(app, pair, clock):
    before = _read(app)
    _forbid_from_another_process(*pair)
    db.session.rollback()
    current = match_store.matching_version(db.session, app.config)
    assert current != before  # the rule moved the version
    clock.now += 0.9
    assert _read(app) == before  # still within the window: no query, the version read before
    clock.now += 0.2
    assert _read(app) == current  # the window is over: read again
    clock.now += 0.5
    assert _read(app) == current


def test_a_commit_of_this_process_that_wrote_forgets_the_version_at_once(app, pair, clock):
    before = _read(app)
    db.session.add(PairRule(company_low=pair[0], company_high=pair[1], rule="pin"))
    db.session.commit()
    after = _read(app)
    assert after != before and after == match_store.matching_version(db.session, app.config)


def test_a_commit_that_wrote_nothing_keeps_the_version(app, pair, clock):
    before = _read(app)
    _forbid_from_another_process(*pair)
    db.session.commit()  # as a page that only read commits
    assert _read(app) == before
    db.session.rollback()
    assert match_store.matching_version(db.session, app.config) != before


def test_a_window_of_zero_reads_the_version_every_time(app, pair, clock, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_VERSION_SECONDS", 0)
    before = _read(app)
    _forbid_from_another_process(*pair)
    assert _read(app) != before


def test_the_code_fingerprint_moves_with_a_template_a_translation_or_the_code(tmp_path):
    import os

    from matchmaker.services.match_store import code_version

    for folder, name in (("templates", "page.html"), ("translations/ja/LC_MESSAGES", "messages.mo"), ("matchmaker", "x.py")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / name).write_text("one")
    first = code_version(tmp_path)
    assert code_version(tmp_path) == first  # the same files: the same fingerprint
    seen = {first}
    for path in (tmp_path / "templates/page.html", tmp_path / "translations/ja/LC_MESSAGES/messages.mo",
                 tmp_path / "matchmaker/x.py"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        seen.add(code_version(tmp_path))
    (tmp_path / "templates/other.html").write_text("two")
    seen.add(code_version(tmp_path))
    assert len(seen) == 5  # each change gave a new fingerprint
    (tmp_path / "README.md").write_text("not code")
    assert code_version(tmp_path) in seen


def test_fragments_are_kept_under_the_running_codes_fingerprint(app):
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from matchmaker import create_app
    from matchmaker.services import match_store
    from tests.conftest import REDIS_TEST_URL

    try:
        redis = Redis.from_url(REDIS_TEST_URL)
        redis.flushdb()
    except RedisDown:
        pytest.skip("no Redis at " + REDIS_TEST_URL)
    server = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SECRET_KEY": "test-secret", "REDIS_URL": REDIS_TEST_URL})
    with server.app_context():
        match_store.keep_fragment("a-page", "<p>kept</p>")
        assert match_store.read_fragment("a-page") == "<p>kept</p>"
        db.engine.dispose()
    assert [key.decode() for key in redis.keys("matchmaker:fragment:*")] == \
        [f"matchmaker:fragment:{match_store.code_version()}:a-page"]
    redis.flushdb()
