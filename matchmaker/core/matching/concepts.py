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

The rows are built without a Python loop over concepts: each glossary concept's closure is
tabulated once per glossary and decay (``_closure_table``), an item's entries are the
closures of its concepts laid end to end, and the best weight per (item, concept) is kept by
one sort. Rows are kept sparse (CSR) except for the dense columns.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matchmaker.core.concepts import Glossary

DENSE_COLUMNS = 32  # the most frequent concepts go into the dense item rows; the rest is sparse


@dataclass(frozen=True)
class ConceptColumns:
    """Unit concept rows of the needs and the offers over the same ``keys`` (float32 CSR), and
    which entries the item was tagged with itself (bool CSR), not reached through a broader
    link. ``need_dense``/``offer_dense`` are the first ``dense`` columns as dense arrays."""

    keys: tuple[str, ...]
    needs: sparse.csr_matrix
    offers: sparse.csr_matrix
    need_tagged: sparse.csr_matrix
    offer_tagged: sparse.csr_matrix
    need_dense: np.ndarray
    offer_dense: np.ndarray
    need_rest: sparse.csr_matrix
    offer_rest: sparse.csr_matrix

    @property
    def dense(self) -> int:
        """How many leading columns (the most frequent concepts) the dense item rows carry."""
        return self.need_dense.shape[1]

    def sparse_needs(self, idx=slice(None)) -> sparse.csr_matrix:
        """The other columns of the needs *idx*, as a sparse matrix (few rows share a rare concept)."""
        return self.need_rest[idx]

    def sparse_offers(self, idx=slice(None)) -> sparse.csr_matrix:
        """The other columns of the offers *idx* (see sparse_needs)."""
        return self.offer_rest[idx]

    def shared(self, need_ranks: np.ndarray, offer_ranks: np.ndarray, ptr: np.ndarray) -> list[tuple[str, ...]]:
        """For each group g of item pairs (rows ``ptr[g]:ptr[g+1]`` of the rank arrays): the
        concepts both items of a pair have, one of them tagged with it itself, by their share of
        the term, best first (a need about landfill gas recovery and an offer about landfill gas
        power generation share "landfill gas recovery", not every concept above it)."""
        groups = len(ptr) - 1
        if not self.keys or len(need_ranks) == 0:
            return [()] * groups
        tagged = self.need_tagged[need_ranks] + self.offer_tagged[offer_ranks]
        credit = self.needs[need_ranks].multiply(self.offers[offer_ranks]).multiply(tagged > 0).tocoo()
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


@dataclass(frozen=True)
class _ClosureTable:
    """Every glossary concept's closure: concept ``c`` reaches ``target[ptr[c]:ptr[c+1]]`` with
    weights ``weight[...]`` (decay ** steps); ``index`` numbers the keys, ``names`` in order."""

    index: dict
    names: tuple[str, ...]
    ptr: np.ndarray
    target: np.ndarray
    weight: np.ndarray


@functools.lru_cache(maxsize=8)
def _closure_table(glossary: Glossary, decay: float) -> _ClosureTable:
    names = tuple(glossary.concepts)
    index = {key: i for i, key in enumerate(names)}
    target, weight, ptr = [], [], [0]
    for key in names:
        reached = glossary.closure([key])
        target += [index[b] for b in reached]
        weight += [decay ** steps for steps in reached.values()]
        ptr.append(len(target))
    return _ClosureTable(index, names, np.array(ptr, dtype=np.int64), np.array(target, dtype=np.int64),
                         np.array(weight, dtype=np.float64))


@dataclass(frozen=True)
class _Entries:
    """One side's closure entries: item ``rows[e]`` has concept ``cols[e]`` (a glossary index)
    with weight ``weights[e]`` (each pair once, its best weight), and its own tags."""

    n: int
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    tag_rows: np.ndarray
    tag_cols: np.ndarray


