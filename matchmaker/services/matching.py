"""Partner suggestions: from the database to ``core.matching`` and back to labelled rows.

The maths lives in ``matchmaker.core.matching``; this module gathers the pool (approved
companies, their offers and needs, their current vectors), the exclusions (same company,
declined or accepted requests, hidden partners, forbidden pairs) and the pins, and turns the
core's index-based suggestions into rows the pages and the CLI can show.

The suggestions page asks for one company at a time, so each process keeps the last pool it
built, prepared (``core.prepare``: hub terms, language means, item rows), as plain arrays and
database ids (``SharedPool``), under a fingerprint of what it was built from: the public data
version (``matchmaker.pagecache``, new at every commit that changes companies, offers, needs or
categories), the number and latest change of the stored vectors, the model and the weights. A
request then reads the fingerprint, scores its company against the kept pool and loads only
the companies and texts it shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker import embeddings
from matchmaker.core import matching as core
from matchmaker.models import (
    Category,
    Company,
    DataVersion,
    HiddenSuggestion,
    MeetingRequest,
    Opportunity,
    OpportunityEmbedding,
    OpportunityVersion,
    PairRule,
    User,
    pair_key,
)
from matchmaker.services import validation as v
from matchmaker.services import feedback, vectors
from matchmaker.services.concepts.glossary import current_glossary
from matchmaker.services.meetings import closed_pairs

INLINE_EMBED_LIMIT = 64  # more stale items than this wait for `flask matches embed` (or the job queue)


@dataclass
class Snapshot:
    """The pool handed to the core, with the ids behind its indices.

    Pool items are texts (``vectors.ItemText``): the original of each offer/need and each
    version its company wrote in another language.
    """

    pool: core.Pool
    companies: list[Company] | dict[int, Company]  # by pool index (a dict holds only some)
    texts: list[vectors.ItemText] | dict[int, vectors.ItemText]
    categories: list[Category] | dict[int, Category]
    index_of: dict[int, int]  # company id -> pool index
    stale: int = 0  # texts left out because they have no current vector
    outdated: int = 0  # texts matched with a vector made before their topics last changed (``vectors``)


def build_snapshot(session: Session, model: str, include: Company | None = None, embed_limit: int | None = None) -> Snapshot:
    """Gather approved companies (plus *include*, e.g. a pending viewer) and their vectors; up to
    *embed_limit* (default ``INLINE_EMBED_LIMIT``) missing or outdated ones are embedded here."""
    embed_limit = INLINE_EMBED_LIMIT if embed_limit is None else embed_limit
    model_id = embeddings.model_id(model)
    opportunities_of = selectinload(Company.opportunities)
    stmt = select(Company).options(opportunities_of.selectinload(Opportunity.categories),
                                   opportunities_of.selectinload(Opportunity.versions))
    stmt = stmt.where(or_(Company.status == "approved", Company.id == (include.id if include else -1))).order_by(Company.id)
    companies = list(session.scalars(stmt))
    texts = vectors.texts_of(o for c in companies for o in c.opportunities)
    # the topics of these offers/needs, detected again where they changed: the pool's concept term
    # and what the model reads (``vectors.Expansion``)
    expansion = vectors.expansion_for(session, [o for c in companies for o in c.opportunities])
    stored = vectors.current_vectors(session, model_id, texts)
    outdated = vectors.outdated(texts, stored, expansion)
    # texts without a vector of their text, or whose vector predates a change of their topics
    missing = [t for t in texts if t.key not in stored] + outdated
    if missing and len(missing) <= embed_limit:
        vectors.embed(session, missing, model, expansion=expansion)
        stored = vectors.current_vectors(session, model_id, texts)
        outdated = vectors.outdated(texts, stored, expansion)
    ready = [t for t in texts if t.key in stored]  # an outdated vector still counts (``vectors``)
    categories = list(session.scalars(select(Category).order_by(Category.position)))
    pool = _pool(companies, ready, stored, categories, expansion.concepts, expansion.glossary)
    return Snapshot(pool, companies, ready, categories, {c.id: i for i, c in enumerate(companies)}, len(texts) - len(ready),
                    len(outdated))


def _pool(companies, texts, stored, categories, concepts, glossary) -> core.Pool:
    index_of = {c.id: i for i, c in enumerate(companies)}
    cat_index = {c.id: i for i, c in enumerate(categories)}
    dim = next(iter(stored.values())).dim if stored else 384
    vecs = np.zeros((len(texts), dim), dtype=np.float32)
    cats = np.zeros((len(texts), len(categories)), dtype=bool)
    for row, text in enumerate(texts):
        vecs[row] = stored[text.key].as_array()
        cats[row, [cat_index[c.id] for c in text.opportunity.categories]] = True
    return core.Pool(
        item_company=np.array([index_of[t.opportunity.company_id] for t in texts], dtype=np.int64),
        item_is_need=np.array([t.kind == "need" for t in texts], dtype=bool),
        vectors=vecs,
        item_categories=cats,
        company_country=np.array([c.country for c in companies], dtype=object),
        company_languages=tuple(frozenset(c.language_list) for c in companies),
        item_language=np.array([t.language for t in texts], dtype=object),
        item_concepts=tuple(concepts.get(t.opportunity.id, ()) for t in texts),
        glossary=glossary,
    )


@dataclass(frozen=True)
class SharedPool:
    """A prepared pool with the database ids behind its indices and no ORM objects, so that it
    outlives the session that built it."""

    pool: core.Pool
    prepared: object  # core.prepare(pool, weights)
    company_ids: list[int]
    text_keys: list[tuple[int, str]]  # (opportunity id, language) per pool item
    category_ids: list[int]
    index_of: dict[int, int]  # company id -> pool index
    stale: int
    outdated: int = 0


_shared: dict[str, tuple[tuple, SharedPool]] = {}
_shared_lock = threading.Lock()


def pool_fingerprint(session: Session, model_id: str, weights: core.Weights) -> tuple:
    """What the shared pool depends on, read in one query (counts catch rows deleted without a
    version change, e.g. a table emptied by hand)."""
    def count(model) -> object:
        return select(func.count()).select_from(model).scalar_subquery()

    vectors_of_model = OpportunityEmbedding.model_id == model_id
    row = session.execute(select(
        select(DataVersion.token).where(DataVersion.id == 1).scalar_subquery(),
        count(Company), count(Opportunity), count(OpportunityVersion),
        select(func.count()).where(vectors_of_model).select_from(OpportunityEmbedding).scalar_subquery(),
        select(func.max(OpportunityEmbedding.updated_at)).where(vectors_of_model).scalar_subquery(),
    )).one()
    return (model_id, weights, current_glossary(session).version, *row)


def shared_pool(session: Session, config) -> SharedPool:
    """The approved companies' prepared pool, rebuilt only when its fingerprint changed."""
    model, weights = config["EMBEDDING_MODEL"], weights_from(config)
    key = pool_fingerprint(session, embeddings.model_id(model), weights)
    with _shared_lock:
        kept = _shared.get("pool")
        if kept is not None and kept[0] == key:
            return kept[1]
    snapshot = build_snapshot(session, model)
    built = SharedPool(
        snapshot.pool, core.prepare(snapshot.pool, weights), [c.id for c in snapshot.companies],
        [t.key for t in snapshot.texts], [c.id for c in snapshot.categories], snapshot.index_of, snapshot.stale,
        snapshot.outdated,
    )
    with _shared_lock:
        _shared["pool"] = (key, built)
    return built


