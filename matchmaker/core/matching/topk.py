"""The k largest values per row of a matrix that is only ever seen one block at a time.

Blocks are offered either as rows (``block[i, j]`` is a candidate ``col_ids[j]`` for row
``row_ids[i]``) or as columns (the same entry is a candidate ``row_ids[i]`` for row
``col_ids[j]``), so one symmetric block feeds both of its sides. Each row keeps its k-th
best value so far as a floor: once the rows are warm, one vectorised comparison per block
discards nearly every entry and only the few above the floor are merged. A block where many
entries pass (the first one a row sees) is reduced with a partition instead.
"""

from __future__ import annotations

import numpy as np

_DENSE_FRACTION = 0.125  # above this share of entries passing the floor, partition the block
_GROUPS = 256  # column groups whose maxima bound a cold row's k-th largest entry


class RunningTopK:
    """The k largest values offered for each of n rows, with the id offered with each.

    Entries equal to -inf are never kept; a row that saw fewer than k finite values keeps
    -inf values with id -1 in its free places. Among equal values the one kept is unspecified.
    """

    def __init__(self, n_rows: int, k: int):
        self.k = k
        self.values = np.full((n_rows, k), -np.inf, dtype=np.float32)
        self.ids = np.full((n_rows, k), -1, dtype=np.int64)
        self.floor = np.full(n_rows, -np.inf, dtype=np.float32)

    def offer_rows(self, row_ids: np.ndarray, col_ids: np.ndarray, block: np.ndarray) -> None:
        """Offer ``block[i, j]`` as candidate ``col_ids[j]`` of row ``row_ids[i]``.

        *block* is C-contiguous float32; ids are unique within each of row_ids and col_ids.
        """
        floor = self.floor[row_ids]
        if np.isneginf(floor).any():
            floor = np.maximum(floor, _floor_hint(block, self.k))
        hits = np.flatnonzero(block > floor[:, None])
        if hits.size > _DENSE_FRACTION * block.size:
            self._offer_dense(row_ids, col_ids, block)
        else:
            rows, cols = np.divmod(hits, block.shape[1])
            self._offer_sparse(rows, cols, block.reshape(-1)[hits], row_ids, col_ids)

    def offer_columns(self, row_ids: np.ndarray, col_ids: np.ndarray, block: np.ndarray) -> None:
        """Offer ``block[i, j]`` as candidate ``row_ids[i]`` of row ``col_ids[j]`` (unique ids)."""
        floor = self.floor[col_ids]
        if np.isneginf(floor).any():
            floor = np.maximum(floor, _floor_hint(block, self.k, axis=0))
        hits = np.flatnonzero(block > floor[None, :])
        if hits.size > _DENSE_FRACTION * block.size:
            self._offer_dense(col_ids, row_ids, np.ascontiguousarray(block.T))
        else:
            rows, cols = np.divmod(hits, block.shape[1])
            self._offer_sparse(cols, rows, block.reshape(-1)[hits], col_ids, row_ids)

    def _offer_dense(self, row_ids: np.ndarray, col_ids: np.ndarray, block: np.ndarray) -> None:
        k = min(self.k, block.shape[1])
        top = np.argpartition(block, block.shape[1] - k, axis=1)[:, -k:]
        self._merge(row_ids, np.take_along_axis(block, top, axis=1), col_ids[top])

    def _offer_sparse(self, rows, cols, values, row_ids: np.ndarray, col_ids: np.ndarray) -> None:
        """Offer the entries (rows[n], cols[n]) -> values[n], in local block coordinates."""
        if rows.size == 0:
            return
        order = np.lexsort((-values, rows))  # by row, best first
        rows, cols, values = rows[order], cols[order], values[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        sizes = np.diff(np.r_[starts, rows.size])
        rank = np.arange(rows.size) - np.repeat(starts, sizes)
        keep = rank < self.k
        group = np.repeat(np.arange(starts.size), sizes)[keep]
        new_values = np.full((starts.size, self.k), -np.inf, dtype=np.float32)
        new_ids = np.full((starts.size, self.k), -1, dtype=np.int64)
        new_values[group, rank[keep]] = values[keep]
        new_ids[group, rank[keep]] = col_ids[cols[keep]]
        self._merge(row_ids[rows[starts]], new_values, new_ids)

    def _merge(self, rows: np.ndarray, values: np.ndarray, ids: np.ndarray) -> None:
        """Merge candidate (values, ids), one row of candidates per entry of unique *rows*."""
        both_values = np.concatenate([self.values[rows], values], axis=1)
        both_ids = np.concatenate([self.ids[rows], ids], axis=1)
        top = np.argpartition(both_values, both_values.shape[1] - self.k, axis=1)[:, -self.k:]
        self.values[rows] = np.take_along_axis(both_values, top, axis=1)
        self.ids[rows] = np.take_along_axis(both_ids, top, axis=1)
        self.floor[rows] = self.values[rows].min(axis=1)


def _floor_hint(block: np.ndarray, k: int, axis: int = 1) -> np.ndarray:
    """Just below a lower bound of the k-th largest entry of each row (axis=1) or column (axis=0).

    The entries of a row are dealt into g groups (entry j into group j mod g); the k-th largest
    of the group maxima has at least k entries at or above it, so the row's k largest entries
    all exceed the returned value. One pass of np.maximum over contiguous slices and a small
    partition: much cheaper than partitioning the block. -inf when a row has k entries or fewer.
    """
    length, n_lines = block.shape if axis == 0 else block.shape[::-1]
    if length <= k:
        return np.full(n_lines, -np.inf, dtype=np.float32)
    groups = min(length, max(_GROUPS, k))
    if axis == 1:
        maxima = block[:, :groups].copy()
        for start in range(groups, length, groups):
            width = min(groups, length - start)
            np.maximum(maxima[:, :width], block[:, start : start + width], out=maxima[:, :width])
    else:
        maxima = block[:groups].copy()
        for start in range(groups, length, groups):
            width = min(groups, length - start)
            np.maximum(maxima[:width], block[start : start + width], out=maxima[:width])
    kth = np.partition(maxima, groups - k, axis=axis).take(groups - k, axis=axis)
    return np.nextafter(kth, np.float32(-np.inf))
