"""Each company's suggestion list, computed for all companies at once off the request path.

``refresh_suggestions`` (a background task) scores every approved company against the pool in
one ``core.suggest`` call and keeps each company's list in ``match_store`` under the matching
version; ``suggestions`` (the page) reads the company's list, drops what the company closed
since (hidden partners, declined or accepted requests, forbidden pairs) and loads only the
companies and texts it shows. A list holds ``KEEP_EXTRA`` partners past the page's 20, so that
what a company closes between two versions does not shorten it.

A company that is not approved (yet) is not in the shared pool: its page computes its own list
as before (``services.matching.suggestions_for``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import Integer, String, bindparam, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from matchmaker.core import matching as core
from matchmaker.models import Category, Company, HiddenSuggestion, MeetingRequest, Notification, pair_key
from matchmaker.services import feedback, match_store
from matchmaker.services import matching as svc
from matchmaker.services.meetings import closed_pairs

TASK = "matchmaker.services.suggestion_cache.refresh_suggestions"
TOP_K = 20
KEEP_EXTRA = 20


@dataclass(frozen=True)
class KeptList:
    """One company's partners with the ids behind their indices: the company is index 0 of
    ``company_ids``; the suggestions' texts and categories index ``text_keys`` and
    ``category_ids``. Shaped like ``services.matching.SharedPool`` for ``_materialise``."""

    company_ids: list[int]
    text_keys: list[tuple[int, str]]
    category_ids: list[int]
    found: list[core.Suggestion]
    stale: int = 0
    pool: None = None
    index_of: dict = field(default_factory=dict)


def key_of(company_id: int) -> str:
    """The store key of a company's list."""
    return f"suggestions:{company_id}"


def refresh_suggestions(app: Flask, started_for: str) -> None:
    """Background task: every approved company's list, kept under the current matching version."""
    from matchmaker.extensions import db

    with app.app_context():
        try:
            version, lists = match_store.settled(db.session, app.config, lambda: compute_lists(db.session, app.config))
            match_store.write_many({key_of(company_id): (version, kept) for company_id, kept in lists})
        finally:
            db.session.rollback()
            match_store.finished(TASK, started_for)


def compute_lists(session: Session, config) -> list[tuple[int, KeptList]]:
    """``(company id, KeptList)`` for every approved company, from one batch over the pool."""
    shared = svc.shared_pool(session, config)
    rules = svc.pair_rules(session)
    forbidden = [p for p, rule in rules.items() if rule == "forbid"]
    pins = [p for p, rule in rules.items() if rule == "pin"]
    index = shared.index_of
    found = core.suggest(shared.pool, svc.weights_from(config), top_k=TOP_K + KEEP_EXTRA,
                         exclude=[(index[a], index[b]) for a, b in forbidden if a in index and b in index],
                         pins=[(index[a], index[b]) for a, b in pins if a in index and b in index],
                         prepared=shared.prepared)
    return [(shared.company_ids[i], _compact(shared, i, found.get(i, []))) for i in range(len(shared.company_ids))]


def _compact(shared: svc.SharedPool, me: int, found: list[core.Suggestion]) -> KeptList:
    """*found* re-indexed into lists of the ids it refers to (a few hundred numbers per company)."""
    companies, texts, categories = {me: 0}, {}, {}

    def local(table: dict, i: int) -> int:
        return table.setdefault(i, len(table))

    kept = [s._replace(
        company=0, partner=local(companies, s.partner),
        reasons=tuple(r._replace(need_item=local(texts, r.need_item), offer_item=local(texts, r.offer_item)) for r in s.reasons),
        shared_categories=tuple(local(categories, c) for c in s.shared_categories),
    ) for s in found]
    return KeptList([shared.company_ids[i] for i in companies], [shared.text_keys[i] for i in texts],
                    [shared.category_ids[i] for i in categories], kept, shared.stale)


@dataclass
class Listing:
    """What the suggestions page shows under its heading: the kept HTML of the list (``html``,
    its CSRF tokens left as ``CSRF_PLACEHOLDER``), or the result to render it from and the key
    to keep the rendering under (None: not kept, e.g. a list being prepared)."""

    result: svc.SuggestionsResult
    html: str | None = None
    key: str | None = None
    state: str | None = None  # the company's own state (``OwnState.digest``) the key holds
    version: str | None = None  # the matching version of the list shown (None: not a kept list)

    def current(self, version: str) -> bool:
        """Whether this is the kept list of matching *version*, complete (not being prepared or updated)."""
        return (self.version == version and (self.html is not None or self.key is not None)
                and not self.result.updating and not self.result.preparing)


@dataclass(frozen=True)
class OwnState:
    """What a company's suggestions page shows beyond the matching version: ``digest``, of its
    hidden partners, its meeting requests (sent or received, with their status) and declined
    pairs (the list depends on them), and its ``unread`` notices (the layout's menu counts them)."""

    digest: str
    unread: int


CSRF_PLACEHOLDER = "<csrf-token>"  # never in rendered text: user text has its "<" escaped


