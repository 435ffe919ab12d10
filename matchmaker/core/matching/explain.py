"""Exact scores and reasons for chosen company pairs, and what two companies have in common.

Run on the few pairs that are shown (top partners, pairs above a threshold, pins), so the
score on a suggestion is always the score of its best reason, whatever tiling found it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import Layout
from .items import spans
from .model import Pool

REASONS_PER_PAIR = 3
_CHUNK = 8192  # item pairs scored at once (two 8192 x width float32 gathers)


@dataclass(frozen=True)
class Explained:
    """Per company pair p: ``raw[p]`` (-inf when the pair has no need/offer item pair) and its
    reasons, best first, in rows ``ptr[p]:ptr[p+1]`` of the reason arrays (item ids)."""

    raw: np.ndarray
    ptr: np.ndarray
    need_item: np.ndarray
    offer_item: np.ndarray
    similarity: np.ndarray
    score: np.ndarray
    concepts: list[tuple[str, ...]]  # per pair: the concepts its reasons share (``ConceptColumns.shared``)


def explain_pairs(layout: Layout, a: np.ndarray, b: np.ndarray) -> Explained:
    """Score the company pairs (a[p], b[p]) over both directions and keep their best reasons."""
    p1, n1, o1 = _item_pairs(layout.need_ptr, layout.offer_ptr, a, b)
    p2, n2, o2 = _item_pairs(layout.need_ptr, layout.offer_ptr, b, a)
    pair, need, offer = np.r_[p1, p2], np.r_[n1, n2], np.r_[o1, o2]
    score = _item_scores(layout, need, offer)
    order = np.lexsort((-score, pair))  # by pair, best first; stable, so ties keep item order
    pair = pair[order]
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if pair.size else np.zeros(0, np.int64)
    rank = np.arange(pair.size) - np.repeat(first, np.diff(np.r_[first, pair.size]))
    kept = order[rank < REASONS_PER_PAIR]
    raw = np.full(len(a), -np.inf)
    raw[pair[first]] = score[order[first]]
    counts = np.bincount(pair[rank < REASONS_PER_PAIR], minlength=len(a))
    need_items, offer_items = layout.need_items[need[kept]], layout.offer_items[offer[kept]]
    ptr = np.r_[0, np.cumsum(counts)]
    return Explained(
        raw, ptr, need_items, offer_items,
        _cosines(layout.vectors, need_items, offer_items), score[kept].astype(np.float64),
        layout.sides.concepts.shared(need[kept], offer[kept], ptr),
    )


def _item_pairs(need_ptr, offer_ptr, a, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair index, need rank, offer rank) for every need of a[p] with every offer of b[p]."""
    n_needs = need_ptr[a + 1] - need_ptr[a]
    n_offers = offer_ptr[b + 1] - offer_ptr[b]
    sizes = n_needs * n_offers
    pair = np.repeat(np.arange(len(a)), sizes)
    local = np.arange(pair.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = n_offers[pair]
    return pair, need_ptr[a][pair] + local // width, offer_ptr[b][pair] + local % width


def _item_scores(layout: Layout, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """item(i, j) for the item pairs (need[n], offer[n]), by rank."""
    score = np.empty(len(need), dtype=np.float32)
    for part in spans(len(need), _CHUNK):
        score[part] = np.einsum("ij,ij->i", layout.need_rows[need[part]], layout.offer_rows[offer[part]])
        if layout.need_extra.nnz and layout.offer_extra.nnz:
            rare = layout.need_extra[need[part]].multiply(layout.offer_extra[offer[part]])
            score[part] += np.asarray(rare.sum(axis=1), dtype=np.float32).ravel()
    return score


def _cosines(vectors: np.ndarray, need_items: np.ndarray, offer_items: np.ndarray) -> np.ndarray:
    """Raw cosine of the texts of the item pairs (need_items[n], offer_items[n]), by item id."""
    cosine = np.empty(len(need_items))
    for part in spans(len(need_items), _CHUNK):
        cosine[part] = np.einsum("ij,ij->i", vectors[need_items[part]], vectors[offer_items[part]])
    return cosine


@dataclass(frozen=True)
class CompanyFacts:
    """Per company: categories among its needs, among its offers, and languages it meets in."""

    need_categories: np.ndarray  # bool (n_companies, n_categories)
    offer_categories: np.ndarray  # bool (n_companies, n_categories)
    speaks: np.ndarray  # bool (n_companies, n_languages)


def company_facts(pool: Pool) -> CompanyFacts:
    """Gather the per-company facts of *pool*."""
    def categories(selected: np.ndarray) -> np.ndarray:
        counts = np.zeros((pool.n_companies, pool.item_categories.shape[1]), dtype=np.int64)
        np.add.at(counts, pool.item_company[selected], pool.item_categories[selected].astype(np.int64))
        return counts > 0

    languages = sorted({lang for langs in pool.company_languages for lang in langs})
    speaks = np.array([[lang in langs for lang in languages] for langs in pool.company_languages], dtype=bool)
    speaks = speaks.reshape(pool.n_companies, len(languages))
    return CompanyFacts(categories(pool.item_is_need), categories(~pool.item_is_need), speaks)


def shared_categories(facts: CompanyFacts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """bool (pairs, n_categories): categories one company needs and the other offers."""
    needs, offers = facts.need_categories, facts.offer_categories
    return (needs[a] & offers[b]) | (needs[b] & offers[a])


def interpreter_needed(facts: CompanyFacts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """bool (pairs,): the two companies have no meeting language in common."""
    return ~(facts.speaks[a] & facts.speaks[b]).any(axis=1)
