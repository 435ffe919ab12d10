"""Company pair scores computed tile by tile, never as one (items x items) matrix.

Companies are cut into blocks of about ``block_size`` needs and offers. A tile is two products,
the needs of block I against the offers of block J and the needs of J against the offers of
I, folded into the (companies of I) x (companies of J) pair scores

    P(A, B) = max(D(A, B), D(B, A)),   D(A, B) = max over needs i of A, offers j of B of item(i, j)

Folding is done without reduceat: within a block each side is laid out slot-major (the first
item of every company, then the second item of those having two, ...), companies ordered by
item count, so slot r covers a prefix of the companies and folds in with one contiguous
``np.maximum`` over a block of rows (or columns) of the product.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .items import ItemSides, Scratch, item_sides
from .model import Pool, Weights


@dataclass(frozen=True)
class Layout:
    """The pool's items grouped by company: needs of c are ``need_items[need_ptr[c]:need_ptr[c+1]]``.

    ``need_rows[q] @ offer_rows[s]`` is item(need_items[q], offer_items[s]) (see items.ItemSides);
    ``sides`` holds the ingredients, indexed the same way (by rank, not by item id);
    ``vectors`` are the pool's own (unit) vectors, by item id, for the raw cosine of a reason.
    """

    n_companies: int
    need_items: np.ndarray
    need_ptr: np.ndarray
    offer_items: np.ndarray
    offer_ptr: np.ndarray
    sides: ItemSides
    need_rows: np.ndarray
    offer_rows: np.ndarray
    vectors: np.ndarray
    need_extra: object  # scipy csr (by rank): the sparse part of the item score (items.ItemSides.need_extra)
    offer_extra: object
    _every_company: dict = field(default_factory=dict, compare=False, repr=False)  # block_size -> blocks


def make_layout(pool: Pool, weights: Weights, block_size: int) -> Layout:
    """Group the pool's items by company and prepare their item scores (hub terms included)."""
    need_items, need_ptr = _grouped(pool, pool.item_is_need)
    offer_items, offer_ptr = _grouped(pool, ~pool.item_is_need)
    countries = np.asarray([str(c).upper() for c in pool.company_country], dtype=object)
    border = np.stack([countries == code.upper() for code in weights.cross_border_countries], axis=1).astype(np.float32)
    cats, languages, concepts = pool.item_categories, pool.item_language, pool.item_concepts
    sides = item_sides(
        weights, pool.vectors[need_items], pool.vectors[offer_items], cats[need_items], cats[offer_items],
        border[pool.item_company[need_items]], border[pool.item_company[offer_items]],
        None if languages is None else languages[need_items], None if languages is None else languages[offer_items],
        need_concepts=None if concepts is None else [concepts[i] for i in need_items],
        offer_concepts=None if concepts is None else [concepts[i] for i in offer_items],
        glossary=pool.glossary, block_size=block_size,
    )
    return Layout(
        pool.n_companies, need_items, need_ptr, offer_items, offer_ptr, sides, sides.need_rows(), sides.offer_rows(),
        pool.vectors, sides.need_extra(), sides.offer_extra(),
    )


