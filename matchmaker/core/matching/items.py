"""Item-level scores: hub-corrected similarity plus category overlap, as one matrix product.

For need i and offer j (unit vectors n_i, o_j; category sets C_i, C_j; languages a_i, b_j)::

    item(i, j) = w_sim * (s(i, j) - (r_i + r_j) / 2)                  [CSLS / 2]
               + w_cat * |C_i & C_j| / sqrt(|C_i| |C_j|)               [0 if a set is empty]
               + w_cross * [the two companies are from the two cross-border countries]
               + w_con * x_i . x_j                                     [shared concepts, ``concepts``]

    s(i, j) = (n_i - N(a_i)) . (o_j - O(b_j))                          [language balance]

N(a) is the mean vector of the pool's needs written in language a, O(b) that of its offers
written in b, each shrunk towards the mean of its whole side by ``LANGUAGE_PRIOR`` pseudo-items
(so a language with one or two items is not centred on itself). Multilingual encoders give
every text of one language a shared component whatever it says; removing it lets a Vietnamese
need meet a Japanese offer on equal terms with a Vietnamese one. The vectors are not
re-normalised, so s stays on the scale of a cosine. Without languages (or with
``language_balance`` off), s is the plain cosine. r_i is the mean of s(i, .) over the hub_k
nearest offers of need i, r_j the mean of s(., j) over the hub_k nearest needs of offer j (0
with hubness "none"). Every term is a product of something about
i and something about j, so ``need_rows(i) @ offer_rows(j)`` computes the whole score (plus
``need_extra(i) @ offer_extra(j)``, the sparse part of the concept term): the blocked company
scoring, the explanations and the quality benchmark all call this one formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .concepts import ConceptColumns, concept_columns
from .model import Weights
from .topk import RunningTopK

DEFAULT_BLOCK = 4096
LANGUAGE_PRIOR = 8.0  # pseudo-items pulling a small language group's mean towards its side's


def hub_stats(needs: np.ndarray, offers: np.ndarray, k: int, block_size: int = DEFAULT_BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Mean cosine of each need to its k nearest offers, and of each offer to its k nearest needs.

    k is capped at the size of the other side (zeros when it is empty). The similarity matrix
    is visited in block_size x block_size tiles, so memory stays linear in the item count; the
    means of the neighbours found are recomputed exactly, so the tiling does not change them.
    """
    n_needs, n_offers = len(needs), len(offers)
    if n_needs == 0 or n_offers == 0:
        return np.zeros(n_needs), np.zeros(n_offers)
    near_offers = RunningTopK(n_needs, min(k, n_offers))
    near_needs = RunningTopK(n_offers, min(k, n_needs))
    scratch = Scratch()
    for rows in spans(n_needs, block_size):
        for cols in spans(n_offers, block_size):
            sims = np.matmul(needs[rows], offers[cols].T, out=scratch.matrix(rows.stop - rows.start, cols.stop - cols.start))
            row_ids, col_ids = np.arange(rows.start, rows.stop), np.arange(cols.start, cols.stop)
            near_offers.offer_rows(row_ids, col_ids, sims)
            near_needs.offer_columns(row_ids, col_ids, sims)
    return _mean_similarity(needs, offers, near_offers.ids), _mean_similarity(offers, needs, near_needs.ids)