def _materialise(session: Session, shared: SharedPool, found: list[core.Suggestion]) -> tuple[Snapshot, list[core.Suggestion]]:
    """A Snapshot holding only what *found* refers to (companies, texts, categories, by pool
    index), and *found* without what was deleted since the pool was built (a partner, a text or
    a category another request removed in the meantime is left out, not an error)."""
    companies = {i for s in found for i in (s.company, s.partner)}
    items = {i for s in found for r in s.reasons for i in (r.need_item, r.offer_item)}
    categories = {i for s in found for i in s.shared_categories}
    opportunities_of = selectinload(Company.opportunities)
    loaded = session.scalars(select(Company).where(Company.id.in_([shared.company_ids[i] for i in companies])).options(
        opportunities_of.selectinload(Opportunity.categories), opportunities_of.selectinload(Opportunity.versions),
        selectinload(Company.users)))  # the request prefill writes in the language each partner's users read
    by_id = {c.id: c for c in loaded}
    opportunities = {o.id: o for c in by_id.values() for o in c.opportunities}
    missing = {shared.text_keys[i][0] for i in items} - opportunities.keys()
    if missing:  # the viewer's own texts: the viewer is not among the loaded partners
        opportunities |= {o.id: o for o in session.scalars(select(Opportunity).where(Opportunity.id.in_(missing))
                                                           .options(selectinload(Opportunity.versions)))}
    cats = {c.id: c for c in session.scalars(select(Category).where(Category.id.in_([shared.category_ids[i] for i in categories])))}
    texts = {i: text for i in items if (text := _text(opportunities, *shared.text_keys[i])) is not None}
    snapshot = Snapshot(
        shared.pool,
        {i: by_id[shared.company_ids[i]] for i in companies if shared.company_ids[i] in by_id},
        texts,
        {i: cats[shared.category_ids[i]] for i in categories if shared.category_ids[i] in cats},
        shared.index_of, shared.stale,
    )
    kept = [s._replace(reasons=tuple(r for r in s.reasons if r.need_item in texts and r.offer_item in texts),
                       shared_categories=tuple(c for c in s.shared_categories if c in snapshot.categories))
            for s in found if s.partner in snapshot.companies]
    return snapshot, kept


