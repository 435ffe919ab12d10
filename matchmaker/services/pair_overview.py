"""The organiser's picture of the matching (``/<lang>/admin/matches``), computed off the request path.

``refresh_overview`` (a background task) scores every pair of approved companies once for a
threshold and keeps, under the matching version (``match_store``), an index of the pairs above
it (two arrays of pool indices, best first) and their reasons in chunks of ``CHUNK`` pairs.
``overview_page`` (the page) reads the index, drops the pairs closed since (a declined or
accepted request), narrows to the companies a search finds, counts suggestions per company from
the arrays, and loads the reasons and the companies of one page of pairs only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.core import matching as core
from matchmaker.models import Company, PairRule
from matchmaker.services import companies as company_svc
from matchmaker.services import match_store
from matchmaker.services import matching as svc
from matchmaker.services.meetings import closed_pairs

TASK = "matchmaker.services.pair_overview.refresh_overview"
PAGE_SIZE = 50  # pairs per page, and companies in the "fewest suggestions" list
CHUNK = 20  # pairs per stored chunk of reasons (a searched page reads up to PAGE_SIZE chunks)


@dataclass(frozen=True)
class PairIndex:
    """The pairs above one threshold, best first, by pool index, with the ids behind the indices
    (shaped like ``services.matching.SharedPool`` for ``_materialise``)."""

    company_ids: list[int]
    names: list[str]
    text_keys: list[tuple[int, str]]
    category_ids: list[int]
    low: np.ndarray  # pool index of the first company of each pair
    high: np.ndarray
    stale: int = 0
    pool: None = None
    index_of: dict = field(default_factory=dict)
    outdated: int = 0


def _key(threshold: float, chunk: int | None = None) -> str:
    return f"overview:{threshold:.4f}" + ("" if chunk is None else f":{chunk}")


def refresh_overview(app: Flask, started_for: str, threshold: float) -> None:
    """Background task: the pairs above *threshold*, kept under the current matching version."""
    from matchmaker.extensions import db

    with app.app_context():
        try:
            version, (index, found) = match_store.settled(db.session, app.config,
                                                          lambda: compute_pairs(db.session, app.config, threshold))
            entries = {_key(threshold, k): (version, found[k * CHUNK:(k + 1) * CHUNK]) for k in range(-(-len(found) // CHUNK))}
            entries[_key(threshold)] = (version, index)  # last: a reader that finds it finds the chunks
            match_store.write_many(entries)
        finally:
            db.session.rollback()
            match_store.finished(TASK, started_for)


def compute_pairs(session: Session, config, threshold: float) -> tuple[PairIndex, list[core.Suggestion]]:
    """Every pair of approved companies scoring at least *threshold* (forbidden pairs left out,
    pinned pairs in), as an index and the suggestions it points to."""
    shared = svc.shared_pool(session, config)
    index = shared.index_of
    rules = svc.pair_rules(session)
    pairs = {rule: [(index[a], index[b]) for (a, b), r in rules.items() if r == rule and a in index and b in index]
             for rule in ("forbid", "pin")}
    found = core.pair_scores_above(shared.pool, svc.weights_from(config), threshold, exclude=pairs["forbid"], pins=pairs["pin"])
    names = dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(shared.company_ids))).all())
    built = PairIndex(shared.company_ids, [names.get(i, "") for i in shared.company_ids], shared.text_keys, shared.category_ids,
                      np.array([s.company for s in found], dtype=np.int32), np.array([s.partner for s in found], dtype=np.int32),
                      shared.stale, outdated=shared.outdated)
    return built, found


@dataclass
class OverviewPage:
    """What the organiser's matches page shows; ``preparing`` when nothing is computed yet."""

    pairs: list[svc.SuggestionRow] = field(default_factory=list)
    total: int = 0  # pairs found (after the search)
    counts: list[tuple[Company, int]] = field(default_factory=list)  # fewest first
    companies: int = 0  # companies counted (after the search)
    rules: list[PairRule] = field(default_factory=list)
    stale: int = 0
    outdated: int = 0  # texts matched with a vector made before their topics last changed
    preparing: bool = False
    updating: bool = False


