"""The whole suggestions page kept rendered, layout and all, for the views that follow.

A warm view of ``/<lang>/matches/`` used to render the layout on every request (about a third
of its time) around the list kept by ``services.suggestion_cache``. Now the page as sent is
kept too (in ``match_store.fragments``, beside the list), under a key of everything it shows:

- the matching version of its list and the company's ``OwnState`` (its hidden partners,
  requests and declined pairs; its unread notices, counted in the menu);
- the company and the signed-in user's role (the menu differs for organisers);
- the script root, the path with its query string (the page's language, its filters, the
  language switcher's links and the time-zone form's ``next``) and the visitor's time zone (the
  switcher's active zone).

Every part has a test that fails when it is left out (``tests/web/test_suggestion_pages.py``,
``tests/web/test_suggestion_fragments.py``). The company's status needs none: only an approved
company's page is kept, and a change of status moves the matching version.

What differs between visitors who share a key is put back: the CSRF token (kept as
``suggestion_cache.CSRF_PLACEHOLDER``). A page is neither kept nor served while the session
holds something shown once (a flash message, an undo offer), for a query string other than the
page's filters, or while the list is being prepared or updated.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request, session
from flask_babel import get_timezone
from flask_login import current_user
from sqlalchemy.orm import Session

from matchmaker import undo
from matchmaker.models import Company
from matchmaker.services import match_store, suggestion_cache
from matchmaker.services.matching import SuggestionFilters

FILTER_ARGS = frozenset({"country", "category", "hidden"})  # the query string a kept page may have


def key_of(db_session: Session, app: Flask, company: Company, filters: SuggestionFilters,
           own: suggestion_cache.OwnState | None) -> tuple[str, str] | None:
    """``(matching version, key)`` of the page this request shows, or None when it is not kept."""
    if own is None or not _plain_request() or not suggestion_cache.keepable(db_session, filters):
        return None
    version = match_store.page_version(db_session, app)
    parts = ("suggestions page", version, own.digest, own.unread, company.id, current_user.role,
             request.script_root, request.full_path, str(get_timezone()))
    return version, hashlib.sha256(repr(parts).encode()).hexdigest()


def _plain_request() -> bool:
    """Nothing in the session to show once, and no query string beyond the page's filters (each once)."""
    if "_flashes" in session or undo.offered():
        return False
    return all(name in FILTER_ARGS and len(request.args.getlist(name)) == 1 for name in request.args)


def read(key: tuple[str, str] | None, csrf_token: str | None) -> str | None:
    """The page kept under *key*, with this visitor's *csrf_token* put back; None if none is kept."""
    html = match_store.read_fragment(key[1]) if key is not None else None
    if html is None or not csrf_token:
        return html
    return html.replace(suggestion_cache.CSRF_PLACEHOLDER, csrf_token)


def keep(key: tuple[str, str] | None, found: suggestion_cache.Listing, before: suggestion_cache.OwnState | None,
         after: suggestion_cache.OwnState | None, page: str, csrf_token: str | None) -> None:
    """Keep *page*, rendered from *found*, under *key* if it shows the key's version and nothing
    the key holds changed while it was rendered (*before* and *after*: the company's state)."""
    if key is None or after != before or not found.current(key[0]):
        return
    match_store.keep_fragment(key[1], page.replace(csrf_token, suggestion_cache.CSRF_PLACEHOLDER) if csrf_token else page)