def _text(opportunities: dict[int, Opportunity], opportunity_id: int, language: str) -> vectors.ItemText | None:
    """The text (opportunity id, language) among *opportunities*, or None when it is gone."""
    opportunity = opportunities.get(opportunity_id)
    if opportunity is None:
        return None
    text = opportunity.version_in(language)
    if text.language != language:  # that version was removed
        return None
    return vectors.ItemText(opportunity, None if text is opportunity else text)


def pair_rules(session: Session) -> dict[tuple[int, int], str]:
    """Organiser rules by unordered company-id pair: 'pin' or 'forbid'."""
    return {(r.company_low, r.company_high): r.rule for r in session.scalars(select(PairRule))}


def _index_pairs(snapshot: Snapshot, pairs) -> list[tuple[int, int]]:
    idx = snapshot.index_of
    return [(idx[a], idx[b]) for a, b in pairs if a in idx and b in idx]


def weights_from(config) -> core.Weights:
    """Scoring weights, with the cross-border preference from ``MATCHMAKER_MATCH_CROSS_BORDER``
    and the weight of shared concepts from ``MATCHMAKER_MATCH_CONCEPT``."""
    given = {"cross_border": config.get("MATCH_CROSS_BORDER"), "concept": config.get("MATCH_CONCEPT")}
    return core.Weights(**{name: float(value) for name, value in given.items() if value is not None})


@dataclass(frozen=True)
class SuggestionFilters:
    """What the suggestions page narrows to."""

    country: str = ""
    category: str = ""
    show_hidden: bool = False


@dataclass
class Reason:
    """One offer↔need pair that drove a suggestion: the texts that met (either may be a version
    in another language; ``.opportunity`` is the offer/need itself)."""

    need: vectors.ItemText
    offer: vectors.ItemText
    similarity: float


@dataclass
class SuggestionRow:
    """A suggested partner as a page shows it."""

    partner: Company
    score: float
    reasons: list[Reason]
    shared_categories: list[Category]
    interpreter_needed: bool
    pinned: bool = False
    shared_concepts: list[str] = field(default_factory=list)  # glossary keys, most telling first
    hidden: bool = False
    request: MeetingRequest | None = None
    company: Company | None = None  # set in the organiser's list of pairs

    @property
    def percent(self) -> int:
        """The score as a whole percentage for the bar."""
        return int(round(self.score * 100))


@dataclass
class SuggestionsResult:
    """Everything the suggestions page shows."""

    rows: list[SuggestionRow] = field(default_factory=list)
    has_items: bool = True
    stale: int = 0
    preparing: bool = False  # the list is being computed (services.suggestion_cache): nothing to show yet
    updating: bool = False  # the list shown is the previous one; a newer one is being computed


