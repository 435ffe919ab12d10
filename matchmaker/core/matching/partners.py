"""Partner lists per company and the organiser's list of all good pairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .blocks import Knockout, Layout, every_company_blocks, make_blocks, make_layout, tiles
from .explain import company_facts, explain_pairs, interpreter_needed, shared_categories
from .items import DEFAULT_BLOCK
from .model import Pool, Reason, Suggestion, Weights
from .topk import RunningTopK


def suggest(
    pool: Pool,
    weights: Weights = Weights(),
    *,
    top_k: int = 10,
    exclude: Iterable[tuple[int, int]] = (),
    pins: Iterable[tuple[int, int]] = (),
    companies: Sequence[int] | None = None,
    block_size: int = DEFAULT_BLOCK,
    prepared: Layout | None = None,
) -> dict[int, list[Suggestion]]:
    """The best partners of each company in *companies* (default: all), best first.

    Every requested company is a key, possibly with an empty list. Its pinned partners come
    first (``pinned=True``, even if also excluded), then up to *top_k* others by score.
    *exclude* and *pins* hold unordered company pairs; a company is never its own partner.
    *prepared* is ``prepare(pool, weights, block_size)`` kept from an earlier call on the
    same pool: the pool-wide part of the work, done once for many companies asked apart.
    """
    if int(top_k) != top_k or top_k < 0:
        raise ValueError(f"top_k must be a non-negative integer, not {top_k!r}")
    wanted = _company_indices(pool, companies)
    excluded, pinned = _pair_array(pool, exclude, "exclude"), _pair_array(pool, pins, "pins")
    layout = prepared if prepared is not None else prepare(pool, weights, block_size)
    if layout.sides.weights != weights or layout.n_companies != pool.n_companies:
        raise ValueError("prepared was made for other weights or another pool")
    best = _best_partners(layout, wanted, int(top_k), _knocked(pool, excluded, pinned), block_size)
    kept = np.isfinite(best.values[wanted])
    a, b = np.repeat(wanted, kept.sum(axis=1)), best.ids[wanted][kept]
    pin_a, pin_b = _pins_of(pinned, wanted)
    a, b = np.r_[pin_a, a], np.r_[pin_b, b]
    found = _suggestions(pool, layout, weights, a, b, np.arange(len(a)) < len(pin_a), by_company=True)
    lists: dict[int, list[Suggestion]] = {int(c): [] for c in wanted}
    for s in found:
        lists[s.company].append(s)
    return lists


def prepare(pool: Pool, weights: Weights = Weights(), block_size: int = DEFAULT_BLOCK) -> Layout:
    """The pool-wide part of ``suggest``: hub terms and item rows (one pass over all item pairs)."""
    return make_layout(pool, weights, block_size)


def pair_scores_above(
    pool: Pool,
    weights: Weights = Weights(),
    threshold: float = 0.5,
    *,
    exclude: Iterable[tuple[int, int]] = (),
    pins: Iterable[tuple[int, int]] = (),
    block_size: int = DEFAULT_BLOCK,
) -> list[Suggestion]:
    """Every unordered pair whose score bar is >= *threshold* (0..1), plus the pins.

    Each pair appears once, as ``company < partner``; best first. Memory grows with the
    number of pairs returned: pick a threshold that keeps the list reviewable.
    """
    excluded, pinned = _pair_array(pool, exclude, "exclude"), _pair_array(pool, pins, "pins")
    floor = max(weights.raw_from_bar(threshold), float(np.finfo(np.float32).min))
    layout = make_layout(pool, weights, block_size)
    found = _pairs_above(layout, _knocked(pool, excluded, pinned), floor, block_size)
    pinned = np.unique(np.sort(pinned, axis=1), axis=0)
    pairs = np.concatenate([pinned, found])
    is_pin = np.arange(len(pairs)) < len(pinned)

    def keep(bars, is_pin):
        return is_pin | (bars >= threshold)

    return _suggestions(pool, layout, weights, pairs[:, 0], pairs[:, 1], is_pin, keep=keep, by_company=False)


def _pairs_above(layout: Layout, knocked: np.ndarray, floor: float, block_size: int) -> np.ndarray:
    """Unordered pairs (low, high) of different companies whose tile score is >= *floor*."""
    blocks = every_company_blocks(layout, block_size)
    knockout = Knockout(knocked, blocks, blocks, layout.n_companies)
    found = [np.zeros((0, 2), dtype=np.int64)]
    for i, j, tile in tiles(blocks, blocks, knockout, symmetric=True):
        rows, cols = np.nonzero(tile >= floor)
        x, y = blocks[i].companies[rows], blocks[j].companies[cols]
        found.append(np.c_[np.minimum(x, y), np.maximum(x, y)][x != y])
    return np.unique(np.concatenate(found), axis=0)


def _best_partners(layout: Layout, wanted: np.ndarray, top_k: int, knocked: np.ndarray, block_size: int) -> RunningTopK:
    """Top *top_k* partners of every wanted company, over all tiles that hold its rows."""
    n = layout.n_companies
    best = RunningTopK(n, top_k)
    if top_k == 0 or len(wanted) == 0:
        return best
    col_blocks = every_company_blocks(layout, block_size)
    symmetric = 2 * len(wanted) > n  # the whole grid once costs less than wanted rows twice
    row_blocks = col_blocks if symmetric else make_blocks(layout, wanted, block_size)
    knockout = Knockout(knocked, row_blocks, col_blocks, n)
    for i, j, tile in tiles(row_blocks, col_blocks, knockout, symmetric=symmetric):
        rows, cols = row_blocks[i].companies, col_blocks[j].companies
        best.offer_rows(rows, cols, tile)
        if symmetric and i != j:
            best.offer_columns(rows, cols, tile)
    return best


def _suggestions(pool: Pool, layout: Layout, weights: Weights, a, b, pinned, *, keep=None, by_company: bool) -> list[Suggestion]:
    """Suggestion objects for the ordered pairs (a[p], b[p]), each unordered pair explained once.

    *keep(bars, pinned)* selects pairs after exact scoring. Ordered by company, pins first,
    then best first (*by_company*), or best first overall.
    """
    if len(a) == 0:
        return []
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first, which = np.unique(lo * pool.n_companies + hi, return_index=True, return_inverse=True)
    lo, hi, which = lo[first], hi[first], which.reshape(-1)
    explained = explain_pairs(layout, lo, hi)
    raw = explained.raw[which]
    bars = weights.bar(raw)
    selected = np.flatnonzero(keep(bars, pinned)) if keep else np.arange(len(a))
    keys = (b, -raw, ~pinned, a) if by_company else (b, a, -raw)
    order = selected[np.lexsort(tuple(key[selected] for key in keys))]
    facts = company_facts(pool)
    reasons = _reasons(explained)
    categories = _index_lists(shared_categories(facts, lo, hi))
    interpreter = interpreter_needed(facts, lo, hi).tolist()
    concepts = explained.concepts
    columns = (a[order].tolist(), b[order].tolist(), bars[order].tolist(), which[order].tolist(), pinned[order].tolist())
    return [
        Suggestion(x, y, bar, reasons[u], categories[u], interpreter[u], pin, concepts[u])
        for x, y, bar, u, pin in zip(*columns)
    ]


def _reasons(explained) -> list[tuple[Reason, ...]]:
    columns = (explained.need_item, explained.offer_item, explained.similarity, explained.score)
    flat = [Reason(*row) for row in zip(*(column.tolist() for column in columns))]
    ptr = explained.ptr.tolist()
    return [tuple(flat[lo:hi]) for lo, hi in zip(ptr[:-1], ptr[1:])]


def _index_lists(mask: np.ndarray) -> list[tuple[int, ...]]:
    rows, cols = np.nonzero(mask)
    bounds = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(mask)))].tolist()
    cols = cols.tolist()
    return [tuple(cols[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def _company_indices(pool: Pool, companies: Sequence[int] | None) -> np.ndarray:
    if companies is None:
        return np.arange(pool.n_companies)
    wanted = np.unique(np.asarray(list(companies), dtype=np.int64))
    if len(wanted) and (wanted[0] < 0 or wanted[-1] >= pool.n_companies):
        raise ValueError(f"companies must be indices 0..{pool.n_companies - 1}")
    return wanted


def _pair_array(pool: Pool, pairs: Iterable[tuple[int, int]], name: str) -> np.ndarray:
    listed = list(pairs)
    array = np.asarray(listed, dtype=np.int64).reshape(-1, 2) if listed else np.zeros((0, 2), dtype=np.int64)
    if array.shape != (len(listed), 2):
        raise ValueError(f"{name} must be pairs of company indices")
    if len(array) and (array.min() < 0 or array.max() >= pool.n_companies):
        raise ValueError(f"{name} must hold pairs of company indices 0..{pool.n_companies - 1}")
    if name == "pins" and np.any(array[:, 0] == array[:, 1]):
        raise ValueError("pins must join two different companies")
    return array


def _knocked(pool: Pool, excluded: np.ndarray, pinned: np.ndarray) -> np.ndarray:
    """Pairs kept out of the score ranking: excluded, pinned (listed apart) and same-company."""
    same = np.repeat(np.arange(pool.n_companies), 2).reshape(-1, 2)
    return np.concatenate([excluded, pinned, same])


def _pins_of(pinned: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordered (company, partner) pins for the wanted companies, each pin once per side."""
    pairs = np.unique(np.r_[pinned, pinned[:, ::-1]], axis=0)
    pairs = pairs[np.isin(pairs[:, 0], wanted)]
    return pairs[:, 0], pairs[:, 1]