def _grouped(pool: Pool, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    items = np.flatnonzero(selected)
    items = items[np.argsort(pool.item_company[items], kind="stable")]
    counts = np.bincount(pool.item_company[items], minlength=pool.n_companies)
    return items, np.concatenate([[0], np.cumsum(counts)])


@dataclass(frozen=True)
class Side:
    """The needs (or the offers) of a block, slot-major.

    Row q < ``len(order)`` holds the first item of the company at block position ``order[q]``;
    ``slots`` gives (first row, company count) of slots 1, 2, ...: slot r holds the (r+1)-th
    item of the companies at ``order[:count]``. ``source[p]`` is the first-slot row of the
    company at position p, ``missing`` the positions of companies without such items.
    """

    matrix: np.ndarray
    extra: object  # scipy csr, the rows of ``matrix``'s sparse part
    slots: tuple[tuple[int, int], ...]
    order: np.ndarray
    source: np.ndarray
    missing: np.ndarray


@dataclass(frozen=True)
class Block:
    """A run of companies (``companies`` in block position order: most needs first)."""

    companies: np.ndarray
    needs: Side
    offers: Side


def make_blocks(layout: Layout, companies: np.ndarray, block_size: int) -> list[Block]:
    """Cut the (sorted) *companies* into consecutive runs of at most about block_size needs and
    block_size offers, so that no product in a tile has more than ~block_size^2 entries."""
    size = max(1, int(block_size))
    run = np.zeros(len(companies), dtype=np.int64)
    for counts in (np.diff(layout.need_ptr)[companies], np.diff(layout.offer_ptr)[companies]):
        run = np.maximum(run, (np.cumsum(counts) - counts) // size)  # non-decreasing
    cuts = np.flatnonzero(np.diff(run)) + 1
    return [_block(layout, group) for group in np.split(companies, cuts) if len(group)]


def every_company_blocks(layout: Layout, block_size: int) -> list[Block]:
    """``make_blocks`` over all companies, made once per layout and block size: a prepared
    layout that serves many single-company requests does not cut the pool again each time."""
    blocks = layout._every_company.get(block_size)
    if blocks is None:
        blocks = layout._every_company[block_size] = make_blocks(layout, np.arange(layout.n_companies), block_size)
    return blocks


def _block(layout: Layout, companies: np.ndarray) -> Block:
    need_counts = np.diff(layout.need_ptr)[companies]
    companies = companies[np.argsort(-need_counts, kind="stable")]
    needs = _side(layout.need_ptr, companies, layout.need_rows, layout.need_extra)
    offers = _side(layout.offer_ptr, companies, layout.offer_rows, layout.offer_extra)
    return Block(companies, needs, offers)


def _side(ptr: np.ndarray, companies: np.ndarray, all_rows: np.ndarray, extra) -> Side:
    counts = ptr[companies + 1] - ptr[companies]
    order = np.argsort(-counts, kind="stable")
    counts = counts[order]
    first_items = ptr[companies[order]]
    rows, slots, offset = [], [], 0
    for r in range(int(counts[0]) if len(counts) else 0):
        count = int(np.count_nonzero(counts > r))
        rows.append(first_items[:count] + r)
        if r:
            slots.append((offset, count))
        offset += count
    index = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    order = order[: len(rows[0]) if rows else 0]
    source = np.zeros(len(companies), dtype=np.int64)
    source[order] = np.arange(len(order))
    missing = np.flatnonzero(ptr[companies + 1] == ptr[companies])
    return Side(all_rows[index], extra[index], tuple(slots), order, source, missing)


def pair_tile(rows: Block, cols: Block, scratch: Scratch | None = None) -> np.ndarray:
    """P for the companies of *rows* against those of *cols*; -inf where no item pair exists.

    Both products keep the row block's items as rows, so putting companies in block position
    order takes only row gathers and column takes, never a 2-D scatter. The products are
    written into *scratch* (a fresh one when None); the returned tile is a new array.
    """
    scratch = scratch if scratch is not None else Scratch()
    n_needing, n_cols = len(rows.needs.order), len(cols.companies)
    tile = np.empty((len(rows.companies), n_cols), dtype=np.float32)
    tile[n_needing:] = -np.inf
    if n_needing and len(cols.offers.order):
        forward = _folded(rows.needs, cols.offers, scratch)  # needs of rows vs offers of cols
        np.take(forward, cols.offers.source, axis=1, out=tile[:n_needing], mode="clip")
        tile[:n_needing, cols.offers.missing] = -np.inf
        del forward  # a view of the whole product: free it before the next one
    else:
        tile[:n_needing] = -np.inf
    n_back = len(cols.needs.order)
    if n_back and len(rows.offers.order):
        back = _folded(rows.offers, cols.needs, scratch).take(rows.offers.source, axis=0, mode="clip")
        back[rows.offers.missing] = -np.inf
        np.maximum(tile[:, :n_back], back, out=tile[:, :n_back])
    return tile


def _folded(row_side: Side, col_side: Side, scratch: Scratch) -> np.ndarray:
    """Max item score between the companies of *row_side* (rows) and *col_side* (columns), in
    first-slot order; (0, 0) when a side is empty. A view of *scratch*: use it before the next
    product."""
    sims = np.matmul(row_side.matrix, col_side.matrix.T,
                     out=scratch.matrix(len(row_side.matrix), len(col_side.matrix)))
    if row_side.extra.nnz and col_side.extra.nnz:
        rare = (row_side.extra @ col_side.extra.T).tocoo()  # canonical: each (row, col) once
        sims[rare.row, rare.col] += rare.data
    for first, count in row_side.slots:
        np.maximum(sims[:count], sims[first : first + count], out=sims[:count])
    best = sims[: len(row_side.order)]
    for first, count in col_side.slots:
        np.maximum(best[:, :count], best[:, first : first + count], out=best[:, :count])
    return best[:, : len(col_side.order)]


class Knockout:
    """Company pairs (unordered) whose tile entries become -inf, bucketed by tile."""

    def __init__(self, pairs: np.ndarray, row_blocks: list[Block], col_blocks: list[Block], n_companies: int):
        row_block, row_pos = _where(row_blocks, n_companies)
        col_block, col_pos = _where(col_blocks, n_companies)
        a = np.concatenate([pairs[:, 0], pairs[:, 1]])
        b = np.concatenate([pairs[:, 1], pairs[:, 0]])
        inside = (row_block[a] >= 0) & (col_block[b] >= 0)
        a, b = a[inside], b[inside]
        keys = row_block[a] * len(col_blocks) + col_block[b]
        order = np.argsort(keys, kind="stable")
        keys, a, b = keys[order], a[order], b[order]
        bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True]) if len(keys) else np.zeros(1, int)
        self._n_cols = len(col_blocks)
        self._cells = {
            int(keys[lo]): (row_pos[a[lo:hi]], col_pos[b[lo:hi]]) for lo, hi in zip(bounds[:-1], bounds[1:])
        }

    def apply(self, row_block: int, col_block: int, tile: np.ndarray) -> None:
        """Set the knocked-out pairs of tile (row_block, col_block) to -inf, in place."""
        cell = self._cells.get(row_block * self._n_cols + col_block)
        if cell is not None:
            tile[cell] = -np.inf


def _where(blocks: list[Block], n_companies: int) -> tuple[np.ndarray, np.ndarray]:
    """For each company: its block index and position there (-1 when in no block)."""
    block_of = np.full(n_companies, -1, dtype=np.int64)
    position = np.full(n_companies, -1, dtype=np.int64)
    for index, block in enumerate(blocks):
        block_of[block.companies] = index
        position[block.companies] = np.arange(len(block.companies))
    return block_of, position


def tiles(
    row_blocks: list[Block], col_blocks: list[Block], knockout: Knockout, *, symmetric: bool
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield (row block index, column block index, P tile) over the grid.

    With *symmetric* (row_blocks is col_blocks) only tiles with row index <= column index
    are produced: P is symmetric, so each unordered pair of companies is scored once.
    """
    scratch = Scratch()
    for i, rows in enumerate(row_blocks):
        for j, cols in enumerate(col_blocks):
            if symmetric and j < i:
                continue
            tile = pair_tile(rows, cols, scratch)
            knockout.apply(i, j, tile)
            yield i, j, tile