def _to_row(snapshot: Snapshot, s: core.Suggestion) -> SuggestionRow:
    return SuggestionRow(
        partner=snapshot.companies[s.partner],
        score=float(s.score),
        reasons=_reasons(snapshot.texts, s.reasons),
        shared_categories=[snapshot.categories[i] for i in s.shared_categories],
        interpreter_needed=bool(s.interpreter_needed),
        pinned=bool(s.pinned),
        shared_concepts=list(s.shared_concepts),
    )


def _reasons(texts: list[vectors.ItemText], reasons) -> list[Reason]:
    """The core's reasons as texts, best first, one per need/offer pair (two versions of the
    same offer meeting the same need count once, in the language of the better one)."""
    seen, found = set(), []
    for r in reasons:
        need, offer = texts[r.need_item], texts[r.offer_item]
        if (need.opportunity.id, offer.opportunity.id) not in seen:
            seen.add((need.opportunity.id, offer.opportunity.id))
            found.append(Reason(need, offer, float(r.similarity)))
    return found


def _exclusions(session: Session, company: Company, snapshot: Snapshot, show_hidden: bool):
    rules = pair_rules(session)
    forbidden = [p for p, rule in rules.items() if rule == "forbid"]
    pins = [p for p, rule in rules.items() if rule == "pin"]
    hidden = set(session.scalars(select(HiddenSuggestion.partner_id).where(HiddenSuggestion.company_id == company.id)))
    excluded = closed_pairs(session, company.id) | set(forbidden)
    if not show_hidden:
        excluded |= {pair_key(company.id, h) for h in hidden}
    return _index_pairs(snapshot, excluded), _index_pairs(snapshot, pins), hidden


def suggestions_for(session: Session, company: Company, config, filters: SuggestionFilters, *, top_k: int = 20) -> SuggestionsResult:
    """The best partners for *company*, filtered, each with its reasons and request status."""
    if not company.opportunities:
        return SuggestionsResult(has_items=False)
    weights = weights_from(config)
    shared = shared_pool(session, config) if company.status == "approved" else None
    if shared is not None and company.id in shared.index_of:
        me = shared.index_of[company.id]
        exclude, pins, hidden = _exclusions(session, company, shared, filters.show_hidden)
        found = core.suggest(shared.pool, weights, top_k=top_k, exclude=exclude, pins=pins, companies=[me],
                             prepared=shared.prepared).get(me, [])
        snapshot, found = _materialise(session, shared, found)
    else:  # not approved (yet): its own pool, the approved companies plus itself
        snapshot = build_snapshot(session, config["EMBEDDING_MODEL"], include=company)
        me = snapshot.index_of[company.id]
        exclude, pins, hidden = _exclusions(session, company, snapshot, filters.show_hidden)
        found = core.suggest(snapshot.pool, weights, top_k=top_k, exclude=exclude, pins=pins, companies=[me]).get(me, [])
    rows = [_to_row(snapshot, s) for s in found]
    rows = [r for r in rows if _passes(r, filters)]
    _attach_requests(session, company, rows, hidden)
    return SuggestionsResult(rows=rows, stale=snapshot.stale)


def _passes(row: SuggestionRow, filters: SuggestionFilters) -> bool:
    if filters.country and row.partner.country != filters.country:
        return False
    if filters.category:
        keys = {c.key for o in row.partner.opportunities for c in o.categories}
        return filters.category in keys
    return True


def _attach_requests(session: Session, company: Company, rows: list[SuggestionRow], hidden: set[int]) -> None:
    open_requests = session.scalars(select(MeetingRequest).where(
        or_(MeetingRequest.pair_low == company.id, MeetingRequest.pair_high == company.id),
        MeetingRequest.status == "pending"))
    by_partner = {r.partner_of(company.id).id: r for r in open_requests}
    for row in rows:
        row.request = by_partner.get(row.partner.id)
        row.hidden = row.partner.id in hidden


def set_hidden(session: Session, actor: User, partner_id: int, *, hidden: bool) -> None:
    """Hide a suggested partner from the actor's company's list, or show it again."""
    if actor.company_id is None:
        raise PermissionError("companies only")
    row = session.get(HiddenSuggestion, (actor.company_id, partner_id))
    if hidden and row is None and session.get(Company, partner_id) and partner_id != actor.company_id:
        session.add(HiddenSuggestion(company_id=actor.company_id, partner_id=partner_id))
        feedback.record(session, actor.company_id, partner_id, "hidden")
    elif not hidden and row is not None:
        session.delete(row)
    session.flush()