def overview_page(session: Session, app: Flask, threshold: float, text: str = "", page: int = 1) -> OverviewPage:
    """One page of pairs above *threshold* (of the companies *text* finds), the companies with the
    fewest suggestions, and every pin and forbid."""
    version = match_store.page_version(session, app)
    kept, version = match_store.kept_or_start(session, app, _key(threshold), version, TASK, threshold)
    rules = list(session.scalars(select(PairRule).options(selectinload(PairRule.low), selectinload(PairRule.high))))
    if kept is None:
        return OverviewPage(rules=rules, preparing=True)
    result = _page(session, threshold, kept[0], kept[1], text, page)
    result.rules, result.updating = rules, kept[0] != version
    return result


RULE_CHOICES_ALL = 300  # up to this many approved companies, the rule form offers them all


def rule_choices(session: Session, shown: OverviewPage, text: str) -> tuple[list[tuple[int, str]], bool]:
    """The companies the pin/forbid form offers: all of them at a small event; at a large one, those
    on the page (its pairs and the fewest-suggestions list) and those the search finds, by name
    (thousands of options would make the page slow and heavy). The flag says whether some are left out."""
    approved = select(Company.id, Company.name).where(Company.status == "approved").order_by(Company.name)
    if session.scalar(select(func.count()).select_from(approved.subquery())) <= RULE_CHOICES_ALL:
        return [tuple(row) for row in session.execute(approved)], False
    ids = {c.id for c, _n in shown.counts} | {c.id for row in shown.pairs for c in (row.company, row.partner)}
    if text.strip():
        ids |= set(sorted(company_svc.matching_company_ids(session, text))[:RULE_CHOICES_ALL])
    return [tuple(row) for row in session.execute(approved.where(Company.id.in_(ids)))], True


def _open_pairs(session: Session, index: PairIndex) -> np.ndarray:
    """Positions of the index's pairs that no declined or accepted request has closed since."""
    ids = np.asarray(index.company_ids, dtype=np.int64)
    low, high = ids[index.low], ids[index.high]
    pair_ids = np.minimum(low, high) * 2**32 + np.maximum(low, high)
    closed = np.array([a * 2**32 + b for a, b in closed_pairs(session)], dtype=np.int64)
    return np.flatnonzero(~np.isin(pair_ids, closed))


def _page(session: Session, threshold: float, version: str, index: PairIndex, text: str, page: int) -> OverviewPage:
    positions = _open_pairs(session, index)
    shown = np.ones(len(index.company_ids), dtype=bool)
    if text.strip():
        shown = np.isin(np.asarray(index.company_ids), list(company_svc.matching_company_ids(session, text)))
        positions = positions[shown[index.low[positions]] | shown[index.high[positions]]]
    counts = (np.bincount(index.low[positions], minlength=len(shown))
              + np.bincount(index.high[positions], minlength=len(shown)))
    fewest = sorted(np.flatnonzero(shown), key=lambda i: (counts[i], index.names[i].lower()))[:PAGE_SIZE]
    rows = _rows(session, threshold, version, index, positions[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
    wanted = [index.company_ids[i] for i in fewest]
    by_id = {c.id: c for c in session.scalars(select(Company).where(Company.id.in_(wanted)))}
    return OverviewPage(pairs=rows, total=len(positions), companies=int(shown.sum()), stale=index.stale,
                        outdated=index.outdated,
                        counts=[(by_id[index.company_ids[i]], int(counts[i])) for i in fewest if index.company_ids[i] in by_id])


def _rows(session: Session, threshold: float, version: str, index: PairIndex, wanted: np.ndarray) -> list[svc.SuggestionRow]:
    """The pairs at positions *wanted*, with their companies and reasons loaded."""
    chunks = sorted({int(p) // CHUNK for p in wanted})
    kept = dict(zip(chunks, match_store.read_many([_key(threshold, k) for k in chunks])))
    found = [kept[p // CHUNK][1][p % CHUNK] for p in map(int, wanted)
             if kept[p // CHUNK] is not None and kept[p // CHUNK][0] == version]  # a chunk replaced since: left out
    snapshot, found = svc._materialise(session, index, found)
    rows = []
    for s in found:
        if s.company in snapshot.companies:  # a company deleted since the pairs were computed: left out
            row = svc._to_row(snapshot, s)
            row.company = snapshot.companies[s.company]
            rows.append(row)
    return rows