def _entries(items: Sequence[Sequence[str]], table: _ClosureTable) -> _Entries:
    index = table.index
    pairs = [(r, index[k]) for r, keys in enumerate(items) for k in keys if k in index]
    tag_rows, tag_cols = (np.array(part, dtype=np.int64) for part in zip(*pairs)) if pairs else (np.zeros(0, np.int64),) * 2
    lengths = table.ptr[tag_cols + 1] - table.ptr[tag_cols]
    starts = np.repeat(table.ptr[tag_cols] - np.cumsum(lengths) + lengths, lengths)
    positions = starts + np.arange(int(lengths.sum()))
    rows, cols, weights = np.repeat(tag_rows, lengths), table.target[positions], table.weight[positions]
    code = rows * len(table.names) + cols
    order = np.lexsort((-weights, code))
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(order) else order
    return _Entries(len(items), rows[first], cols[first], weights[first], tag_rows, tag_cols)


def concept_columns(need_concepts: Sequence[Sequence[str]], offer_concepts: Sequence[Sequence[str]],
                    glossary: Glossary | None, decay: float) -> ConceptColumns:
    """The concept rows of the needs and offers (see the module docstring); keys unknown to the
    glossary are ignored; without a glossary every row is empty (zero columns)."""
    if glossary is None:
        return _columns((), _empty(len(need_concepts)), _empty(len(offer_concepts)), np.zeros(0), np.zeros(0, np.int64))
    table = _closure_table(glossary, float(decay))
    needs, offers = _entries(need_concepts, table), _entries(offer_concepts, table)
    size = len(table.names)
    need_df, offer_df = np.bincount(needs.cols, minlength=size), np.bincount(offers.cols, minlength=size)
    df = need_df + offer_df
    tagged = len(np.unique(needs.rows)) + len(np.unique(offers.rows))
    idf = np.log1p(tagged / np.maximum(df, 1))
    both = np.flatnonzero((need_df > 0) & (offer_df > 0))
    both = both[np.lexsort((np.array([table.names[c] for c in both], dtype=object).astype(str), -df[both]))] if len(both) else both
    column = np.full(size, -1, dtype=np.int64)
    column[both] = np.arange(len(both))  # most frequent first: the dense columns
    return _columns(tuple(table.names[c] for c in both), needs, offers, idf, column)


def _empty(n: int) -> _Entries:
    nothing = np.zeros(0, dtype=np.int64)
    return _Entries(n, nothing, nothing, np.zeros(0), nothing, nothing)


def _columns(keys: tuple[str, ...], needs: _Entries, offers: _Entries, idf: np.ndarray, column: np.ndarray) -> ConceptColumns:
    need_rows, offer_rows = _unit_rows(needs, idf, column, len(keys)), _unit_rows(offers, idf, column, len(keys))
    dense = min(DENSE_COLUMNS, len(keys))
    return ConceptColumns(
        keys, need_rows, offer_rows, _tagged(needs, column, len(keys)), _tagged(offers, column, len(keys)),
        need_rows[:, :dense].toarray(), offer_rows[:, :dense].toarray(), need_rows[:, dense:].tocsr(), offer_rows[:, dense:].tocsr(),
    )


def _tagged(side: _Entries, column: np.ndarray, width: int) -> sparse.csr_matrix:
    cols = column[side.tag_cols] if len(column) else side.tag_cols
    kept = cols >= 0
    data = np.ones(int(kept.sum()), dtype=bool)
    return sparse.csr_matrix((data, (side.tag_rows[kept], cols[kept])), shape=(side.n, width))


def _unit_rows(side: _Entries, idf: np.ndarray, column: np.ndarray, width: int) -> sparse.csr_matrix:
    """Rows over the kept columns, each divided by the length of the item's whole vector (all its concepts)."""
    values = side.weights * idf[side.cols] if len(side.cols) else side.weights
    norms = np.sqrt(np.bincount(side.rows, weights=values**2, minlength=side.n))
    cols = column[side.cols] if len(side.cols) else side.cols
    kept = cols >= 0
    rows = side.rows[kept]
    data = (values[kept] / norms[rows]).astype(np.float32)
    return sparse.csr_matrix((data, (rows, cols[kept])), shape=(side.n, width), dtype=np.float32)
