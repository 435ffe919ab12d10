"""Re-weighting from pair feedback: which weights put the partners companies accepted above the
ones they declined or hid.

Feedback is a set of (query, candidate) item pairs labelled accepted or rejected. For weights w
the item score matrix S_w ranks them; the pairwise accuracy is the share of (accepted (q, a),
rejected (q, r)) pairs of one query q with S_w[q, a] > S_w[q, r] (ties count a half).
``reweight`` tries the base weights with the category and concept weights scaled by each
factor of a grid, and keeps the best; the base wins ties, so without a clear signal nothing
changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np

from .model import Weights

FACTORS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def pairwise_accuracy(scores: np.ndarray, accepted: Sequence[tuple[int, int]], rejected: Sequence[tuple[int, int]]) -> float:
    """The share of (accepted, rejected) pairs of the same query ordered right by *scores*
    (ties a half); 0.5 when no query has both kinds."""
    by_query: dict[int, tuple[list[int], list[int]]] = {}
    for q, c in accepted:
        by_query.setdefault(q, ([], []))[0].append(c)
    for q, c in rejected:
        by_query.setdefault(q, ([], []))[1].append(c)
    right = total = 0.0
    for q, (good, bad) in by_query.items():
        if not good or not bad:
            continue
        diff = scores[q, good][:, None] - scores[q, bad][None, :]
        right += float((diff > 0).sum() + 0.5 * (diff == 0).sum())
        total += diff.size
    return right / total if total else 0.5


def candidates(base: Weights, factors: Iterable[float] = FACTORS) -> list[Weights]:
    """*base* first, then its category and concept weights scaled by every pair of *factors*."""
    found = [base]
    for cat in factors:
        for con in factors:
            weights = replace(base, category=base.category * cat, concept=base.concept * con)
            if weights != base:
                found.append(weights)
    return found


def reweight(score: Callable[[Weights], np.ndarray], accepted: Sequence[tuple[int, int]],
             rejected: Sequence[tuple[int, int]], base: Weights, factors: Iterable[float] = FACTORS) -> tuple[Weights, float, float]:
    """The weights among ``candidates(base, factors)`` with the best pairwise accuracy on the
    feedback (*score(weights)* gives the item matrix the pairs index), its accuracy and the
    base's. The base is kept unless another does strictly better."""
    base_accuracy = pairwise_accuracy(score(base), accepted, rejected)
    best, best_accuracy = base, base_accuracy
    for weights in candidates(base, factors)[1:]:
        accuracy = pairwise_accuracy(score(weights), accepted, rejected)
        if accuracy > best_accuracy + 1e-12:
            best, best_accuracy = weights, accuracy
    return best, best_accuracy, base_accuracy
