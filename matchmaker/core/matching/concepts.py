"""The concept term of the item score: shared glossary concepts, weighted by rarity.

Each item gets a vector over concepts: for every concept c it was tagged with, and every
concept b broader than c (``k`` steps up), the entry of b is ``decay**k * idf(b)`` (the
largest when several paths lead to b). idf(b) = log(1 + N / df(b)), N the items of the pool
that have concepts and df(b) those whose vector has b: a concept every second offer mentions
counts for little, a rare technology for much. Rows are scaled to unit length, so

    concept(i, j) = x_i . x_j        (0 when either item has no concept)

is 1 for two items with the same concepts, and a need about "landfill gas recovery" gets
partial credit from an offer about "landfill gas power generation" through their common
broader concepts. Only concepts present on both sides get a column (the others add nothing
to any product). The ``DENSE_COLUMNS`` most frequent ones are columns of the dense item rows;
the rest, which few items share, is a sparse product added to each tile, so the dense
products stay nearly as narrow as without concepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matchmaker.core.concepts import Glossary

DENSE_COLUMNS = 32  # the most frequent concepts go into the dense item rows; the rest is sparse


@dataclass(frozen=True)
class ConceptColumns:
    """Unit concept rows of the needs and the offers over the same ``keys`` (float32), and
    which entries the item was tagged with itself (bool), not reached through a broader link."""

    keys: tuple[str, ...]
    needs: np.ndarray
    offers: np.ndarray
    need_tagged: np.ndarray | None = None
    offer_tagged: np.ndarray | None = None

    @property
    def dense(self) -> int:
        """How many leading columns (the most frequent concepts) the dense item rows carry."""
        return min(DENSE_COLUMNS, len(self.keys))

    def sparse_needs(self, idx=slice(None)) -> sparse.csr_matrix:
        """The other columns of the needs *idx*, as a sparse matrix (few rows share a rare concept)."""
        return sparse.csr_matrix(self.needs[idx, self.dense:])

    def sparse_offers(self, idx=slice(None)) -> sparse.csr_matrix:
        """The other columns of the offers *idx* (see sparse_needs)."""
        return sparse.csr_matrix(self.offers[idx, self.dense:])

    def shared(self, need_ranks: np.ndarray, offer_ranks: np.ndarray, ptr: np.ndarray) -> list[tuple[str, ...]]:
        """For each group g of item pairs (rows ``ptr[g]:ptr[g+1]`` of the rank arrays): the
        concepts both items of a pair have, one of them tagged with it itself, by their share of
        the term, best first (a need about landfill gas recovery and an offer about landfill gas
        power generation share "landfill gas recovery", not every concept above it)."""
        groups = len(ptr) - 1
        if not self.keys or len(need_ranks) == 0:
            return [()] * groups
        needs, offers = sparse.csr_matrix(self.needs), sparse.csr_matrix(self.offers)
        tagged = sparse.csr_matrix(self.need_tagged)[need_ranks] + sparse.csr_matrix(self.offer_tagged)[offer_ranks]
        credit = needs[need_ranks].multiply(offers[offer_ranks]).multiply(tagged > 0).tocoo()
        group = np.searchsorted(ptr, credit.row, side="right") - 1
        # best credit per (group, concept), then per group by credit, then key order
        order = np.lexsort((credit.col, -credit.data, group))
        group, col, value = group[order], credit.col[order], credit.data[order]
        first = np.unique(group * len(self.keys) + col, return_index=True)[1]
        group, col, value = group[first], col[first], value[first]
        order = np.lexsort((col, -value, group))
        group, col = group[order], col[order]
        bounds = np.searchsorted(group, np.arange(groups + 1))
        keys, names = self.keys, col.tolist()
        return [tuple(keys[c] for c in names[lo:hi]) for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist())]


def _closures(items: Sequence[Sequence[str]], glossary: Glossary, decay: float) -> list[dict[str, float]]:
    known = [[k for k in keys if k in glossary] for keys in items]
    return [{b: decay ** steps for b, steps in glossary.closure(keys).items()} for keys in known]


def concept_columns(need_concepts: Sequence[Sequence[str]], offer_concepts: Sequence[Sequence[str]],
                    glossary: Glossary | None, decay: float) -> ConceptColumns:
    """The concept rows of the needs and offers (see the module docstring); keys unknown to the
    glossary are ignored; without a glossary every row is empty (zero columns)."""
    if glossary is None:
        return ConceptColumns((), np.zeros((len(need_concepts), 0), np.float32), np.zeros((len(offer_concepts), 0), np.float32))
    needs, offers = _closures(need_concepts, glossary, decay), _closures(offer_concepts, glossary, decay)
    df: dict[str, int] = {}
    for closure in needs + offers:
        for key in closure:
            df[key] = df.get(key, 0) + 1
    tagged = sum(1 for closure in needs + offers if closure)
    idf = {key: float(np.log1p(tagged / count)) for key, count in df.items()}
    both = set().union(*needs) & set().union(*offers) if needs and offers else set()
    keys = tuple(sorted(both, key=lambda k: (-df[k], k)))  # most frequent first: the dense columns
    return ConceptColumns(keys, _unit_rows(needs, keys, idf), _unit_rows(offers, keys, idf),
                          _tagged(need_concepts, keys), _tagged(offer_concepts, keys))


def _tagged(items: Sequence[Sequence[str]], keys: tuple[str, ...]) -> np.ndarray:
    column = {key: c for c, key in enumerate(keys)}
    pairs = [(r, column[k]) for r, concepts in enumerate(items) for k in concepts if k in column]
    tagged = np.zeros((len(items), len(keys)), dtype=bool)
    if pairs:
        rows, cols = np.array(pairs).T
        tagged[rows, cols] = True
    return tagged


def _unit_rows(closures: list[dict[str, float]], keys: tuple[str, ...], idf: dict[str, float]) -> np.ndarray:
    """Rows over *keys*, each divided by the length of the item's whole vector (all its concepts)."""
    column = {key: c for c, key in enumerate(keys)}
    entries = [(r, column.get(k, -1), w * idf[k]) for r, closure in enumerate(closures) for k, w in closure.items()]
    out = np.zeros((len(closures), len(keys)), dtype=np.float32)
    if not entries:
        return out
    rows, cols, values = (np.array(part) for part in zip(*entries))
    norms = np.sqrt(np.bincount(rows.astype(np.int64), weights=values**2, minlength=len(closures)))
    kept = cols >= 0
    rows, cols = rows[kept].astype(np.int64), cols[kept].astype(np.int64)
    out[rows, cols] = values[kept] / norms[rows]
    return out
