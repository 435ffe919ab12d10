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
