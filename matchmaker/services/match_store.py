"""Matching figures computed off the request path and kept per matching version.

A company's suggestion list and the organiser's pairs overview need the whole pool (a matrix
product over every offer and need); at 1,000 companies that is far too slow for a page view.
So a background task (``matchmaker.jobs``) computes them for everyone at once and keeps them
here, each entry as ``(version, value)``; a page reads its entry and compares the version:

- the same: the page shows it (no matrix work);
- another one: the page shows it all the same, says the figures are being updated and starts
  the task (once per version: a marker with ``add`` keeps 50 visitors from starting 50 tasks);
- none (the first visit ever, or the cache was emptied): the page starts the task, waits up to
  ``MATCH_CACHE_WAIT`` seconds (default 1.5) for it, and otherwise says the figures are being
  prepared and reloads itself. (``MATCH_CACHE_WAIT_STALE``, default 0, is the same wait when an
  older entry is there; the tests set both so that a page shows what was just written.)

The MATCHING VERSION is a digest of what the figures depend on: the shared pool's fingerprint
(``services.matching.pool_fingerprint``: the public data version, counts and latest vector
change, the model and the weights) and the organiser's pair rules. It is read before the data,
so an entry is never labelled newer than what it was computed from. What a company does to its
own list (hiding a partner, a declined or accepted request) is applied when the page reads it.

A page reads the version through ``page_version``: the digest is computed at most once per
``MATCH_VERSION_SECONDS`` (default 1) in each process and reused meanwhile, so that a warm page
view runs none of its queries. A commit of this process that wrote anything forgets it at once;
a change made by another process (the other web workers, ``flask jobs worker``, a command) shows
up to that many seconds later.

The store is Redis when ``REDIS_URL`` is set (all workers share one copy, and ``flask jobs
worker`` fills it), else this process's memory (each worker computes its own in a thread). Rendered
fragments are kept under the code's fingerprint (``code_version``), so a deploy never serves HTML
rendered by the code before it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from matchmaker import embeddings, jobs, pagecache
from matchmaker.config import PROJECT_ROOT
from matchmaker.services import matching

log = logging.getLogger(__name__)

store = Cache()
fragments = Cache()  # rendered parts of pages made from the kept figures (services.suggestion_cache)
FRAGMENT_SECONDS = 3600  # a fragment's key moves with every version it depends on: this only bounds the memory
MARKER_SECONDS = 900  # a task that died without clearing its marker is started again after this


def init_app(app: Flask) -> None:
    """Bind the store to *app* (Redis when configured; in-process otherwise)."""
    app.config.setdefault("MATCH_CACHE_WAIT", 1.5)
    app.config.setdefault("MATCH_CACHE_WAIT_STALE", 0.0)
    app.extensions[_PAGE_VERSION] = _KeptVersion()
    # replaced at each version long before the week is out; in-process: one entry per company and per overview chunk
    store.init_app(app, config=pagecache.store_config(app, "matchmaker:match:", 7 * 24 * 3600, 200_000))
    # in-process: a few thousand compressed fragments (~10 kB each) per worker: a list and a
    # whole page (matching.kept_page) per company and language at 1,000 companies
    # under the code's fingerprint: after a deploy no worker serves HTML the previous code rendered
    fragments.init_app(app, config=pagecache.store_config(app, f"matchmaker:fragment:{code_version()}:", FRAGMENT_SECONDS,
                                                          6000))


def code_version(root: Path = PROJECT_ROOT) -> str:
    """A fingerprint of what renders the kept fragments: the templates, the compiled translations
    and the package's code (each file's path, size and modification time; read at start)."""
    digest = hashlib.sha256()
    for folder, pattern in (("templates", "**/*.html"), ("translations", "**/*.mo"), ("matchmaker", "**/*.py")):
        for path in sorted((root / folder).glob(pattern)):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def matching_version(session: Session, config) -> str:
    """The digest of everything the kept figures depend on (two small queries)."""
    weights = matching.weights_from(config)
    fingerprint = matching.pool_fingerprint(session, embeddings.model_id(config["EMBEDDING_MODEL"]), weights)
    rules = sorted(matching.pair_rules(session).items())
    return hashlib.sha256(repr((fingerprint, rules)).encode()).hexdigest()[:32]


_PAGE_VERSION = "matchmaker.page_version"  # key of the app's _KeptVersion in app.extensions
_WROTE = "matchmaker.wrote"  # key in Session.info: this transaction wrote something


@dataclass
class _KeptVersion:
    """The matching version a process last read, when (``time.monotonic``), and how many times
    it was forgotten (a read that began before a forgetting does not keep what it read)."""

    version: str | None = None
    read_at: float = 0.0
    forgotten: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def page_version(session: Session, app: Flask) -> str:
    """``matching_version``, reused for ``MATCH_VERSION_SECONDS`` in this process (none of its
    queries run meanwhile). A commit of this process that wrote anything forgets it at once."""
    kept: _KeptVersion = app.extensions[_PAGE_VERSION]
    now = time.monotonic()
    with kept.lock:
        if kept.version is not None and now - kept.read_at < app.config["MATCH_VERSION_SECONDS"]:
            return kept.version
        generation = kept.forgotten
    version = matching_version(session, app.config)
    with kept.lock:
        if kept.forgotten == generation:
            kept.version, kept.read_at = version, now
    return version


def forget_page_version(app: Flask) -> None:
    """Make the next ``page_version`` of *app* read the version again."""
    kept: _KeptVersion = app.extensions[_PAGE_VERSION]
    with kept.lock:
        kept.version = None
        kept.forgotten += 1


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True  # a flush with nothing to write does not get here


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False) and has_app_context() and _PAGE_VERSION in current_app.extensions:
        forget_page_version(current_app)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)


def kept_or_start(session: Session, app: Flask, key: str, version: str, task: str, *args) -> tuple[tuple[str, object] | None, str]:
    """The entry under *key* and the matching version to compare it with.

    Unless the entry holds *version*, *task* is started (once) and, for up to
    ``MATCH_CACHE_WAIT`` seconds when there is no entry (``MATCH_CACHE_WAIT_STALE`` when there is
    an older one), awaited: the task may label its figures with a newer version than *version*
    (it stored vectors on the way), so the wait ends at any new entry and the version is read
    again. The entry is None when nothing was computed yet."""
    kept = read(key)
    if kept is not None and kept[0] == version:
        return kept, version
    start_once(app, task, version, *args)
    wait = app.config["MATCH_CACHE_WAIT"] if kept is None else app.config["MATCH_CACHE_WAIT_STALE"]
    if wait <= 0:
        return kept, version
    session.rollback()  # hold no read lock while the task writes (SQLite)
    kept = wait_for(key, kept, wait)
    return kept, matching_version(session, app.config)


def settled(session: Session, config, compute):
    """``(version, compute())`` with the version read before the data. Computing may store the
    vectors of new texts (committed here), which changes the version: then once more, so that
    the result is labelled with the version pages will read."""
    for _ in range(2):
        version = matching_version(session, config)
        value = compute()
        session.commit()
        if matching_version(session, config) == version:
            break
    return version, value


def read(key: str) -> tuple[str, object] | None:
    """``(version, value)`` kept under *key*, or None (also when the store is down)."""
    try:
        return store.get(key)
    except Exception:  # a cache that is down must not take the page with it
        log.warning("match cache unavailable: %s not read", key, exc_info=True)
        return None


def read_many(keys: list[str]) -> list[tuple[str, object] | None]:
    """``read`` of each of *keys*, in one round trip."""
    if not keys:
        return []
    try:
        return list(store.get_many(*keys))
    except Exception:
        log.warning("match cache unavailable: %d entries not read", len(keys), exc_info=True)
        return [None] * len(keys)


def write_many(entries: dict[str, tuple[str, object]]) -> None:
    """Keep every ``key -> (version, value)`` of *entries*."""
    store.set_many(entries)


def read_fragment(key: str) -> str | None:
    """The HTML kept under *key* by ``keep_fragment``, or None (also when the store is down)."""
    try:
        packed = fragments.get(key)
    except Exception:
        log.warning("fragment cache unavailable: %s not read", key, exc_info=True)
        return None
    return None if packed is None else zlib.decompress(packed).decode()


def keep_fragment(key: str, html: str) -> None:
    """Keep *html* under *key* (compressed: lists of twenty partners repeat their markup a lot)."""
    try:
        fragments.set(key, zlib.compress(html.encode(), 1))
    except Exception:
        log.warning("fragment cache unavailable: %s not kept", key, exc_info=True)


def start_once(app: Flask, task: str, version: str, *args) -> bool:
    """Start *task* ``(app, *args)`` unless one was started for *version* already; True if started."""
    marker = _marker(task, version)
    try:
        if not store.add(marker, 1, timeout=MARKER_SECONDS):
            return False
    except Exception:
        log.warning("match cache unavailable: %s not started", task, exc_info=True)
        return False
    jobs.submit(app, task, version, *args)
    return True


def finished(task: str, version: str) -> None:
    """Clear the marker of *task* for *version* (the task calls it, whatever happened)."""
    try:
        store.delete(_marker(task, version))
    except Exception:
        log.warning("match cache unavailable: marker of %s left", task, exc_info=True)


def running(task: str, version: str) -> bool:
    """Whether *task* was started for *version* and has not finished."""
    try:
        return bool(store.get(_marker(task, version)))
    except Exception:
        return False


def _marker(task: str, version: str) -> str:
    return f"running:{task}:{version}"


def wait_for(key: str, before: tuple[str, object] | None, seconds: float) -> tuple[str, object] | None:
    """Poll *key* until it holds something other than *before* or *seconds* passed; the entry."""
    deadline = time.monotonic() + seconds
    while True:
        kept = read(key)
        if (kept is not None and (before is None or kept[0] != before[0])) or time.monotonic() >= deadline:
            return kept
        time.sleep(0.05)