def _mean_similarity(queries: np.ndarray, candidates: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Mean cosine of each query q to candidates ids[q], recomputed query by query in a fixed
    order, so the result does not depend on the tiling that found the neighbours."""
    ids = np.sort(ids, axis=1)
    means = np.empty(len(queries))
    for part in spans(len(queries), 2048):
        sims = np.einsum("nkd,nd->nk", candidates[ids[part]], queries[part])
        means[part] = sims.astype(np.float64).mean(axis=1)
    return means


def spans(n: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most *size* covering range(n)."""
    size = max(1, int(size))
    return (slice(start, min(start + size, n)) for start in range(0, n, size))


class Scratch:
    """One float32 buffer reused by the products of successive tiles (``matmul(out=...)``):
    the pages of a fresh 64 MB product are not faulted in again for every tile. One per
    ``tiles`` pass, never shared between threads."""

    def __init__(self):
        self._flat = np.empty(0, dtype=np.float32)

    def matrix(self, rows: int, cols: int) -> np.ndarray:
        """A C-contiguous (rows, cols) float32 view of the buffer (its content is undefined)."""
        if self._flat.size < rows * cols:
            self._flat = np.empty(rows * cols, dtype=np.float32)
        return self._flat[: rows * cols].reshape(rows, cols)


def category_units(categories: np.ndarray | None, n: int) -> np.ndarray:
    """Category indicator rows scaled to unit length (all-zero rows stay zero), float32."""
    if categories is None:
        return np.zeros((n, 0), dtype=np.float32)
    cats = np.asarray(categories, dtype=np.float32)
    counts = cats.sum(axis=1, keepdims=True)
    return cats / np.sqrt(np.maximum(counts, 1.0))


@dataclass(frozen=True)
class ItemSides:
    """What item(i, j) needs to know about each need and each offer (arrays index-aligned).

    ``*_border`` rows are (in the first cross-border country, in the second) for the item's
    company; ``*_hub`` are the r terms of the formula; the vectors are language-balanced
    (centred) when languages were given, so their dot product is s(i, j), not the cosine.
    ``concepts`` holds the unit concept rows of both sides (zero columns without concepts).
    """

    weights: Weights
    need_vectors: np.ndarray
    offer_vectors: np.ndarray
    need_cats: np.ndarray
    offer_cats: np.ndarray
    need_hub: np.ndarray
    offer_hub: np.ndarray
    need_border: np.ndarray
    offer_border: np.ndarray
    concepts: ConceptColumns

    @property
    def width(self) -> int:
        """Length of the augmented rows."""
        return self.need_vectors.shape[1] + self.need_cats.shape[1] + self.concepts.dense + 4

    def need_rows(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Augmented rows of the needs *idx*: ``need_rows(i) @ offer_rows(j).T`` is item(i, j)."""
        w = self.weights
        vectors = self.need_vectors[idx]
        parts = [
            w.similarity * vectors,
            w.category * self.need_cats[idx],
            np.ones((len(vectors), 1)),
            -0.5 * w.similarity * self.need_hub[idx][:, None],
            w.cross_border * self.need_border[idx],
            w.concept * self.concepts.need_dense[idx],
        ]
        return np.hstack(parts, dtype=np.float32)

    def need_extra(self, idx: np.ndarray | slice = slice(None)):
        """The sparse rest of the needs *idx*: item(i, j) = need_rows(i) @ offer_rows(j) +
        need_extra(i) @ offer_extra(j) (the rare concepts' part)."""
        return self.weights.concept * self.concepts.sparse_needs(idx)

    def offer_extra(self, idx: np.ndarray | slice = slice(None)):
        """The sparse rest of the offers *idx* (see need_extra)."""
        return self.concepts.sparse_offers(idx)

    def offer_rows(self, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Augmented rows of the offers *idx* (see need_rows)."""
        vectors = self.offer_vectors[idx]
        parts = [
            vectors,
            self.offer_cats[idx],
            -0.5 * self.weights.similarity * self.offer_hub[idx][:, None],
            np.ones((len(vectors), 1)),
            self.offer_border[idx][:, ::-1],
            self.concepts.offer_dense[idx],
        ]
        return np.hstack(parts, dtype=np.float32)


def item_sides(
    weights: Weights, needs, offers, need_cats=None, offer_cats=None, need_border=None, offer_border=None,
    need_languages=None, offer_languages=None, *, need_concepts=None, offer_concepts=None, glossary=None,
    block_size: int = DEFAULT_BLOCK,
) -> ItemSides:
    """Prepare the item score of *needs* against *offers*, hub terms computed over these items.

    Languages are one code per item (e.g. "ja"), or None: they centre the vectors when
    ``weights.language_balance`` is on and both sides have them. Concepts are one tuple of
    glossary keys per item, or None: they count when both sides and the glossary are given.
    """
    needs = np.ascontiguousarray(needs, dtype=np.float32)
    offers = np.ascontiguousarray(offers, dtype=np.float32)
    if weights.language_balance and need_languages is not None and offer_languages is not None:
        needs, offers = language_centred(needs, need_languages), language_centred(offers, offer_languages)
    if weights.hubness == "csls":
        need_hub, offer_hub = hub_stats(needs, offers, weights.hub_k, block_size)
    else:
        need_hub, offer_hub = np.zeros(len(needs)), np.zeros(len(offers))
    if need_cats is None or offer_cats is None:  # categories count only when both sides have them
        need_cats = offer_cats = None
    if need_concepts is None or offer_concepts is None or weights.concept == 0:
        glossary, need_concepts, offer_concepts = None, [()] * len(needs), [()] * len(offers)
    concepts = concept_columns(need_concepts, offer_concepts, glossary, weights.concept_decay)
    return ItemSides(
        weights, needs, offers, category_units(need_cats, len(needs)), category_units(offer_cats, len(offers)),
        need_hub, offer_hub,
        np.zeros((len(needs), 2)) if need_border is None else np.asarray(need_border, dtype=np.float32),
        np.zeros((len(offers), 2)) if offer_border is None else np.asarray(offer_border, dtype=np.float32),
        concepts,
    )


def language_centred(vectors: np.ndarray, languages) -> np.ndarray:
    """*vectors* (one side: all needs, or all offers) minus the shrunk mean of their language.

    The mean of language a is (sum of its vectors + LANGUAGE_PRIOR * mean of all vectors) /
    (its count + LANGUAGE_PRIOR). Returns a new C-contiguous float32 array.
    """
    codes = list(languages)
    if len(codes) != len(vectors):
        raise ValueError(f"languages must have one entry per item ({len(vectors)}), not {len(codes)}")
    if not codes:
        return vectors.copy()
    position: dict = {}
    index = np.array([position.setdefault(code, len(position)) for code in codes], dtype=np.int64)
    sums = np.zeros((len(position), vectors.shape[1]))
    np.add.at(sums, index, vectors)
    counts = np.bincount(index, minlength=len(position))[:, None]
    side_mean = vectors.mean(axis=0, dtype=np.float64)
    means = (sums + LANGUAGE_PRIOR * side_mean) / (counts + LANGUAGE_PRIOR)
    return np.ascontiguousarray(vectors - means[index], dtype=np.float32)


def item_scores(
    need_vectors, offer_vectors, need_categories=None, offer_categories=None, weights: Weights = Weights(),
    need_languages=None, offer_languages=None, *, need_border=None, offer_border=None, need_concepts=None,
    offer_concepts=None, glossary=None, block_size: int = DEFAULT_BLOCK,
) -> np.ndarray:
    """item(i, j) for every need i and offer j as a dense float32 (n_needs, n_offers) matrix.

    The hub terms are computed over exactly these needs and offers (the evaluation pool).
    Categories are bool (n, n_categories) arrays, or None for none; languages one code per
    item, or None; ``*_border`` rows (n, 2) say whether the item's company is in the first or
    the second of ``weights.cross_border_countries`` (None: no cross-border term); concepts
    one tuple of glossary keys per item, read through *glossary* (None: no concept term).
    Meant for evaluation sets: the result is dense.
    """
    sides = item_sides(
        weights, need_vectors, offer_vectors, need_categories, offer_categories, need_border, offer_border,
        need_languages=need_languages, offer_languages=offer_languages, need_concepts=need_concepts,
        offer_concepts=offer_concepts, glossary=glossary, block_size=block_size,
    )
    return sides.need_rows() @ sides.offer_rows().T + (sides.need_extra() @ sides.offer_extra().T).toarray()