def set_pair_rule(session: Session, actor: User, a: int, b: int, rule: str, note: str = "") -> PairRule | None:
    """Pin or forbid a pair of companies (organisers only); rule 'none' removes the rule."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    if a == b:
        raise v.ValidationError("company_b", _("Choose two different companies."))
    if session.get(Company, a) is None or session.get(Company, b) is None:
        raise v.ValidationError("company_b", _("This company is not taking part in the matching."))
    rule = v.choice("rule", rule, ("pin", "forbid", "none"))
    low, high = pair_key(a, b)
    existing = session.scalar(select(PairRule).where(PairRule.company_low == low, PairRule.company_high == high))
    if rule == "none":
        if existing:
            session.delete(existing)
        session.flush()
        return None
    existing = existing or PairRule(company_low=low, company_high=high)
    existing.rule, existing.note = rule, v.text("note", note, max_length=300, required=False)
    session.add(existing)
    session.flush()
    return existing


@dataclass
class Overview:
    """The organiser's picture of the matching."""

    pairs: list[SuggestionRow]
    counts: list[tuple[Company, int]]
    rules: list[PairRule]
    stale: int


def organiser_overview(session: Session, config, threshold: float) -> Overview:
    """All pairs above *threshold*, suggestions per company (fewest first), and the rules."""
    snapshot = build_snapshot(session, config["EMBEDDING_MODEL"])
    rules = pair_rules(session)
    exclude = _index_pairs(snapshot, closed_pairs(session) | {p for p, r in rules.items() if r == "forbid"})
    pins = _index_pairs(snapshot, [p for p, r in rules.items() if r == "pin"])
    found = core.pair_scores_above(snapshot.pool, weights_from(config), threshold, exclude=exclude, pins=pins)
    pairs = []
    counts = {i: 0 for i in range(len(snapshot.companies))}
    for s in found:
        row = _to_row(snapshot, s)
        row.company = snapshot.companies[s.company]
        pairs.append(row)
        counts[s.company] += 1
        counts[s.partner] += 1
    per_company = sorted(((snapshot.companies[i], n) for i, n in counts.items()), key=lambda t: (t[1], t[0].name))
    all_rules = list(session.scalars(select(PairRule).options(selectinload(PairRule.low), selectinload(PairRule.high))))
    return Overview(pairs=pairs, counts=per_company, rules=all_rules, stale=snapshot.stale)


def suggest_all(session: Session, config, *, top_k: int = 10, company_name: str | None = None, lang: str = "en") -> list[dict]:
    """Top partners of every approved company (or one, by name) in the CLI's JSON shape, the
    shared concepts labelled in *lang*."""
    snapshot = build_snapshot(session, config["EMBEDDING_MODEL"], embed_limit=10**9)
    rules = pair_rules(session)
    exclude = _index_pairs(snapshot, closed_pairs(session) | {p for p, r in rules.items() if r == "forbid"})
    pins = _index_pairs(snapshot, [p for p, r in rules.items() if r == "pin"])
    wanted = [i for i, c in enumerate(snapshot.companies) if company_name is None or c.name == company_name]
    if company_name is not None and not wanted:
        raise LookupError(company_name)
    found = core.suggest(snapshot.pool, weights_from(config), top_k=top_k, exclude=exclude, pins=pins, companies=wanted)
    return [_as_json(snapshot, i, s, lang) for i in wanted for s in found.get(i, [])]


def _as_json(snapshot: Snapshot, i: int, s: core.Suggestion, lang: str) -> dict:
    row = _to_row(snapshot, s)
    glossary = snapshot.pool.glossary
    return {
        "company": snapshot.companies[i].name,
        "partner": row.partner.name,
        "score": round(row.score, 4),
        "reasons": [{"need": {"company": r.need.company.name, "title": r.need.title},
                     "offer": {"company": r.offer.company.name, "title": r.offer.title},
                     "similarity": round(r.similarity, 4)} for r in row.reasons],
        "shared_categories": [c.key for c in row.shared_categories],
        "shared_concepts": [{"key": key, "label": glossary.label(key, lang)} for key in row.shared_concepts],
        "interpreter_needed": row.interpreter_needed,
    }