def listing(session: Session, app: Flask, company: Company, filters: svc.SuggestionFilters, lang: str,
            script_root: str = "", own: OwnState | None = None) -> Listing:
    """What the suggestions page shows for *company* in *lang*: its kept list, rendered or not
    (as HTML, kept per company, language, filter, list version and the company's own requests
    and hidden partners), or that it is being prepared. *own* is the company's ``own_state`` if
    the caller read it already.

    A list current for the matching version is found with a few small queries and no read of
    the list itself; while a newer list is computed, the rendering of the one shown is reused."""
    if company.status != "approved":
        return Listing(svc.suggestions_for(session, company, app.config, filters))
    version = match_store.page_version(session, app)
    private = (own or own_state(session, company.id)).digest if keepable(session, filters) else None

    def fragment_key(list_version: str) -> str | None:
        if private is None:
            return None
        parts = (list_version, private, company.id, lang, script_root, filters.country, filters.category, filters.show_hidden)
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    html = match_store.read_fragment(fragment_key(version)) if private is not None else None
    if html is not None:  # kept only for a company with offers or needs: removing them all moves the version
        return Listing(svc.SuggestionsResult(), html, version=version)
    if not company.opportunities:
        return Listing(svc.SuggestionsResult(has_items=False))
    kept, version = match_store.kept_or_start(session, app, key_of(company.id), version, TASK)
    if kept is None:
        return Listing(svc.SuggestionsResult(preparing=True))
    updating = kept[0] != version
    key = fragment_key(kept[0])
    html = match_store.read_fragment(key) if updating and key is not None else None
    if html is not None:
        return Listing(svc.SuggestionsResult(updating=True), html, version=kept[0])
    result = _rows(session, company, kept[1], filters)
    result.updating = updating
    return Listing(result, key=key, state=private, version=kept[0])


def keep(listing_: Listing, html: str, csrf_token: str | None, after: OwnState) -> None:
    """Keep *html*, the rendering of *listing_*, unless the company's requests or hidden
    partners changed while it was rendered (*after*, its ``own_state`` read once rendered: the
    rendering would then be kept under a state it does not show)."""
    if listing_.key is None or after.digest != listing_.state:
        return
    match_store.keep_fragment(listing_.key, html.replace(csrf_token, CSRF_PLACEHOLDER) if csrf_token else html)


def keepable(session: Session, filters: svc.SuggestionFilters) -> bool:
    """Whether a list with *filters* is kept rendered: only for filters the page offers (an
    address typed by hand renders, without filling the store with its variants)."""
    if filters.country not in ("", "JP", "VN"):
        return False
    return not filters.category or session.scalar(select(Category.id).where(Category.key == filters.category)) is not None


def _own_state_select():
    """The one query of ``own_state`` (built once: a warm page view runs it on every view)."""
    company_id, no_id, no_status = bindparam("company_id", type_=Integer), cast(null(), Integer), cast(null(), String)
    return union_all(
        select(literal("hidden"), HiddenSuggestion.partner_id, no_id, no_status).where(HiddenSuggestion.company_id == company_id),
        select(literal("request"), MeetingRequest.id, no_id, MeetingRequest.status).where(
            or_(MeetingRequest.pair_low == company_id, MeetingRequest.pair_high == company_id)),
        feedback.declined_select(company_id, literal("declined")).add_columns(no_status),
        select(literal("unread"), func.count(Notification.id), no_id, no_status).where(
            Notification.company_id == company_id, Notification.read_at.is_(None)),
    )


_OWN_STATE = _own_state_select()


def own_state(session: Session, company_id: int) -> OwnState:
    """The company's ``OwnState``, in one query."""
    hidden, requests, declined, unread = [], [], set(), 0
    for kind, first, second, status in session.execute(_OWN_STATE, {"company_id": company_id}):
        if kind == "hidden":
            hidden.append(first)
        elif kind == "request":
            requests.append((first, status))
        elif kind == "declined":
            declined.add(pair_key(first, second))
        else:
            unread = first
    digest = hashlib.sha256(repr((sorted(hidden), sorted(requests), sorted(declined))).encode()).hexdigest()[:32]
    return OwnState(digest, unread)


def _rows(session: Session, company: Company, kept: KeptList, filters: svc.SuggestionFilters) -> svc.SuggestionsResult:
    hidden = set(session.scalars(select(HiddenSuggestion.partner_id).where(HiddenSuggestion.company_id == company.id)))
    closed = closed_pairs(session, company.id) | {p for p, rule in svc.pair_rules(session).items() if rule == "forbid"}
    if not filters.show_hidden:
        closed |= {pair_key(company.id, h) for h in hidden}
    ids = kept.company_ids
    found = [s for s in kept.found if s.pinned or pair_key(ids[0], ids[s.partner]) not in closed]
    snapshot, found = svc._materialise(session, kept, found[:TOP_K + sum(s.pinned for s in found)])
    rows = [row for row in (svc._to_row(snapshot, s) for s in found) if svc._passes(row, filters)]
    svc._attach_requests(session, company, rows, hidden)
    return svc.SuggestionsResult(rows=rows, stale=kept.stale)
