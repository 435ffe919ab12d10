"""Re-weighting from pair feedback (core.matching.feedback), without an app."""

import numpy as np

from matchmaker.core.matching import Weights
from matchmaker.core.matching.feedback import candidates, pairwise_accuracy, reweight


def test_pairwise_accuracy_counts_ties_as_half():
    scores = np.array([[0.9, 0.5, 0.9], [0.1, 0.2, 0.3]])
    assert pairwise_accuracy(scores, [(0, 0)], [(0, 1), (0, 2)]) == 0.75
    assert pairwise_accuracy(scores, [(1, 0)], []) == 0.5  # no query with both kinds


def test_reweight_keeps_the_base_without_a_signal_and_follows_one():
    base = Weights()
    flat = lambda w: np.zeros((2, 3))  # noqa: E731 - every candidate ties
    assert reweight(flat, [(0, 0)], [(0, 1)], base)[0] == base
    # the accepted offer wins only when categories weigh more than the base gives them
    def score(w):
        return np.array([[0.05 * w.category / base.category, 0.06, 0.0]])
    chosen, after, before = reweight(score, [(0, 0)], [(0, 1)], base)
    assert (before, after) == (0.0, 1.0) and chosen.category > base.category
    assert len(candidates(base)) == 36
