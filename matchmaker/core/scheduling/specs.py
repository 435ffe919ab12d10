"""The edges of a plain instance built from numpy arrays (``problem.prepare``'s fast path).

"Plain": no pins, no interpreters, no company with a fixed table, languages or an online mode,
at most ``MAX_SLOTS`` slots (availability masks fit an int64). Then an edge's data are the
pair's two companies, its score, whether it is required and the slots both are available in;
its table option is always the pool. The result is the one of the per-pair path (edges in the
order of their sorted id pairs, the same "structural" unplaced entries in the same order), only
built with array operations: at 20,000 companies the per-pair path took seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from . import model as m

MAX_SLOTS = 62  # availability masks as int64


@dataclass
class PlainEdges:
    """Viable edges as arrays (endpoints, score, required, allowed slot mask) and the required pairs lost."""

    ea: np.ndarray
    eb: np.ndarray
    score: np.ndarray
    required: np.ndarray
    allowed: np.ndarray
    structural: list[m.Unplaced]


def is_plain(instance: m.Instance) -> bool:
    """Whether *instance* takes the fast path (module docstring)."""
    return (not instance.pins and not instance.interpreters and instance.slots <= MAX_SLOTS
            and all(c.table is None and not c.languages and c.mode != m.ONLINE for c in instance.companies))


def _ranks(ids: list[str]) -> np.ndarray:
    """Each company's position among the ids sorted as strings (pair keys sort by these)."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    return rank


def _required(instance: m.Instance, known: dict[str, int], forbidden: set[tuple[str, str]]) -> tuple[list[tuple[int, int]], list[m.Unplaced]]:
    """Required pairs of known, allowed companies as index pairs; the others as unplaced entries."""
    wanted: list[tuple[int, int]] = []
    dropped: dict[tuple[str, str], m.Unplaced] = {}
    for a, b in instance.required:
        key = m.pair_key(a, b)
        missing = [cid for cid in key if cid not in known]
        if missing or key in forbidden:
            code, text = (m.UNKNOWN_COMPANY, f"unknown company {missing[0]!r}") if missing else (m.FORBIDDEN, "the pair is forbidden")
            dropped.setdefault(key, m.Unplaced(*key, code, text))
        else:
            wanted.append((known[key[0]], known[key[1]]))
    return wanted, list(dropped.values())


def _lost(ids: list[str], a: int, b: int, common: int, tables: int, cap: np.ndarray) -> m.Unplaced:
    """Why the required pair (a, b) is no edge, as the per-pair path says it."""
    if not common:
        why = f"{ids[a]!r} and {ids[b]!r} have no slot in which both are available"
        return m.Unplaced(ids[a], ids[b], m.NO_COMMON_FREE_SLOT, why)
    if not tables:
        return m.Unplaced(ids[a], ids[b], m.NO_TABLE, "there are no tables")
    zero = a if cap[a] == 0 else b
    return m.Unplaced(ids[a], ids[b], m.OVER_CAP, f"{ids[zero]!r} has a cap of 0")


def plain_edges(instance: m.Instance, known: dict[str, int], avail: list[int], cap: list[int]) -> PlainEdges:
    """The viable edges of a plain *instance* (module docstring) and its structural unplaced entries."""
    ids, n = [c.id for c in instance.companies], len(instance.companies)
    rank = _ranks(ids)
    forbidden = {m.pair_key(a, b) for a, b in instance.forbidden}
    wanted, dropped = _required(instance, known, forbidden)
    count = len(instance.pairs)
    first = np.fromiter(map(known.__getitem__, map(attrgetter("a"), instance.pairs)), dtype=np.int64, count=count)
    second = np.fromiter(map(known.__getitem__, map(attrgetter("b"), instance.pairs)), dtype=np.int64, count=count)
    score = np.fromiter(map(float, map(attrgetter("score"), instance.pairs)), dtype=float, count=count)
    if forbidden:
        banned = np.array([n * int(rank[known[a]]) + int(rank[known[b]]) for a, b in forbidden], dtype=np.int64)
        keep = ~np.isin(np.minimum(rank[first], rank[second]) * n + np.maximum(rank[first], rank[second]), banned)
        first, second, score = first[keep], second[keep], score[keep]
    must = np.array(wanted, dtype=np.int64).reshape(-1, 2)
    first, second = np.concatenate([first, must[:, 0]]), np.concatenate([second, must[:, 1]])
    code = np.minimum(rank[first], rank[second]) * n + np.maximum(rank[first], rank[second])
    keys, where = np.unique(code, return_index=True)  # each pair once (a listed one first), in key order
    a, b = first[where], second[where]
    ea, eb = np.where(rank[a] < rank[b], a, b), np.where(rank[a] < rank[b], b, a)
    scores = np.concatenate([score, np.zeros(len(must))])[where]
    required = np.isin(keys, code[len(score):])
    return _viable(ids, instance.tables, ea, eb, scores, required, np.asarray(avail, dtype=np.int64),
                   np.asarray(cap, dtype=np.int64), dropped)


def _viable(ids: list[str], tables: int, ea: np.ndarray, eb: np.ndarray, score: np.ndarray, required: np.ndarray,
            avail: np.ndarray, cap: np.ndarray, structural: list[m.Unplaced]) -> PlainEdges:
    """Keep the edges with a common slot, a table and two companies allowed meetings."""
    common = avail[ea] & avail[eb]
    ok = (common != 0) & (tables > 0) & (cap[ea] > 0) & (cap[eb] > 0)
    for e in np.flatnonzero(required & ~ok).tolist():
        structural.append(_lost(ids, int(ea[e]), int(eb[e]), int(common[e]), tables, cap))
    return PlainEdges(ea[ok], eb[ok], score[ok], required[ok], common[ok], structural)


def incidence(n: int, ea: np.ndarray, eb: np.ndarray) -> list[list[int]]:
    """Per company, its edges in increasing order."""
    ends = np.concatenate([ea, eb])
    edges = np.tile(np.arange(len(ea), dtype=np.int64), 2)
    order = np.lexsort((edges, ends))
    flat = edges[order].tolist()
    cuts = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=n))]).tolist()
    return [flat[cuts[v]:cuts[v + 1]] for v in range(n)]
